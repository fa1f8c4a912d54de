/** A slot with no value (a relationship not set), distinct from every value, `undefined` included. */
const HOLE: unique symbol = Symbol('athanor.relation-hole')

/**
 * The per-object map of relationship values, keyed by relationship name. A mapper has a handful
 * of relationships and every loaded object carries two of these maps, so the names are the
 * mapper's one list (`Mapper.relationshipKeys`, shared by all its objects) and each map holds
 * only a values array in that order, allocated at the first set: an empty JS Map costs ~170
 * bytes, and a load of 10,000 objects made 20,000 of them; a names array per map was 20,000 more
 * (benchmarks/PROFILE.md, passes 5 and 8).
 */
export class RelationMap<V> implements Iterable<[string, V]> {
  readonly #keys: readonly string[]
  #values: (V | typeof HOLE)[] | undefined
  constructor(keys: readonly string[]) {
    this.#keys = keys
  }

  get size(): number {
    let n = 0
    if (this.#values !== undefined) for (const v of this.#values) if (v !== HOLE) n++
    return n
  }

  has(key: string): boolean {
    const i = this.#keys.indexOf(key)
    return i >= 0 && this.#values !== undefined && this.#values[i] !== HOLE
  }

  get(key: string): V | undefined {
    if (this.#values === undefined) return undefined
    const v = this.#values[this.#keys.indexOf(key)]
    return v === HOLE ? undefined : (v as V | undefined)
  }

  set(key: string, value: V): this {
    const i = this.#keys.indexOf(key)
    if (i < 0) throw new TypeError(`internal: '${key}' is not a relationship of this object's class (${this.#keys.join(', ')})`)
    ;(this.#values ??= new Array<V | typeof HOLE>(this.#keys.length).fill(HOLE))[i] = value
    return this
  }

  delete(key: string): boolean {
    const i = this.#keys.indexOf(key)
    if (this.#values === undefined || i < 0 || this.#values[i] === HOLE) return false
    this.#values[i] = HOLE
    return true
  }

  /** Whether `test` holds for some set value, in order, without copying (autoflush asks of every object). */
  some(test: (key: string, value: V) => boolean): boolean {
    const values = this.#values
    if (values === undefined) return false
    for (let i = 0; i < values.length; i++) if (values[i] !== HOLE && test(this.#keys[i]!, values[i] as V)) return true
    return false
  }

  clear(): void {
    this.#values = undefined
  }

  *[Symbol.iterator](): Iterator<[string, V]> {
    const values = this.#values
    if (values === undefined) return
    // A copy of the pairs as they are now: callers may set while iterating.
    const pairs: [string, V][] = []
    for (let i = 0; i < values.length; i++) if (values[i] !== HOLE) pairs.push([this.#keys[i]!, values[i] as V])
    yield* pairs
  }
}
