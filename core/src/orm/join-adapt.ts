/**
 * How a joined load refers to a target's columns: through the alias its statement gives the
 * target's table (joined-loading.ts joins it, nested-joined.ts selects from it in a subquery).
 */
import { ArgumentError } from '../util/errors.js'
import { OrderBy, and } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import { ColumnRef } from '../sql/column.js'
import type { Column } from '../sql/column.js'
import type { Table } from '../sql/table.js'
import { TableAlias } from '../sql/from.js'
import type { FromClause } from '../sql/from.js'
import type { Relationship } from './relationship.js'

/** Maps a column of a parent's table to the expression that holds it in this statement. */
export type Adapt = (col: Column<unknown>) => Expression<unknown>

export function adaptTo(from: FromClause): Adapt {
  return from instanceof TableAlias ? (c) => from.corresponding(c) ?? c : (c) => c
}

/** A collection's orderBy names the target's columns; in the join they live on the aliases. */
function reroot(expr: Expression<unknown>, at: Adapt, table: Table): Expression<unknown> {
  const col = expr instanceof ColumnRef ? at(expr as Column<unknown>) : expr
  if (col !== expr) return col
  throw new ArgumentError(`joinedload: a relationship's orderBy must list columns of ${table.description}; got ${String(expr)}. Use selectinload for ordering by expressions.`)
}

/** A collection's own orderBy, on the columns where `at` puts its target's table. */
export function memberOrder(rel: Relationship, at: Adapt): OrderBy[] {
  return (rel.options.orderBy?.() ?? []).map((o) => {
    const ob = o instanceof OrderBy ? o : (o as Expression<unknown>).asc()
    return new OrderBy(reroot(ob.operand, at, rel.target.table), ob.direction, ob.nulls)
  })
}

/**
 * The conditions that join `rel`'s target to its parent: the parent's columns where `adapt`
 * finds them, the target's where `at` does, a many-to-many's secondary table's where `sec` does.
 * `criteria` (a single-table subclass's) goes with the target.
 */
export function joinConditions(rel: Relationship, adapt: Adapt, at: Adapt, sec: Adapt | undefined, criteria: Expression<boolean> | undefined): { secondary: Expression<boolean> | undefined; target: Expression<boolean> } {
  if (rel.direction === 'many-to-many') {
    return {
      secondary: and(...rel.pairs.map((p) => adapt(p.source).eq(sec!(p.dest) as never))),
      target: and(...rel.secondaryPairs.map((p) => sec!(p.dest).eq(at(p.source) as never)), criteria),
    }
  }
  const [local, remote] = rel.direction === 'many-to-one' ? (['dest', 'source'] as const) : (['source', 'dest'] as const)
  return { secondary: undefined, target: and(...rel.pairs.map((p) => adapt(p[local]).eq(at(p[remote]) as never)), criteria) }
}
