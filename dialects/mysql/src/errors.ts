import {
  AthanorError,
  DatabaseError,
  DeadlockError,
  IntegrityError,
  LockTimeoutError,
  OperationalError,
  ProgrammingError,
  StatementTimeoutError,
  type IntegrityKind,
  type StatementContext,
} from '@athanor/core'
import { mysqlConstraintInfo } from './constraint-info.js'
import type { MysqlFlavour } from './server-info.js'

/**
 * Error translation for MySQL and MariaDB.
 *
 * Server errors are classified by **errno** (plus flavour where the two servers gave one number
 * two meanings), never by mysql2's `code` names: mysql2 names errnos from MySQL's table, so it
 * calls MariaDB's CHECK violation (4025) `ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE` and gives
 * MariaDB's statement timeout (1969) no code at all. Client-side failures (socket errors,
 * mysql2 protocol errors) have no server errno, so for those the Node/mysql2 code is all there is.
 */

/** Raised by `MysqlConnection` when asked to run something after the connection was lost or closed. */
export const CONNECTION_CLOSED_CODE = 'ATHANOR_CONNECTION_CLOSED'
/** Raised by `MysqlConnection` when an AbortSignal stopped a statement (the connection is destroyed to stop it). */
export const STATEMENT_ABORTED_CODE = 'ATHANOR_STATEMENT_ABORTED'

/** Server errnos this module classifies; the comment names the server that uses the number that way. */
export const MysqlErrno = {
  DUP_KEY: 1022,
  BAD_NULL: 1048,
  SERVER_SHUTDOWN: 1053,
  BAD_FIELD: 1054,
  PARSE_ERROR: 1064,
  NO_SUCH_TABLE: 1146,
  LOCK_WAIT_TIMEOUT: 1205,
  DEADLOCK: 1213,
  NO_REFERENCED_ROW: 1216,
  ROW_IS_REFERENCED: 1217,
  WARN_NULL_TO_NOTNULL: 1263,
  QUERY_INTERRUPTED: 1317,
  NO_DEFAULT_FOR_FIELD: 1364,
  ROW_IS_REFERENCED_2: 1451,
  NO_REFERENCED_ROW_2: 1452,
  DUP_ENTRY_WITH_KEY_NAME: 1586,
  DUP_ENTRY: 1062,
  /** ER_UNKNOWN_COM_ERROR; Galera answers it while a node is not ready ("WSREP has not yet prepared node for application use"). */
  UNKNOWN_COMMAND: 1047,
  /** ER_OPTION_PREVENTS_STATEMENT: e.g. a write on a server running with --read-only (a replica). */
  OPTION_PREVENTS_STATEMENT: 1290,
  /** ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (SQLSTATE 25006). */
  READ_ONLY_TRANSACTION: 1792,
  /** MariaDB: KILL of the connection's thread. */
  CONNECTION_KILLED: 1927,
  /** MariaDB: max_statement_time exceeded (mysql2 gives it no `code`). */
  STATEMENT_TIMEOUT_MARIADB: 1969,
  /** MySQL: MAX_EXECUTION_TIME exceeded. (MariaDB: ER_UNUSED_1.) */
  QUERY_TIMEOUT_MYSQL: 3024,
  /** MySQL: NOWAIT could not lock. (Not a MariaDB errno; MariaDB NOWAIT answers 1205.) */
  LOCK_NOWAIT_MYSQL: 3572,
  /** MySQL 8.0.16+: CHECK constraint violated. (Not a MariaDB errno.) */
  CHECK_MYSQL: 3819,
  /** MariaDB: CONSTRAINT … failed (CHECK). MySQL 8: ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE. */
  CHECK_MARIADB: 4025,
  /** MySQL 8.0.24+: client idle timeout, connection closed. MariaDB: ER_REFERENCED_TRG_DOES_NOT_EXIST. */
  IDLE_DISCONNECT_MYSQL: 4031,
  /** Client library codes (libmysqlclient); kept for errors relayed from other clients and proxies. */
  SERVER_GONE: 2006,
  SERVER_LOST: 2013,
  SERVER_LOST_EXTENDED: 2055,
} as const

