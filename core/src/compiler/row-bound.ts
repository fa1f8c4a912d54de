import { Binary, Bind, BooleanList, Deferred } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import { Column, ColumnRef } from '../sql/column.js'
import { ColumnGroup, Select, columnsIn } from '../sql/select.js'
import { Table } from '../sql/table.js'

/*
 * Whether a SELECT can return at most one row, read from its structure alone (so it holds for
 * every compilation of one cached shape): one table, no joins, no GROUP BY, plain columns of that
 * table, and a WHERE whose AND-ed conditions include `column = value` for every column of the
 * table's primary key (or for one unique column). `session.get()` compiles to exactly that.
 *
 * Why: a driver may fetch such a statement's row more cheaply than a result set (libSQL's
 * `get()` steps the statement once instead of building a row iterator, half the cost of a
 * primary-key lookup on an embedded file). A false "no" only costs that speed, so anything
 * unusual answers no: aliases, subquery FROMs, functions in the select list (a set-returning
 * function would multiply rows), ROLLUP (adds subtotal rows), OR.
 */
export function selectsAtMostOneRow(s: Select): boolean {
  const st = s.state
  if (st.joins.length > 0 || st.groupBy.length > 0 || st.froms.length > 1 || st.where === undefined) return false
  let table: Table | undefined = st.froms[0] instanceof Table ? st.froms[0] : undefined
  if (st.froms.length === 1 && table === undefined) return false
  for (const c of st.columns) {
    const from = c instanceof ColumnGroup ? c.from : c instanceof ColumnRef ? c.from : undefined
    if (!(from instanceof Table) || (table !== undefined && from !== table)) return false
    table = from
  }
  if (table === undefined) return false
  for (const col of columnsIn(st.where)) if (col.from !== table) return false
  const pinned = new Set<Column<unknown>>()
  for (const cond of conjuncts(st.where)) {
    if (!(cond instanceof Binary) || cond.op !== '=') continue
    const col = cond.left instanceof Column ? cond.left : cond.right instanceof Column ? cond.right : undefined
    const value = col === cond.left ? cond.right : cond.left
    if (col !== undefined && col.from === table && value instanceof Bind) pinned.add(col)
  }
  if (table.primaryKey.length > 0 && table.primaryKey.every((c) => pinned.has(c))) return true
  for (const c of pinned) if (c.unique) return true
  return false
}

/** The conditions an expression AND-s together (itself, when it is not an AND). */
function conjuncts(e: Expression<unknown>, out: Expression<unknown>[] = []): Expression<unknown>[] {
  const expr = e instanceof Deferred ? e.resolved : e
  if (expr instanceof BooleanList && expr.op === 'AND') for (const item of expr.items) conjuncts(item, out)
  else out.push(expr)
  return out
}
