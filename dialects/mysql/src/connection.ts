import mysql from 'mysql2/promise'
import { statementTimeoutSetting } from './statement-timeout.js'
import type { Connection as PromiseConnection, ConnectionOptions, ExecuteValues, FieldPacket, QueryResult, ResultSetHeader } from 'mysql2/promise'
import type { Connection as CallbackConnection, Query } from 'mysql2'
import type { Readable } from 'node:stream'
import type {
  BeginOptions,
  DriverConnection,
  DriverResult,
  ExecuteOptions,
  IsolationLevel,
} from '@athanor/core'
import { ArgumentError, AthanorError, ConcurrentUseError, InvalidRequestError, SignalRelay } from '@athanor/core'
import { CONNECTION_CLOSED_CODE, STATEMENT_ABORTED_CODE } from './errors.js'
import { parseServerVersion, type MysqlFlavour } from './server-info.js'

/**
 * mysql2 options this dialect depends on; `driverOptions` may not change them.
 *
 * - `rowsAsArray`: positional rows, as the contract wants, and no per-row object building.
 * - `supportBigNumbers` + `bigNumberStrings`: BIGINT and DECIMAL arrive as exact strings
 *   (the default turns 9007199254740993 into 9007199254740992); values.ts makes bigints of them.
 * - `decimalNumbers: false`: DECIMAL stays a string.
 * - `dateStrings`: DATE/DATETIME/TIMESTAMP arrive as text, so values.ts decides the time zone
 *   (UTC wall time) instead of mysql2 reading them in the process's local zone.
 * - `timezone: 'Z'`: any Date that reaches mysql2 unconverted is written as UTC too.
 * - `jsonStrings`: JSON arrives as text on MySQL and MariaDB alike (see values.ts).
 * - `multipleStatements: false`: one statement per call, so a bound value can never end a statement.
 * - `namedPlaceholders: false`: placeholders are `?`, as the compiler emits them.
 */
export const FORCED_OPTIONS = {
  rowsAsArray: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  dateStrings: true,
  timezone: 'Z',
  jsonStrings: true,
  multipleStatements: false,
  namedPlaceholders: false,
} as const satisfies ConnectionOptions

const SERVER_STATUS_IN_TRANS = 0x0001
const SERVER_STATUS_AUTOCOMMIT = 0x0002