const UNIQUE = new Set<number>([MysqlErrno.DUP_ENTRY, MysqlErrno.DUP_ENTRY_WITH_KEY_NAME, MysqlErrno.DUP_KEY])
const FOREIGN_KEY = new Set<number>([MysqlErrno.ROW_IS_REFERENCED_2, MysqlErrno.NO_REFERENCED_ROW_2, MysqlErrno.NO_REFERENCED_ROW, MysqlErrno.ROW_IS_REFERENCED])
// 1364 is "Field 'x' doesn't have a default value": an INSERT left out a NOT NULL column
// without a default, which is the same mistake PostgreSQL reports as a not-null violation.
const NOT_NULL = new Set<number>([MysqlErrno.BAD_NULL, MysqlErrno.NO_DEFAULT_FOR_FIELD, MysqlErrno.WARN_NULL_TO_NOTNULL])
const PROGRAMMING = new Set<number>([MysqlErrno.PARSE_ERROR, MysqlErrno.NO_SUCH_TABLE, MysqlErrno.BAD_FIELD])
const DISCONNECT_ERRNOS = new Set<number>([
  MysqlErrno.SERVER_GONE, MysqlErrno.SERVER_LOST, MysqlErrno.SERVER_LOST_EXTENDED,
  MysqlErrno.CONNECTION_KILLED, MysqlErrno.SERVER_SHUTDOWN,
])
/** Node socket codes and mysql2 protocol codes that mean the connection is gone. */
const DISCONNECT_CODES = new Set<string>([
  'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE', 'PROTOCOL_PACKETS_OUT_OF_ORDER',
  CONNECTION_CLOSED_CODE, STATEMENT_ABORTED_CODE,
])

/** The fields of a mysql2 error (a plain `Error` with extra properties). */
interface MysqlErrorFields {
  readonly message: string
  readonly errno: number | undefined
  readonly code: string | undefined
  readonly sqlState: string | undefined
  readonly sqlMessage: string | undefined
  readonly fatal: boolean
}

function fieldsOf(error: unknown): MysqlErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const e = error as Record<string, unknown>
  return {
    message: typeof e['message'] === 'string' ? e['message'] : String(error),
    errno: typeof e['errno'] === 'number' ? e['errno'] : undefined,
    code: typeof e['code'] === 'string' ? e['code'] : undefined,
    sqlState: typeof e['sqlState'] === 'string' ? e['sqlState'] : undefined,
    sqlMessage: typeof e['sqlMessage'] === 'string' ? e['sqlMessage'] : undefined,
    fatal: e['fatal'] === true,
  }
}

/** The server's errno, if the error came from the server. Node socket errors carry negative errnos. */
function serverErrno(e: MysqlErrorFields): number | undefined {
  return e.errno !== undefined && e.errno > 0 ? e.errno : undefined
}

/**
 * True when the error means the connection is unusable and must be discarded.
 * `flavour` settles errno 4031 (MySQL idle disconnect; a trigger error on MariaDB).
 *
 * ```ts
 * isMysqlDisconnect(Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })) // true
 * isMysqlDisconnect(Object.assign(new Error('Duplicate entry'), { errno: 1062, sqlState: '23000' }))               // false
 * ```
 */
export function isMysqlDisconnect(error: unknown, flavour?: MysqlFlavour): boolean {
  if (error instanceof OperationalError) return error.disconnect
  if (error instanceof AthanorError) return false
  const e = fieldsOf(error)
  if (e === undefined) return false
  // mysql2 sets `fatal` whenever it stops using the socket, including for
  // "Can't add new command when connection is in closed state", which has no code.
  if (e.fatal) return true
  if (e.code !== undefined && DISCONNECT_CODES.has(e.code)) return true
  const n = serverErrno(e)
  if (n === undefined) return false
  if (DISCONNECT_ERRNOS.has(n)) return true
  if (n === MysqlErrno.UNKNOWN_COMMAND && /WSREP/i.test(e.sqlMessage ?? e.message)) return true
  return n === MysqlErrno.IDLE_DISCONNECT_MYSQL && flavour === 'mysql'
}

