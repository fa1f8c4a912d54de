import { LibsqlError } from '@libsql/client'
import {
  ArgumentError, AthanorError, DatabaseError, IntegrityError, LockTimeoutError, OperationalError, ProgrammingError,
  SerializationError, ValueError,
} from '@athanor/core'
import type { ConstraintInfo, IntegrityKind, StatementContext } from '@athanor/core'
import { WriteLockTimeout } from './write-lock.js'

/**
 * Error translation for libSQL: `LibsqlError` (local: `code` is the primary SQLite code,
 * `extendedCode` the extended one; remote: `code` is the server's code and there is usually no
 * extended code) into Athanor's hierarchy, keeping the driver's message text and the error as
 * `cause`.
 */

const CONSTRAINT_KINDS: Readonly<Record<string, IntegrityKind>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_CHECK: 'check',
}

/** Remote servers report only 'SQLITE_CONSTRAINT'; the message names the kind. */
const CONSTRAINT_MESSAGES: readonly (readonly [RegExp, IntegrityKind])[] = [
  [/\bUNIQUE constraint failed/i, 'unique'],
  [/\bFOREIGN KEY constraint failed/i, 'foreign-key'],
  [/\bNOT NULL constraint failed/i, 'not-null'],
  [/\bCHECK constraint failed/i, 'check'],
]

/** Codes after which the client (or, remotely, its stream) cannot be used again. */
const DISCONNECT_CODES = new Set([
  'CLIENT_CLOSED', 'HRANA_CLOSED_ERROR', 'HRANA_WEBSOCKET_ERROR', 'HRANA_PROTO_ERROR', 'SERVER_ERROR',
  'PROTOCOL_VERSION_ERROR', 'STREAM_EXPIRED', 'STREAM_NOT_FOUND',
])

/** Node / undici socket errors, found on `cause` chains of remote clients' errors. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT',
])

const PROGRAMMING_CODES = new Set(['SQLITE_ERROR', 'SQLITE_RANGE', 'SQL_PARSE_ERROR', 'SQL_INPUT_ERROR', 'ARGS_INVALID', 'SQL_NO_STATEMENT', 'SQL_MANY_STATEMENTS'])
const DATA_CODES = new Set(['SQLITE_MISMATCH', 'SQLITE_TOOBIG'])
const URL_CODES = new Set(['URL_INVALID', 'URL_SCHEME_NOT_SUPPORTED', 'URL_PARAM_NOT_SUPPORTED', 'ENCRYPTION_KEY_NOT_SUPPORTED'])

/** What the connection knew when a SQLITE_BUSY reached the caller, for the message. */
export interface BusyNote {
  /** How long the retry loop waited before giving up. */
  readonly waitedMs?: number
  /** The statement ran inside a transaction, where BUSY is not retried. */
  readonly inTransaction?: boolean
}

const busyNotes = new WeakMap<object, BusyNote>()

/** Attaches what the connection knew about a SQLITE_BUSY error; translateError reads it. */
export function noteBusy(error: unknown, note: BusyNote): void {
  if (typeof error === 'object' && error !== null) busyNotes.set(error, note)
}

/** The `LibsqlError` prefixes messages with `CODE: `; the readable part is the rest. */
function driverText(err: LibsqlError): string {
  const prefix = `${err.code}: `
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message
}

/** True for SQLITE_BUSY in any of its extended forms (BUSY_SNAPSHOT included). */
export function isBusy(error: unknown): error is LibsqlError {
  return error instanceof LibsqlError && error.code.startsWith('SQLITE_BUSY')
}

/**
 * True for a SQLITE_BUSY that waiting can cure. SQLITE_BUSY_SNAPSHOT is not: the transaction read
 * a snapshot another connection has since written past, so only restarting the transaction helps.
 */
export function isRetryableBusy(error: unknown): error is LibsqlError {
  return isBusy(error) && (error.extendedCode ?? error.code) !== 'SQLITE_BUSY_SNAPSHOT'
}

/**
 * True when the error means the connection (the client) is unusable: a closed client, a lost or
 * expired remote stream, or a network error.
 * ```ts
 * if (driver.isDisconnect(e)) pool.invalidate(connection)
 * ```
 */
