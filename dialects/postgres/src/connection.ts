import {
  ArgumentError, CommitOutcomeUnknownError, keepShape, ConcurrentUseError, DatabaseError, SignalRelay,
  type BeginOptions, type DriverConnection, type DriverResult, type ExecuteOptions, type IsolationLevel,
} from './core.js'
import { postgresCapabilities } from './capabilities.js'
import type { ConnectSettings } from './connect-settings.js'
import { isDisconnect } from './error-translation.js'
import { cancelQuery, createClient, type ClientLink, type PgClient, type PgQuery, type PgResult } from './postgres-client.js'

/** A statement on a connection already known to be closed; translated as a lost connection. */
class ConnectionClosedError extends Error {
  readonly code = 'CONNECTION_CLOSED'
}

/**
 * A parameter list postgres.js would refuse. Checked here, before postgres.js sees the query:
 * postgres.js 3.4.9 rejects such a query but keeps it as the current query until the server
 * answers the Sync it sends, and a second refused query in that window is queued without
 * being sent and never settles (observed: 65533 params OK, 65534 refused, 65535 hangs).
 */
class ParameterCheckError extends Error {
  readonly code: 'MAX_PARAMETERS_EXCEEDED' | 'UNDEFINED_VALUE'
  constructor(code: ParameterCheckError['code'], message: string) {
    super(`${code}: ${message}`)
    this.code = code
  }
}

const MAX_PARAMS = postgresCapabilities.maxParams

function checkParams(params: readonly unknown[]): void {
  if (params.length > MAX_PARAMS) {
    throw new ParameterCheckError('MAX_PARAMETERS_EXCEEDED', `${params.length} parameters; the limit is ${MAX_PARAMS}`)
  }
  for (let i = 0; i < params.length; i++) {
    if (params[i] === undefined) throw new ParameterCheckError('UNDEFINED_VALUE', `parameter $${i + 1} is undefined`)
  }
}

function cancelledBeforeStart(): Error {
  // The same shape postgres.js uses for a query cancelled before it was sent.
  return Object.assign(new Error('57014: canceling statement due to user request'), { code: '57014' })
}

const ISOLATION_SQL: Readonly<Record<IsolationLevel, string>> = {
  'READ UNCOMMITTED': 'READ UNCOMMITTED',
  'READ COMMITTED': 'READ COMMITTED',
  'REPEATABLE READ': 'REPEATABLE READ',
  SERIALIZABLE: 'SERIALIZABLE',
}

/** What a connection is doing, for busy and closed errors: [while doing it, asked to do it]. */
const OPS = {
  execute: ['executing a statement', 'execute a statement'],
  stream: ['streaming rows', 'stream rows'],
  begin: ['beginning a transaction', 'begin a transaction'],
  commit: ['committing', 'commit'],
  rollback: ['rolling back', 'roll back'],
  ping: ['pinging the server', 'ping the server'],
} as const
type Op = (typeof OPS)[keyof typeof OPS]

// close() waits this long for a running statement before dropping the socket.
const CLOSE_GRACE_SECONDS = 2
/** Set once the first result of the process was kept (its shape: see keepShape). */
let resultShapeKept = false

/** A single result, or the per-statement results of a multi-statement simple query. */
function resultsOf(res: PgResult | PgResult[]): PgResult[] {
  // A Result carries `count` (as an own, non-enumerable property); the list of results does not.
  return 'count' in res ? [res as PgResult] : (res as PgResult[])
}

/**
 * One dedicated PostgreSQL connection (a postgres.js instance with `max: 1`), owned by
 * Athanor's pool. Rows come back as positional arrays. Once the connection is lost it stays
 * closed: every later call fails fast and nothing reconnects behind the pool's back.
 *
 * ```ts
 * const conn = await new PostgresDriver().connect({ url, connectTimeoutMs: 10_000 })
 * const { rows } = await conn.execute('SELECT id, name FROM users WHERE id = $1', [1], { prepare: true })
 * await conn.close()
 * ```
 */
