import { isRetryableBusy, noteBusy } from './errors.js'

/**
 * Waiting for another connection's write lock without blocking the event loop.
 *
 * SQLite's own busy handler (`PRAGMA busy_timeout`, the client's `timeout` option) sleeps inside
 * the native call, which freezes Node: no timer fires, so a lock holder in the same process can
 * never reach its COMMIT and the wait always runs to the timeout (reliability.md §0.7,
 * relfaults/n2_libsql_block.js). The client is therefore left at busy_timeout 0, SQLITE_BUSY
 * comes back at once, and the statement is tried again after an asynchronous pause.
 */

/** SQLite's own busy-handler schedule (sqlite3 `sqliteDefaultBusyCallback`), in ms; the last repeats. */
const DELAYS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100] as const

export interface BusyRetryOptions {
  /** Give up after this many milliseconds of waiting; 0 tries once. */
  readonly timeoutMs: number
  readonly signal?: AbortSignal | undefined
  /**
   * Called after every SQLITE_BUSY (the last one too), before the pause. The connection uses it
   * to replace a native connection that a BUSY failure has left unusable (see connection.ts).
   */
  readonly afterBusy?: (() => Promise<void>) | undefined
}

/**
 * Runs `attempt`; while it fails with a retryable SQLITE_BUSY, pauses (asynchronously) and runs it
 * again, until `timeoutMs` has passed. Only safe for attempts that had no effect when they failed
 * with BUSY: a statement outside a transaction, BEGIN IMMEDIATE, or COMMIT (the transaction stays
 * open).
 * ```ts
 * const rs = await retryWhileBusy(() => client.execute(stmt), { timeoutMs: 5000 })
 * ```
 */
export async function retryWhileBusy<T>(attempt: () => Promise<T>, options: BusyRetryOptions): Promise<T> {
  const { timeoutMs, signal, afterBusy } = options
  const start = Date.now()
  for (let i = 0; ; i++) {
    signal?.throwIfAborted()
    try {
      return await attempt()
    } catch (e) {
      if (!isRetryableBusy(e)) throw e
      await afterBusy?.()
      const waited = Date.now() - start
      if (waited >= timeoutMs) {
        noteBusy(e, { waitedMs: waited })
        throw e
      }
      // ±25% jitter so two processes that collided do not retry in lockstep.
      const delay = DELAYS[Math.min(i, DELAYS.length - 1)]! * (0.75 + Math.random() / 2)
      await sleep(Math.min(delay, timeoutMs - waited), signal)
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
