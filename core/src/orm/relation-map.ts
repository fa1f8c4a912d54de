/**
 * The per-object map of relationship values, keyed by relationship name. A mapper has a handful
 * of relationships and every loaded object carries two of these maps, so they are parallel arrays
 * searched in order, allocated at the first set: an empty JS Map costs ~170 bytes, and a load of
 * 10,000 objects made 20,000 of them (benchmarks/PROFILE.md, pass 5).
 */
export class RelationMap<V> implements Iterable<[string, V]> {
  #keys: string[] | undefined
  #values: V[] | undefined

  get size(): number {
    return this.#keys?.length ?? 0
  }

  has(key: string): boolean {
    return this.#keys !== undefined && this.#keys.indexOf(key) >= 0
  }

  get(key: string): V | undefined {
    const i = this.#keys === undefined ? -1 : this.#keys.indexOf(key)
    return i < 0 ? undefined : this.#values![i]
  }

  set(key: string, value: V): this {
    if (this.#keys === undefined) {
      this.#keys = [key]
      this.#values = [value]
      return this
    }
    const i = this.#keys.indexOf(key)
    if (i >= 0) this.#values![i] = value
    else (this.#keys.push(key), this.#values!.push(value))
    return this
  }

  delete(key: string): boolean {
    const i = this.#keys === undefined ? -1 : this.#keys.indexOf(key)
    if (i < 0) return false
    this.#keys!.splice(i, 1)
    this.#values!.splice(i, 1)
    return true
  }

  clear(): void {
    this.#keys = undefined
    this.#values = undefined
  }

  *[Symbol.iterator](): Iterator<[string, V]> {
    const keys = this.#keys
    const values = this.#values
    if (keys === undefined) return
    // A copy of the pairs as they are now: callers may set while iterating.
    const n = keys.length
    const pairs: [string, V][] = []
    for (let i = 0; i < n; i++) pairs.push([keys[i]!, values![i]!])
    yield* pairs
  }
}
