import type { BeginOptions, CompiledStatement, Dialect, DriverConnection, IsolationLevel } from '../dialect/contract.js'
import { dialectForUrl, redactUrl } from '../dialect/registry.js'
import type { RegisteredTable, SchemaExecutor, SchemaOptions } from '../schema/metadata.js'
import { ArgumentError, CompileError, OperationalError } from '../util/errors.js'
import type { AthanorError } from '../util/errors.js'
import { EventBus } from '../util/events.js'
import { ConnectionPool } from '../pool/index.js'
import type { PoolOptions, PoolStatus } from '../pool/index.js'
import { Connection } from './connection.js'
import { checkInitStatements, runInitStatements, takeInitStatements } from './init-statements.js'
import { HookList, Transforms } from './extensions.js'
import type { RouteContext, StatementRouter } from './extensions.js'
import type { Keyed } from '../sql/key.js'
import type { EngineCore, EngineEvents } from './engine-core.js'

export interface EngineOptions {
  /** The dialect; by default found from the URL scheme among registered dialect packages. */
  readonly dialect?: Dialect
  /** Log every statement (to console.log, or to the given function). */
  readonly echo?: boolean | ((line: string) => void)
  /** Show parameter values in logs and error messages (off by default: they may hold secrets). */
  readonly logParameters?: boolean
  readonly pool?: Partial<Omit<PoolOptions, 'connectTimeoutMs'>>
  /** How long opening a connection may take. Default 10 s. */
  readonly connectTimeoutMs?: number
  /** A server-side statement timeout set on every connection, where the dialect can. */
  readonly statementTimeoutMs?: number
  /**
   * A client-side deadline for every driver call (each statement, each batch of a stream, BEGIN,
   * COMMIT, ROLLBACK, savepoints): a call past it fails with StatementTimeoutError (a COMMIT with
   * CommitOutcomeUnknownError) and its connection is discarded, so a black-holed connection can
   * never leave an operation pending. Default 60 s, or statementTimeoutMs + 5 s when that is set;
   * raise it for reports that run longer, or pass 0 to turn it off.
   */
  readonly watchdogMs?: number
  /**
   * What to do with a SELECT that joins nothing to some of its tables (a cartesian product, as a
   * `where()` on a table missing from the joins produces): `'warn'` once per statement shape
   * (default), `'raise'` a CompileError before it runs (for tests and strict apps), or `'off'`.
   */
  readonly cartesianProducts?: 'warn' | 'raise' | 'off'
  /** Isolation level for transactions this engine's connections begin. */
  readonly isolationLevel?: IsolationLevel
  /** Options for the dialect's driver (passed through). */
  readonly driverOptions?: Readonly<Record<string, unknown>>
  /**
   * SQL statements every new connection runs once, before the pool hands it out (and before the
   * dialect reads the server's settings): session settings such as
   * `SET SESSION wsrep_sync_wait = 1`, `SET search_path TO app` or `PRAGMA cache_size = -64000`.
   * A URL may add more as `init=` query parameters (URL-encoded, one per statement), which run
   * after these. A statement the server refuses fails the connect with ArgumentError
   * `'init-statement-failed'`, naming it.
   */
  readonly initStatements?: readonly string[]
}

/**
 * The starting point: a dialect, a pool and settings. One per database per process.
 * ```ts
 * import '@athanor/libsql'
 * const engine = createAsyncEngine('sqlite://:memory:')
 * await using conn = await engine.connect()
 * ```
 */
export class Engine implements EngineCore, SchemaExecutor, AsyncDisposable {
  readonly url: string
  readonly events = new EventBus<EngineEvents>()
  /** Statement and result transforms, applied to every statement run on this engine (plugins add them). */
  readonly extensions = new Transforms()
  /** Routers that may send a statement run outside a transaction to another engine; see route(). */
  readonly routers = new HookList<StatementRouter>()
  readonly watchdogMs: number | undefined
  readonly logParameters: boolean
  readonly #options: EngineOptions
  /** The URL without its init= parameters: what the driver and the dialect read. */
  readonly #driverUrl: string
  readonly #initStatements: readonly string[]
  readonly #pool: ConnectionPool
  #dialect: Dialect
  #initialized: Promise<void> | undefined
  readonly #echo: ((line: string) => void) | undefined
  readonly #lintMode: 'warn' | 'raise' | 'off'
  /** Warnings already reported (each cached statement shape has one array). */
  readonly #warned = new WeakSet<readonly string[]>()