function isCheckViolation(n: number, e: MysqlErrorFields, flavour: MysqlFlavour | undefined): boolean {
  if (n === MysqlErrno.CHECK_MYSQL) return flavour !== 'mariadb'
  if (n !== MysqlErrno.CHECK_MARIADB) return false
  // With no flavour known, SQLSTATE tells them apart: MariaDB's CHECK failure is 23000,
  // MySQL's autoextend-size error is HY000.
  return flavour === 'mariadb' || (flavour === undefined && e.sqlState === '23000')
}

function isStatementTimeout(n: number, flavour: MysqlFlavour | undefined): boolean {
  if (n === MysqlErrno.STATEMENT_TIMEOUT_MARIADB) return flavour !== 'mysql'
  if (n === MysqlErrno.QUERY_TIMEOUT_MYSQL) return flavour !== 'mariadb'
  return false
}

function label(e: MysqlErrorFields, flavour: MysqlFlavour | undefined): string {
  const server = flavour === 'mariadb' ? 'MariaDB' : flavour === 'mysql' ? 'MySQL' : 'MySQL/MariaDB'
  const n = serverErrno(e)
  if (n !== undefined) return `${server} error ${n}${e.sqlState ? `, SQLSTATE ${e.sqlState}` : ''}`
  return e.code !== undefined ? `mysql2 ${e.code}` : 'mysql2'
}

/** mysql2's refusal to build a row object with a key such as '__proto__' (helpers.fieldEscape). */
const UNREADABLE_FIELD = /^The field name \(.*\) can't be the same as an object's private property\.$/

/**
 * Turns a mysql2 error into Athanor's hierarchy, keeping the original as `cause`.
 *
 * - 1062/1586/1022 → `IntegrityError('unique')`; 1451/1452/1216/1217 → `'foreign-key'`;
 *   1048/1364/1263 → `'not-null'`; 3819 (MySQL) and 4025 (MariaDB) → `'check'`; other SQLSTATE 23 → `'other'`
 * - 1213 → `DeadlockError`. InnoDB has already rolled back the **whole** transaction, even when
 *   the statement ran inside a savepoint: on MariaDB the savepoint is gone (1305) and
 *   `@@in_transaction` is 0, so later statements would autocommit. The engine must treat the
 *   transaction as over (capability `deadlockEndsTransaction`).
 * - 1205 / 3572 → `LockTimeoutError` (only the statement is rolled back; the transaction stays open)
 * - 1969 (MariaDB) / 3024 (MySQL) → `StatementTimeoutError` (the transaction stays open)
 * - lost connections (socket errors, mysql2 `fatal`, 2006/2013/2055/1927/1053, MySQL 4031) →
 *   `OperationalError` with `disconnect: true` (the engine turns one during COMMIT into `CommitOutcomeUnknownError`)
 * - 1064/1146/1054 and any SQLSTATE class 42 → `ProgrammingError`; anything else → `DatabaseError`
 *
 * ```ts
 * try { await conn.execute(sql, params) } catch (e) {
 *   throw translateMysqlError(e, { sql, params }, 'mariadb')
 * }
 * ```
 */
