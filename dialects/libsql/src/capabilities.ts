import type { Capabilities } from '@athanor/core'
import type { LibsqlTargetKind } from './url.js'

/**
 * What SQLite (libsql 0.5.29 bundles SQLite 3.45.1) can do, as core's capability flags.
 * Checked against the bundled engine in test/libsql-driver.test.ts.
 *
 * - `orderedReturning: false`: SQLite documents RETURNING output as arbitrary in order ("There is
 *   no way to cause the output rows to appear in a particular order", lang_returning.html §3).
 *   3.45.1 did return a 500-row multi-row INSERT … RETURNING in VALUES order, but that is not a
 *   promise; SQLAlchemy does not rely on it for SQLite either. Match rows by key instead.
 * - `insertIdArithmetic: false`: last_insert_rowid() is the last row of a multi-row INSERT, and
 *   RETURNING makes it unnecessary.
 * - `autoincrementInsertOrder: true`: a multi-row INSERT inserts its VALUES rows one after the
 *   other, each getting max(rowid) + 1 (lang_createtable.html#rowid; one writer at a time), so
 *   the generated keys are consecutive in VALUES order and RETURNING rows can be matched to the
 *   objects by sorting on the key. The one exception (a table whose rowid reached 2^63 - 1 gets
 *   random rowids) breaks the consecutiveness, which the unit of work checks and reports.
 * - `transactionalDdl: true`: CREATE/DROP roll back with the transaction.
 * - `alterForeignKeys: false`: ALTER TABLE cannot add or drop constraints. It need not: CREATE
 *   TABLE accepts references to tables that do not exist yet (checked at DML time), so tables
 *   in a foreign-key cycle are created with every key inline. Dropping them runs
 *   `PRAGMA defer_foreign_keys = ON` first (see compiler.ts).
 * - `nullsOrdering` (NULLS FIRST/LAST, 3.30), `fullJoin` (RIGHT/FULL JOIN, 3.39), `tupleIn`
 *   (row values, 3.15), `returning` (3.35) all hold for 3.45.1.
 * - `maxParams`: SQLITE_MAX_VARIABLE_NUMBER is 32766 in this build (PRAGMA compile_options).
 * - `insertPageRows: 1000`: 10,000 four-column rows went in 20–30 % faster as pages of 1,000 rows
 *   than as pages of 8,191 (the most `maxParams` allows), with the statement prepared once; the
 *   unit of work's 1,000 × 10 insert 0.91× (benchmarks/PROFILE.md pass 22).
 * - `concurrentConnections`: a file database gets a pool (WAL: readers run beside the one writer,
 *   which connection.ts serialises); `:memory:` keeps one connection, since every connection to
 *   it would open a separate empty database, and so do servers (one HTTP/WebSocket stream).
 * - `isolationLevels`: SQLite transactions are SERIALIZABLE; begin() accepts the weaker levels
 *   too and runs them at SERIALIZABLE.
 * - `statementTimeout: false`: SQLite has no server-side statement timeout.
 * ```ts
 * if (dialect.capabilities.returning.insert) { … }
 * ```
 */
export const libsqlCapabilities: Capabilities = {
  returning: { insert: true, update: true, delete: true },
  multiRowInsert: true,
  orderedReturning: false,
  insertIdArithmetic: false,
  autoincrementInsertOrder: true,
  savepoints: true,
  transactionalDdl: true,
  alterForeignKeys: false,
  ilike: false,
  nullsOrdering: true,
  fullJoin: true,
  intersectExcept: true,
  rowLocks: false,
  tupleIn: true,
  // FILTER on aggregates since 3.30; no LATERAL, DISTINCT ON or ROLLUP.
  aggregateFilter: true,
  maxParams: 32766,
  insertPageRows: 1000,
  concurrentConnections: false,
  singleConnectionReason: 'for an in-memory database (each connection would open its own, empty database; use a file, sqlite:///app.db, for a pool)',
  isolationLevels: ['SERIALIZABLE'],
  deadlockEndsTransaction: false,
  serializationFailures: true,
  statementTimeout: false,
  updateReturning: true,
  // Parsed from SQLite's messages (errors.ts): "UNIQUE constraint failed: t.a, t.b" names no
  // constraint, "FOREIGN KEY constraint failed" nothing at all, and a CHECK failure names the
  // constraint only when it has a name (otherwise SQLite prints its expression).
  integrityErrorFields: {
    unique: ['table', 'columns'],
    'not-null': ['table', 'columns'],
    check: ['constraint'],
  },
}

/**
 * The capabilities that depend on the target: only a local file allows a pool of connections.
 * Nested rows (JSON aggregated in the order given, `json_group_array(… ORDER BY …)`, SQLite
 * 3.44) are used where the bundled SQLite runs the statement, not on a server of unknown version.
 */
export function connectionCapabilities(kind: LibsqlTargetKind | undefined): Pick<Capabilities, 'concurrentConnections' | 'singleConnectionReason' | 'nestedRows'> {
  if (kind === 'file') return { concurrentConnections: true, singleConnectionReason: undefined, nestedRows: true }
  if (kind === 'remote') return { concurrentConnections: false, singleConnectionReason: 'for a libSQL server (a pool of server connections is not supported yet)', nestedRows: false }
  return { concurrentConnections: false, singleConnectionReason: libsqlCapabilities.singleConnectionReason, nestedRows: true }
}