export class PostgresConnection implements DriverConnection {
  readonly #client: PgClient
  readonly #link: ClientLink
  readonly #maxPrepared: number
  /** SQL texts this connection has prepared (postgres.js never deallocates them). */
  readonly #prepared = new Set<string>()
  #pid = 0
  #busy: Op | undefined
  #ended = false
  // Whether a transaction may be open. False only when it is certainly not, so that the pool's
  // rollback-on-return costs no round trip on idle connections.
  #inTransaction = false
  /** The BEGIN that begin() accepted and the next statement sends ahead of itself. */
  #pendingBegin: string | undefined
  /**
   * Whether plain reads may run ahead of that BEGIN (#mayReadAhead): decided where the BEGIN is
   * built — a bare BEGIN when the server's default is READ COMMITTED, an explicit READ COMMITTED
   * (or UNCOMMITTED, which PostgreSQL runs as it) always, anything with more to it never.
   */
  #readAhead: 'if-default-read-committed' | 'always' | 'never' = 'never'
  /**
   * Whether a plain BEGIN starts a READ COMMITTED transaction here (the session's
   * default_transaction_isolation): learned with the connection's first plain BEGIN, in the same
   * write; undefined until then, and again after a SET, RESET or DISCARD that may have changed it.
   */
  #plainBeginReadCommitted: boolean | undefined
  /** The watchdog's signal, listened to once; an abort cancels the query running then. */
  readonly #relay = new SignalRelay()
  #running: PgQuery | undefined
  readonly #cancelRunning = (): void => {
    if (this.#running !== undefined) cancelQuery(this.#running, this.#link)
  }

  private constructor(client: PgClient, link: ClientLink, settings: ConnectSettings) {
    this.#client = client
    this.#link = link
    this.#maxPrepared = settings.maxPreparedStatements
  }

