import type { DriverConnection } from '../dialect/contract.js'
import { isTimerDelay } from './slot-queue.js'

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`. The original promise keeps a
 * handler, so a rejection that arrives after the timeout is never reported as unhandled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!isTimerDelay(ms)) return promise
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms))
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** Calls a driver method that may throw synchronously and returns its promise either way. */
export function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call()
  } catch (error) {
    return Promise.reject(error)
  }
}

/** `destroy()` that cannot throw: a connection being thrown away has nothing more to say. */
export function destroyQuietly(connection: DriverConnection): void {
  try {
    connection.destroy()
  } catch {
    // The connection is discarded either way.
  }
}

/**
 * Closes gracefully, falling back to `destroy()` when close fails or hangs (a black-holed socket
 * must not keep `dispose()` waiting forever). Never rejects.
 */
export async function closeQuietly(connection: DriverConnection, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(attempt(() => connection.close()), timeoutMs, () => new Error('close timed out'))
  } catch {
    destroyQuietly(connection)
  }
}
