import type { DriverConnection } from '../dialect/contract.js'
import { ArgumentError } from '../util/errors.js'
import type { PooledConnection } from './lease.js'

/**
 * Opens one dedicated driver connection. The engine passes `() => dialect.driver.connect(opts)`.
 * The pool aborts `signal` when the connect takes longer than `connectTimeoutMs` or the pool is
 * disposed, so a driver that can cancel a half-open connection may do so; a factory that ignores
 * it is still safe (a connection that arrives late is destroyed).
 */
export type ConnectionFactory = (context: { readonly signal: AbortSignal }) => Promise<DriverConnection>

/**
 * Synchronous hooks into the pool's life cycle, for plugins (DESIGN.md principle 9).
 * `onConnect` and `onCheckout` may throw to refuse a connection: the checkout then fails with that
 * error and the connection is destroyed (onConnect) or returned (onCheckout). Errors thrown by
 * `onCheckin` and `onInvalidate` cannot reach anyone, so they are reported as process warnings.
 */
export interface PoolListeners {
  /** A new driver connection was opened (before its first checkout). */
  onConnect?(connection: DriverConnection): void
  /** A connection was handed out. */
  onCheckout?(lease: PooledConnection): void
  /** A lease was released (after the reset, whether the connection is kept, closed or destroyed). */
  onCheckin?(connection: DriverConnection): void
  /** A connection was destroyed because it could not be trusted any more. */
  onInvalidate?(connection: DriverConnection, error: unknown): void
}

/** What the pool knows about a lease that was garbage-collected without `release()`. */
export interface LeakInfo {
  readonly connectionId: number
  /** `Date.now()` at checkout. */
  readonly checkedOutAt: number
  readonly heldForMs: number
  readonly holder: string | undefined
  /** The checkout call site (only with `debug: true`). */
  readonly stack: string | undefined
}

export interface PoolOptions {
  /** Connections kept open while idle. Default 5. */
  readonly size?: number | undefined
  /** Extra connections allowed under load, closed again when returned. Default 10 (`Infinity` = no limit). */
  readonly maxOverflow?: number | undefined
  /** Longest a checkout may take in total: waiting for a free slot, pre-ping and connect. Default 30000. */
  readonly checkoutTimeoutMs?: number | undefined
  /**
   * Longest one round trip the pool starts itself may take: connect, pre-ping, reset-on-return
   * rollback and graceful close. Default 10000.
   */
  readonly connectTimeoutMs?: number | undefined
  /** Connections older than this are closed at checkout and replaced. Default: never. */
  readonly recycleMs?: number | undefined
  /** Ping an idle connection before handing it out; a failed ping replaces it. Default false. */
  readonly prePing?: boolean | undefined
  /** Run `rollback()` when a connection comes back, so no transaction or lock leaks to the next user. Default true. */
  readonly resetOnReturn?: boolean | undefined
  /**
   * Hand out the idle connection returned last (default true; SQLAlchemy's `pool_use_lifo`): a
   * request after request gets the same, warm connection, and idle ones beyond what the load needs
   * stay unused, so `recycleMs` or the server's idle timeout can retire them. `false` hands out the
   * one returned first, cycling through every idle connection.
   */
  readonly lifo?: boolean | undefined
  /** Record every checkout's call site for leak and timeout diagnostics. Default: `ATHANOR_POOL_DEBUG=1`. */
  readonly debug?: boolean | undefined
  /** Called once for each lease garbage-collected without `release()`. Default: a process warning. */
  readonly onLeak?: ((info: LeakInfo) => void) | undefined
  readonly listeners?: PoolListeners | readonly PoolListeners[] | undefined
}

/** Options with every default applied. */
export interface ResolvedPoolOptions {
  readonly size: number
  readonly maxOverflow: number
  readonly checkoutTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly recycleMs: number | undefined
  readonly prePing: boolean
  readonly resetOnReturn: boolean
  readonly lifo: boolean
  readonly debug: boolean
  readonly onLeak: (info: LeakInfo) => void
  readonly listeners: readonly PoolListeners[]
}

export const POOL_DEFAULTS = {
  size: 5,
  maxOverflow: 10,
  checkoutTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
} as const

/** Applies defaults and rejects values the pool cannot work with. */
export function resolvePoolOptions(options: PoolOptions = {}, env: Readonly<Record<string, string | undefined>> = processEnv()): ResolvedPoolOptions {
  const size = count('size', options.size ?? POOL_DEFAULTS.size, false)
  const maxOverflow = count('maxOverflow', options.maxOverflow ?? POOL_DEFAULTS.maxOverflow, true)
  if (size + maxOverflow < 1) {
    throw new ArgumentError('A pool needs room for at least one connection: size + maxOverflow must be 1 or more.', 'pool-options')
  }
  const debugEnv = env['ATHANOR_POOL_DEBUG']
  const debug = options.debug ?? (debugEnv === '1' || debugEnv === 'true')
  const listeners = options.listeners === undefined ? [] : Array.isArray(options.listeners) ? [...options.listeners] : [options.listeners as PoolListeners]
  return {
    size,
    maxOverflow,
    checkoutTimeoutMs: duration('checkoutTimeoutMs', options.checkoutTimeoutMs ?? POOL_DEFAULTS.checkoutTimeoutMs),
    connectTimeoutMs: duration('connectTimeoutMs', options.connectTimeoutMs ?? POOL_DEFAULTS.connectTimeoutMs),
    recycleMs: options.recycleMs === undefined ? undefined : duration('recycleMs', options.recycleMs),
    prePing: options.prePing ?? false,
    resetOnReturn: options.resetOnReturn ?? true,
    lifo: options.lifo ?? true,
    debug,
    onLeak: options.onLeak ?? defaultOnLeak,
    listeners,
  }
}

function count(name: string, value: number, infinite: boolean): number {
  if ((infinite && value === Infinity) || (Number.isInteger(value) && value >= 0)) return value
  throw new ArgumentError(`Pool option ${name} must be a whole number of 0 or more${infinite ? ' (or Infinity)' : ''}, got ${String(value)}.`, 'pool-options')
}

function duration(name: string, value: number): number {
  if (value === Infinity || (Number.isFinite(value) && value > 0)) return value
  throw new ArgumentError(`Pool option ${name} must be a positive number of milliseconds (or Infinity), got ${String(value)}.`, 'pool-options')
}

function processEnv(): Readonly<Record<string, string | undefined>> {
  return typeof process === 'undefined' ? {} : process.env
}

/** The default `onLeak`: a process warning that shows the checkout stack when debug recorded it. */
export function defaultOnLeak(info: LeakInfo): void {
  const by = info.holder === undefined ? '' : ` by ${info.holder}`
  const message =
    `A pooled connection (#${info.connectionId}) checked out ${info.heldForMs} ms ago${by} was garbage-collected without release(). ` +
    'The pool destroyed it and freed its slot; release every lease in a finally block (or with await using).'
  const detail = info.stack ?? 'Create the pool with debug: true (or set ATHANOR_POOL_DEBUG=1) to record where it was checked out.'
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(message, { type: 'AthanorPoolLeakWarning', code: 'ATHANOR_POOL_LEAK', detail })
  }
}
