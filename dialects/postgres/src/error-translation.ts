import {
  AthanorError, DatabaseError, DeadlockError, IntegrityError, LockTimeoutError, OperationalError, ProgrammingError,
  SerializationError, StatementTimeoutError, type ConstraintInfo, type IntegrityKind, type StatementContext,
} from './core.js'

/**
 * Turning postgres.js errors into Athanor's hierarchy. Server errors are classified by SQLSTATE
 * and client errors by their `code`, never by message text (messages are localised and change).
 */

/** The fields of a postgres.js `PostgresError` this module reads. */
interface ServerError {
  readonly code: string
  readonly message: string
  readonly severity: string
  readonly detail?: string | undefined
  readonly hint?: string | undefined
  readonly constraint_name?: string | undefined
  readonly table_name?: string | undefined
  readonly column_name?: string | undefined
}

// postgres.js and Node codes that mean the connection is gone, or never came up.
const CONNECT_FAILED_CODES = new Set([
  'ECONNREFUSED', 'CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  // A unix-socket path that does not exist (host=/var/run/postgresql with no server).
  'ENOENT',
])
const LOST_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT',
  'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END',
])
// Client-side errors raised before anything was sent: the connection is still fine. The
// connection raises these itself before postgres.js sees the query (see connection.ts); any
// other client error counts as a disconnect.
const HARMLESS_CLIENT_CODES = new Set(['UNDEFINED_VALUE', 'MAX_PARAMETERS_EXCEEDED', 'NOT_TAGGED_CALL', '57014'])

// Server SQLSTATEs that end the session (most arrive with severity FATAL as well).
const DISCONNECT_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, smart/fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up / shutting down
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
])
const CONNECT_SQLSTATE_CLASSES = new Set(['28', '3D']) // bad credentials, unknown database

const INTEGRITY_KINDS: Readonly<Record<string, IntegrityKind>> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23001': 'foreign-key', // restrict_violation (ON DELETE RESTRICT)
  '23502': 'not-null',
  '23514': 'check',
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

// PostgresError carries the non-localised severity ('V'); a client error has none. Checked by
// shape so that a second copy of the postgres package (another version) still counts.
function asServerError(error: unknown): ServerError | undefined {
  if (!(error instanceof Error)) return undefined
  const e = error as Error & { code?: unknown; severity?: unknown; severity_local?: unknown }
  const severity = typeof e.severity === 'string' ? e.severity : e.severity_local
  return typeof e.code === 'string' && typeof severity === 'string' ? (e as unknown as ServerError) : undefined
}

function serverDisconnects(e: ServerError): boolean {
  return e.severity === 'FATAL' || e.severity === 'PANIC' || e.code.startsWith('08') || DISCONNECT_SQLSTATES.has(e.code)
}

/**
 * Whether an error means the connection is unusable and must be discarded. Consistent with
 * `translateError`: true exactly when it gives an `OperationalError` with `disconnect: true`.
 * Client-side errors postgres.js does not name (a TypeError from its write path, a TLS
 * failure) count as disconnects: after one the connection's state is unknown.
 *
 * ```ts
 * if (isDisconnect(err)) pool.invalidate(conn)
 * ```
 */
export function isDisconnect(error: unknown): boolean {
  if (error instanceof AthanorError) return error instanceof OperationalError && error.disconnect
  const server = asServerError(error)
  if (server !== undefined) return serverDisconnects(server)
  const code = codeOf(error)
  return code === undefined || !HARMLESS_CLIENT_CODES.has(code)
}

/**
 * Turns a postgres.js (or socket) error into Athanor's hierarchy, keeping it as `cause`.
 *
 * ```ts
 * try { await conn.execute(sql, params) } catch (e) {
 *   throw translateError(e, { sql, params })   // IntegrityError('unique') for 23505, …
 * }
 * ```
 */
export function translateError(error: unknown, context: StatementContext = {}): AthanorError {
  if (error instanceof AthanorError) return error
  const server = asServerError(error)
  if (server !== undefined) return translateServerError(server, error, context)
  return translateClientError(error, context)
}

function translateServerError(e: ServerError, cause: unknown, ctx: StatementContext): AthanorError {
  const code = e.code
  const message = describeServerError(e, ctx)
  const kind = INTEGRITY_KINDS[code] ?? (code.startsWith('23') ? 'other' : undefined)
  if (kind !== undefined) return new IntegrityError(kind, message, cause, ctx, code, constraintInfo(e))
  // A hot standby ends a session idle in a transaction whose locks or snapshot stand in the way
  // of replay with FATAL 40001: a lost connection, not a serialization failure on a live one.
  if (code.startsWith('40') && serverDisconnects(e)) {
    return new OperationalError(
      `The PostgreSQL server ended the connection: ${message}\nA hot standby ends a transaction that holds back the replay of the primary's changes (a recovery conflict; max_standby_streaming_delay says how long it waits). ${LOST_ADVICE}`,
      cause, ctx, code, true, 'connection-lost',
    )
  }
  switch (code) {
    case '40P01': return new DeadlockError(message, cause, ctx, code)
    case '40001': return new SerializationError(message, cause, ctx, code)
    case '55P03': return new LockTimeoutError(message, cause, ctx, code) // lock_timeout and NOWAIT
    case '57014': return new StatementTimeoutError(message, cause, ctx, code) // statement_timeout and cancel
    case '25006':
      return new DatabaseError(
        'read-only',
        `${message}\nThe transaction is read-only: the session or begin() asked for readOnly, or the server is a hot standby (SELECT pg_is_in_recovery() says true there); send writes to the primary.`,
        cause, ctx, code,
      )
    case '25P02':
      return new DatabaseError('transaction-aborted', `${message}\nAn earlier statement in this transaction failed; roll back before running more statements.`, cause, ctx, code)
  }
  const cls = code.slice(0, 2)
  if (CONNECT_SQLSTATE_CLASSES.has(cls) || code === '53300' || code === '57P03') {
    return new OperationalError(`Could not connect to PostgreSQL: ${message}`, cause, ctx, code, true, 'connect-failed')
  }
  if (serverDisconnects(e)) {
    return new OperationalError(`The PostgreSQL server ended the connection: ${message}\n${LOST_ADVICE}`, cause, ctx, code, true, 'connection-lost')
  }
  switch (cls) {
    case '42': return new ProgrammingError(message, cause, ctx, code)
    case '22': return new DatabaseError('data', message, cause, ctx, code)
    case '0A': return new DatabaseError('not-supported', message, cause, ctx, code)
    case '40': case '53': case '57': case '58': return new OperationalError(message, cause, ctx, code)
    default: return new DatabaseError('database', message, cause, ctx, code)
  }
}

