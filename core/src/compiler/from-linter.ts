import { BooleanList } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { FromClause } from '../sql/from.js'
import { columnsIn } from '../sql/select.js'

/**
 * Finds FROM elements of one SELECT that nothing connects: not joined, and not compared with
 * each other in WHERE or HAVING. Such a query multiplies every row of one by every row of the
 * other (`FROM customers, orders` with a condition on orders only), which is almost always a
 * missing join (SQLAlchemy warns the same way). Elements linked only to an enclosing query
 * (a correlated subquery) count as connected through it.
 *
 * Returns the descriptions of the groups that are cut off from the first FROM, or undefined
 * when everything is connected.
 * ```ts
 * unconnectedFroms([customers, orders], [orders.c.total.gt(10)], [])   // ['orders']
 * ```
 */
export function unconnectedFroms(
  froms: readonly FromClause[],
  conditions: readonly (Expression<unknown> | undefined)[],
  outer: ReadonlySet<FromClause>,
): string[] | undefined {
  if (froms.length < 2) return undefined
  // Union-find over the FROM elements; index froms.length stands for "the enclosing query".
  const parent = froms.map((_, i) => i)
  parent.push(froms.length)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  const union = (a: number, b: number): void => void (parent[find(a)] = find(b))
  const nodeOf = (leaf: FromClause): number | undefined => {
    const i = froms.findIndex((f) => f === leaf || f.leaves.includes(leaf))
    if (i >= 0) return i
    return outer.has(leaf) ? froms.length : undefined
  }
  for (const condition of conditions) {
    if (condition === undefined) continue
    for (const part of conjuncts(condition)) {
      const nodes = [...new Set(columnsIn(part).map((c) => nodeOf(c.from)).filter((n): n is number => n !== undefined))]
      for (let i = 1; i < nodes.length; i++) union(nodes[0]!, nodes[i]!)
    }
  }
  const root = find(0)
  const cut = froms.filter((_, i) => find(i) !== root)
  return cut.length === 0 ? undefined : cut.map((f) => f.description)
}

/** The AND-ed parts of a condition, each judged on its own (an OR stays whole). */
function conjuncts(e: Expression<unknown>): Expression<unknown>[] {
  return e instanceof BooleanList && e.op === 'AND' ? e.items.flatMap(conjuncts) : [e]
}
