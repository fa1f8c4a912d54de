/** A small least-recently-used map: the compiled-statement cache. */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>()
  readonly #max: number
  constructor(max: number) {
    this.#max = max
  }
  get(key: K): V | undefined {
    const v = this.#map.get(key)
    if (v !== undefined) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.#map.delete(key)
      this.#map.set(key, v)
    }
    return v
  }
  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K)
  }
  get size(): number {
    return this.#map.size
  }
  clear(): void {
    this.#map.clear()
  }
}
