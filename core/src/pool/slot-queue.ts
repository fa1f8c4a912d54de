import PQueue from 'p-queue'

/** Permission to hold one connection. `release()` is idempotent. */
export interface Slot {
  release(): void
}

/**
 * A fair FIFO counting semaphore: `limit` slots (the pool's size + maxOverflow), handed out in
 * the order they were asked for.
 *
 * A free slot with nobody waiting is granted at once, with no queue entry, no AbortController,
 * no listener and no timer: that is every checkout of a pool that is not exhausted (a p-queue
 * task per checkout, with its signal and events, was ~9 % of a request's time doing one primary-key
 * get in a session of its own; benchmarks/PROFILE.md pass 26). Otherwise the caller joins the
 * waiting room, a p-queue of concurrency 1 (equal priorities are FIFO): its one running task is
 * the head of the line, which waits for a release and takes that slot. A new caller never
 * overtakes a waiter, because the fast path needs the room empty.
 *
 * p-queue's abort semantics shape the waiting: a task aborted while queued is removed and
 * `add()` rejects with `signal.reason`; the head aborted while waiting also rejects, and p-queue
 * starts the next task at once while the aborted one is still parked. So a release wakes every
 * parked task, and one that was aborted gives up instead of taking the slot. A granted slot is
 * never freed behind its holder's back: the waiter's timer is cleared and its controller
 * forgotten the moment it takes the slot, so nothing aborts it after that.
 */
export class SlotQueue {
  readonly #limit: number
  #held = 0
  readonly #room = new PQueue({ concurrency: 1 })
  /** Controllers of checkouts still waiting, so `abortWaiting()` can fail them all. */
  readonly #waiters = new Set<AbortController>()
  /** Parked head-of-line tasks, woken by a release (or their abort) to look again. */
  #parked: (() => void)[] = []

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Checkouts waiting for a slot. */
  get waiting(): number {
    return this.#room.size + this.#room.pending
  }

  /**
   * Resolves with a slot once one is free (FIFO). Rejects with `onTimeout()` after `timeoutMs`,
   * or with the reason given to `abortWaiting()`.
   */
  acquire(timeoutMs: number, onTimeout: () => Error): Promise<Slot> {
    if (this.#held < this.#limit && this.#room.size === 0 && this.#room.pending === 0) {
      this.#held++
      return Promise.resolve(new HeldSlot(this))
    }
    return this.#wait(timeoutMs, onTimeout)
  }

  /** Fails every waiting checkout with `reason` (used by `dispose()`). */
  abortWaiting(reason: Error): void {
    for (const controller of [...this.#waiters]) controller.abort(reason)
  }

  /** @internal A slot was released: wake the head of the line (and any aborted task still parked). */
  _release(): void {
    this.#held--
    const parked = this.#parked
    if (parked.length === 0) return
    this.#parked = []
    for (const wake of parked) wake()
  }

  #wait(timeoutMs: number, onTimeout: () => Error): Promise<Slot> {
    const controller = new AbortController()
    const signal = controller.signal
    this.#waiters.add(controller)
    const timer = isTimerDelay(timeoutMs) ? setTimeout(() => controller.abort(onTimeout()), timeoutMs) : undefined
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      this.#waiters.delete(controller)
    }
    const head = async (): Promise<Slot> => {
      while (this.#held >= this.#limit) {
        await new Promise<void>((wake) => {
          this.#parked.push(wake)
          signal.addEventListener('abort', () => wake(), { once: true })
        })
        // Aborted while parked: add() has rejected already; the slot stays for the next in line.
        if (signal.aborted) throw signal.reason
      }
      settle()
      this.#held++
      return new HeldSlot(this)
    }
    return this.#room.add(head, { signal }).catch((error: unknown) => {
      settle()
      throw error
    })
  }
}

/** One granted slot; released once, however often release() is called. */
class HeldSlot implements Slot {
  #queue: SlotQueue | undefined
  constructor(queue: SlotQueue) {
    this.#queue = queue
  }

  release(): void {
    const queue = this.#queue
    if (queue === undefined) return
    this.#queue = undefined
    queue._release()
  }
}

/** setTimeout overflows above 2^31 - 1 ms; such delays mean "no limit" here. */
export function isTimerDelay(ms: number): boolean {
  return Number.isFinite(ms) && ms <= 0x7fffffff
}
