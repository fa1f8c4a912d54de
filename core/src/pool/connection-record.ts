import type { DriverConnection } from '../dialect/contract.js'
import type { Slot } from './slot-queue.js'

/** Who holds a checked-out connection, and since when. */
export interface CheckoutInfo {
  readonly slot: Slot
  /** `Date.now()` at checkout. */
  readonly checkedOutAt: number
  readonly holder: string | undefined
  /** Checkout call site, recorded only in debug mode. */
  readonly stack: string | undefined
  /** Distinguishes successive checkouts of the same record (leak reports must match the right one). */
  readonly sequence: number
  /** Set once `release()` started: the connection is being reset and is not usable by anyone. */
  returning: boolean
}

let nextId = 1

/**
 * The pool's private bookkeeping for one driver connection. It never references the lease that
 * holds it, so a lease dropped without `release()` can be garbage-collected and reported.
 */
export class ConnectionRecord {
  readonly id: number
  readonly connection: DriverConnection
  /** `Date.now()` when the connection opened (for `recycleMs`). */
  readonly createdAt: number
  /** The pool's generation when it opened; `invalidateAll()` makes older generations stale. */
  readonly generation: number
  /** Never handed out yet: a just-opened connection needs no pre-ping. */
  fresh = true
  checkout: CheckoutInfo | undefined

  constructor(connection: DriverConnection, generation: number) {
    this.id = nextId++
    this.connection = connection
    this.createdAt = Date.now()
    this.generation = generation
  }
}
