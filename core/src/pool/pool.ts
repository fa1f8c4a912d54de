import type { DriverConnection } from '../dialect/contract.js'
import { InvalidRequestError, OperationalError, PoolTimeoutError } from '../util/errors.js'
import { captureCallSite } from './call-site.js'
import { ConnectionRecord } from './connection-record.js'
import { describeTimeout, writeLockStatus, type PoolStatus, type TimeoutPhase } from './diagnostics.js'
import { LeakTracker } from './leak-tracker.js'
import { PooledConnection, type LeaseOwner } from './lease.js'
import { resolvePoolOptions, type ConnectionFactory, type PoolListeners, type PoolOptions, type ResolvedPoolOptions } from './pool-options.js'
import { SlotQueue, isTimerDelay } from './slot-queue.js'
import { attempt, closeQuietly, destroyQuietly, withTimeout } from './timeouts.js'

export interface CheckoutOptions {
  /** A short description of who checks out (shown in timeout and leak diagnostics). */
  readonly holder?: string | undefined
}

/**
 * The one connection pool of every dialect (DESIGN.md principle 3). It owns dedicated driver
 * connections opened by a factory and hands them out as `PooledConnection` leases:
 *
 * - at most `size + maxOverflow` connections exist; checkouts beyond that wait in FIFO order and
 *   fail with `PoolTimeoutError` after `checkoutTimeoutMs` (waiting, connecting and pre-ping
 *   together);
 * - up to `size` connections are kept idle; overflow connections are closed when returned;
 * - at checkout an idle connection is replaced when the driver reports it closed, when it is older
 *   than `recycleMs`, when `invalidateAll()` ran after it opened, or (with `prePing`) when it does
 *   not answer a ping;
 * - on return it is rolled back (`resetOnReturn`); a connection whose reset fails is destroyed;
 * - `lease.invalidate()` destroys a connection that can no longer be trusted.
 *
 * ```ts
 * const pool = new ConnectionPool(() => dialect.driver.connect(connectOptions), { size: 5, prePing: true })
 * const lease = await pool.checkout()
 * try {
 *   await lease.connection.execute('SELECT 1', [])
 * } finally {
 *   await lease.release()
 * }
 * await pool.dispose()
 * ```
 */
export class ConnectionPool {
  readonly options: ResolvedPoolOptions
  readonly #factory: ConnectionFactory
  readonly #slots: SlotQueue
  /** Idle connections in the order they came back; handed out from the end (`lifo`) or the start. */
  readonly #idle: ConnectionRecord[] = []
  /** Connections handed out, being pre-pinged for a checkout, or being reset on return. */
  readonly #checkedOut = new Set<ConnectionRecord>()
  #connecting = 0
  /** Members of #checkedOut whose reset-on-return rollback is running (their lease is released). */
  #resetting = 0
  /** Bumped by `invalidateAll()`: connections of older generations are not reused. */
  #generation = 0
  #sequence = 0
  #disposed = false
  #disposing: Promise<void> | undefined
  /** Connects, pings and closes in flight; `dispose()` waits for them so it leaves nothing open. */
  readonly #pending = new Set<Promise<unknown>>()
  readonly #connectControllers = new Set<AbortController>()
  readonly #leaks: LeakTracker
  readonly #owner: LeaseOwner

  /**
   * Called with every pool when it is created, for process-wide diagnostics such as a test
   * suite's leak gate (which checks that each test gave back every connection it took).
   * ```ts
   * ConnectionPool.onCreate = (pool) => pools.add(pool)
   * ```
   */
  static onCreate: ((pool: ConnectionPool) => void) | undefined

