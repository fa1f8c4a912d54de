import {
  DatabaseError, DeadlockError, OperationalError,
  type AthanorError, type BeginOptions, type ConnectOptions, type Dialect, type Driver, type DriverConnection, type DriverResult,
  type ExecuteOptions, type StatementContext,
} from '@athanor/core'

/** Where a fault can be injected: every driver call Athanor makes. */
export type FaultPoint = 'connect' | 'execute' | 'begin' | 'commit' | 'rollback' | 'ping' | 'close'

/**
 * - `disconnect`: the call fails as if the socket died, and the connection is dead afterwards;
 * - `error`: the call fails with an ordinary database error, the connection stays fine;
 * - `deadlock`: the server picked this transaction as a deadlock victim (retryable);
 * - `hang`: the call never answers (until the connection is destroyed, as a real socket would).
 */
export type FaultKind = 'disconnect' | 'error' | 'deadlock' | 'hang'

/** The error a FaultyDriver throws; its translation depends on `kind`. */
export class InjectedFault extends Error {
  readonly kind: Exclude<FaultKind, 'hang'>
  readonly point: FaultPoint
  constructor(kind: Exclude<FaultKind, 'hang'>, point: FaultPoint) {
    super(`injected ${kind} at ${point}`)
    this.kind = kind
    this.point = point
  }
}

/**
 * A Driver that wraps a real one and fails chosen calls on purpose (SQLAlchemy's MockDBAPI
 * "explode" modes, reliability.md R10). It counts what happened to its connections, so tests can
 * assert that a connection was destroyed exactly once and never reused.
 *
 * ```ts
 * const faulty = new FaultyDriver(libsqlDialect.driver)
 * const engine = createAsyncEngine('sqlite://:memory:', { dialect: withDriver(libsqlDialect, faulty) })
 * faulty.inject('commit', 'disconnect')
 * ```
 */
export class FaultyDriver implements Driver {
  readonly #inner: Driver
  readonly #plan = new Map<FaultPoint, { kind: FaultKind; times: number }>()
  readonly connections: FaultyConnection[] = []

  constructor(inner: Driver) {
    this.#inner = inner
  }

  /** The next `times` calls at `point` fail with `kind`. */
  inject(point: FaultPoint, kind: FaultKind, times = 1): void {
    this.#plan.set(point, { kind, times })
  }

  clear(): void {
    this.#plan.clear()
  }

  /** @internal consumed by connections. */
  take(point: FaultPoint): FaultKind | undefined {
    const planned = this.#plan.get(point)
    if (planned === undefined) return undefined
    if (--planned.times <= 0) this.#plan.delete(point)
    return planned.kind
  }

  async connect(options: ConnectOptions): Promise<DriverConnection> {
    const fault = this.take('connect')
    if (fault === 'hang') return new Promise<never>(() => undefined)
    if (fault !== undefined) throw new InjectedFault(fault, 'connect')
    const connection = new FaultyConnection(await this.#inner.connect(options), this)
    this.connections.push(connection)
    return connection
  }

  isDisconnect(error: unknown): boolean {
    if (error instanceof InjectedFault) return error.kind === 'disconnect'
    return this.#inner.isDisconnect(error)
  }

  translateError(error: unknown, context: StatementContext): AthanorError {
    if (!(error instanceof InjectedFault)) return this.#inner.translateError(error, context)
    if (error.kind === 'disconnect') return new OperationalError(`The connection was lost (${error.message}).`, error, context, 'INJECTED', true, 'connection-lost')
    if (error.kind === 'deadlock') return new DeadlockError(`Deadlock detected (${error.message}).`, error, context, 'INJECTED')
    return new DatabaseError('database', `The database refused the call (${error.message}).`, error, context, 'INJECTED')
  }
}

/** A connection of {@link FaultyDriver}. */
export class FaultyConnection implements DriverConnection {
  readonly #inner: DriverConnection
  readonly #driver: FaultyDriver
  readonly #hanging = new Set<(error: unknown) => void>()
  #dead = false
  destroyCalls = 0
  closeCalls = 0
  /** Every execute() call with the options the engine passed. */
  readonly executed: { readonly sql: string; readonly options: ExecuteOptions | undefined }[] = []

  constructor(inner: DriverConnection, driver: FaultyDriver) {
    this.#inner = inner
    this.#driver = driver
  }

  get closed(): boolean {
    return this.#dead || this.#inner.closed
  }

  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<DriverResult> {
    this.executed.push({ sql, options })
    return this.#call('execute', () => this.#inner.execute(sql, params, options))
  }

  stream(sql: string, params: readonly unknown[], options: { batchSize: number; signal?: AbortSignal }): AsyncIterable<readonly (readonly unknown[])[]> {
    return this.#inner.stream(sql, params, options)
  }

  begin(options: BeginOptions): Promise<void> {
    return this.#call('begin', () => this.#inner.begin(options))
  }

  commit(): Promise<void> {
    return this.#call('commit', () => this.#inner.commit())
  }

  rollback(): Promise<void> {
    return this.#call('rollback', () => this.#inner.rollback())
  }

  ping(): Promise<void> {
    return this.#call('ping', () => this.#inner.ping())
  }

  close(): Promise<void> {
    this.closeCalls++
    return this.#call('close', () => this.#inner.close())
  }

  destroy(): void {
    this.destroyCalls++
    this.#die()
  }

  #call<T>(point: FaultPoint, real: () => Promise<T>): Promise<T> {
    if (this.#dead) return Promise.reject(new InjectedFault('disconnect', point))
    const fault = this.#driver.take(point)
    if (fault === undefined) return real()
    if (fault === 'hang') return new Promise<T>((_, reject) => this.#hanging.add(reject))
    if (fault === 'disconnect') this.#die()
    return Promise.reject(new InjectedFault(fault, point))
  }

  #die(): void {
    if (this.#dead) return
    this.#dead = true
    for (const reject of this.#hanging) reject(new InjectedFault('disconnect', 'close'))
    this.#hanging.clear()
    try {
      this.#inner.destroy()
    } catch {
      // already gone
    }
  }
}

/** The same dialect with another driver (and, optionally, other capabilities). */
export function withDriver(dialect: Dialect, driver: Driver, capabilities?: Partial<Dialect['capabilities']>): Dialect {
  return Object.create(dialect, {
    driver: { value: driver },
    ...(capabilities === undefined ? {} : { capabilities: { value: { ...dialect.capabilities, ...capabilities } } }),
  }) as Dialect
}
