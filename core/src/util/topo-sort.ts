/**
 * Orders `items` so that every item comes after the items it depends on. Dependencies outside
 * `items` are ignored. Returns the order and the edges that had to be left out to break cycles,
 * so callers can handle those (the unit of work turns them into post-update steps).
 * The order is stable: items keep their given order where dependencies allow.
 */
export function topoSort<T>(items: readonly T[], dependsOn: (item: T) => Iterable<T>): { order: T[]; cycles: Array<[T, T]> } {
  const index = new Map<T, number>()
  items.forEach((item, i) => index.set(item, i))
  const state = new Uint8Array(items.length) // 0 = new, 1 = visiting, 2 = done
  const order: T[] = []
  const cycles: Array<[T, T]> = []
  const visit = (item: T, i: number): void => {
    state[i] = 1
    for (const dep of dependsOn(item)) {
      const j = index.get(dep)
      if (j === undefined || dep === item) continue
      if (state[j] === 1) cycles.push([item, dep])
      else if (state[j] === 0) visit(dep, j)
    }
    state[i] = 2
    order.push(item)
  }
  items.forEach((item, i) => {
    if (state[i] === 0) visit(item, i)
  })
  return { order, cycles }
}
