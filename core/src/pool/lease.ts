import type { DriverConnection } from '../dialect/contract.js'
import { InvalidRequestError } from '../util/errors.js'
import type { ConnectionRecord } from './connection-record.js'

/** The pool side of a lease; implemented privately by `ConnectionPool`. */
export interface LeaseOwner {
  checkin(record: ConnectionRecord, lease: PooledConnection): Promise<void>
  invalidate(record: ConnectionRecord, lease: PooledConnection, error: unknown): void
}

export type LeaseState = 'checked-out' | 'released' | 'invalidated'

/**
 * One checked-out connection. Give it back exactly once: `release()` returns it to the pool (after
 * a rollback, by default); `invalidate()` destroys it when it can no longer be trusted, for
 * instance after a disconnect error. Both are idempotent, and after either one `connection`
 * throws, because the driver connection may already serve someone else.
 *
 * Keep the lease referenced for as long as you use its connection: a lease that is
 * garbage-collected unreleased is reported as a leak and its connection destroyed.
 *
 * ```ts
 * const lease = await pool.checkout({ holder: 'nightly report' })
 * try {
 *   await lease.connection.execute('SELECT 1', [])
 * } catch (error) {
 *   if (driver.isDisconnect(error)) lease.invalidate(error)
 *   throw error
 * } finally {
 *   await lease.release() // a no-op after invalidate()
 * }
 * ```
 */
export class PooledConnection {
  readonly #record: ConnectionRecord
  readonly #owner: LeaseOwner
  #state: LeaseState = 'checked-out'
  #released: Promise<void> | undefined
  /** The pool's id for the driver connection (stable across checkouts; shown in diagnostics). */
  readonly id: number
  /** `Date.now()` at checkout. */
  readonly checkedOutAt: number
  /** What the caller said it checks out for (`checkout({ holder })`), if anything. */
  readonly holder: string | undefined
  /** Checkout call site, recorded with `debug: true`. */
  readonly checkoutStack: string | undefined

  /** @internal Leases are made by `ConnectionPool.checkout()`. */
  constructor(record: ConnectionRecord, owner: LeaseOwner) {
    this.#record = record
    this.#owner = owner
    this.id = record.id
    this.checkedOutAt = record.checkout?.checkedOutAt ?? Date.now()
    this.holder = record.checkout?.holder
    this.checkoutStack = record.checkout?.stack
  }

  /** The dedicated driver connection; throws once the lease was released or invalidated. */
  get connection(): DriverConnection {
    if (this.#state !== 'checked-out') {
      throw new InvalidRequestError(
        `Pooled connection #${this.id} was already ${this.#state === 'released' ? 'released' : 'invalidated'}, so its driver connection ` +
          'may serve another task by now. Check out a new connection instead of keeping a reference to an old one.',
        'connection-released',
      )
    }
    return this.#record.connection
  }

  get state(): LeaseState {
    return this.#state
  }

  /** Milliseconds since checkout. */
  get heldForMs(): number {
    return Date.now() - this.checkedOutAt
  }

  /**
   * Gives the connection back. Resolves once it is reset and back in the pool (or closed); never
   * rejects, since a failed reset only means the connection is discarded. Calling it again, or
   * after `invalidate()`, returns the same promise / does nothing.
   */
  release(): Promise<void> {
    if (this.#released !== undefined) return this.#released
    if (this.#state === 'invalidated') return (this.#released = Promise.resolve())
    this.#state = 'released'
    this.#released = this.#owner.checkin(this.#record, this)
    return this.#released
  }

  /**
   * Destroys the driver connection at once (no graceful close, no rollback) and frees its slot;
   * the connection never returns to the pool. Does nothing once the lease was released.
   */
  invalidate(error?: unknown): void {
    if (this.#state !== 'checked-out') return
    this.#state = 'invalidated'
    this.#owner.invalidate(this.#record, this, error)
  }

  /** `await using lease = await pool.checkout()` releases at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release()
  }
}
