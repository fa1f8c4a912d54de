/** Receives membership changes of an instrumented collection (relationship sync). */
export interface CollectionHandler<T> {
  added(item: T): void
  removed(item: T): void
}

/**
 * The array behind a one-to-many or many-to-many relationship. It is a real Array; its
 * mutating methods also keep the other side of the relationship (`backPopulates`) in step.
 * Membership changes made any other way (index assignment) are still found at flush by
 * comparing with the loaded members.
 */
export class Collection<T extends object> extends Array<T> {
  #handler: CollectionHandler<T> | undefined

  // Derived arrays (map, filter, slice) are plain arrays, not collections.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  /** @internal */
  static of_<T extends object>(items: Iterable<T>, handler: CollectionHandler<T> | undefined): Collection<T> {
    // Stored by index, not Array.prototype.push.call: on an Array subclass that call takes the
    // generic path, ~10× the time (a collection per loaded parent; PROFILE.md pass 20). Made at
    // its length first: grown from empty, a list of 3 got room for 17 (0.9 MB of an 11,000-
    // collection load, PROFILE.md pass 28).
    let c: Collection<T>
    if (Array.isArray(items)) {
      c = new Collection<T>(items.length)
      for (let i = 0; i < items.length; i++) c[i] = items[i] as T
    } else {
      c = new Collection<T>()
      for (const item of items) c[c.length] = item
    }
    c.#handler = handler
    return c
  }

  /** Adds without notifying (used by the other side of the relationship). */
  _addSilently(item: T): void {
    if (!this.includes(item)) this[this.length] = item
  }
  /** Removes without notifying. */
  _removeSilently(item: T): void {
    const i = this.indexOf(item)
    if (i >= 0) Array.prototype.splice.call(this, i, 1)
  }

  override push(...items: T[]): number {
    for (const item of items) {
      this[this.length] = item
      this.#handler?.added(item)
    }
    return this.length
  }
  override unshift(...items: T[]): number {
    Array.prototype.unshift.apply(this, items)
    for (const item of items) this.#handler?.added(item)
    return this.length
  }
  override pop(): T | undefined {
    const item = Array.prototype.pop.call(this) as T | undefined
    if (item !== undefined) this.#handler?.removed(item)
    return item
  }
  override shift(): T | undefined {
    const item = Array.prototype.shift.call(this) as T | undefined
    if (item !== undefined) this.#handler?.removed(item)
    return item
  }
  override splice(start: number, deleteCount?: number, ...items: T[]): T[] {
    const removed = (deleteCount === undefined ? (Array.prototype.splice as (s: number) => T[]).call(this, start) : Array.prototype.splice.call(this, start, deleteCount, ...items)) as T[]
    for (const r of removed) this.#handler?.removed(r)
    for (const a of items) this.#handler?.added(a)
    return removed
  }
  /** Removes `item` if present; returns whether it was. */
  remove(item: T): boolean {
    const i = this.indexOf(item)
    if (i < 0) return false
    this.splice(i, 1)
    return true
  }
}
