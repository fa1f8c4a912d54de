import type { BeginOptions, Capabilities, CompiledStatement, DriverConnection, DriverResult, ExecuteOptions, ValueProcessor } from '../dialect/contract.js'
import {
  AthanorError, CommitOutcomeUnknownError, ConcurrentUseError, DeadlockError, InvalidRequestError, LockTimeoutError, OperationalError, StatementTimeoutError,
} from '../util/errors.js'
import type { Keyed } from '../sql/key.js'
import { Result } from './result.js'
import { deadlineSignal, withDeadline } from './watchdog.js'
import type { DeadlineMiss } from './watchdog.js'
import type { EngineCore } from './engine-core.js'
import type { PooledConnection } from '../pool/index.js'

/** A statement that can be executed, carrying its row types. */
export type Executable<R extends readonly unknown[] = unknown[], M = Record<string, unknown>> = Keyed & {
  readonly __row: R
  readonly __mapping: M
}

type TxState = 'none' | 'active' | 'failed'

/**
 * One connection checked out of the engine's pool. Statements run inside a transaction that
 * begins on first use ("commit as you go", as in SQLAlchemy 2.0); `commit()` ends it.
 * ```ts
 * await using conn = await engine.connect()
 * await conn.execute(insert(users).values({ name: 'Alice' }))
 * await conn.commit()
 * ```
 */
export class Connection implements AsyncDisposable {
  readonly #engine: EngineCore
  readonly #lease: PooledConnection
  readonly #beginOptions: BeginOptions
  #tx: TxState = 'none'
  #failure: AthanorError | undefined
  readonly #savepoints: string[] = []
  #savepointSeq = 0
  #busy: string | undefined
  #closed = false
  #invalidated = false
  /** The server ended the transaction on its own (a deadlock victim on MariaDB/MySQL): only rollback() may follow. */
  #endedByServer = false
  /** What a missed deadline does to this connection (#deadlineMiss), made at its first statement. */
  #miss: DeadlineMiss | undefined

  /** @internal created by Engine.connect(). */
  constructor(engine: EngineCore, lease: PooledConnection, beginOptions: BeginOptions) {
    this.#engine = engine
    this.#lease = lease
    this.#beginOptions = beginOptions
  }

  /** What the database behind this connection can do (its dialect's capabilities). */
  get capabilities(): Capabilities {
    return this.#engine.dialect.capabilities
  }

  get closed(): boolean {
    return this.#closed
  }
  /** True while a transaction is open (begun explicitly or by the first statement). */
  get inTransaction(): boolean {
    return this.#tx !== 'none'
  }
  /** True when the connection was lost or discarded; only close() and rollback() remain useful. */
  get invalidated(): boolean {
    return this.#invalidated
  }
  /** The number of open savepoints. */
  get savepointDepth(): number {
    return this.#savepoints.length
  }

  /**
   * Runs a statement and returns its rows; `params` gives its bind parameters their values.
   * ```ts
   * const byName = select(users.c.id).where(users.c.name.eq(bindparam('name')))
   * const ids = (await conn.execute(byName, { name: 'Alice' })).scalars().all()
   * ```
   */
  execute<R extends readonly unknown[], M>(statement: Executable<R, M>, params?: Readonly<Record<string, unknown>>): Promise<Result<R, M>> {
    let stmt: Executable<R, M>
    let compiled: CompiledStatement
    try {
      // Plugins' statement transforms run before compilation, so the cache keys on their output.
      stmt = this.#transformed(statement)
      compiled = this.#engine.dialect.compiler.compile(stmt, params)
    } catch (e) {
      return Promise.reject(e)
    }
    return this.#run(compiled, stmt, 'execute') as unknown as Promise<Result<R, M>>
  }

