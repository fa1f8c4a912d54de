import Database from 'libsql'
import { LibsqlError } from '@libsql/client'
import type { ClientStatement, ClientTransaction, ClientTransactionMode, LibsqlClient, StatementResult } from './client-api.js'

/*
 * Local databases (files and `:memory:`) run on the native `libsql` binding that `@libsql/client`
 * wraps, with the client's semantics (errors as LibsqlError with the same codes, BEGIN modes,
 * "transaction closed" when the database ended it) but without its per-statement costs: the
 * client prepares every statement again, asks twice for its columns, tries raw mode by catching
 * an exception for every statement that returns no rows, and turns every row into an object
 * with a defined property per column (a third of a select's time in profiles, and most of its
 * garbage). Here statements are prepared once per connection, rows stay the arrays the binding
 * returns, and integers come back as bigint (safeIntegers) for rows.ts to narrow, as before.
 */

type Statement = Database.Statement<unknown[]>

interface Prepared {
  readonly stmt: Statement
  readonly reader: boolean
}

const NO_COLUMNS: readonly string[] = Object.freeze([])

/** Statements kept prepared per connection; the oldest is dropped beyond this. */
const STATEMENT_CACHE = 500

const MIN_INT64 = -9223372036854775808n
const MAX_INT64 = 9223372036854775807n

/** SQLite's primary result codes (the low byte of an extended code). */
const PRIMARY_CODES: Readonly<Record<number, string>> = {
  1: 'SQLITE_ERROR', 2: 'SQLITE_INTERNAL', 3: 'SQLITE_PERM', 4: 'SQLITE_ABORT', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM', 8: 'SQLITE_READONLY', 9: 'SQLITE_INTERRUPT', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 15: 'SQLITE_PROTOCOL', 16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA', 18: 'SQLITE_TOOBIG', 19: 'SQLITE_CONSTRAINT', 20: 'SQLITE_MISMATCH', 21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS', 23: 'SQLITE_AUTH', 24: 'SQLITE_FORMAT', 25: 'SQLITE_RANGE', 26: 'SQLITE_NOTADB',
  27: 'SQLITE_NOTICE', 28: 'SQLITE_WARNING',
}

/** The binding's SqliteError as `@libsql/client` reports it (code: primary, extendedCode: the binding's code). */
function asLibsqlError(e: unknown): unknown {
  if (!(e instanceof Database.SqliteError)) return e
  const raw = e.rawCode
  const code = raw === undefined ? 'SQLITE_UNKNOWN' : (PRIMARY_CODES[raw & 0xff] ?? `SQLITE_UNKNOWN_${raw & 0xff}`)
  return new LibsqlError(e.message, code, e.code, raw, e)
}

/** An argument as the binding takes it; the same rules as `@libsql/client`'s (booleans → 0/1, Date → ms, bytes → Buffer). */
function toNative(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments')
      return value
    case 'bigint':
      if (value < MIN_INT64 || value > MAX_INT64) throw new RangeError('bigint is too large to be represented as a 64-bit integer and passed as argument')
      return value
    case 'boolean':
      return value ? 1 : 0
    case 'undefined':
      throw new TypeError('undefined cannot be passed as argument to the database')
    default:
      if (value === null || Buffer.isBuffer(value)) return value
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      if (value instanceof ArrayBuffer) return Buffer.from(value)
      if (value instanceof Date) return value.valueOf()
      throw new TypeError(`Unsupported type of value: ${typeof value}`)
  }
}

function closedError(what: 'client' | 'transaction'): LibsqlError {
  return what === 'client' ? new LibsqlError('The client is closed', 'CLIENT_CLOSED') : new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED')
}

/**
 * One native connection to a local database, shaped like `@libsql/client`'s Client.
 * ```ts
 * const client = new NativeClient('app.db')
 * const { rows } = await client.execute({ sql: 'SELECT ?', args: [1] })   // [[1n]]
 * ```
 */
export class NativeClient implements LibsqlClient {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Prepared>()
  #closed = false

  /** Opens the database at once (an unreadable path fails here, as `createClient` does). */
  constructor(path: string, options: { encryptionKey?: string | undefined } = {}) {
    // timeout 0: SQLite's busy handler would sleep inside the native call (see busy-retry.ts).
    this.#db = new Database(path, { timeout: 0, ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }) } as Database.Options)
  }

  get closed(): boolean {
    return this.#closed
  }

