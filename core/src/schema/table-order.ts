import { topoSort } from '../util/topo-sort.js'

/** A foreign key as table ordering sees it: the sql layer's resolved keys fit this shape. */
export interface OrderableForeignKey<T> {
  /** The table holding the key. */
  readonly table: T
  readonly target: T
  readonly columns: readonly { readonly nullable: boolean }[]
  readonly useAlter: boolean
}

/** Tables in creation order, and the foreign keys to add with ALTER TABLE once they all exist. */
export interface TableOrder<T, K> {
  readonly tables: T[]
  readonly alterForeignKeys: K[]
}

/**
 * Orders tables so each is created after the tables its foreign keys reference. Keys marked
 * `useAlter` are left to ALTER TABLE; so is one edge of every remaining cycle between tables,
 * chosen deterministically: an edge whose key columns are all nullable first (the same edge a
 * unit of work post-updates), then the earliest table in `tables` order. References of a table
 * to itself stay inline: every database accepts them in CREATE TABLE.
 * ```ts
 * orderTables([users, posts], (t) => t.foreignKeys)
 * // { tables: [posts, users], alterForeignKeys: [users.favorite_post_id → posts.id] }
 * ```
 */
export function orderTables<T, K extends OrderableForeignKey<T>>(tables: readonly T[], foreignKeys: (table: T) => readonly K[]): TableOrder<T, K> {
  const index = new Map<T, number>(tables.map((t, i) => [t, i]))
  const alter = new Set<K>()
  // from → to → the keys making that edge; an edge is broken by deferring all its keys.
  const edges = new Map<T, Map<T, K[]>>(tables.map((t) => [t, new Map<T, K[]>()]))
  for (const t of tables) {
    for (const fk of foreignKeys(t)) {
      if (fk.useAlter) alter.add(fk)
      else if (fk.target !== t && index.has(fk.target)) {
        const out = edges.get(t)!
        out.set(fk.target, [...(out.get(fk.target) ?? []), fk])
      }
    }
  }
  for (let edge = cycleEdge(tables, edges, index); edge; edge = cycleEdge(tables, edges, index)) {
    for (const fk of edge.keys) alter.add(fk)
    edges.get(edge.from)!.delete(edge.to)
  }
  const order = topoSort(tables, (t) => edges.get(t)!.keys()).order
  return { tables: order, alterForeignKeys: tables.flatMap((t) => foreignKeys(t).filter((fk) => alter.has(fk))) }
}

/** The edge to break next: one lying on a cycle, nullable keys first, then by table order. */
function cycleEdge<T, K extends OrderableForeignKey<T>>(
  tables: readonly T[], edges: ReadonlyMap<T, ReadonlyMap<T, K[]>>, index: ReadonlyMap<T, number>,
): { from: T; to: T; keys: K[] } | undefined {
  let best: { from: T; to: T; keys: K[]; rank: number[] } | undefined
  for (const from of tables) {
    for (const [to, keys] of edges.get(from)!) {
      if (!reaches(to, from, edges)) continue
      const nullable = keys.every((fk) => fk.columns.every((c) => c.nullable))
      const rank = [nullable ? 0 : 1, index.get(from)!, index.get(to)!]
      if (!best || compareRanks(rank, best.rank) < 0) best = { from, to, keys, rank }
    }
  }
  return best
}

function reaches<T>(start: T, goal: T, edges: ReadonlyMap<T, ReadonlyMap<T, unknown>>): boolean {
  const seen = new Set<T>([start])
  const stack = [start]
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    if (t === goal) return true
    for (const next of edges.get(t)?.keys() ?? []) {
      if (!seen.has(next)) (seen.add(next), stack.push(next))
    }
  }
  return false
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
