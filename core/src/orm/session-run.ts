import {
  ArgumentError, CommitOutcomeUnknownError, DeadlockError, InvalidRequestError, LockTimeoutError, OperationalError, SerializationError,
} from '../util/errors.js'
import type { AsyncSession } from './session.js'
import { StaleDataError } from './orm-errors.js'

/** Options for {@link runUnitOfWork} / `session.run()`. */
export interface RunOptions {
  /**
   * Extra attempts after the first one fails with a retryable error. Default 10: enough, with
   * the backoff, for a hot row written from every node of a Galera cluster at once (a
   * certification storm) and for the second or so a failover leaves no server to connect to.
   */
  readonly retries?: number | undefined
  /**
   * First backoff cap in ms; doubles each attempt ("full jitter": the pause is random below the
   * cap). Default 30: on a hot row, 10 ms windows are too narrow for a dozen writers to miss
   * each other, and every attempt spent in them is one fewer later.
   */
  readonly baseDelayMs?: number | undefined
  /** Largest backoff cap in ms. Default 1000. */
  readonly maxDelayMs?: number | undefined
  /**
   * Also retry after `CommitOutcomeUnknownError`. Only safe when replaying the work cannot apply
   * it twice, e.g. it inserts an idempotency key whose unique constraint refuses a second copy.
   * Default false.
   */
  readonly retryUnknownCommit?: boolean | undefined
  /** Decides which errors are retried; replaces the default rule ({@link isRetryable}). */
  readonly retryOn?: ((error: unknown) => boolean) | undefined
  /** Called before each pause, e.g. to count retries. */
  readonly onRetry?: ((info: RetryInfo) => void) | undefined
  /** Stops the retry loop (the attempt running now finishes; its rollback still happens). */
  readonly signal?: AbortSignal | undefined
  /**
   * The unit of work writes: on SQLite every attempt takes the write lock at its first statement,
   * so it waits for other writers instead of failing on a stale read. By default only retries do;
   * the first attempt takes the lock at its first write, and reads beside the writer until then.
   * Other databases ignore it. Default false.
   */
  readonly writes?: boolean | undefined
}

/** What `onRetry` is told. */
export interface RetryInfo {
  readonly error: unknown
  /** The attempt that failed, from 1. */
  readonly attempt: number
  readonly delayMs: number
}

/**
 * The default retry rule: errors after which running the whole transaction again is safe and
 * may succeed. Deadlock victims, serialization failures, lock timeouts and version-counter
 * conflicts (StaleDataError with code 'stale-version'); and a lost
 * connection, since the server rolled the transaction back with it — except a connection lost
 * during COMMIT, which may have committed (`CommitOutcomeUnknownError`).
 *
 * ```ts
 * if (isRetryable(error)) await session.rollback()   // then run the unit of work again
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CommitOutcomeUnknownError) return false
  if (error instanceof DeadlockError || error instanceof SerializationError || error instanceof LockTimeoutError) return true
  // A lost race on a version counter: the next attempt reads the row as it now is.
  if (error instanceof StaleDataError && error.code === 'stale-version') return true
  return error instanceof OperationalError && error.disconnect
}

const DEFAULTS = { retries: 10, baseDelayMs: 30, maxDelayMs: 1000 } as const

/**
 * Runs `fn` as one transaction on `session` and commits it; when the attempt fails with a
 * retryable error (see {@link isRetryable}) rolls back, waits a random backoff and runs the
 * whole of `fn` again, up to `retries` more times. Any other error rolls back and is rethrown.
 * `fn` gets the attempt number (from 1); it must redo all its reads, since a rollback expires
 * the objects it loaded.
 *
 * ```ts
 * await session.run(async (s) => {
 *   const from = await s.get(Account, 1)
 *   const to = await s.get(Account, 2)
 *   from!.balance -= 10
 *   to!.balance += 10
 * }, { retries: 5 })
 * ```
 */
export async function runUnitOfWork<T>(
  session: AsyncSession,
  fn: (session: AsyncSession, attempt: number) => Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  const retries = wholeNumber('retries', options.retries ?? DEFAULTS.retries)
  const base = wholeNumber('baseDelayMs', options.baseDelayMs ?? DEFAULTS.baseDelayMs)
  const cap = wholeNumber('maxDelayMs', options.maxDelayMs ?? DEFAULTS.maxDelayMs)
  const retryOn = options.retryOn ?? ((e: unknown) => isRetryable(e) || (options.retryUnknownCommit === true && e instanceof CommitOutcomeUnknownError))
  if (session.inTransaction) {
    throw new InvalidRequestError(
      'session.run() starts its own transaction, but this session already has one open (a query began it). ' +
        'Commit or roll back first, or use a fresh session for the unit of work.',
      'transaction-open',
    )
  }
  for (let attempt = 1; ; attempt++) {
    // A retry knows the work writes (a failed write is what sends most units of work here).
    session._expectWrites(options.writes === true || attempt > 1)
    try {
      const result = await session._block('session.run(fn)', () => fn(session, attempt))
      await session.commit()
      return result
    } catch (error) {
      // A rollback on a lost connection only resets the session; one that fails otherwise must
      // not hide the error that ended the attempt.
      await session.rollback().catch(() => undefined)
      if (attempt > retries || aborted(options.signal) || !retryOn(error)) throw error
      const delayMs = Math.random() * Math.min(cap, base * 2 ** (attempt - 1))
      options.onRetry?.({ error, attempt, delayMs })
      await pause(delayMs, options.signal)
      if (aborted(options.signal)) throw error
    } finally {
      session._expectWrites(false)
    }
  }
}

function wholeNumber(name: string, value: number): number {
  if (Number.isInteger(value) && value >= 0) return value
  throw new ArgumentError(`session.run() option ${name} must be a whole number of 0 or more, got ${String(value)}.`)
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
