import { CompoundSelect, KeyBuilder, Select } from '@athanor/core'
import type { Keyed } from '@athanor/core'
import { isUsePrimary } from './options.js'

/**
 * Functions that write, take locks or read what a write in the same session left behind: a
 * SELECT calling one must run where that session state lives, on the primary. PostgreSQL
 * sequences and advisory locks, MariaDB/MySQL sequences, named locks and LAST_INSERT_ID(x).
 */
export const WRITING_FUNCTIONS: readonly string[] = [
  'nextval', 'setval', 'currval', 'lastval',
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock', 'pg_advisory_unlock_shared', 'pg_advisory_unlock_all',
  'get_lock', 'release_lock', 'release_all_locks', 'last_insert_id',
]

/**
 * Whether a statement is a read a replica may run: a SELECT (or UNION of them) without a row
 * lock, without `usePrimary()` and calling none of `writingFunctions` (default
 * {@link WRITING_FUNCTIONS}; names compare case-insensitively). Everything else — writes,
 * locks, `text()` — stays on the primary.
 *
 * ```ts
 * isReplicaRead(select(User))                           // true
 * isReplicaRead(select(func.nextval('order_ids')))      // false: a sequence advances on the primary only
 * ```
 */
export function isReplicaRead(statement: Keyed, writingFunctions: readonly string[] = WRITING_FUNCTIONS): boolean {
  if (!plainRead(statement)) return false
  // Every function call writes `f<name>[` into the statement's structural key, nested ones too.
  const k = new KeyBuilder()
  statement.key(k)
  const key = k.s.toLowerCase()
  return !writingFunctions.some((name) => key.includes(`f${name.toLowerCase()}[`) || key.includes(`f${name.toLowerCase()}d[`))
}

function plainRead(statement: Keyed): boolean {
  if (statement instanceof CompoundSelect) return statement.selects.every(plainRead)
  if (!(statement instanceof Select)) return false
  return statement.state.lock === undefined && !statement.state.options.some(isUsePrimary)
}
