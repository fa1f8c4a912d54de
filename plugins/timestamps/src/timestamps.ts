import type { Mapper, Plugin } from '@athanor/core'

export interface TimestampsOptions {
  /** The column key stamped on insert. Default `created_at`; `false` for none. */
  readonly createdAt?: string | false
  /** The column key stamped on insert and on every update. Default `updated_at`; `false` for none. */
  readonly updatedAt?: string | false
  /** The time to write. Default: `new Date()` (one value per flush object). */
  readonly now?: () => unknown
}

/**
 * The timestamps plugin: classes with the configured columns get them set by the flush —
 * `createdAt` and `updatedAt` on INSERT (unless the object already has a value), `updatedAt` on
 * every UPDATE (unless the update sets it itself). Register it on a declarative base (its
 * classes), a session factory or an engine (every session).
 * ```ts
 * usePlugin(Base, timestamps({ createdAt: 'created', updatedAt: 'modified' }))
 * ```
 */
export function timestamps(options: TimestampsOptions = {}): Plugin {
  const created = options.createdAt === undefined ? 'created_at' : options.createdAt
  const updated = options.updatedAt === undefined ? 'updated_at' : options.updatedAt
  const now = options.now ?? (() => new Date())
  const has = (m: Mapper, key: string | false): key is string => key !== false && m.columnIndex.has(key)
  return {
    name: 'timestamps',
    install(host) {
      host.onMapper('beforeInsert', ({ mapper, object }) => {
        const o = object as Record<string, unknown>
        const t = now()
        if (has(mapper, created) && o[created] === undefined) o[created] = t
        if (has(mapper, updated) && o[updated] === undefined) o[updated] = t
      })
      host.onMapper('beforeUpdate', ({ mapper, object, changes }) => {
        if (has(mapper, updated) && !(updated in changes)) (object as Record<string, unknown>)[updated] = now()
      })
    },
  }
}
