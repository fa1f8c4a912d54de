import { stateOf } from '@athanor/core'
import type { AsyncSession, Keyed, Plugin } from '@athanor/core'
import { excludeDeleted } from './criteria.js'
import { deletedColumnOf, deletedColumnOfObject } from './registry.js'

export interface SoftDeleteOptions {
  /** The deletion time to record. Default: `new Date()`. */
  readonly now?: () => unknown
}

const hardDeletes = new WeakSet<object>()

/**
 * The soft-delete plugin. Register it on an engine (every statement) or a session factory (its
 * sessions); classes opt in with `softDeletable()`.
 * - `session.delete(obj)` of a soft-deletable object becomes `UPDATE … SET deleted_at = now`
 *   at the next flush (the object stays persistent, with `deleted_at` set);
 * - every SELECT — ORM queries, relationship loads, subqueries, joins (criteria in ON) — leaves
 *   rows with `deleted_at` set out, unless the statement has `.options(withDeleted())`;
 * - `restore(session, obj)` undoes it; `hardDelete(session, obj)` really deletes.
 * ```ts
 * usePlugin(engine, softDelete())
 * softDeletable(Book)
 * await session.delete(book); await session.commit()   // UPDATE books SET deleted_at = …
 * ```
 * Deletes that the flush itself decides (delete-orphan and delete cascades) stay real deletes.
 */
export function softDelete(options: SoftDeleteOptions = {}): Plugin {
  const now = options.now ?? (() => new Date())
  return {
    name: 'soft-delete',
    install(host) {
      const memo = new WeakMap<object, Keyed>()
      host.transformStatement((stmt) => excludeDeleted(stmt, memo))
      host.onSession('beforeFlush', ({ session }) => {
        for (const obj of session.deleted) {
          const col = deletedColumnOf(stateOf(obj).mapper.table)
          if (!col || hardDeletes.has(obj)) continue
          session.add(obj) // un-marks the deletion; the changed column makes it an UPDATE
          ;(obj as Record<string, unknown>)[col.key_] = now()
        }
      })
    },
  }
}

/**
 * Clears the deleted-at mark of a soft-deleted object (re-attaching it when detached); the next
 * flush writes it.
 * ```ts
 * const book = (await session.scalars(select(Book).where(Book.c.id.eq(id)).options(withDeleted()))).one()
 * restore(session, book)
 * await session.commit()
 * ```
 */
export function restore(session: AsyncSession, obj: object): void {
  const col = deletedColumnOfObject(obj, 'restore()')
  if (stateOf(obj).lifecycle === 'detached') session.add(obj)
  ;(obj as Record<string, unknown>)[col.key_] = null
}

/** Marks a soft-deletable object for a real DELETE (the row is gone after the flush). */
export async function hardDelete(session: AsyncSession, obj: object): Promise<void> {
  deletedColumnOfObject(obj, 'hardDelete()')
  hardDeletes.add(obj)
  await session.delete(obj)
}
