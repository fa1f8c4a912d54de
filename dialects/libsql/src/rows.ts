import type { StatementResult } from './client-api.js'
import type { DriverResult } from '@athanor/core'

/**
 * libsql ResultSets → Athanor's DriverResult (positional rows).
 *
 * The client runs with `intMode: 'bigint'` so integers past 2^53 are read exactly instead of
 * throwing a RangeError; in the same single pass that turns Row objects into arrays, every
 * integer that fits a double exactly becomes a `number` again. So untyped results (text(),
 * count(*)) look like every other dialect's, and only genuinely huge integers stay `bigint`.
 */

const MIN_SAFE = -9007199254740991n
const MAX_SAFE = 9007199254740991n

/**
 * Rows `from` … `to - 1` as arrays, each copied into an array of exactly its length. A row is the
 * native binding's array or `@libsql/client`'s Row (indexable, with a `length`; its named
 * properties lose duplicate column names, the indexes do not). The binding grows its arrays
 * element by element, leaving room for 17 values whatever the column count, and the session keeps
 * a loaded row as the object's committed snapshot: converting in place kept ~100 bytes of slack
 * per loaded object (benchmarks/PROFILE.md, pass 18).
 */
export function toRowArrays(rows: readonly ArrayLike<unknown>[], from = 0, to = rows.length): unknown[][] {
  const out = new Array<unknown[]>(to - from)
  for (let i = from; i < to; i++) {
    const row = rows[i]!
    const n = row.length
    const arr = new Array<unknown>(n)
    for (let j = 0; j < n; j++) {
      const v = row[j]
      arr[j] = typeof v === 'bigint' && v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v
    }
    out[i - from] = arr
  }
  return out
}

const INSERT_START = /^\s*(?:INSERT|REPLACE)\b/i

/**
 * The DriverResult for a statement.
 * - `rowsAffected`: libsql reports 0 for any statement that returns rows (INSERT … RETURNING
 *   included), so for those it is the number of rows returned, which for DML … RETURNING is the
 *   number of rows changed (and for a SELECT the number of rows, as node-postgres reports it).
 * - `insertId`: SQLite's last_insert_rowid() is the *last* row inserted and survives statements
 *   that insert nothing, so it is reported only for an INSERT that changed exactly one row
 *   (where first = last); use RETURNING for anything else.
 */
export function toDriverResult(sql: string, rs: StatementResult): DriverResult {
  if (rs.reader ?? rs.columns.length > 0) {
    return { rows: toRowArrays(rs.rows), columnNames: rs.columns.length > 0 ? rs.columns : undefined, rowsAffected: rs.rows.length }
  }
  const id = rs.lastInsertRowid
  const insertId =
    id !== undefined && rs.rowsAffected === 1 && INSERT_START.test(sql)
      ? id >= MIN_SAFE && id <= MAX_SAFE ? Number(id) : id
      : undefined
  return { rows: [], columnNames: [], rowsAffected: rs.rowsAffected, insertId }
}
