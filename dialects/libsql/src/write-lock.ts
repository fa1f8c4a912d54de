import { resolve } from 'node:path'

/*
 * SQLite lets one connection write at a time. A connection that asks for the write lock while
 * another holds it gets SQLITE_BUSY at once (busy_timeout is 0, see busy-retry.ts), and inside a
 * transaction that BUSY cannot be waited out: libsql leaves the failed statement in progress and
 * the transaction can no longer commit. So the connections of this process queue for the write
 * lock here, asynchronously, before their first write, and SQLite's lock is only ever asked for
 * by the connection at the head of this queue. Other processes still answer BUSY (waited out
 * where that is safe: BEGIN IMMEDIATE and statements outside a transaction).
 */

/** The wait for the write lock ran out (errors.ts turns it into a LockTimeoutError). */
export class WriteLockTimeout extends Error {
  readonly database: string
  readonly waitedMs: number
  readonly heldMs: number
  constructor(database: string, waitedMs: number, heldMs: number) {
    super(`timed out after ${waitedMs} ms waiting for the write lock of ${database}, held for ${heldMs} ms by another transaction of this process`)
    this.name = 'WriteLockTimeout'
    this.database = database
    this.waitedMs = waitedMs
    this.heldMs = heldMs
  }
}

interface Waiter {
  readonly grant: (holder: WriteLockHolder) => void
}

/** The holder of a database's write lock in this process (for status and timeout messages). */
export interface WriteLockHolder {
  /** `Date.now()` when it took the lock. */
  readonly since: number
}

/**
 * The write lock of one database file, shared by every connection of the process to that file.
 * ```ts
 * const lock = writeLockFor('/data/app.db')
 * const holder = await lock.acquire(5000, 'app.db')
 * try { … write … } finally { lock.release(holder) }
 * ```
 */
export class WriteLock {
  #holder: WriteLockHolder | undefined
  readonly #queue: Waiter[] = []

  /** Who holds it now, if anyone. */
  get holder(): WriteLockHolder | undefined {
    return this.#holder
  }

  /** Connections waiting for it. */
  get waiting(): number {
    return this.#queue.length
  }

  /**
   * Waits (first come, first served) until the lock is free and takes it; the holder it returns
   * releases it. Fails with LockTimeoutError after `timeoutMs`, naming how long the current
   * holder has had it.
   */
  acquire(timeoutMs: number, database: string, signal?: AbortSignal): Promise<WriteLockHolder> {
    if (this.#holder === undefined) {
      this.#holder = { since: Date.now() }
      return Promise.resolve(this.#holder)
    }
    return new Promise<WriteLockHolder>((resolvePromise, reject) => {
      const startedAt = Date.now()
      const cleanup = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const i = this.#queue.indexOf(waiter)
        if (i >= 0) this.#queue.splice(i, 1)
      }
      const waiter: Waiter = {
        grant: (holder) => {
          cleanup()
          this.#holder = holder
          resolvePromise(holder)
        },
      }
      const onAbort = (): void => {
        cleanup()
        reject(signal?.reason)
      }
      const timer = setTimeout(() => {
        cleanup()
        const held = this.#holder === undefined ? 0 : Date.now() - this.#holder.since
        reject(new WriteLockTimeout(database, Date.now() - startedAt, held))
      }, Math.max(0, timeoutMs))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(waiter)
    })
  }

  /** Releases the lock held by `holder` (a no-op for anyone else) and hands it to the next waiter. */
  release(holder: WriteLockHolder): void {
    if (this.#holder !== holder) return
    this.#holder = undefined
    this.#queue[0]?.grant({ since: Date.now() })
  }
}

const locks = new Map<string, WriteLock>()

/** The process-wide write lock of the database file at `path` (relative paths resolve against the working directory). */
export function writeLockFor(path: string): WriteLock {
  const key = resolve(path)
  let lock = locks.get(key)
  if (lock === undefined) {
    lock = new WriteLock()
    locks.set(key, lock)
  }
  return lock
}