  #transformed<S extends Keyed>(statement: S): S {
    return this.#engine.extensions.statement(statement, { scope: 'engine', dialect: this.#engine.dialect.name })
  }

  /** @internal runs an already compiled statement (DDL the engine builds as SQL text). */
  executeCompiled(compiled: CompiledStatement, statement?: unknown): Promise<Result> {
    return this.#run(compiled, statement, 'compiled')
  }

  /**
   * Runs a statement with no transaction open (autocommit), for statements that must not run
   * inside one: SQLite's `PRAGMA foreign_keys`, PostgreSQL's `CREATE INDEX CONCURRENTLY`,
   * `VACUUM`. Refused while a transaction is open.
   * ```ts
   * await conn.executeOutsideTransaction(text('PRAGMA foreign_keys = OFF'))
   * ```
   */
  executeOutsideTransaction<R extends readonly unknown[], M>(statement: Executable<R, M>): Promise<Result<R, M>> {
    let stmt: Executable<R, M>
    let compiled: CompiledStatement
    try {
      stmt = this.#transformed(statement)
      compiled = this.#engine.dialect.compiler.compile(stmt)
    } catch (e) {
      return Promise.reject(e)
    }
    return this.#run(compiled, stmt, 'outside') as unknown as Promise<Result<R, M>>
  }

  /**
   * Streams rows through a server-side cursor where the driver has one.
   * ```ts
   * for await (const [id, name] of conn.stream(select(users.c.id, users.c.name))) { … }
   * ```
   */
  async *stream<R extends readonly unknown[], M>(statement: Executable<R, M>, options: { batchSize?: number; params?: Readonly<Record<string, unknown>> } = {}): AsyncGenerator<R> {
    const compiled = this.#engine.dialect.compiler.compile(this.#transformed(statement), options.params)
    this.#engine.lint(compiled)
    this.#enter('stream rows')
    // One signal for the whole cursor; the deadline applies to each batch the server sends.
    const ms = this.#engine.watchdogMs
    let iterator: AsyncIterator<readonly (readonly unknown[])[]> | undefined
    try {
      await this.#autobegin()
      const conn = this.#conn
      const signal = ms === undefined ? undefined : deadlineSignal(conn, ms)
      iterator = conn.stream(compiled.sql, compiled.params, { batchSize: options.batchSize ?? 500, ...(signal && { signal }) })[Symbol.asyncIterator]()
      for (;;) {
        const step = await this.#deadline(compiled.sql, () => iterator!.next())
        if (step.done === true) break
        const rows = step.value as unknown[][]
        processRows(compiled, rows)
        this.#busy = undefined
        for (const row of rows) yield row as unknown as R
        this.#busy = 'stream rows'
      }
      iterator = undefined
    } catch (e) {
      throw this.#handleError(e, compiled)
    } finally {
      // Left early (break, or an error in the caller's loop): close the driver's cursor.
      if (iterator?.return !== undefined && !this.#invalidated) await iterator.return().catch(() => undefined)
      this.#busy = undefined
    }
  }

  /**
   * Begins a transaction. With a function, runs it and commits, or rolls back if it throws.
   * ```ts
   * await conn.begin(async () => { await conn.execute(...) })
   * ```
   */
  begin(): Promise<Transaction>
  begin<T>(fn: (conn: Connection) => Promise<T>): Promise<T>
  async begin<T>(fn?: (conn: Connection) => Promise<T>): Promise<Transaction | T> {
    await this.#guard('begin a transaction', async () => {
      if (this.#tx !== 'none') {
        throw new InvalidRequestError('This connection already has a transaction open (statements begin one automatically). Call commit() or rollback() first, or use beginNested() for a savepoint.', 'transaction-open')
      }
      await this.#begin()
    })
    const tx = new Transaction(this, undefined)
    return fn ? tx.run(fn) : tx
  }

  /**
   * Opens a savepoint inside the current transaction (beginning one if needed). With a
   * function, releases the savepoint after it, or rolls back to it if it throws.
   */
  beginNested(): Promise<Transaction>
  beginNested<T>(fn: (conn: Connection) => Promise<T>): Promise<T>
  async beginNested<T>(fn?: (conn: Connection) => Promise<T>): Promise<Transaction | T> {
    const name = await this.#guard('open a savepoint', async () => {
      await this.#autobegin()
      const sp = `sp_${++this.#savepointSeq}`
      await this.#raw(this.#engine.dialect.compiler.savepoint(sp))
      this.#savepoints.push(sp)
      return sp
    })
    const tx = new Transaction(this, name)
    return fn ? tx.run(fn) : tx
  }

  /** Commits the open transaction (a no-op when none is open). */
  async commit(): Promise<void> {
    await this.#guard('commit', async () => {
      if (this.#tx === 'none') return
      if (this.#tx === 'failed') {
        throw new InvalidRequestError(
          `This transaction cannot commit because an earlier statement failed (${this.#failure?.message.split('\n')[0] ?? 'unknown error'}). Call rollback() and start again.`,
          'transaction-failed',
        )
      }
      if (this.#lease.connection.closed) {
        // Lost before COMMIT was sent: certainly not committed, so not "outcome unknown" (and safe to retry).
        const lost = new OperationalError(
          'The connection was lost before COMMIT could be sent, so the transaction was rolled back by the server. Run it again on a new connection.',
          undefined, { sql: 'COMMIT' }, undefined, true, 'connection-lost',
        )
        this.#invalidate(lost)
        this.#reset()
        throw lost
      }
      this.#engine.events.emit('commit', { connection: this })
      try {
        await this.#deadline('COMMIT', () => this.#conn.commit())
      } catch (e) {
        const err = this.#translate(e, { sql: 'COMMIT' })
        this.#reset()
        // A disconnect or a watchdog timeout while COMMIT was in flight: it may have committed.
        // Not so a COMMIT the server refused unrun (a Galera node outside the primary component
        // commits nothing): that error stands, and retrying elsewhere is safe.
        const lost = err instanceof OperationalError && err.disconnect
        if ((lost && !err.refusedUnrun) || this.#invalidated) {
          this.#invalidate(err)
          throw err instanceof CommitOutcomeUnknownError ? err : new CommitOutcomeUnknownError(err)
        }
        if (lost) this.#invalidate(err)
        throw err
      }
      this.#reset()
    })
  }

  /** Rolls back the open transaction. On a lost connection this only resets state. */
  async rollback(): Promise<void> {
    await this.#guard('roll back', async () => this.#rollback())
  }

  /** Returns the connection to the pool (rolling back anything uncommitted). */
  async close(): Promise<void> {
    if (this.#closed) return
    if (this.#busy) throw new ConcurrentUseError('Connection', this.#busy, 'close')
    this.#closed = true
    this.#reset()
    // The pool rolls back on return (reset-on-return), so an open transaction never leaks.
    await this.#lease.release()
    this.#engine.events.emit('checkin', { connection: this })
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * @internal Returns the connection without waiting for the ROLLBACK of its open transaction,
   * for a caller that knows its pool resets connections on return (AsyncSession.close() of a
   * session that wrote nothing): the pool sends the ROLLBACK and hands the connection out again
   * only once it succeeded; a failed reset destroys it. Saves the caller one round trip.
   */
  _closeLeavingRollbackToPool(): void {
    if (this.#closed) return
    if (this.#busy) throw new ConcurrentUseError('Connection', this.#busy, 'close')
    // The transaction does get rolled back (by the pool): listeners counting statements see it.
    if (this.#tx !== 'none' && !this.#invalidated) this.#engine.events.emit('rollback', { connection: this })
    void this.close().catch(() => undefined)
  }

  /** Discards the underlying connection: it is closed and never returned to the pool. */
  invalidate(reason?: unknown): void {
    this.#invalidate(reason)
  }

  // ---- internals ---------------------------------------------------------------------------

  get #conn(): DriverConnection {
    if (this.#closed) throw new InvalidRequestError('This connection is closed; get a new one with engine.connect().', 'connection-closed')
    if (this.#invalidated) {
      throw new InvalidRequestError(
        `This connection was invalidated (${this.#failure?.message.split('\n')[0] ?? 'discarded'}). Call rollback() or close(), then use a new connection.`,
        'connection-invalidated',
      )
    }
    return this.#lease.connection
  }

  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.#enter(what)
    try {
      return await fn()
    } finally {
      this.#busy = undefined
    }
  }

  #enter(what: string): void {
    if (this.#busy) throw new ConcurrentUseError('Connection', this.#busy, what)
    this.#busy = what
  }

  async #autobegin(): Promise<void> {
    if (this.#endedByServer) {
      throw new InvalidRequestError(
        `The database rolled this whole transaction back when it chose it as a deadlock victim (${this.#failure?.message.split('\n')[0] ?? 'deadlock'}), ` +
          'savepoints included; a statement now would run outside any transaction. Call rollback() and run the whole transaction again.',
        'transaction-failed',
      )
    }
    if (this.#tx === 'none') await this.#begin()
  }

  async #begin(): Promise<void> {
    this.#engine.events.emit('begin', { connection: this })
    try {
      await this.#deadline('BEGIN', () => this.#conn.begin(this.#beginOptions))
    } catch (e) {
      const err = this.#translate(e, { sql: 'BEGIN' })
      // A BEGIN that lost the connection leaves nothing to roll back: discard the connection.
      if ((err instanceof OperationalError && err.disconnect) || this.#engine.dialect.driver.isDisconnect(e)) this.#invalidate(err)
      throw err
    }
    this.#tx = 'active'
  }

  async #rollback(): Promise<void> {
    if (this.#savepoints.length > 0 && this.#tx === 'none') this.#savepoints.length = 0
    if (this.#tx === 'none') return
    this.#engine.events.emit('rollback', { connection: this })
    if (!this.#invalidated) {
      try {
        await this.#deadline('ROLLBACK', () => this.#lease.connection.rollback())
      } catch (e) {
        // A rollback that fails leaves the connection in an unknown state: discard it.
        this.#invalidate(this.#translate(e, { sql: 'ROLLBACK' }))
      }
    }
    this.#reset()
    if (this.#invalidated && !this.#closed) {
      // After a lost connection, rollback() resets; further statements need a new connection.
      this.#failure ??= new OperationalError('connection lost', undefined, {}, undefined, true)
    }
  }

  /** @internal used by Transaction for savepoints. */
  async _releaseSavepoint(name: string): Promise<void> {
    await this.#guard('release a savepoint', async () => {
      this.#popSavepoint(name)
      await this.#raw(this.#engine.dialect.compiler.releaseSavepoint(name))
    })
  }

  /** @internal */
  async _rollbackToSavepoint(name: string): Promise<void> {
    await this.#guard('roll back to a savepoint', async () => {
      this.#popSavepoint(name)
      if (this.#tx === 'none' || this.#invalidated) return // the whole transaction is already gone
      await this.#raw(this.#engine.dialect.compiler.rollbackToSavepoint(name))
      // Rolling back to the savepoint undoes the failure, unless the failure ended the whole
      // transaction (a deadlock where deadlockEndsTransaction: the savepoint is gone then anyway).
      if (this.#tx === 'failed' && this.#savepoints.length === 0 && this.#failure && !this.#endedByServer) this.#tx = 'active'
    })
  }

  /** @internal */
  _hasSavepoint(name: string): boolean {
    return this.#savepoints.includes(name)
  }

  #popSavepoint(name: string): void {
    const i = this.#savepoints.lastIndexOf(name)
    if (i < 0) throw new InvalidRequestError(`Savepoint '${name}' is no longer open (an outer rollback or commit ended it).`, 'savepoint-closed')
    this.#savepoints.length = i
  }

  async #raw(sql: string): Promise<void> {
    try {
      await this.#deadline(sql, () => this.#conn.execute(sql, [], { returnsRows: false }))
    } catch (e) {
      throw this.#handleError(e, { sql, params: [] })
    }
  }

  /**
   * Runs a compiled statement: `execute` (in the transaction, begun if needed, and through the
   * engine's result transforms), `compiled` (in the transaction) or `outside` (refused while a
   * transaction is open). One async function from the caller to the driver's call: this runs
   * for every statement, and each async layer costs a promise, a suspended frame (~1 kB with
   * its registers) and microtask turns (benchmarks/PROFILE.md pass 31).
   */
  async #run(compiled: CompiledStatement, statement: unknown, mode: 'execute' | 'compiled' | 'outside'): Promise<Result> {
    if (mode !== 'outside') this.#engine.lint(compiled)
    this.#enter(mode === 'outside' ? 'execute a statement outside a transaction' : 'execute a statement')
    try {
      if (mode === 'outside') {
        if (this.#tx !== 'none') {
          throw new InvalidRequestError('executeOutsideTransaction() needs a connection with no transaction open; commit() or rollback() first.', 'transaction-open')
        }
      } else if (this.#tx === 'none' || this.#endedByServer) await this.#autobegin()
      const start = this.#beforeExecute(compiled, statement)
      let res: DriverResult
      try {
        res = await this.#deadline(compiled.sql, (signal) => this.#conn.execute(compiled.sql, compiled.params, driverOptions(compiled, signal)))
      } catch (e) {
        throw this.#handleError(e, compiled)
      }
      if (this.#engine.events.has('afterExecute')) this.#afterExecute(compiled, statement, res, start)
      return this.#finish(compiled, statement, res, mode)
    } finally {
      this.#busy = undefined
    }
  }

  /**
   * The listeners and the echo before a statement; returns when it started if someone listens for
   * its end, else -1 (a listener added while it runs is told 0 ms). Out of #run, as are
   * #afterExecute and #finish: an async function's suspended frame, allocated per statement,
   * holds every temporary the function has.
   */
  #beforeExecute(compiled: CompiledStatement, statement: unknown): number {
    const events = this.#engine.events
    if (events.has('beforeExecute')) events.emit('beforeExecute', { sql: compiled.sql, params: compiled.params, statement, connection: this })
    this.#engine.echo(compiled)
    return events.has('afterExecute') ? performance.now() : -1
  }

  #afterExecute(compiled: CompiledStatement, statement: unknown, res: DriverResult, start: number): void {
    this.#engine.events.emit('afterExecute', {
      sql: compiled.sql, params: compiled.params, statement, connection: this, ms: start < 0 ? 0 : performance.now() - start,
      rowCount: res.rows.length, rowsAffected: res.rowsAffected, cached: compiled.cached,
    })
  }

  /** The driver's result as a Result, through the engine's result transforms for `execute()`. */
  #finish(compiled: CompiledStatement, statement: unknown, res: DriverResult, mode: 'execute' | 'compiled' | 'outside'): Result {
    const result = processResult(compiled, res)
    return mode === 'execute' ? this.#engine.extensions.result(result, { statement: statement as Keyed, sql: compiled.sql }) : result
  }

  /** Runs a driver call under the engine's client-side watchdog (watchdog.ts), when one is set. */
  #deadline<T>(what: string, fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const ms = this.#engine.watchdogMs
    // Closed: the lease is gone, and fn fails at once with the error that says so.
    if (ms === undefined || this.#closed) return fn(undefined)
    return withDeadline(this.#lease.connection, ms, fn, (this.#miss ??= this.#deadlineMiss()), what)
  }

  /** What a missed deadline does to this connection; made once, not per statement. */
  #deadlineMiss(): DeadlineMiss {
    return {
      error: (sql) => new StatementTimeoutError(`No answer from the database within ${this.#engine.watchdogMs} ms (the engine's watchdogMs); the connection was discarded.`, undefined, { sql }),
      // The connection's state is unknown after a hung statement: never reuse it.
      discard: (err) => this.#invalidate(err),
    }
  }

  #translate(e: unknown, ctx: { sql?: string; params?: readonly unknown[] }): AthanorError {
    if (e instanceof AthanorError) return e
    return this.#engine.dialect.driver.translateError(e, { ...ctx, showParams: this.#engine.logParameters })
  }

  #handleError(e: unknown, ctx: { sql?: string; params?: readonly unknown[] }): AthanorError {
    const err = this.#namingWriter(this.#translate(e, ctx))
    const events = this.#engine.events
    if (events.has('executeError')) events.emit('executeError', { sql: ctx.sql ?? '', params: ctx.params ?? [], error: err, connection: this })
    if (this.#tx !== 'none') {
      this.#tx = 'failed'
      this.#failure = err
    }
    if ((err instanceof OperationalError && err.disconnect) || this.#engine.dialect.driver.isDisconnect(e)) {
      this.#invalidate(err)
    } else if (err instanceof DeadlockError && this.#engine.dialect.capabilities.deadlockEndsTransaction) {
      // The server already ended the whole transaction, savepoints included: continuing would
      // run the next statements in autocommit. Only rollback() is allowed now.
      this.#savepoints.length = 0
      this.#endedByServer = true
    }
    return err
  }

  /** A wait for the write lock that timed out says which connection of this pool holds it. */
  #namingWriter(err: AthanorError): AthanorError {
    if (!(err instanceof LockTimeoutError) || err.driverCode !== 'write-lock-timeout') return err
    const lock = this.#engine.poolStatus.writeLock
    if (lock === undefined) return err
    const by = lock.checkedOutAt === undefined ? ' (create the pool with debug: true to see where it was checked out)' : `, checked out by ${lock.checkedOutAt}`
    const holder = lock.holder === undefined ? '' : ` [${lock.holder}]`
    const head = err.message.split('\n[SQL: ')[0]!
    const ctx = { sql: err.sql, params: err.params, showParams: this.#engine.logParameters }
    return new LockTimeoutError(`${head} It is connection #${lock.connection}${holder} of this engine's pool${by}.`, err.cause, ctx, err.driverCode)
  }

  #invalidate(reason: unknown): void {
    if (this.#invalidated) return
    this.#invalidated = true
    if (this.#tx !== 'none') this.#tx = 'failed'
    if (reason instanceof AthanorError) this.#failure = reason
    this.#lease.invalidate(reason)
    this.#engine.events.emit('invalidate', { connection: this, reason })
  }

  #reset(): void {
    this.#tx = 'none'
    this.#endedByServer = false
    this.#savepoints.length = 0
    if (!this.#invalidated) this.#failure = undefined
  }
}