  /**
   * Opens a connection and waits until it is usable (startup, authentication, type loading).
   *
   * ```ts
   * const conn = await PostgresConnection.open(resolveConnectSettings({ url, connectTimeoutMs: 5000 }))
   * ```
   */
  static async open(settings: ConnectSettings): Promise<PostgresConnection> {
    const link: ClientLink = { socket: undefined, established: false, closed: false, cancelling: false }
    const conn = new PostgresConnection(createClient(settings, link), link, settings)
    let timer: NodeJS.Timeout | undefined
    try {
      // postgres.js connects lazily; the first statement brings the connection up. Its own
      // connect_timeout stops at the first ReadyForQuery, this deadline covers the rest too.
      const first = conn.#client.unsafe('SELECT pg_backend_pid()', [], { prepare: false }).values()
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`connecting took longer than ${settings.connectTimeoutMs} ms`), { code: 'CONNECT_TIMEOUT' })), settings.connectTimeoutMs)
      })
      const [result] = resultsOf(await Promise.race([first, deadline]))
      conn.#pid = Number(result?.[0]?.[0])
      // postgres.js builds every result the way it built this one: keep the shape (see keepShape).
      if (!resultShapeKept && result !== undefined) (resultShapeKept = true, keepShape(result))
      link.established = true
      return conn
    } catch (e) {
      conn.destroy()
      throw e
    } finally {
      clearTimeout(timer)
    }
  }

  /** Set when the connection is known to be gone (killed, reset, closed or destroyed). */
  get closed(): boolean {
    return this.#link.closed
  }

  /** The server process id of this connection (`pg_backend_pid()`), for logs and diagnostics. */
  get backendPid(): number {
    return this.#pid
  }

  /**
   * Whether the server is a standby (in recovery) and whether this session's transactions are
   * read-only, as `target_session_attrs` needs them (one round trip).
   */
  async serverRole(): Promise<{ readonly inRecovery: boolean; readonly readOnly: boolean }> {
    const { rows } = await this.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'", [])
    return { inRecovery: rows[0]![0] === true, readOnly: rows[0]![1] === true }
  }

  /** Server parameters reported at startup: `server_version`, `TimeZone`, `application_name`, … */
  get serverParameters(): Readonly<Record<string, string | undefined>> {
    return this.#client.parameters
  }

  /**
   * Runs one statement (`$1…$n` placeholders). With `prepare`, the statement is prepared on this
   * connection once and later runs take one round trip instead of two.
   *
   * ```ts
   * const r = await conn.execute('UPDATE users SET name = $1 WHERE id = $2', ['Ann', 1])
   * r.rowsAffected   // 1
   * ```
   */
  async execute(sql: string, params: readonly unknown[], options: ExecuteOptions = {}): Promise<DriverResult> {
    // Statements without parameters use the simple protocol (one round trip) either way.
    const prepare = options.prepare === true && params.length > 0 && this.#mayPrepare(sql)
    const results = await this.#run(OPS.execute, sql, params, prepare, options.signal, options.plainRead === true)
    const last = results[results.length - 1]!
    const columns = last.columns
    return {
      rows: last,
      columnNames: options.columnNames !== false && columns && columns.length > 0 ? columns.map((c) => c.name) : undefined,
      rowsAffected: last.count ?? 0,
    }
  }

  /**
   * Streams rows in batches through a portal (a server-side cursor that needs no transaction):
   * the server produces `batchSize` rows per round trip, as the consumer asks for them.
   * Leaving the loop early closes the portal.
   *
   * ```ts
   * for await (const batch of conn.stream('SELECT * FROM events', [], { batchSize: 500 })) { … }
   * ```
   */
  async *stream(sql: string, params: readonly unknown[], options: { batchSize: number; signal?: AbortSignal }): AsyncIterable<readonly (readonly unknown[])[]> {
    const { batchSize, signal } = options
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`batchSize must be a whole number ≥ 1, not ${batchSize}.`)
    this.#enter(OPS.stream)
    const link = this.#link
    let query: PgQuery | undefined
    let finished: Promise<void> | undefined
    let batch: PgResult | undefined
    let resume: ((close?: unknown) => void) | undefined
    let wake: (() => void) | undefined
    let settled = false
    let failure: unknown
    const onAbort = (): void => {
      if (query !== undefined && !settled) cancelQuery(query, link)
      wake?.()
    }
    try {
      if (signal?.aborted) throw cancelledBeforeStart()
      checkParams(params)
      signal?.addEventListener('abort', onAbort, { once: true })
      // A cursor's query is sent when its callback is set: after the BEGIN's answer here.
      const begun = this.#sendPendingBegin()
      if (begun !== undefined) await this.#awaitBegin(begun)
      query = this.#client.unsafe(sql, params, { prepare: false }).values()
      // The callback form (not postgres.js's async iterator) gives a promise for the end of the
      // query, so that the connection is idle again before this generator returns.
      finished = query
        .cursor(batchSize, (rows) => new Promise((r) => { batch = rows; resume = r; wake?.() }))
        .then(() => { settled = true; wake?.() }, (e: unknown) => { settled = true; failure = e; wake?.() })
      for (;;) {
        while (batch === undefined && !settled && !signal?.aborted) await new Promise<void>((r) => { wake = r })
        wake = undefined
        if (batch !== undefined) {
          const rows = batch
          batch = undefined
          yield rows
          const next = resume
          resume = undefined
          // Resuming a cursor whose connection is gone makes postgres.js write to a null socket
          // from a setImmediate: an uncatchable TypeError. Only resume a live, unsettled query.
          if (!settled && !link.closed) next?.()
          continue
        }
        if (settled) {
          if (failure !== undefined) throw failure
          return
        }
        throw cancelledBeforeStart() // aborted while the portal waited for us
      }
    } catch (e) {
      if (isDisconnect(e)) this.destroy()
      throw e
    } finally {
      signal?.removeEventListener('abort', onAbort)
      // Left early: close the portal (same rule as above: never on a dead or finished query).
      if (resume !== undefined && !settled && !link.closed) resume(this.#client.CLOSE)
      if (finished !== undefined) await finished
      if (failure !== undefined && isDisconnect(failure)) this.destroy()
      this.#busy = undefined
    }
  }

  /**
   * `BEGIN [ISOLATION LEVEL …] [READ ONLY] [DEFERRABLE]`, sent with the transaction's first
   * statement: both go out in one write (postgres.js pipelines them), so a transaction costs no
   * round trip of its own. A transaction that ends before any statement sends nothing at all.
   * PostgreSQL takes a transaction's snapshot at its first statement, not at BEGIN, so what the
   * transaction sees is the same either way.
   *
   * ```ts
   * await conn.begin({ isolationLevel: 'SERIALIZABLE' })
   * ```
   */
  async begin(options: BeginOptions = {}): Promise<void> {
    let sql = 'BEGIN'
    if (options.isolationLevel !== undefined) {
      const level = ISOLATION_SQL[options.isolationLevel]
      if (level === undefined) throw new ArgumentError(`Unknown isolation level '${String(options.isolationLevel)}'; use one of ${Object.keys(ISOLATION_SQL).join(', ')}.`)
      sql += ' ISOLATION LEVEL ' + level
    }
    if (options.readOnly) sql += ' READ ONLY'
    if (options.deferrable) sql += ' DEFERRABLE'
    // Transaction-local, so it ends with the transaction; sent with BEGIN in one round trip.
    if (options.statementTimeoutMs !== undefined) sql += `; SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs)}`
    // The same refusals as a statement now (closed, busy, a transaction already pending).
    this.#enter(OPS.begin)
    this.#busy = undefined
    if (this.#pendingBegin !== undefined) throw new ArgumentError('begin() was called twice without a statement, commit() or rollback() between; end the first transaction first.')
    this.#pendingBegin = sql
    const bare = !options.readOnly && !options.deferrable && options.statementTimeoutMs === undefined
    const level = options.isolationLevel
    this.#readAhead = !bare ? 'never' : level === undefined ? 'if-default-read-committed' : level === 'READ COMMITTED' || level === 'READ UNCOMMITTED' ? 'always' : 'never'
    this.#inTransaction = true
  }

  /**
   * `COMMIT`. Throws `CommitOutcomeUnknownError` when the connection is lost while COMMIT is in
   * flight, and a `DatabaseError` ('transaction-aborted') when PostgreSQL answers ROLLBACK
   * because an earlier statement had failed (it does so without an error).
   *
   * ```ts
   * await conn.begin({}); await conn.execute(…); await conn.commit()
   * ```
   */
  async commit(): Promise<void> {
    if (this.#dropPendingBegin()) return
    let results: PgResult[]
    try {
      results = await this.#run(OPS.commit, 'COMMIT')
    } catch (e) {
      if (e instanceof ConcurrentUseError) throw e
      this.#inTransaction = false
      // Closed before COMMIT was sent: certainly not committed, a plain lost connection.
      if (e instanceof ConnectionClosedError || !isDisconnect(e)) throw e
      throw new CommitOutcomeUnknownError(e)
    }
    this.#inTransaction = false
    if (results[results.length - 1]!.command === 'ROLLBACK') {
      throw new DatabaseError(
        'transaction-aborted',
        'COMMIT was answered with ROLLBACK: an earlier statement in this transaction failed, so PostgreSQL rolled the whole transaction back and nothing was committed. Retry the whole transaction.',
        undefined, { sql: 'COMMIT' }, '25P02',
      )
    }
  }

  /**
   * `ROLLBACK`, skipped without a round trip when no transaction is open. On a lost connection
   * it does nothing: the server ends the transaction of a session that is gone.
   *
   * ```ts
   * await conn.rollback()   // safe to call on every return to the pool
   * ```
   */
  async rollback(): Promise<void> {
    if (this.#dropPendingBegin()) return
    if (this.#link.closed) {
      this.#inTransaction = false
      return
    }
    if (!this.#inTransaction) return
    try {
      await this.#run(OPS.rollback, 'ROLLBACK')
    } catch (e) {
      if (e instanceof ConcurrentUseError) throw e
      this.#inTransaction = false
      if (isDisconnect(e)) return
      throw e
    }
    this.#inTransaction = false
  }

  /**
   * Ends a transaction that sent nothing (its BEGIN still pending: no statement, or only plain
   * reads run ahead of it) without a round trip, as rollback() would; false when a ROLLBACK must
   * be sent. The pool asks on every return.
   */
  resetWithoutRoundTrip(): boolean {
    if (this.#link.closed || this.#busy !== undefined) return false
    if (this.#dropPendingBegin()) return true
    return !this.#inTransaction
  }

  /** `SELECT 1`. */
  async ping(): Promise<void> {
    await this.#run(OPS.ping, 'SELECT 1')
  }

  /** Ends the session (Terminate), waiting up to 2 s for a running statement. */
  async close(): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    this.#link.closed = true
    await this.#client.end({ timeout: CLOSE_GRACE_SECONDS }).catch(() => undefined)
    this.#link.socket?.destroy()
  }

  /** Drops the socket at once; a running statement fails with CONNECTION_DESTROYED/CLOSED. */
  destroy(): void {
    this.#link.closed = true
    if (!this.#ended) {
      this.#ended = true
      this.#client.end({ timeout: 0 }).catch(() => undefined)
    }
    this.#link.socket?.destroy()
  }

  // ---- internals ---------------------------------------------------------------------------

  #enter(op: Op): void {
    if (this.#link.closed) {
      throw new ConnectionClosedError(`This PostgreSQL connection is closed (its session ended or it was discarded), so it cannot ${op[1]}; use a new connection.`)
    }
    if (this.#busy !== undefined) throw new ConcurrentUseError('Connection', this.#busy[0], op[1])
    this.#busy = op
  }

  async #run(op: Op, sql: string, params: readonly unknown[] = [], prepare = false, signal?: AbortSignal, plainRead = false): Promise<PgResult[]> {
    this.#enter(op)
    try {
      if (signal?.aborted) throw cancelledBeforeStart()
      checkParams(params)
      const begun = plainRead && this.#mayReadAhead() ? undefined : this.#sendPendingBegin()
      const query = this.#client.unsafe(sql, params, { prepare }).values()
      if (begun !== undefined) await this.#awaitBegin(begun, query.execute())
      // The signal's relay cancels the running query (#cancelRunning); set up here rather than in
      // a helper of its own, which would be one more async layer per statement.
      if (signal !== undefined) {
        this.#running = query
        this.#relay.arm(signal, this.#cancelRunning)
      }
      const results = resultsOf(await query)
      for (const r of results) this.#track(r.command)
      return results
    } catch (e) {
      if (isDisconnect(e)) this.destroy()
      throw e
    } finally {
      if (this.#running !== undefined) {
        this.#running = undefined
        this.#relay.disarm()
      }
      this.#busy = undefined
    }
  }

  /**
   * Whether a plain read may run ahead of the pending BEGIN, outside the transaction: only when
   * that transaction is READ COMMITTED, where every statement takes a fresh snapshot in or out of
   * a transaction, so the read sees the same rows. (REPEATABLE READ and SERIALIZABLE take their
   * snapshot at the first statement, which must then be inside.) The BEGIN stays pending for the
   * first statement that is not a plain read; a transaction that only read sends no BEGIN and,
   * at its end, no COMMIT or ROLLBACK.
   */
  #mayReadAhead(): boolean {
    if (this.#pendingBegin === undefined) return false
    return this.#readAhead === 'always' || (this.#readAhead === 'if-default-read-committed' && this.#plainBeginReadCommitted === true)
  }

  /** Sends the pending BEGIN (without waiting for it): the statement that follows is written behind it. */
  #sendPendingBegin(): PgQuery | undefined {
    const sql = this.#pendingBegin
    if (sql === undefined) return undefined
    this.#pendingBegin = undefined
    // The first plain BEGIN also asks which isolation it starts: written with it, no round trip.
    const learn = this.#readAhead === 'if-default-read-committed' && this.#plainBeginReadCommitted === undefined
    // Awaited by #awaitBegin; `execute()` makes postgres.js send it now, ahead of the statement.
    const begun = this.#client.unsafe(learn ? `${sql}; SHOW default_transaction_isolation` : sql, [], { prepare: false }).execute()
    if (learn) {
      begun.then((r: unknown) => {
        const shown = resultsOf(r as PgResult | PgResult[]).at(-1)?.[0] as Record<string, unknown> | undefined
        this.#plainBeginReadCommitted = /^read (un)?committed$/i.test(String(shown?.['default_transaction_isolation'] ?? ''))
      }, () => undefined)
    }
    return begun
  }

  /**
   * The BEGIN's answer, before the statement's. A BEGIN that fails has lost the connection
   * (its clauses are checked before it is sent), and the statement behind it fails the same way;
   * its error is the one to report.
   */
  async #awaitBegin(begun: PgQuery, query?: PgQuery): Promise<void> {
    try {
      await begun
    } catch (e) {
      query?.catch(() => undefined)
      this.#inTransaction = false
      throw e
    }
  }

  /** A transaction that ends before its first statement: nothing was sent, nothing to end. */
  #dropPendingBegin(): boolean {
    if (this.#pendingBegin === undefined) return false
    this.#pendingBegin = undefined
    this.#inTransaction = false
    return true
  }

  // Raw transaction control through execute() keeps the flag right. 'ROLLBACK' is also the tag
  // of ROLLBACK TO SAVEPOINT, so only rollback() clears the flag for it.
  #track(command: string | null): void {
    if (command === 'BEGIN' || command === 'START TRANSACTION' || command === 'SAVEPOINT') this.#inTransaction = true
    else if (command === 'COMMIT' || command === 'PREPARE TRANSACTION') this.#inTransaction = false
    // SET SESSION CHARACTERISTICS, SET default_transaction_isolation, RESET ALL, DISCARD ALL: learn again.
    else if (command === 'SET' || command === 'RESET' || command === 'DISCARD ALL') this.#plainBeginReadCommitted = undefined
  }

  #mayPrepare(sql: string): boolean {
    if (this.#prepared.has(sql)) return true
    if (this.#prepared.size >= this.#maxPrepared) return false
    this.#prepared.add(sql)
    return true
  }
}