  execute(stmt: ClientStatement): Promise<StatementResult> {
    try {
      return Promise.resolve(this.run(stmt))
    } catch (e) {
      return Promise.reject(asLibsqlError(e))
    }
  }

  transaction(mode: ClientTransactionMode): Promise<ClientTransaction> {
    try {
      this.run({ sql: mode === 'write' ? 'BEGIN IMMEDIATE' : mode === 'read' ? 'BEGIN TRANSACTION READONLY' : 'BEGIN DEFERRED', args: [] })
      return Promise.resolve(new NativeTransaction(this))
    } catch (e) {
      return Promise.reject(asLibsqlError(e))
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#statements.clear()
    this.#db.close()
  }

  /** Whether SQLite has a transaction open on this connection (false once closed). */
  get inTransaction(): boolean {
    return !this.#closed && this.#db.inTransaction
  }

  /** @internal Runs a statement synchronously; throws the binding's errors. */
  run(stmt: ClientStatement): StatementResult {
    if (this.#closed) throw closedError('client')
    const { stmt: s, reader } = this.#prepare(stmt.sql)
    const args = stmt.args.length === 0 ? [] : stmt.args.map(toNative)
    if (reader) {
      // get() steps the statement once; all() builds a row iterator (about twice the cost of a
      // primary-key lookup). columns() is a native call that describes every column (about as
      // much again), so it is made only when the caller reads the names.
      let rows: unknown[][]
      if (stmt.single === true) {
        const row = s.get(args) as unknown[] | undefined
        rows = row === undefined ? [] : [row]
      } else rows = s.all(args) as unknown[][]
      const columns = stmt.names === false ? NO_COLUMNS : (s.columns() as { name: string }[]).map((c) => c.name)
      return { columns, rows, reader: true, rowsAffected: 0, lastInsertRowid: undefined }
    }
    const info = s.run(args)
    return { columns: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) }
  }

  #prepare(sql: string): Prepared {
    const hit = this.#statements.get(sql)
    if (hit !== undefined) return hit
    const stmt = this.#db.prepare<unknown[]>(sql)
    const reader = stmt.reader
    if (reader) stmt.raw(true)
    stmt.safeIntegers(true)
    const prepared = { stmt, reader }
    if (this.#statements.size >= STATEMENT_CACHE) this.#statements.delete(this.#statements.keys().next().value!)
    this.#statements.set(sql, prepared)
    return prepared
  }
}

/** A transaction on a NativeClient's connection, with `@libsql/client`'s Transaction semantics. */
class NativeTransaction implements ClientTransaction {
  readonly #client: NativeClient
  #done = false
  /** A statement failed and SQLite ended the transaction with it (SQLITE_FULL, RAISE(ROLLBACK), …). */
  #endedByDatabase = false

  constructor(client: NativeClient) {
    this.#client = client
  }

  /** Ended by commit/rollback/close, by the client closing, or by the database itself. */
  get closed(): boolean {
    return this.#done || this.#endedByDatabase || !this.#client.inTransaction
  }

  execute(stmt: ClientStatement): Promise<StatementResult> {
    // Only a failing statement can end the transaction behind our back (the connection refuses
    // COMMIT, ROLLBACK and END as SQL), so SQLite is asked after an error, not before every
    // statement: `inTransaction` is a native call, ~2 % of a primary-key lookup.
    if (this.#done || this.#endedByDatabase || this.#client.closed) return Promise.reject(closedError('transaction'))
    try {
      return Promise.resolve(this.#client.run(stmt))
    } catch (e) {
      if (!this.#client.inTransaction) this.#endedByDatabase = true
      return Promise.reject(asLibsqlError(e))
    }
  }

  async commit(): Promise<void> {
    this.#end('COMMIT')
  }

  async rollback(): Promise<void> {
    if (this.#done || this.#client.closed) {
      this.#done = true
      return
    }
    this.#end('ROLLBACK')
  }

  /** Ends the transaction with `sql`; it counts as ended whether or not that succeeds. */
  #end(sql: 'COMMIT' | 'ROLLBACK'): void {
    try {
      if (this.closed) throw closedError('transaction')
      this.#client.run({ sql, args: [] })
    } catch (e) {
      throw asLibsqlError(e)
    } finally {
      this.#done = true
    }
  }

  close(): void {
    if (this.#done) return
    this.#done = true
    if (this.#client.inTransaction) this.#client.run({ sql: 'ROLLBACK', args: [] })
  }
}