  constructor(url: string, options: EngineOptions = {}) {
    this.url = url
    this.#options = options
    const init = takeInitStatements(url)
    this.#driverUrl = init.url
    this.#initStatements = [...checkInitStatements(options.initStatements), ...init.statements]
    const dialect = options.dialect ?? dialectForUrl(url, options.driverOptions ?? {})
    this.#dialect = dialect.forUrl?.(this.#driverUrl) ?? dialect
    this.logParameters = options.logParameters ?? false
    this.watchdogMs = watchdogOf(options)
    this.#echo = options.echo === true ? (line) => console.log(line) : options.echo || undefined
    this.#lintMode = options.cartesianProducts ?? 'warn'
    if (!['warn', 'raise', 'off'].includes(this.#lintMode)) throw new ArgumentError(`cartesianProducts must be 'warn', 'raise' or 'off', not ${String(this.#lintMode)}.`)
    const single = !this.#dialect.capabilities.concurrentConnections
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000
    if (single && ((options.pool?.size ?? 1) > 1 || (options.pool?.maxOverflow ?? 0) > 0)) {
      const why = this.#dialect.capabilities.singleConnectionReason
      throw new ArgumentError(`The ${this.#dialect.name} dialect uses one connection per engine${why === undefined ? '' : ` ${why}`}; remove pool.size/maxOverflow (statements queue for it instead).`)
    }
    this.#pool = new ConnectionPool(() => this.#connect(connectTimeoutMs), {
      ...(single ? { size: 1, maxOverflow: 0 } : {}),
      ...options.pool,
      connectTimeoutMs,
    })
  }

  /** The dialect; after the first connection it reflects the server's version and flavour. */
  get dialect(): Dialect {
    return this.#dialect
  }

  /** A snapshot of the pool: checked out, idle, overflow, waiting. */
  get poolStatus(): PoolStatus {
    return this.#pool.status()
  }

  /** The pool itself (for diagnostics and plugins). */
  get pool(): ConnectionPool {
    return this.#pool
  }