const ISOLATION_LEVELS: ReadonlySet<string> = new Set<IsolationLevel>(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'])

/** The part of mysql2's callback connection (`promiseConnection.connection`) used here. */
type CoreConnection = CallbackConnection & {
  /** Set by mysql2 after the handshake; undocumented, so treated as optional. */
  readonly _handshakePacket?: { readonly serverVersion?: string } | undefined
}

/** Options for opening one connection; `MysqlDriver.connect` builds them from the URL. */
export interface MysqlConnectionOptions {
  /** mysql2 connection options (host, user, …); `FORCED_OPTIONS` are applied over them. */
  readonly config: ConnectionOptions
  /** Bounds `close()`; also the connect timeout of the side connection that kills an aborted statement. */
  readonly connectTimeoutMs: number
  /** The engine's statement timeout, set on the session at connect: what a transaction's own timeout is reset to. */
  readonly statementTimeoutMs?: number | undefined
}

function closedError(reason: unknown): Error {
  const why = reason instanceof Error ? `: ${reason.message}` : ''
  return Object.assign(new Error(`The connection is closed${why}. Open a new one; this one cannot be used again.`), {
    code: CONNECTION_CLOSED_CODE,
    fatal: true,
    cause: reason,
  })
}

/**
 * One dedicated MySQL/MariaDB connection: a single mysql2/promise `createConnection`, owned by
 * Athanor's pool (mysql2's own pool is not used; see DESIGN.md principle 3).
 *
 * Protocol choice: statements **with** parameters go through `execute()` (the binary protocol;
 * mysql2 prepares each distinct SQL once per connection and caches the handle), statements
 * **without** parameters through `query()` (the text protocol: one round trip, no statement
 * handle kept on the server). This also covers statements MySQL refuses to prepare
 * (ER_UNSUPPORTED_PS 1295: SAVEPOINT, START TRANSACTION, LOCK TABLES, CREATE TRIGGER…): they have
 * no parameters. MariaDB 10.11 prepares even those (verified), MySQL does not. There is no
 * fallback that would interpolate values client-side (DESIGN.md principle 8).
 *
 * `rowsAffected` of an UPDATE is the number of **matched** rows: mysql2 always sets the
 * CLIENT_FOUND_ROWS flag (verified: updating 3 rows to the values they already hold reports
 * affectedRows 3, changedRows 0), which is what stale-row detection needs.
 *
 * ```ts
 * const conn = await MysqlConnection.open({ config: { host: '127.0.0.1', user: 'root', database: 'app' }, connectTimeoutMs: 5000 })
 * const { rows } = await conn.execute('SELECT id, name FROM users WHERE id = ?', [1])  // [[1, 'ada']]
 * await conn.close()
 * ```
 */
export class MysqlConnection implements DriverConnection {
  readonly #conn: PromiseConnection
  readonly #core: CoreConnection
  readonly #options: MysqlConnectionOptions
  #closed = false
  #closeReason: unknown = undefined
  /** Whether the server may hold an open transaction (its last status said so, or a statement ran since). */
  #inTransaction = false
  /** begin() was called and neither commit() nor rollback() followed. */
  #begun = false
  /** Last autocommit flag the server reported; the first begin() turns it off (see begin()). */
  #autocommit = true
  /** The first begin() sent `SET autocommit = 0`; a raw `SET autocommit = 1` after it is left alone. */
  #autocommitOffSent = false
  #busy: string | undefined = undefined
  /**
   * This session's `@@auto_increment_increment`, read at its first multi-row INSERT and again
   * after any statement that names it (a SET may change it; another connection's value, or the
   * value when the pool opened its first connection, proves nothing about this one).
   */
  #idStep: number | undefined = undefined
  /** A transaction set its own statement timeout (BeginOptions.statementTimeoutMs); reset when it ends. */
  #timeoutOverridden = false
  #serverKill: Promise<void> | undefined = undefined
  /** One listener on the watchdog's signal (see SignalRelay); the statement it stops is #send's. */
  readonly #relay = new SignalRelay()
  #runningSignal: AbortSignal | undefined
  #rejectRunning: ((err: unknown) => void) | undefined

  /** The server's id for this connection (`CONNECTION_ID()`), the one `KILL` takes. */
  readonly threadId: number
  /** The server version from the handshake, e.g. `'5.5.5-10.11.19-MariaDB-0+deb12u1'`. */
  readonly handshakeVersion: string
  /** MariaDB or MySQL, from the handshake (no round trip). */
  readonly flavour: MysqlFlavour

  private constructor(conn: PromiseConnection, options: MysqlConnectionOptions) {
    this.#conn = conn
    this.#options = options
    this.#core = (conn as unknown as { connection: CoreConnection }).connection
    this.threadId = this.#core.threadId
    this.handshakeVersion = this.#core._handshakePacket?.serverVersion ?? ''
    this.flavour = parseServerVersion(this.handshakeVersion).flavour
    // Without an 'error' listener, a connection killed while idle raises its error as an
    // uncaught exception (mysql2 emits 'error' when no command is waiting for it).
    this.#core.on('error', (err: unknown) => this.#markClosed(err))
    this.#core.on('end', () => this.#markClosed(new Error('the server closed the connection')))
  }

  /**
   * Opens a connection. Rejects with mysql2's error (ECONNREFUSED, ETIMEDOUT after
   * `config.connectTimeout`, 1045 access denied…), which `translateMysqlError` classifies.
   */
  static async open(options: MysqlConnectionOptions): Promise<MysqlConnection> {
    const conn = await mysql.createConnection({ ...options.config, ...FORCED_OPTIONS })
    return new MysqlConnection(conn, options)
  }

  /** Set once the connection is lost, closed or destroyed. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Whether a transaction may be open: set by begin() and by any statement run with autocommit
   * off, cleared by commit()/rollback(), and kept in step with raw `BEGIN`/`COMMIT`/DDL through
   * the server-status flags of each OK packet. After an error it stays as it was, so rollback()
   * is sent whenever in doubt.
   */
  get inTransaction(): boolean {
    return this.#begun || this.#inTransaction
  }

  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<DriverResult> {
    this.#enter('execute a statement')
    try {
      // Aborted before anything was sent: the connection is still fine.
      if (options.signal?.aborted) throw this.#abortError(options.signal, false)
      if (this.#idStep !== undefined && AUTO_INCREMENT_SETTING.test(sql)) this.#idStep = undefined
      let answer: [QueryResult, FieldPacket[] | undefined]
      try {
        answer = await this.#send(sql, params, options.signal)
      } catch (err) {
        await this.#rollbackOutsideBegin()
        throw err
      }
      const [result, fields] = answer
      // A result set carries no status flags: with autocommit off it may have opened a transaction.
      if (Array.isArray(result) && !this.#autocommit) this.#inTransaction = true
      if (!Array.isArray(result) && RAW_TRANSACTION_CONTROL.test(sql)) this.#begun = /^\s*(?:START|BEGIN)|\bAND\s+CHAIN\b/i.test(sql)
      let out = this.#toDriverResult(result, fields, options.columnNames !== false)
      if (out.insertId !== undefined && out.rowsAffected >= 2) out = { ...out, insertIdStep: this.#idStep ??= await this.#readIdStep(options.signal) }
      if (this.#openedOutsideBegin()) await this.#sendControl('COMMIT')
      return out
    } finally {
      this.#busy = undefined
    }
  }

  /**
   * Streams rows in batches of `batchSize` without buffering the result: mysql2 pauses the
   * socket while the consumer is behind. Breaking out of the loop early stops delivery, but
   * mysql2 still reads (and drops) the rest of the result before the connection's next
   * statement runs. An aborted signal destroys the connection, as in execute().
   *
   * ```ts
   * for await (const batch of conn.stream('SELECT id FROM big WHERE x > ?', [0], { batchSize: 500 })) handle(batch)
   * ```
   */
  async *stream(
    sql: string,
    params: readonly unknown[],
    options: { batchSize: number; signal?: AbortSignal },
  ): AsyncIterable<readonly (readonly unknown[])[]> {
    const batchSize = Math.max(1, Math.floor(options.batchSize))
    this.#enter('stream a result')
    const signal = options.signal
    let readable: Readable | undefined
    const onAbort = (): void => {
      this.#abort(signal)
      readable?.destroy(this.#abortError(signal, true))
    }
    try {
      if (signal?.aborted) throw this.#abortError(signal, false)
      signal?.addEventListener('abort', onAbort, { once: true })
      const command: Query = params.length === 0
        ? this.#core.query({ sql, rowsAsArray: true })
        : this.#core.execute({ sql, rowsAsArray: true }, params as ExecuteValues[])
      readable = command.stream({ highWaterMark: batchSize })
      let batch: unknown[][] = []
      for await (const row of readable) {
        batch.push(row as unknown[])
        if (batch.length >= batchSize) {
          yield batch
          batch = []
        }
      }
      if (batch.length > 0) yield batch
      if (!this.#autocommit) this.#inTransaction = true
      if (this.#openedOutsideBegin()) await this.#sendControl('COMMIT')
    } catch (err) {
      if (this.#isFatal(err)) this.#markClosed(err)
      throw err
    } finally {
      signal?.removeEventListener('abort', onAbort)
      if (readable !== undefined && !readable.destroyed) readable.destroy()
      this.#busy = undefined
    }
  }

  /**
   * Begins a transaction. The first begin() turns autocommit off (`SET autocommit = 0`, in place
   * of START TRANSACTION); from then on the server opens a transaction at the first statement,
   * so a plain begin() sends nothing (MySQL takes the snapshot at the first read either way).
   * `SET TRANSACTION ISOLATION LEVEL …` applies to that next transaction, and a read-only one is
   * started explicitly (`START TRANSACTION READ ONLY`). After a raw `SET autocommit = 1` it is
   * `START TRANSACTION` again.
   * Refuses to begin inside a transaction: MySQL would silently commit the open one.
   */
  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.inTransaction) {
      throw new InvalidRequestError(
        `Connection ${this.threadId} is already in a transaction; START TRANSACTION would silently commit it. ` +
          'Commit or roll back first, or use a savepoint for a nested transaction.',
      )
    }
    const level = options.isolationLevel
    if (level !== undefined) {
      // Interpolated, so checked against the fixed list rather than trusted from the type.
      if (!ISOLATION_LEVELS.has(level)) throw new ArgumentError(`'${String(level)}' is not an isolation level; use one of ${[...ISOLATION_LEVELS].join(', ')}.`)
      await this.#control(`SET TRANSACTION ISOLATION LEVEL ${level}`, 'begin a transaction')
    }
    if (options.statementTimeoutMs !== undefined) {
      // A session variable (MySQL has no transaction-local one): set for this transaction, reset
      // to the engine's value when it ends.
      await this.#control(`SET SESSION ${statementTimeoutSetting(this.flavour, options.statementTimeoutMs)}`, 'begin a transaction')
      this.#timeoutOverridden = true
    }
    if (options.readOnly === true) await this.#control('START TRANSACTION READ ONLY', 'begin a transaction')
    else if (this.#autocommit && !this.#autocommitOffSent) {
      // Once per connection, in place of this transaction's START TRANSACTION. Not at connect:
      // there a Galera node outside the primary component must still be judged by its state.
      await this.#control('SET autocommit = 0', 'begin a transaction')
      this.#autocommitOffSent = true
    } else if (this.#autocommit) await this.#control('START TRANSACTION', 'begin a transaction')
    this.#begun = true
  }

  /**
   * Whether a statement run outside begin() (autocommit off) opened a transaction. Outside
   * begin(), statements keep autocommit's meaning: such a transaction is committed at once, so
   * nothing is left holding locks or a snapshot and the next begin() starts clean. Asked before
   * sending the COMMIT, not inside an async helper: that would cost a promise per statement.
   */
  #openedOutsideBegin(): boolean {
    return !this.#begun && !this.#autocommit && this.#inTransaction
  }

  /** A statement outside begin() failed: the transaction it may have opened is ended (best effort). */
  async #rollbackOutsideBegin(): Promise<void> {
    if (this.#begun || this.#autocommit || this.#closed) return
    try {
      await this.#sendControl('ROLLBACK')
    } catch {
      // The statement's own error is the one to report; a connection that cannot roll back is
      // closed by #send when the failure is fatal, and rollback() is sent again on return.
      this.#inTransaction = true
    }
  }

  async commit(): Promise<void> {
    try {
      await this.#control('COMMIT', 'commit')
      this.#inTransaction = false
      this.#begun = false
    } finally {
      await this.#resetTimeout()
    }
  }

  /** Puts back the engine's statement timeout after a transaction that set its own; a connection that cannot is discarded. */
  async #resetTimeout(): Promise<void> {
    if (!this.#timeoutOverridden || this.#closed) return
    try {
      await this.#control(`SET SESSION ${statementTimeoutSetting(this.flavour, this.#options.statementTimeoutMs ?? 0)}`, 'reset the statement timeout')
      this.#timeoutOverridden = false
    } catch {
      this.destroy()
    }
  }

  /**
   * Rolls back. Skips the round trip when no transaction can be open (the pool calls this on
   * every return), and is a no-op on a lost connection: the server has already rolled back.
   */
  async rollback(): Promise<void> {
    if (this.#closed || !this.inTransaction) return await this.#resetTimeout()
    try {
      await this.#control('ROLLBACK', 'roll back')
      this.#inTransaction = false
      this.#begun = false
    } finally {
      await this.#resetTimeout()
    }
  }

  async ping(): Promise<void> {
    this.#enter('ping')
    try {
      await this.#conn.ping()
    } catch (err) {
      if (this.#isFatal(err)) this.#markClosed(err)
      throw err
    } finally {
      this.#busy = undefined
    }
  }

  /** Sends COM_QUIT and waits for the server, at most `connectTimeoutMs`; then destroys. */
  async close(): Promise<void> {
    if (this.#closed) {
      this.#core.destroy()
      return
    }
    this.#markClosed(new Error('the connection was closed by Athanor'))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.connectTimeoutMs)
    })
    try {
      await Promise.race([this.#conn.end().catch(() => undefined), timeout])
    } finally {
      clearTimeout(timer)
      this.#core.destroy()
    }
  }

  destroy(): void {
    this.#markClosed(new Error('the connection was destroyed by Athanor'))
    this.#core.destroy()
  }

  /** Resolves once a best-effort server-side KILL started by an aborted statement has finished. */
  async settled(): Promise<void> {
    await this.#serverKill
  }

  // ------------------------------------------------------------------ internals

  #enter(attempted: string): void {
    if (this.#closed) throw closedError(this.#closeReason)
    if (this.#busy !== undefined) {
      // mysql2 would queue the second command behind the first; behind a paused stream that
      // queue never drains, and inside a transaction the statements would interleave.
      throw new ConcurrentUseError(`connection ${this.threadId}`, this.#busy, attempted)
    }
    this.#busy = attempted
  }

  /**
   * Sends one statement and waits for its answer; marks the connection closed on fatal errors.
   * An abort of `signal` while it runs rejects at once and destroys the connection (#abort).
   */
  async #send(sql: string, params: readonly unknown[], signal: AbortSignal | undefined): Promise<[QueryResult, FieldPacket[] | undefined]> {
    const answer = this.#dispatch(sql, params)
    if (signal !== undefined) {
      this.#runningSignal = signal
      this.#relay.arm(signal, this.#abortRunning)
    }
    try {
      return await answer
    } catch (err) {
      if (this.#isFatal(err)) this.#markClosed(err)
      throw err
    } finally {
      if (signal !== undefined) {
        this.#relay.disarm()
        this.#runningSignal = undefined
      }
    }
  }

  #dispatch(sql: string, params: readonly unknown[]): Promise<[QueryResult, FieldPacket[] | undefined]> {
    // Values were converted by values.ts (and validated by core before that); mysql2's own
    // checks still reject undefined and functions. Through the callback API: mysql2's promise
    // wrapper captures a stack trace per statement for its errors (~6 % of a primary-key
    // lookup), and this dialect translates every error into core's, with core's own stack.
    return new Promise((resolve, reject) => {
      this.#rejectRunning = reject
      const done = (err: Error | null, result: QueryResult, fields?: FieldPacket[]): void => {
        // Forgotten once settled: the closure holds this promise and so its result, and an idle
        // pooled connection kept its last result set alive (30,000 rows after a nested load).
        if (this.#rejectRunning === reject) this.#rejectRunning = undefined
        if (err) reject(err)
        else resolve([result, fields])
      }
      if (params.length === 0) this.#core.query(sql, done)
      else this.#core.execute(sql, params as ExecuteValues[], done)
    })
  }

  /**
   * The watchdog's signal aborted while a statement runs: the caller sees the abort error (first,
   * so not the disconnect that follows), and the connection is destroyed to stop the statement.
   */
  readonly #abortRunning = (): void => {
    const signal = this.#runningSignal
    const reject = this.#rejectRunning
    if (signal === undefined || reject === undefined) return
    reject(this.#abortError(signal, true))
    this.#abort(signal)
  }

  /** Transaction control: text protocol, no parameters; tracks the transaction flag. */
  async #control(sql: string, attempted: string): Promise<void> {
    this.#enter(attempted)
    try {
      await this.#sendControl(sql)
    } finally {
      this.#busy = undefined
    }
  }

  /** Sends one transaction-control statement and follows the status flags it answers with. */
  async #sendControl(sql: string): Promise<void> {
    const [result] = await this.#send(sql, [], undefined)
    this.#track(result)
  }

  /**
   * Stops a running statement. One connection cannot cancel its own statement, so the socket is
   * destroyed at once (control returns now, even if the network is gone) and a short-lived side
   * connection sends `KILL CONNECTION <this thread>` so the server stops the work and releases its
   * locks; that side step is best effort and never throws.
   */
  #abort(signal: AbortSignal | undefined): void {
    if (this.#closed) return
    this.#markClosed(signal?.reason ?? new Error('aborted'))
    this.#core.destroy()
    this.#serverKill = this.#killOnServer()
  }

  async #killOnServer(): Promise<void> {
    try {
      const side = await mysql.createConnection({ ...this.#options.config, ...FORCED_OPTIONS, connectTimeout: this.#options.connectTimeoutMs })
      side.on('error', () => undefined)
      try {
        await side.query(`KILL CONNECTION ${Number(this.threadId)}`)
      } catch {
        // Already gone (1094 unknown thread id): nothing left to stop.
      } finally {
        side.destroy()
      }
    } catch {
      // Server unreachable: it will notice the closed socket on its own.
    }
  }

  /**
   * The error an aborted call rejects with: the signal's reason when it is already an Athanor
   * error (the engine's watchdog), else an error `translateMysqlError` reads as a disconnect
   * when the connection had to be destroyed.
   */
  #abortError(signal: AbortSignal | undefined, connectionClosed: boolean): Error {
    const reason: unknown = signal?.reason
    if (reason instanceof AthanorError) return reason
    const why = reason instanceof Error ? `: ${reason.message}` : ''
    if (!connectionClosed) {
      return Object.assign(new Error(`The statement was cancelled by its AbortSignal before it was sent${why}.`), { name: 'AbortError', cause: reason })
    }
    return Object.assign(
      new Error(`The statement was cancelled by its AbortSignal${why}. Connection ${this.threadId} was closed to stop it.`),
      { code: STATEMENT_ABORTED_CODE, fatal: true, cause: reason },
    )
  }

  /** One round trip; the value is a BIGINT UNSIGNED, which bigNumberStrings hands over as a string. */
  async #readIdStep(signal: AbortSignal | undefined): Promise<number> {
    const [rows] = await this.#send('SELECT @@session.auto_increment_increment', [], signal)
    const step = Number((rows as unknown[][])[0]?.[0])
    if (!Number.isSafeInteger(step) || step < 1) throw new Error(`@@session.auto_increment_increment read as ${String(step)}, not a positive integer.`)
    return step
  }

  #isFatal(err: unknown): boolean {
    return typeof err === 'object' && err !== null && (err as { fatal?: unknown }).fatal === true
  }

  #markClosed(reason: unknown): void {
    if (this.#closed) return
    this.#closed = true
    this.#closeReason = reason
    this.#inTransaction = false
    this.#begun = false
  }

  /** Follows the server-status flags of OK packets (raw BEGIN/COMMIT, DDL's implicit commit, SET autocommit). */
  #track(result: unknown): void {
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return
    const status = (result as Partial<ResultSetHeader>).serverStatus
    if (typeof status !== 'number') return
    this.#inTransaction = (status & SERVER_STATUS_IN_TRANS) !== 0
    this.#autocommit = (status & SERVER_STATUS_AUTOCOMMIT) !== 0
  }

  #toDriverResult(result: unknown, fields: FieldPacket[] | undefined, names: boolean): DriverResult {
    if (Array.isArray(result)) {
      // Rows (SELECT, INSERT/DELETE … RETURNING). A CALL answers with several result sets
      // (fields is then an array per set); the first set is returned.
      if (Array.isArray(fields) && Array.isArray(fields[0])) {
        const first = result[0] as unknown
        const firstFields = fields[0] as unknown as FieldPacket[]
        const rows = Array.isArray(first) ? (first as unknown[][]) : []
        return { rows, columnNames: names ? firstFields.map((f) => f.name) : undefined, rowsAffected: rows.length }
      }
      const rows = result as unknown[][]
      return { rows, columnNames: names ? fields?.map((f) => f.name) : undefined, rowsAffected: rows.length }
    }
    this.#track(result)
    const header = result as ResultSetHeader
    return { rows: [], rowsAffected: Number(header.affectedRows ?? 0), insertId: toInsertId(header.insertId) }
  }
}

/** A raw `BEGIN`/`START TRANSACTION`/`COMMIT`/`ROLLBACK` (not `ROLLBACK TO SAVEPOINT`), run through execute(). */
const RAW_TRANSACTION_CONTROL = /^\s*(?:START\s+TRANSACTION|BEGIN(?!\s+NOT\s+ATOMIC)|COMMIT|ROLLBACK(?!\s+(?:WORK\s+)?TO\b))\b/i

/** Statements that may change the session's auto-increment step (SET [SESSION] auto_increment_increment…). */
const AUTO_INCREMENT_SETTING = /auto_increment_(?:increment|offset)/i

/** insertId is 0 when no AUTO_INCREMENT value was generated; bigNumberStrings makes large ones strings. */
function toInsertId(id: unknown): number | bigint | undefined {
  if (id === undefined || id === null || id === 0 || id === '0') return undefined
  if (typeof id === 'number') return id
  const big = BigInt(id as string)
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}
