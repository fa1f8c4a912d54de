import { AthanorError } from '@athanor/core'

/**
 * A migration could not run, or a revision is not what the history says. The message names the
 * revision and the operation where it happened, and the fix.
 * ```ts
 * try { await migrator.upgrade('head') } catch (e) { if (e instanceof MigrationError) console.error(e.revision, e.completed, e.message) }
 * ```
 */
export class MigrationError extends AthanorError {
  /** The revision being applied, when the failure is inside one. */
  readonly revision: string | undefined
  /** Operations of that revision that had run when it failed (they stay applied where DDL is not transactional). */
  readonly completed: readonly string[]
  constructor(message: string, options: { revision?: string; completed?: readonly string[]; cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'migration', message, { cause: options.cause })
    this.revision = options.revision
    this.completed = options.completed ?? []
  }
}