  async #connect(connectTimeoutMs: number): Promise<DriverConnection> {
    const conn = await this.#dialect.driver.connect({
      url: this.#driverUrl, connectTimeoutMs, statementTimeoutMs: this.#options.statementTimeoutMs, driverOptions: this.#options.driverOptions,
    })
    try {
      await runInitStatements(conn, this.#dialect.driver, this.#initStatements)
    } catch (e) {
      conn.destroy()
      throw e
    }
    try {
      if (this.#dialect.initialize) {
        this.#initialized ??= this.#dialect.initialize(conn).then((d) => {
          this.#dialect = d
        })
        await this.#initialized
      }
      await this.#dialect.onConnect?.(conn)
    } catch (e) {
      this.#initialized = undefined
      conn.destroy()
      throw this.#dialect.driver.translateError(e, {})
    }
    try {
      if (this.events.has('connect')) this.events.emit('connect', { dialect: this.#dialect })
    } catch (e) {
      conn.destroy()
      throw e
    }
    return conn
  }

  /**
   * The engine that should run `statement` when no transaction pins a connection: the first
   * router's choice, else this engine. Sessions ask it for reads outside an explicit transaction.
   * ```ts
   * const target = engine.route(select(User))   // a replica engine when a router sends reads there
   * ```
   */
  route(statement: Keyed, context: RouteContext = {}): Engine {
    if (this.routers.size === 0) return this
    return this.routers.reduce<Engine>('statement router', this, (fn, chosen) => (chosen !== this ? chosen : (fn(statement, this, context) ?? this)))
  }

  /**
   * Checks a connection out of the pool. Close it (or use `await using`) to return it.
   * `writes: true` says its transactions will write (on SQLite they take the write lock at their
   * first statement instead of their first write).
   */
  async connect(options: { isolationLevel?: IsolationLevel; readOnly?: boolean; writes?: boolean; deferrable?: boolean; statementTimeoutMs?: number } = {}): Promise<Connection> {
    if (options.deferrable === true && this.#dialect.capabilities.deferrable !== true) {
      throw new ArgumentError(`The ${this.#dialect.name} dialect has no deferrable transactions (capabilities.deferrable is false); leave deferrable out.`)
    }
    const timeout = options.statementTimeoutMs
    if (timeout !== undefined) {
      if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) throw new ArgumentError(`statementTimeoutMs must be a number of milliseconds ≥ 0 (0 turns it off), not ${String(timeout)}.`)
      if (!this.#dialect.capabilities.statementTimeout) {
        throw new ArgumentError(
          `The ${this.#dialect.name} dialect has no server-side statement timeout (capabilities.statementTimeout is false: SQLite runs each statement inside this process, where nothing can interrupt it); ` +
            'leave statementTimeoutMs out.',
        )
      }
    }
    let lease
    try {
      lease = await this.#pool.checkout()
    } catch (e) {
      throw asConnectFailure(this.#dialect.driver.translateError(e, {}))
    }
    const begin: BeginOptions = {
      isolationLevel: options.isolationLevel ?? this.#options.isolationLevel, readOnly: options.readOnly, writes: options.writes, deferrable: options.deferrable, statementTimeoutMs: timeout,
    }
    const conn = new Connection(this, lease, begin)
    this.events.emit('checkout', { connection: conn })
    return conn
  }

  /**
   * Runs `fn` in a transaction on a fresh connection: commits when it returns, rolls back when
   * it throws, and returns the connection either way.
   * ```ts
   * await engine.begin(async (conn) => conn.execute(insert(users).values({ name: 'A' })))
   * ```
   */
  async begin<T>(fn: (conn: Connection) => Promise<T>, options: { isolationLevel?: IsolationLevel } = {}): Promise<T> {
    const conn = await this.connect(options)
    try {
      return await conn.begin(fn)
    } finally {
      await conn.close()
    }
  }

  /**
   * Reports what the compiler found probably wrong with a statement (a cartesian product), by
   * the engine's `cartesianProducts` option: a process warning once per statement shape
   * (default), an error before it runs, or nothing.
   */
  lint(compiled: CompiledStatement): void {
    const warnings = compiled.warnings
    if (warnings === undefined || this.#lintMode === 'off') return
    if (this.#lintMode === 'raise') throw new CompileError(`${warnings[0]!}\n[SQL: ${compiled.sql}]`, 'cartesian-product')
    if (this.#warned.has(warnings)) return
    this.#warned.add(warnings)
    process.emitWarning(`${warnings.join('\n')}\n[SQL: ${compiled.sql}]`, { type: 'AthanorCartesianProductWarning', code: 'ATHANOR_CARTESIAN_PRODUCT' })
  }

  echo(compiled: CompiledStatement): void {
    if (!this.#echo) return
    this.#echo(compiled.sql)
    if (compiled.params.length) this.#echo(this.logParameters ? `[params] ${JSON.stringify(compiled.params, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}` : `[${compiled.params.length} params hidden]`)
  }

  async createTables(tables: readonly RegisteredTable[], options: SchemaOptions): Promise<void> {
    await this.begin(async (conn) => {
      // Read inside: the first connection may adjust the dialect to the server it found.
      const { compiler, capabilities } = this.#dialect
      // Without ALTER for foreign keys, the keys stay inline: such databases accept references to
      // tables created later.
      const alter = capabilities.alterForeignKeys ? options.alterForeignKeys : []
      for (const t of tables) for (const sql of compiler.createTable(t, { ifNotExists: options.checkFirst, omitForeignKeys: alter })) await this.#ddl(conn, sql)
      for (const fk of alter) for (const sql of compiler.addForeignKey(fk, { ifNotExists: options.checkFirst })) await this.#ddl(conn, sql)
    })
  }

  async dropTables(tables: readonly RegisteredTable[], options: SchemaOptions): Promise<void> {
    await this.begin(async (conn) => {
      const { compiler, capabilities } = this.#dialect
      if (capabilities.alterForeignKeys) {
        for (const fk of options.alterForeignKeys) for (const sql of compiler.dropForeignKey(fk, { ifExists: options.checkFirst })) await this.#ddl(conn, sql)
      } else if (options.alterForeignKeys.length > 0) {
        // Whichever table of a cycle goes first still has rows pointing at it until the last one goes.
        for (const sql of compiler.deferForeignKeyChecks()) await this.#ddl(conn, sql)
      }
      for (const t of tables) for (const sql of compiler.dropTable(t, { ifExists: options.checkFirst })) await this.#ddl(conn, sql)
    })
  }

  async #ddl(conn: Connection, sql: string): Promise<void> {
    await conn.executeCompiled({ sql, params: [], columns: [], returnsRows: false, statementKind: 'ddl', cached: false })
  }

  /** Closes every pooled connection; the engine cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.#pool.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  toString(): string {
    return `Engine(${redactUrl(this.url)})`
  }
}

/**
 * Creates an engine for a database URL.
 * ```ts
 * import '@athanor/libsql'
 * const engine = createAsyncEngine('sqlite://:memory:', { echo: true })
 * ```
 */
export function createAsyncEngine(url: string, options?: EngineOptions): Engine {
  return new Engine(url, options)
}

/** The default client-side deadline of a driver call (EngineOptions.watchdogMs). */
export const DEFAULT_WATCHDOG_MS = 60_000

function watchdogOf(options: EngineOptions): number | undefined {
  const ms = options.watchdogMs
  if (ms === undefined) return options.statementTimeoutMs !== undefined ? options.statementTimeoutMs + 5000 : DEFAULT_WATCHDOG_MS
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
    throw new ArgumentError(`watchdogMs must be a number of milliseconds ≥ 0 (0 turns the deadline off), not ${String(ms)}.`)
  }
  return ms === 0 || ms === Infinity ? undefined : ms
}

/**
 * A checkout that failed because no connection could be opened reports it with one code on
 * every dialect (`'connect-failed'`), whatever words the driver used ("lost", "refused", "closed").
 */
function asConnectFailure(err: AthanorError): AthanorError {
  if (!(err instanceof OperationalError) || !err.disconnect || err.code === 'connect-failed' || err.code === 'connect-timeout') return err
  const message = /^could not connect/i.test(err.message) ? err.message : `Could not open a connection to the database: ${err.message}`
  return new OperationalError(message, err.cause ?? err, {}, err.driverCode, true, 'connect-failed')
}