export function translateMysqlError(error: unknown, ctx: StatementContext = {}, flavour?: MysqlFlavour): AthanorError {
  if (error instanceof AthanorError) return error
  const e = fieldsOf(error)
  if (e === undefined) return new DatabaseError('database', `The MySQL driver failed with a non-error value: ${String(error)}`, error, ctx)
  const n = serverErrno(e)
  const driverCode = n !== undefined ? String(n) : e.code
  const text = e.sqlMessage ?? e.message
  const where = label(e, flavour)

  if (UNREADABLE_FIELD.test(e.message)) {
    // mysql2 closes the connection after this (fatal), so the engine discards it; but the fault
    // is the statement's, and running it again would fail the same way: not a lost connection.
    return new ProgrammingError(
      `${e.message} mysql2 cannot read a result column with that name; give it another label (AS …). The connection has been discarded.`,
      error, ctx, 'MYSQL2_FIELD_NAME',
    )
  }
  if (n === MysqlErrno.UNKNOWN_COMMAND && /WSREP/i.test(text)) {
    // The node is joining or outside the cluster's primary component: this connection cannot
    // serve until it is ready, another node may. Discarded, and retried by session.run().
    return new OperationalError(
      `${text} (${where}). This Galera node is not ready for application use (joining, or cut off from the cluster's primary component). ` +
        'The connection has been discarded; a new connection — to another node with a multi-host URL — can serve once one is ready.',
      error, ctx, driverCode, true, 'node-not-ready', true,
    )
  }
  if (n === MysqlErrno.OPTION_PREVENTS_STATEMENT && /read.only/i.test(text)) {
    return new DatabaseError(
      'read-only',
      `${text} (${where}). The server refuses writes (a replica, or read_only set): send writes to the primary.`,
      error, ctx, driverCode,
    )
  }
  if (n === MysqlErrno.READ_ONLY_TRANSACTION) {
    return new DatabaseError('read-only', `${text} (${where}). The transaction was begun READ ONLY (readOnly in the session or begin()); write in a read-write transaction.`, error, ctx, driverCode)
  }
  if (isMysqlDisconnect(error, flavour)) {
    // A lost COMMIT (outcome unknown) is the engine's call: it wraps this in CommitOutcomeUnknownError.
    const reason = e.code === STATEMENT_ABORTED_CODE ? text : `The connection to the server was lost: ${text} (${where}). The connection has been discarded.`
    return new OperationalError(reason, error, ctx, driverCode, true)
  }
  if (n === undefined) {
    if (error instanceof Error && error.name === 'AbortError') return new OperationalError(text, error, ctx, 'AbortError')
    return new DatabaseError('database', `${text} (${where})`, error, ctx, driverCode)
  }

  let kind: IntegrityKind | undefined
  if (UNIQUE.has(n)) kind = 'unique'
  else if (FOREIGN_KEY.has(n)) kind = 'foreign-key'
  else if (NOT_NULL.has(n)) kind = 'not-null'
  else if (isCheckViolation(n, e, flavour)) kind = 'check'
  else if (e.sqlState?.startsWith('23')) kind = 'other'
  if (kind !== undefined) {
    // "Duplicate entry '<value>' for key …" echoes row data: shown only where parameters are.
    const safe = ctx.showParams ? text : text.replace(/^Duplicate entry '.*' for key/s, 'Duplicate entry (value hidden; create the engine with logParameters: true to show it) for key')
    return new IntegrityError(kind, `${safe} (${where})`, error, ctx, driverCode, mysqlConstraintInfo(kind, text, flavour))
  }

  if (n === MysqlErrno.DEADLOCK) {
    return new DeadlockError(
      `${text} (${where}). The server rolled back the whole transaction, savepoints included; retry the whole transaction.`,
      error, ctx, driverCode,
    )
  }
  if (n === MysqlErrno.LOCK_WAIT_TIMEOUT || n === MysqlErrno.LOCK_NOWAIT_MYSQL) {
    return new LockTimeoutError(`${text} (${where}). Only this statement was rolled back; the transaction is still open.`, error, ctx, driverCode)
  }
  if (isStatementTimeout(n, flavour)) {
    return new StatementTimeoutError(
      `${text} (${where}). The statement ran past the statement timeout; make it cheaper or raise statementTimeoutMs. The transaction is still open.`,
      error, ctx, driverCode,
    )
  }
  if (n === MysqlErrno.QUERY_INTERRUPTED) return new OperationalError(`${text} (${where}): the statement was cancelled (KILL QUERY).`, error, ctx, driverCode)
  if (PROGRAMMING.has(n) || e.sqlState?.startsWith('42')) return new ProgrammingError(`${text} (${where})`, error, ctx, driverCode)
  return new DatabaseError('database', `${text} (${where})`, error, ctx, driverCode)
}
