import type { ConnectionRecord } from './connection-record.js'

/** What the registry keeps for a lease: never the lease itself, or it could not be collected. */
interface Held {
  readonly record: ConnectionRecord
  readonly sequence: number
}

/**
 * Notices leases that are garbage-collected while still checked out. Without this, a forgotten
 * `release()` silently shrinks the pool until checkouts time out far from the bug.
 */
export class LeakTracker {
  readonly #registry: FinalizationRegistry<Held>

  /** `onCollected` gets the record only while it is still checked out by the same checkout. */
  constructor(onCollected: (record: ConnectionRecord) => void) {
    this.#registry = new FinalizationRegistry<Held>((held) => {
      if (held.record.checkout?.sequence === held.sequence) onCollected(held.record)
    })
  }

  track(lease: object, record: ConnectionRecord): void {
    const sequence = record.checkout?.sequence
    if (sequence === undefined) return
    this.#registry.register(lease, { record, sequence }, lease)
  }

  untrack(lease: object): void {
    this.#registry.unregister(lease)
  }
}