  constructor(factory: ConnectionFactory, options: PoolOptions = {}) {
    this.options = resolvePoolOptions(options)
    this.#factory = factory
    this.#slots = new SlotQueue(this.options.size + this.options.maxOverflow)
    this.#leaks = new LeakTracker((record) => this.#reclaim(record))
    this.#owner = {
      checkin: (record, lease) => this.#checkin(record, lease),
      invalidate: (record, lease, error) => this.#invalidate(record, lease, error),
    }
    ConnectionPool.onCreate?.(this)
  }

  get disposed(): boolean {
    return this.#disposed
  }

  /** A snapshot of the pool's counters. */
  status(): PoolStatus {
    const idle = this.#idle.length
    const resetting = this.#resetting
    const checkedOut = this.#checkedOut.size - resetting
    const connecting = this.#connecting
    const total = idle + checkedOut + resetting
    const writeLock = writeLockStatus(this.#checkedOut)
    return {
      size: this.options.size,
      maxOverflow: this.options.maxOverflow,
      total,
      checkedOut,
      resetting,
      idle,
      connecting,
      overflow: Math.max(0, total + connecting - this.options.size),
      waiting: this.#slots.waiting,
      disposed: this.#disposed,
      ...(writeLock === undefined ? {} : { writeLock }),
    }
  }

  /**
   * Hands out a connection: an idle one if there is one, else a new one while the pool is below
   * `size + maxOverflow`, else waits (first come, first served) for one to be returned.
   */
  async checkout(options: CheckoutOptions = {}): Promise<PooledConnection> {
    // Captured before the first await, while the caller's frames are still on the stack.
    const stack = this.options.debug ? captureCallSite() : undefined
    this.#assertOpen()
    const startedAt = Date.now()
    const deadline = startedAt + this.options.checkoutTimeoutMs
    const slot = await this.#slots.acquire(this.options.checkoutTimeoutMs, () => this.#timeoutError('waiting', startedAt))
    let record: ConnectionRecord
    try {
      record = await this.#obtain(startedAt, deadline)
      // dispose() may have run while the continuation above was queued.
      if (this.#disposed) {
        this.#checkedOut.delete(record)
        destroyQuietly(record.connection)
        throw this.#disposedError()
      }
    } catch (error) {
      slot.release()
      throw error
    }
    record.checkout = { slot, checkedOutAt: Date.now(), holder: options.holder, stack, sequence: ++this.#sequence, returning: false }
    const lease = new PooledConnection(record, this.#owner)
    this.#leaks.track(lease, record)
    try {
      for (const listeners of this.options.listeners) listeners.onCheckout?.(lease)
    } catch (error) {
      await lease.release()
      throw error
    }
    return lease
  }

  /**
   * Treats every connection open now as suspect, as after a disconnect error (SQLAlchemy's
   * `Pool.recreate()`): idle ones are closed at once, checked-out ones are closed when returned.
   */
  invalidateAll(): void {
    this.#generation++
    for (const record of this.#idle.splice(0)) this.#close(record)
  }

  /**
   * Closes idle connections, fails waiting and later checkouts, and destroys checked-out
   * connections when they are returned. Resolves once the closes and connects in flight settled.
   */
  dispose(): Promise<void> {
    if (this.#disposing !== undefined) return this.#disposing
    this.#disposed = true
    const error = this.#disposedError()
    this.#slots.abortWaiting(error)
    for (const controller of this.#connectControllers) controller.abort(error)
    for (const record of this.#idle.splice(0)) this.#close(record)
    this.#disposing = Promise.allSettled([...this.#pending]).then(() => undefined)
    return this.#disposing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  /** Takes a usable idle connection or opens one; the result is already counted as checked out. */
  async #obtain(startedAt: number, deadline: number): Promise<ConnectionRecord> {
    for (;;) {
      this.#assertOpen()
      const record = this.options.lifo ? this.#idle.pop() : this.#idle.shift()
      if (record === undefined) return this.#open(startedAt, deadline)
      if (record.connection.closed) {
        this.#destroy(record, new OperationalError('The driver reports the idle connection closed.', undefined, {}, undefined, true, 'connection-closed'))
        continue
      }
      if (record.generation < this.#generation || this.#expired(record)) {
        this.#close(record)
        continue
      }
      this.#checkedOut.add(record)
      if (!this.options.prePing || record.fresh) return record
      try {
        await this.#ping(record, startedAt, deadline)
      } catch (error) {
        this.#checkedOut.delete(record)
        if (error instanceof PoolTimeoutError) {
          destroyQuietly(record.connection)
          throw error
        }
        this.#destroy(record, error)
        // What killed this connection (a server restart, an idle timeout) has most likely killed
        // the other idle ones as well; replace them all rather than ping each in turn.
        this.invalidateAll()
        continue
      }
      if (this.#disposed) {
        this.#checkedOut.delete(record)
        destroyQuietly(record.connection)
        throw this.#disposedError()
      }
      return record
    }
  }

  #expired(record: ConnectionRecord): boolean {
    return this.options.recycleMs !== undefined && Date.now() - record.createdAt >= this.options.recycleMs
  }

  /** Pings within both connectTimeoutMs and what is left of the checkout deadline. */
  async #ping(record: ConnectionRecord, startedAt: number, deadline: number): Promise<void> {
    const remaining = deadline - Date.now()
    const { connectTimeoutMs } = this.options
    const ping = withTimeout(attempt(() => record.connection.ping()), Math.min(remaining, connectTimeoutMs), () =>
      remaining <= connectTimeoutMs
        ? this.#timeoutError('pinging', startedAt)
        : new OperationalError(`The pre-ping did not answer within ${connectTimeoutMs} ms (connectTimeoutMs).`, undefined, {}, undefined, true, 'ping-timeout'),
    )
    this.#track(ping)
    await ping
  }

  /** Opens a connection within both connectTimeoutMs and what is left of the checkout deadline. */
  async #open(startedAt: number, deadline: number): Promise<ConnectionRecord> {
    const remaining = deadline - Date.now()
    const { connectTimeoutMs } = this.options
    const controller = new AbortController()
    const connecting = this.#connectWithin(controller, Math.min(remaining, connectTimeoutMs), () =>
      remaining <= connectTimeoutMs
        ? this.#timeoutError('connecting', startedAt)
        : new OperationalError(
            `Could not open a database connection within ${connectTimeoutMs} ms (connectTimeoutMs). ` +
              'Check that the database is reachable and accepts connections, or raise connectTimeoutMs.',
            undefined, {}, undefined, true, 'connect-timeout',
          ),
    )
    this.#connecting++
    this.#connectControllers.add(controller)
    this.#track(connecting)
    let connection: DriverConnection
    try {
      connection = await connecting
    } finally {
      this.#connecting--
      this.#connectControllers.delete(controller)
    }
    if (this.#disposed) {
      destroyQuietly(connection)
      throw this.#disposedError()
    }
    try {
      for (const listeners of this.options.listeners) listeners.onConnect?.(connection)
    } catch (error) {
      destroyQuietly(connection)
      throw error
    }
    const record = new ConnectionRecord(connection, this.#generation)
    this.#checkedOut.add(record)
    return record
  }

  /**
   * Calls the factory, settling early on timeout or dispose. A factory error reaches the caller
   * unchanged (the engine translates driver errors); a connection that arrives after the caller
   * gave up is destroyed, so a slow server cannot leak connections past the pool's limit.
   */
  #connectWithin(controller: AbortController, limitMs: number, onTimeout: () => Error): Promise<DriverConnection> {
    return new Promise<DriverConnection>((resolve, reject) => {
      let settled = false
      let timer: ReturnType<typeof setTimeout> | undefined
      const giveUp = (error: unknown): void => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        reject(error)
      }
      controller.signal.addEventListener('abort', () => giveUp(controller.signal.reason as unknown), { once: true })
      if (isTimerDelay(limitMs)) {
        timer = setTimeout(() => {
          const error = onTimeout()
          giveUp(error)
          controller.abort(error)
        }, Math.max(0, limitMs))
      }
      attempt(() => this.#factory({ signal: controller.signal })).then(
        (connection) => {
          if (settled) {
            destroyQuietly(connection)
            return
          }
          settled = true
          if (timer !== undefined) clearTimeout(timer)
          resolve(connection)
        },
        (error: unknown) => giveUp(error),
      )
    })
  }

  async #checkin(record: ConnectionRecord, lease: PooledConnection): Promise<void> {
    this.#leaks.untrack(lease)
    const info = record.checkout
    if (info === undefined) return
    info.returning = true
    const { connection } = record
    let failure: unknown
    let failed = false
    if (!this.#disposed) {
      if (connection.closed) {
        failed = true
        failure = new OperationalError('The driver reports the returned connection closed.', undefined, {}, undefined, true, 'connection-closed')
      } else if (this.options.resetOnReturn && connection.resetWithoutRoundTrip?.() !== true) {
        // A transaction left open would leak its writes and locks into the next borrower. (One
        // that sent nothing the driver ends at once: the connection is idle before the caller's
        // next checkout, which then gets it back instead of another connection.)
        const reset = withTimeout(attempt(() => connection.rollback()), this.options.connectTimeoutMs, () =>
          new OperationalError(`The reset-on-return rollback did not finish within ${this.options.connectTimeoutMs} ms.`, undefined, {}, undefined, true, 'reset-timeout'),
        )
        this.#track(reset)
        this.#resetting++
        try {
          await reset
        } catch (error) {
          failed = true
          failure = error
        } finally {
          this.#resetting--
        }
      }
    }
    record.checkout = undefined
    record.fresh = false
    this.#checkedOut.delete(record)
    this.#notify('onCheckin', (l) => l.onCheckin?.(connection))
    if (this.#disposed) destroyQuietly(connection)
    else if (failed) this.#destroy(record, failure)
    else if (record.generation < this.#generation || this.#idle.length >= this.options.size) this.#close(record)
    else this.#idle.push(record)
    // Only now may the next waiter run: it finds this connection idle.
    info.slot.release()
  }

  #invalidate(record: ConnectionRecord, lease: PooledConnection, error: unknown): void {
    this.#leaks.untrack(lease)
    const info = record.checkout
    if (info === undefined) return
    record.checkout = undefined
    this.#checkedOut.delete(record)
    this.#destroy(record, error)
    info.slot.release()
  }

  /** A lease was garbage-collected while checked out: its connection's state is unknown, so destroy it. */
  #reclaim(record: ConnectionRecord): void {
    const info = record.checkout
    if (info === undefined) return
    record.checkout = undefined
    this.#checkedOut.delete(record)
    this.#destroy(record, new InvalidRequestError(`Pooled connection #${record.id} was garbage-collected without release().`, 'pool-leak'))
    info.slot.release()
    const leak = { connectionId: record.id, checkedOutAt: info.checkedOutAt, heldForMs: Date.now() - info.checkedOutAt, holder: info.holder, stack: info.stack }
    try {
      this.options.onLeak(leak)
    } catch (error) {
      warn(`The pool's onLeak callback threw: ${String(error)}`)
    }
  }

  /** Destroys a connection that cannot be trusted and tells the onInvalidate listeners. */
  #destroy(record: ConnectionRecord, error: unknown): void {
    destroyQuietly(record.connection)
    this.#notify('onInvalidate', (l) => l.onInvalidate?.(record.connection, error))
  }

  /** Closes a healthy connection the pool no longer needs, without making anyone wait for it. */
  #close(record: ConnectionRecord): void {
    this.#track(closeQuietly(record.connection, this.options.connectTimeoutMs))
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise)
    const forget = (): void => {
      this.#pending.delete(promise)
    }
    promise.then(forget, forget)
  }

  /** Listener errors on these paths have no caller to reach, so they become process warnings. */
  #notify(event: string, call: (listeners: PoolListeners) => void): void {
    for (const listeners of this.options.listeners) {
      try {
        call(listeners)
      } catch (error) {
        warn(`A pool ${event} listener threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }

  #assertOpen(): void {
    if (this.#disposed) throw this.#disposedError()
  }

  #disposedError(): InvalidRequestError {
    return new InvalidRequestError(
      'The connection pool was disposed and hands out no more connections. Create a new engine (or pool) to connect again.',
      'pool-disposed',
    )
  }

  #timeoutError(phase: TimeoutPhase, startedAt: number): PoolTimeoutError {
    return new PoolTimeoutError(
      describeTimeout({
        phase,
        waitedMs: Date.now() - startedAt,
        checkoutTimeoutMs: this.options.checkoutTimeoutMs,
        status: this.status(),
        debug: this.options.debug,
        checkedOut: [...this.#checkedOut],
      }),
    )
  }
}

function warn(message: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(message, { type: 'AthanorPoolWarning', code: 'ATHANOR_POOL_LISTENER' })
  }
}