const LOST_ADVICE = 'The connection was discarded and a transaction open on it did not commit; retry on a new connection.'

function translateClientError(error: unknown, ctx: StatementContext): AthanorError {
  const code = codeOf(error)
  const text = error instanceof Error ? error.message : String(error)
  if (code === 'UNDEFINED_VALUE') {
    return new ProgrammingError(`A parameter is undefined; bind null for SQL NULL. (${text})`, error, ctx, code)
  }
  if (code === 'MAX_PARAMETERS_EXCEEDED') {
    return new ProgrammingError(`The statement binds more than 65533 parameters, the most postgres.js sends; split it into batches. (${text})`, error, ctx, code)
  }
  if (code === 'NOT_TAGGED_CALL') return new ProgrammingError(text, error, ctx, code)
  if (code === '57014') return new StatementTimeoutError(`The statement was cancelled before it started (${text}).`, error, ctx, code)
  if (code !== undefined && CONNECT_FAILED_CODES.has(code)) {
    return new OperationalError(`Could not connect to PostgreSQL (${code}: ${text}).`, error, ctx, code, true, 'connect-failed')
  }
  if (code !== undefined && LOST_CODES.has(code)) {
    return new OperationalError(`The connection to PostgreSQL was lost (${code}: ${text}).\n${LOST_ADVICE}`, error, ctx, code, true, 'connection-lost')
  }
  // Anything else from the client side leaves the connection in an unknown state.
  const name = error instanceof Error ? error.name : typeof error
  return new OperationalError(
    `The PostgreSQL driver failed (${code ?? name}: ${text}).\n${LOST_ADVICE}`,
    error, ctx, code ?? name, true, 'connection-lost',
  )
}

// The server's message, readable as it is. DETAIL often repeats row values ("Key (email)=(…)
// already exists"), so it is shown only where parameters are; HINT never holds data.
function describeServerError(e: ServerError, ctx: StatementContext): string {
  let text = `${e.message} (SQLSTATE ${e.code})`
  if (e.detail && ctx.showParams) text += `\nDETAIL: ${e.detail}`
  if (e.hint) text += `\nHINT: ${e.hint}`
  return text
}

/**
 * Which constraint failed, from the fields PostgreSQL sends with class-23 errors. The columns of
 * a unique or foreign key violation are only in DETAIL, "Key (a, b)=(…) already exists." / "…
 * is not present in table "t"." Only the key list and table name are read from it, never the
 * values; a DETAIL in another language (lc_messages) simply yields no columns. On a delete of a
 * referenced row DETAIL lists the referenced table's key instead, so columns stay undefined.
 *
 * ```ts
 * constraintInfo({ code: '23505', constraint_name: 'users_email_key', table_name: 'users', detail: 'Key (email)=(a@b.c) already exists.', … })
 * // { constraint: 'users_email_key', table: 'users', columns: ['email'] }
 * ```
 */
function constraintInfo(e: ServerError): ConstraintInfo {
  const info: { -readonly [K in keyof ConstraintInfo]: ConstraintInfo[K] } = {
    constraint: e.constraint_name || undefined,
    table: e.table_name || undefined,
  }
  if (e.column_name) info.columns = [e.column_name]
  const detail = e.detail ?? ''
  if (e.code === '23505' || (e.code === '23503' && / is not present in table "/.test(detail))) {
    const columns = keyColumns(detail)
    if (columns !== undefined) info.columns = columns
    const referenced = /\) is not present in table "((?:[^"]|"")+)"\.?$/s.exec(detail)?.[1]
    if (referenced !== undefined) info.referencedTable = referenced.replaceAll('""', '"')
  }
  return info
}

// The identifiers of "Key (a, "b c")=(…)": plain or double-quoted names, comma separated. An
// expression index ("Key (lower(email))=…") has no column list to give: undefined.
function keyColumns(detail: string): string[] | undefined {
  if (!detail.startsWith('Key (')) return undefined
  const columns: string[] = []
  let i = 'Key ('.length
  for (;;) {
    const m = /^(?:"((?:[^"]|"")+)"|([\p{L}_][\p{L}\p{N}_$]*))/u.exec(detail.slice(i))
    if (m === null) return undefined
    columns.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!)
    i += m[0].length
    if (detail.startsWith(', ', i)) i += 2
    else return detail.startsWith(')=(', i) ? columns : undefined
  }
}
