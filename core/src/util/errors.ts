/**
 * The one error hierarchy of Athanor. Every error has a short stable `code`, and a message that
 * names the object, the problem and the fix.
 *
 * ```ts
 * try { await session.commit() } catch (e) {
 *   if (e instanceof IntegrityError && e.kind === 'unique') console.log('Email already exists')
 * }
 * ```
 */
export class AthanorError extends Error {
  /** A short stable identifier of the error case, e.g. `'unloaded-relationship'`. */
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A function was called with an argument it cannot use. */
export class ArgumentError extends AthanorError {
  constructor(message: string, code = 'argument', options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/**
 * A column's `validate` refused a value given to a mapped object's attribute; `model` and
 * `attribute` say where, `cause` is what the validator threw.
 * ```ts
 * try { user.email = 'nope' } catch (e) { if (e instanceof ValidationError) show(e.attribute, e.cause) }
 * ```
 */
export class ValidationError extends ArgumentError {
  readonly model: string
  readonly attribute: string
  constructor(model: string, attribute: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause)
    super(`${model}.${attribute} refused the value given to it: ${why}. Give it a value its validator accepts (the value itself is not shown: it may be secret).`, 'validation', { cause })
    this.model = model
    this.attribute = attribute
  }
}

/** A statement cannot be turned into SQL for this dialect. */
export class CompileError extends AthanorError {
  constructor(message: string, code = 'compile') {
    super(code, message)
  }
}

/** The operation is not allowed in the current state of the object it was asked of. */
export class InvalidRequestError extends AthanorError {
  constructor(message: string, code = 'invalid-request') {
    super(code, message)
  }
}

/** `one()` found no row. */
export class NoResultError extends InvalidRequestError {
  constructor(what = 'the statement') {
    super(`No row was found for ${what}, but one() requires exactly one. Use oneOrNone() when no row is a valid answer.`, 'no-result')
  }
}

/** `one()` / `oneOrNone()` found more than one row. */
export class MultipleResultsError extends InvalidRequestError {
  constructor(what = 'the statement') {
    super(`More than one row was found for ${what}, but one()/oneOrNone() allow at most one. Add a where() that narrows it, or use first().`, 'multiple-results')
  }
}

/** Two operations ran at once on an object that serves one at a time (a session or a connection). */
export class ConcurrentUseError extends InvalidRequestError {
  constructor(what: string, running: string, attempted: string) {
    super(
      `${what} is already busy with ${running} and was asked to ${attempted} at the same time. ` +
        `${withArticle(what.split(' ')[0]!)} serves one operation at a time: await each call before the next, ` +
        `or give each concurrent task its own session (sessionmaker()).`,
      'concurrent-use',
    )
  }
}

/** 'A Connection', 'An AsyncSession': the indefinite article by the first letter's sound (vowel letters only). */
function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'An' : 'A'} ${noun}`
}

/** Context kept on errors that came from executing SQL. */
export interface StatementContext {
  readonly sql?: string | undefined
  readonly params?: readonly unknown[] | undefined
  /** Parameters are shown in messages only when the engine was created with `logParameters: true`. */
  readonly showParams?: boolean | undefined
}

/** An error raised by the database or its driver, translated by the dialect. Keeps the original as `cause`. */
export class DatabaseError extends AthanorError {
  readonly sql: string | undefined
  readonly params: readonly unknown[] | undefined
  /** The driver's own error code (SQLSTATE, errno or name), when it has one. */
  readonly driverCode: string | undefined
  constructor(code: string, message: string, cause: unknown, ctx: StatementContext = {}, driverCode?: string) {
    super(code, DatabaseError.describe(message, ctx), { cause })
    this.sql = ctx.sql
    this.params = ctx.params
    this.driverCode = driverCode
  }

  static describe(message: string, ctx: StatementContext): string {
    if (ctx.sql === undefined) return message
    const params =
      ctx.params === undefined || ctx.params.length === 0
        ? ''
        : ctx.showParams
          ? `\n[parameters: ${safeJson(ctx.params)}]`
          : `\n[parameters: ${ctx.params.length} hidden; create the engine with logParameters: true to show them]`
    return `${message}\n[SQL: ${ctx.sql}]${params}`
  }
}

function safeJson(values: readonly unknown[]): string {
  return JSON.stringify(values, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}

/** What kind of constraint an `IntegrityError` reports. */
export type IntegrityKind = 'unique' | 'foreign-key' | 'not-null' | 'check' | 'other'

/**
 * Which constraint failed, as far as the server reported it. Never holds row values. For a
 * foreign key, `table` and `columns` are the referencing side (where the constraint is declared).
 */
export interface ConstraintInfo {
  /** The constraint's name (on MySQL/MariaDB, for a unique violation, the unique index's name). */
  readonly constraint?: string | undefined
  readonly table?: string | undefined
  readonly columns?: readonly string[] | undefined
  /** For a foreign key: the table it references. */
  readonly referencedTable?: string | undefined
}

/**
 * A constraint was violated (unique, foreign key, not null or check). `constraint`, `table`,
 * `columns` and `referencedTable` say which one where the server reported it (undefined where not).
 *
 * ```ts
 * if (e instanceof IntegrityError && e.kind === 'unique' && e.columns?.includes('email')) return 'email already taken'
 * ```
 */
export class IntegrityError extends DatabaseError {
  readonly kind: IntegrityKind
  readonly constraint?: string
  readonly table?: string
  readonly columns?: readonly string[]
  readonly referencedTable?: string
  constructor(kind: IntegrityKind, message: string, cause: unknown, ctx?: StatementContext, driverCode?: string, info: ConstraintInfo = {}) {
    const summary = describeConstraint(kind, info)
    super('integrity-' + kind, summary === undefined ? message : `${summary}: ${message}`, cause, ctx, driverCode)
    this.kind = kind
    this.constraint = info.constraint
    this.table = info.table
    this.columns = info.columns === undefined ? undefined : Object.freeze([...info.columns])
    this.referencedTable = info.referencedTable
  }
}

const KIND_WORDS: Readonly<Record<IntegrityKind, string>> = {
  unique: 'unique', 'foreign-key': 'foreign key', 'not-null': 'not-null', check: 'check', other: 'integrity',
}

// "The unique constraint users_email_key on users (email) was violated"; undefined when the
// server named nothing, so that the message is not padded with an empty sentence.
function describeConstraint(kind: IntegrityKind, info: ConstraintInfo): string | undefined {
  const { constraint, table, columns, referencedTable } = info
  if (constraint === undefined && table === undefined && columns === undefined && referencedTable === undefined) return undefined
  let text = `The ${KIND_WORDS[kind]} constraint`
  if (constraint !== undefined) text += ` ${constraint}`
  if (table !== undefined) text += ` on ${table}`
  if (columns !== undefined) text += `${table === undefined ? ' on column' + (columns.length === 1 ? '' : 's') : ''} (${columns.join(', ')})`
  if (referencedTable !== undefined) text += ` referencing ${referencedTable}`
  return `${text} was violated`
}

/**
 * The connection failed, was lost or timed out. `disconnect` tells whether the connection is gone.
 * The `code` is the same on every dialect for the same kind of failure: `'connect-failed'` (no
 * connection could be opened), `'connect-timeout'` (opening one took longer than connectTimeoutMs),
 * `'connection-lost'` (an open connection died), `'statement-timeout'`,
 * `'deadlock'`, `'serialization'`, `'lock-timeout'`, `'commit-outcome-unknown'`; `'operational'`
 * for the rest.
 */
export class OperationalError extends DatabaseError {
  readonly disconnect: boolean
  /**
   * The server refused the statement without running any of it (a cluster node not ready for
   * work): a COMMIT refused so committed nothing, and its outcome is known.
   */
  readonly refusedUnrun: boolean
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string, disconnect = false, code?: string, refusedUnrun = false) {
    super(code ?? (disconnect ? 'connection-lost' : 'operational'), message, cause, ctx, driverCode)
    this.disconnect = disconnect
    this.refusedUnrun = refusedUnrun
  }
}

/** The connection was lost while COMMIT was in flight: the transaction may or may not have been committed. */
export class CommitOutcomeUnknownError extends OperationalError {
  constructor(cause: unknown) {
    super(
      'The connection was lost while COMMIT was in flight, so the outcome is unknown: the transaction may have been committed. ' +
        'Check for its effects (an idempotency key helps) before retrying.',
      cause, {}, undefined, true, 'commit-outcome-unknown',
    )
  }
}

/** The server chose this transaction as a deadlock victim; retrying the whole transaction is safe. */
export class DeadlockError extends OperationalError {
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string) {
    super(message, cause, ctx, driverCode, false, 'deadlock')
  }
}

/** A serializable transaction could not be serialized; retrying the whole transaction is safe. */
export class SerializationError extends OperationalError {
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string) {
    super(message, cause, ctx, driverCode, false, 'serialization')
  }
}

/** A lock could not be taken in time. */
export class LockTimeoutError extends OperationalError {
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string) {
    super(message, cause, ctx, driverCode, false, 'lock-timeout')
  }
}

/** A statement ran past its deadline (the server's statement timeout or Athanor's watchdog). */
export class StatementTimeoutError extends OperationalError {
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string) {
    super(message, cause, ctx, driverCode, false, 'statement-timeout')
  }
}

/** The SQL is wrong for the database: syntax, unknown table or column, wrong types. */
export class ProgrammingError extends DatabaseError {
  constructor(message: string, cause: unknown, ctx?: StatementContext, driverCode?: string) {
    super('programming', message, cause, ctx, driverCode)
  }
}

/** A value cannot be sent to the database as it is (NaN for an integer, an invalid Date, NUL in text). */
export class ValueError extends ArgumentError {
  constructor(message: string) {
    super(message, 'value')
  }
}

/** No connection could be checked out of the pool in time. */
export class PoolTimeoutError extends AthanorError {
  constructor(message: string) {
    super('pool-timeout', message)
  }
}