export function isDisconnect(error: unknown): boolean {
  if (error instanceof OperationalError) return error.disconnect
  let e: unknown = error
  for (let depth = 0; depth < 6 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (DISCONNECT_CODES.has(code) || NETWORK_CODES.has(code))) return true
    // fetch() reports every network failure as TypeError('fetch failed') with the socket error as cause
    if (e instanceof TypeError && e.message === 'fetch failed') return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * Turns an error from `@libsql/client` into Athanor's hierarchy. The driver's own text is kept
 * (`UNIQUE constraint failed: users.email`) and `ctx` adds the SQL (and parameters when allowed).
 * ```ts
 * translateError(e, { sql })  // IntegrityError { kind: 'unique', driverCode: 'SQLITE_CONSTRAINT_UNIQUE' }
 * ```
 */
export function translateError(error: unknown, ctx: StatementContext = {}): AthanorError {
  if (error instanceof AthanorError) return error
  if (error instanceof WriteLockTimeout) {
    return new LockTimeoutError(
      `Waited ${error.waitedMs} ms (the busyTimeoutMs driver option) for the write lock of ${error.database}: another ` +
        `transaction of this process has held it for ${error.heldMs} ms and has not committed. SQLite runs one writing ` +
        'transaction at a time; keep write transactions short (no waiting on other I/O between their first write and ' +
        'commit), or raise busyTimeoutMs. engine.poolStatus.writeLock names the connection that holds it.',
      error, ctx, 'write-lock-timeout',
    )
  }
  if (error instanceof LibsqlError) return translateLibsqlError(error, ctx)
  const openFailure = openFailureOf(error)
  if (openFailure !== undefined) return new OperationalError(openFailure.text, error, ctx, openFailure.code, true)
  if (isDisconnect(error)) {
    return new OperationalError(`The connection to the libSQL server failed: ${messageOf(error)}`, error, ctx, codeOf(error), true)
  }
  // The client rejects some values itself (undefined, NaN, a bigint past 64 bits); core's
  // validation normally catches them first.
  if (error instanceof RangeError || error instanceof TypeError) return new ValueError(`libSQL cannot bind a parameter: ${error.message}`)
  return new DatabaseError('database', messageOf(error), error, ctx, codeOf(error))
}

function translateLibsqlError(err: LibsqlError, ctx: StatementContext): AthanorError {
  // Remote servers may put an extended code ('SQLITE_CONSTRAINT_UNIQUE') in `code` itself.
  const code = err.code.replace(/^(SQLITE_[A-Z]+)_[A-Z_]+$/, '$1')
  const driverCode = err.extendedCode ?? err.code
  const text = driverText(err)
  if (code === 'SQLITE_CONSTRAINT') {
    const kind = CONSTRAINT_KINDS[driverCode] ?? CONSTRAINT_MESSAGES.find(([re]) => re.test(text))?.[1] ?? 'other'
    return new IntegrityError(kind, text, err, ctx, driverCode, constraintInfo(kind, text))
  }
  if (code === 'SQLITE_BUSY') {
    if (driverCode === 'SQLITE_BUSY_SNAPSHOT') {
      return new SerializationError(
        `${text}: another connection committed after this transaction started reading, so it cannot write; ` +
          'roll back and run the whole transaction again.',
        err, ctx, driverCode,
      )
    }
    const note = busyNotes.get(err)
    if (note?.inTransaction) {
      return new LockTimeoutError(
        `${text}: another connection holds the database's write lock, and a statement inside a transaction cannot wait ` +
          'for it (libsql could not commit the transaction afterwards). Roll back and run the transaction again: ' +
          "session.run() does, and its retries take the lock at their first statement, where waiting is safe (as " +
          "transactionMode 'write' does for every transaction).",
        err, ctx, driverCode,
      )
    }
    const waitedText = note?.waitedMs === undefined ? '' : ` (waited ${note.waitedMs} ms)`
    return new LockTimeoutError(
      `${text}${waitedText}: another connection holds the database's write lock. ` +
        'Keep write transactions short, or raise the busyTimeoutMs driver option.',
      err, ctx, driverCode,
    )
  }
  if (code === 'SQLITE_LOCKED') return new LockTimeoutError(text, err, ctx, driverCode)
  if (code === 'SQLITE_READONLY') {
    return new DatabaseError(
      'read-only',
      `${text}: the transaction or the file is read-only (readOnly in the session or begin(), a mode=ro URL, or the file's permissions); write through a read-write session.`,
      err, ctx, driverCode,
    )
  }
  if (code === 'TRANSACTION_CLOSED') {
    return new OperationalError(
      'The transaction was already ended by the database (a statement such as ROLLBACK, or an error that SQLite ' +
        'answers by rolling back, closed it); nothing after that point was committed.',
      err, ctx, code, false, 'transaction-closed',
    )
  }
  if (DISCONNECT_CODES.has(code) || isDisconnect(err)) {
    return new OperationalError(code === 'CLIENT_CLOSED' ? 'The libSQL connection is closed.' : text, err, ctx, driverCode, true)
  }
  if (URL_CODES.has(code)) return new ArgumentError(`Cannot open the libSQL database: ${text}`, 'invalid-url')
  if (PROGRAMMING_CODES.has(code)) return new ProgrammingError(text, err, ctx, driverCode)
  if (DATA_CODES.has(code)) return new DatabaseError('data', text, err, ctx, driverCode)
  if (code.startsWith('SQLITE_')) return new OperationalError(text, err, ctx, driverCode)
  return new DatabaseError('database', text, err, ctx, driverCode)
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_$]*$/u

/**
 * Which constraint failed, from SQLite's message (it sends nothing structured, and never row
 * values): "UNIQUE constraint failed: users.email, users.org" (or "… failed: index 'ix'" for an
 * expression index), "NOT NULL constraint failed: users.name", "CHECK constraint failed: name",
 * where an unnamed CHECK shows its expression instead (not a name: left undefined unless it is a
 * bare identifier, which SQLite prints the same either way). A FOREIGN KEY failure names nothing.
 *
 * ```ts
 * constraintInfo('unique', 'UNIQUE constraint failed: users.email') // { table: 'users', columns: ['email'] }
 * ```
 */
export function constraintInfo(kind: IntegrityKind, text: string): ConstraintInfo {
  if (kind === 'unique' || kind === 'not-null') {
    const list = /\b(?:UNIQUE|NOT NULL) constraint failed: (.+)$/is.exec(text)?.[1]
    if (list === undefined) return {}
    const index = /^index '(.+)'$/s.exec(list)?.[1]
    if (index !== undefined) return { constraint: index }
    const pairs = list.split(', ').map((item) => {
      const dot = item.indexOf('.')
      return dot <= 0 ? undefined : [item.slice(0, dot), item.slice(dot + 1)] as const
    })
    const table = pairs[0]?.[0]
    // One table per statement; anything else means a name held ", " or "." and the parse is off.
    if (table === undefined || pairs.some((p) => p === undefined || p[0] !== table || p[1] === '')) return {}
    return { table, columns: pairs.map((p) => p![1]) }
  }
  if (kind === 'check') {
    const name = /\bCHECK constraint failed: (.+)$/is.exec(text)?.[1]
    return name !== undefined && IDENTIFIER.test(name) ? { constraint: name } : {}
  }
  return {}
}

/** Primary SQLite result codes that opening a file can fail with. */
const OPEN_CODES: Readonly<Record<string, string>> = { 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 14: 'SQLITE_CANTOPEN', 26: 'SQLITE_NOTADB' }

/**
 * createClient() on a file that cannot be opened throws a plain Error from the native binding,
 * 'ConnectionFailed("Unable to open connection to local database /x.db: 14")', not a LibsqlError.
 */
function openFailureOf(error: unknown): { text: string; code: string | undefined } | undefined {
  if (!(error instanceof Error)) return undefined
  const m = /^ConnectionFailed\("(.*)"\)$/s.exec(error.message)
  if (m === null) return undefined
  const raw = /: (\d+)$/.exec(m[1]!)?.[1]
  const code = raw === undefined ? undefined : (OPEN_CODES[raw] ?? `SQLITE_${raw}`)
  return { text: `${m[1]!}${code === undefined ? '' : ` (${code})`}: check that the path exists and is readable and writable.`, code }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}
