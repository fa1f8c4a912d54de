import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { MigrationError } from './errors.js'
import { loadModule } from './load-module.js'
import type { Operations } from './operations.js'

/** What a revision file exports. */
export interface RevisionModule {
  readonly revision: string
  /** The revision(s) this one follows: null for a first revision, several for a merge. */
  readonly down: string | readonly string[] | null
  readonly message?: string
  upgrade(op: Operations): void | Promise<void>
  downgrade(op: Operations): void | Promise<void>
}

export interface Revision {
  readonly id: string
  readonly downs: readonly string[]
  readonly message: string
  readonly file: string
  readonly module: RevisionModule
}

const REVISION_FILE = /^[0-9a-f]{4,}_.*\.(?:ts|mts|js|mjs)$/

/**
 * The revision history of a migrations folder: a graph of revisions, each naming the one(s) it
 * follows, with branches (two revisions after one) and merges (one after two), as in Alembic.
 * ```ts
 * const history = await RevisionGraph.load('./migrations')
 * history.heads   // ['3f2a9c1b7d4e']
 * ```
 */
export class RevisionGraph {
  readonly revisions: ReadonlyMap<string, Revision>

  private constructor(revisions: Map<string, Revision>) {
    this.revisions = revisions
    for (const r of revisions.values()) {
      for (const d of r.downs) {
        if (!revisions.has(d)) throw new MigrationError(`Revision ${r.id} (${r.file}) follows ${d}, which is not in the migrations folder. Restore that file, or point 'down' at an existing revision.`, { revision: r.id, code: 'migration-history' })
      }
    }
    this.#ordered()
  }

  /** Imports every revision file of `folder` (TypeScript files need the tsx loader the CLI registers). */
  static async load(folder: string): Promise<RevisionGraph> {
    const dir = resolve(folder)
    const revisions = new Map<string, Revision>()
    if (!existsSync(dir)) return new RevisionGraph(revisions)
    for (const file of readdirSync(dir).filter((f) => REVISION_FILE.test(f)).sort()) {
      const module = (await loadModule(join(dir, file))) as Partial<RevisionModule>
      if (typeof module.revision !== 'string' || typeof module.upgrade !== 'function' || typeof module.downgrade !== 'function' || module.down === undefined) {
        throw new MigrationError(`${file} is not a revision: it must export revision, down, upgrade() and downgrade().`, { code: 'migration-history' })
      }
      if (revisions.has(module.revision)) throw new MigrationError(`Two files declare revision ${module.revision}: ${revisions.get(module.revision)!.file} and ${file}.`, { code: 'migration-history' })
      const downs = module.down === null ? [] : typeof module.down === 'string' ? [module.down] : [...module.down]
      revisions.set(module.revision, { id: module.revision, downs, message: module.message ?? '', file, module: module as RevisionModule })
    }
    return new RevisionGraph(revisions)
  }

  /** Revisions no other revision follows. */
  get heads(): string[] {
    const followed = new Set([...this.revisions.values()].flatMap((r) => r.downs))
    return this.#ordered().filter((id) => !followed.has(id))
  }

  /** Every revision, parents before children (ties by file name). */
  #ordered(): string[] {
    const out: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return
      if (state.get(id) === 'visiting') throw new MigrationError(`The revision history has a cycle: ${[...path, id].join(' → ')}.`, { code: 'migration-history' })
      state.set(id, 'visiting')
      for (const d of this.revisions.get(id)!.downs) visit(d, [...path, id])
      state.set(id, 'done')
      out.push(id)
    }
    for (const r of [...this.revisions.values()].sort((a, b) => a.file.localeCompare(b.file))) visit(r.id, [])
    return out
  }

  /** All revisions, in the order an upgrade from empty applies them. */
  get ordered(): string[] {
    return this.#ordered()
  }

  /** `id` and every revision before it. */
  ancestors(ids: Iterable<string>): Set<string> {
    const out = new Set<string>()
    const work = [...ids]
    for (let id = work.pop(); id !== undefined; id = work.pop()) {
      if (out.has(id)) continue
      out.add(id)
      work.push(...(this.revisions.get(id)?.downs ?? []))
    }
    return out
  }

  /** The revision a (possibly abbreviated) id names. */
  resolve(id: string): string {
    if (this.revisions.has(id)) return id
    const matches = [...this.revisions.keys()].filter((r) => r.startsWith(id))
    if (matches.length === 1) return matches[0]!
    throw new MigrationError(
      matches.length === 0
        ? `No revision '${id}' in the migrations folder; 'athanor history' lists them.`
        : `'${id}' names ${matches.length} revisions (${matches.join(', ')}); give more of the id.`,
      { code: 'migration-target' },
    )
  }

  /** The heads of a set of applied revisions: those no other applied revision follows. */
  headsOf(applied: ReadonlySet<string>): string[] {
    const followed = new Set([...applied].flatMap((id) => this.revisions.get(id)?.downs ?? []))
    return this.#ordered().filter((id) => applied.has(id) && !followed.has(id))
  }
}
