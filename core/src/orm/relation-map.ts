/** A slot with no value (a relationship not set), distinct from every value, `undefined` included. */
const HOLE: unique symbol = Symbol('athanor.relation-hole')

/**
 * The per-object relationship values, keyed by relationship name, in two halves: the current
 * value of each relationship (`get`/`set`: loaded or set; absent = not loaded) and its value as
 * of the last load or flush (`getCommitted`/`setCommitted`: a collection's members or the
 * reference itself), which the flush diffs against. A mapper has a handful of relationships and
 * every loaded object carries one of these, so the names are the mapper's one list
 * (`Mapper.relationshipKeys`, shared by all its objects) and each map holds only one values
 * array, current values then committed ones, allocated at the first set: an empty JS Map costs
 * ~170 bytes, and a load of 10,000 objects made 20,000 of them; a names array per map was 20,000
 * more, and a second map per object for the committed half 10,000 more
 * (benchmarks/PROFILE.md, passes 5, 8 and 18).
 */
export class RelationMap<V, C> implements Iterable<[string, V]> {
  readonly #keys: readonly string[]
  #values: unknown[] | undefined
  constructor(keys: readonly string[]) {
    this.#keys = keys
  }

  /** How many relationships have a current value. */
  get size(): number {
    let n = 0
    const values = this.#values
    if (values !== undefined) for (let i = 0; i < this.#keys.length; i++) if (values[i] !== HOLE) n++
    return n
  }

  has(key: string): boolean {
    return this.#at(this.#slot(key, 0)) !== HOLE
  }

  get(key: string): V | undefined {
    const v = this.#at(this.#slot(key, 0))
    return v === HOLE ? undefined : (v as V | undefined)
  }

  set(key: string, value: V): this {
    this.#put(this.#index(key), value)
    return this
  }

  delete(key: string): boolean {
    const i = this.#slot(key, 0)
    if (this.#at(i) === HOLE) return false
    this.#values![i] = HOLE
    return true
  }

  hasCommitted(key: string): boolean {
    return this.#at(this.#slot(key, this.#keys.length)) !== HOLE
  }

  getCommitted(key: string): C | undefined {
    const v = this.#at(this.#slot(key, this.#keys.length))
    return v === HOLE ? undefined : (v as C | undefined)
  }

  setCommitted(key: string, value: C): this {
    this.#put(this.#keys.length + this.#index(key), value)
    return this
  }

  /** Whether `test` holds for some current value, in order, without copying (autoflush asks of every object). */
  some(test: (key: string, value: V) => boolean): boolean {
    const values = this.#values
    if (values === undefined) return false
    for (let i = 0; i < this.#keys.length; i++) if (values[i] !== HOLE && test(this.#keys[i]!, values[i] as V)) return true
    return false
  }

  /** Forgets every current value (the committed ones stay). */
  clear(): void {
    this.#fill(0, this.#keys.length)
  }

  /** Forgets every committed value (the current ones stay). */
  clearCommitted(): void {
    this.#fill(this.#keys.length, 2 * this.#keys.length)
  }

  /** The committed values as [key, value] pairs. */
  committedEntries(): [string, C][] {
    return this.#pairs(this.#keys.length) as [string, C][]
  }

  *[Symbol.iterator](): Iterator<[string, V]> {
    // A copy of the pairs as they are now: callers may set while iterating.
    yield* this.#pairs(0) as [string, V][]
  }

  #index(key: string): number {
    const i = this.#keys.indexOf(key)
    if (i < 0) throw new TypeError(`internal: '${key}' is not a relationship of this object's class (${this.#keys.join(', ')})`)
    return i
  }

  /** The slot of `key` in the half starting at `offset`, or -1 when the class has no such relationship. */
  #slot(key: string, offset: number): number {
    const i = this.#keys.indexOf(key)
    return i < 0 ? -1 : offset + i
  }

  #at(slot: number): unknown {
    return slot < 0 || this.#values === undefined ? HOLE : this.#values[slot]
  }

  #put(slot: number, value: unknown): void {
    ;(this.#values ??= new Array<unknown>(2 * this.#keys.length).fill(HOLE))[slot] = value
  }

  #fill(from: number, to: number): void {
    if (this.#values !== undefined) this.#values.fill(HOLE, from, to)
  }

  #pairs(offset: number): [string, unknown][] {
    const values = this.#values
    const pairs: [string, unknown][] = []
    if (values !== undefined) for (let i = 0; i < this.#keys.length; i++) if (values[offset + i] !== HOLE) pairs.push([this.#keys[i]!, values[offset + i]])
    return pairs
  }
}