/**
 * A transaction or savepoint handle. Ending it twice, or after an outer rollback, is an error
 * that says so.
 */
export class Transaction implements AsyncDisposable {
  readonly connection: Connection
  /** The savepoint name, for nested transactions. */
  readonly savepoint: string | undefined
  #done = false
  constructor(connection: Connection, savepoint: string | undefined) {
    this.connection = connection
    this.savepoint = savepoint
  }
  get active(): boolean {
    return !this.#done && (this.savepoint ? this.connection._hasSavepoint(this.savepoint) : this.connection.inTransaction)
  }
  async commit(): Promise<void> {
    this.#end('commit')
    if (this.savepoint) await this.connection._releaseSavepoint(this.savepoint)
    else await this.connection.commit()
  }
  async rollback(): Promise<void> {
    this.#end('rollback')
    if (this.savepoint) await this.connection._rollbackToSavepoint(this.savepoint)
    else await this.connection.rollback()
  }
  /** Runs fn, then commits; rolls back and rethrows if it throws. */
  async run<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    let result: T
    try {
      result = await fn(this.connection)
    } catch (e) {
      if (this.active) await this.rollback().catch(() => undefined)
      throw e
    }
    if (this.active) await this.commit()
    return result
  }
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.active) await this.rollback()
  }
  #end(what: string): void {
    if (this.#done) throw new InvalidRequestError(`This ${this.savepoint ? 'savepoint' : 'transaction'} was already ended; it cannot ${what} again.`, 'transaction-ended')
    this.#done = true
  }
}

