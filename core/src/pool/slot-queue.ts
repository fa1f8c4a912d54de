import PQueue from 'p-queue'

/** Permission to hold one connection. `release()` is idempotent. */
export interface Slot {
  release(): void
}

/**
 * A fair FIFO counting semaphore built on p-queue: each slot is a queued task that stays
 * "running" until its holder releases it, so p-queue's `concurrency` caps the connections the
 * pool may hold (size + maxOverflow) and its queue orders the waiters (equal priorities are FIFO).
 *
 * p-queue's abort semantics decide the shape of `acquire()`: a task aborted while *queued* is
 * removed and `add()` rejects with `signal.reason`; a task aborted while *running* also rejects
 * and frees its concurrency slot at once. A granted slot must never be freed behind its holder's
 * back, so the timer that aborts a waiter is cleared the moment the slot is granted, and the
 * signal is never aborted after that.
 */
export class SlotQueue {
  readonly #queue: PQueue
  /** Controllers of checkouts still queued, so `abortWaiting()` can fail them all. */
  readonly #waiters = new Set<AbortController>()

  constructor(concurrency: number) {
    this.#queue = new PQueue({ concurrency })
  }

  /** Checkouts queued for a slot. */
  get waiting(): number {
    return this.#queue.size
  }

  /**
   * Resolves with a slot once one is free (FIFO). Rejects with `onTimeout()` after `timeoutMs`,
   * or with the reason given to `abortWaiting()`.
   */
  acquire(timeoutMs: number, onTimeout: () => Error): Promise<Slot> {
    const controller = new AbortController()
    return new Promise<Slot>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const settle = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        this.#waiters.delete(controller)
      }
      this.#waiters.add(controller)
      // The task resolves (freeing the slot) only when the holder calls release().
      const held = this.#queue.add(
        () =>
          new Promise<void>((done) => {
            settle()
            let released = false
            resolve({
              release: () => {
                if (released) return
                released = true
                done()
              },
            })
          }),
        { signal: controller.signal },
      )
      held.catch((error: unknown) => {
        settle()
        reject(error)
      })
      // Armed after add(): when a slot is free, add() has already granted it synchronously.
      if (this.#waiters.has(controller) && isTimerDelay(timeoutMs)) {
        timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs)
      }
    })
  }

  /** Fails every queued checkout with `reason` (used by `dispose()`). */
  abortWaiting(reason: Error): void {
    for (const controller of [...this.#waiters]) controller.abort(reason)
  }
}

/** setTimeout overflows above 2^31 - 1 ms; such delays mean "no limit" here. */
export function isTimerDelay(ms: number): boolean {
  return Number.isFinite(ms) && ms <= 0x7fffffff
}
