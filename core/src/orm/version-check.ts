import { Bind, BooleanList } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import { select } from '../sql/select.js'
import type { Executable } from '../engine/connection.js'
import type { Dialect } from '../dialect/contract.js'
import type { InstanceState } from './instance-state.js'
import type { Mapper } from './mapper.js'
import { StaleDataError } from './orm-errors.js'
import { pkWhere } from './row-where.js'

/*
 * Version counters (`versionId` columns): the unit of work's UPDATEs and DELETEs name each row
 * by its primary key *and* the version it read, so a row another transaction has written since
 * matches nothing; the statement's row count then shows the conflict, and one SELECT finds which
 * object it was and what the database holds now.
 */

/** The version each state was read with (its committed value of the version column). */
export function readVersion(m: Mapper, s: InstanceState): unknown {
  return s.committed![m.columnIndex.get(m.versionColumn!.key_)!]
}

/** `(pk = ? AND version = ?) OR …` for the rows of `states` as they were read. */
export function versionedWhere(m: Mapper, states: readonly InstanceState[]): Expression<boolean> {
  const vc = m.versionColumn!
  const conds = states.map((s) => new BooleanList('AND', [pkWhere(m, m.pkIndexes.map((i) => s.committed![i])), vc.eq(new Bind(readVersion(m, s), vc.type) as never)]))
  return conds.length === 1 ? conds[0]! : new BooleanList('OR', conds)
}

/**
 * Whether a versioned batch can tell which of its rows it wrote: with RETURNING the statement
 * lists them; without it the unit of work sends one statement per versioned row, so that a row
 * count of 0 names the object (two writers of a counter can write the same next version, so the
 * versions read afterwards cannot tell them apart).
 */
export function versionedBatchSize(dialect: Dialect, what: 'update' | 'delete', size: number): number {
  return dialect.capabilities.returning[what] ? size : 1
}

/** The states of a versioned batch that its RETURNING rows (primary keys) do not list: the stale ones. */
export function unmatched(m: Mapper, states: readonly InstanceState[], returned: readonly (readonly unknown[])[]): InstanceState[] {
  const seen = new Set(returned.map((r) => JSON.stringify(r.slice(0, m.pkIndexes.length), big)))
  return states.filter((s) => !seen.has(JSON.stringify(m.pkIndexes.map((i) => s.committed![i]), big)))
}

/**
 * The StaleDataError for versioned rows an UPDATE or DELETE did not match: reads their current
 * versions to say which object lost the race and to what, or that another transaction deleted it.
 */
export async function versionConflict(
  execute: (stmt: Executable) => Promise<{ rows: readonly (readonly unknown[])[] }>, m: Mapper, stale: readonly InstanceState[], what: 'UPDATE' | 'DELETE',
): Promise<StaleDataError> {
  const vc = m.versionColumn!
  const pkCols = m.pkIndexes.map((i) => m.columns[i]!)
  const s = stale[0]!
  const pk = m.pkIndexes.map((i) => s.committed![i])
  const label = `${m.className} ${JSON.stringify(pk.map(String))}`
  const read = String(readVersion(m, s))
  const more = stale.length > 1 ? ` (and ${stale.length - 1} more ${m.className} of the same statement)` : ''
  const [row] = (await execute(select(...pkCols, vc).where(pkWhere(m, pk)) as unknown as Executable)).rows
  if (row === undefined) {
    return new StaleDataError(what, stale.length, 0,
      `${what} of ${label}${more} found no row: another transaction deleted it after this session read version ${read}. ` +
        'Roll back and reload (session.run() retries the whole unit of work).')
  }
  return new StaleDataError(what, stale.length, 0,
    `${what} of ${label}${more} lost a race: this session read version ${read} of ${vc.key_}, and another transaction has since written version ` +
      `${String(row[pkCols.length])}. Roll back and apply the change to the current row (session.run() retries the whole unit of work).`)
}

function big(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v
}