function processRows(compiled: CompiledStatement, rows: unknown[][]): void {
  applyProcessors(rows, compiled.columns.map((c) => c.process))
}

/** Converts values column by column, in place (drivers hand over fresh row arrays). */
function applyProcessors(rows: unknown[][], processors: readonly (ValueProcessor | undefined)[]): void {
  for (let c = 0; c < processors.length; c++) {
    const p = processors[c]
    if (p === undefined) continue
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      const v = row[c]
      if (v !== null && v !== undefined) row[c] = p(v)
    }
  }
}

/** Converts driver values and wraps them in a Result. */
export function processResult(compiled: CompiledStatement, res: DriverResult): Result {
  const rows = res.rows as unknown[][]
  if (compiled.statementKind === 'text' && res.columnNames) {
    // text() results: declared column types apply by name.
    const byName = new Map(compiled.columns.map((c) => [c.name, c.process]))
    applyProcessors(rows, res.columnNames.map((name) => byName.get(name)))
    return new Result(rows, res.columnNames, res.rowsAffected, res.insertId, res.insertIdStep)
  }
  processRows(compiled, rows)
  const names = compiled.columns.length > 0 ? (compiled.columnNames ?? compiled.columns.map((c) => c.name)) : (res.columnNames ?? [])
  return new Result(rows, names, res.rowsAffected, res.insertId, res.insertIdStep)
}

/** What the driver needs to know of a compiled statement, besides its SQL and parameters. */
function driverOptions(compiled: CompiledStatement, signal: AbortSignal | undefined): ExecuteOptions {
  return { signal, returnsRows: compiled.returnsRows, prepare: compiled.cached, atMostOneRow: compiled.atMostOneRow, columnNames: needsColumnNames(compiled), plainRead: compiled.plainRead }
}

/** Whether processResult reads the driver's column names for this statement. */
function needsColumnNames(compiled: CompiledStatement): boolean {
  return compiled.statementKind === 'text' || compiled.columns.length === 0
}
