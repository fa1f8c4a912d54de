import { Join, Select, and, columnsIn, inferFroms, transform } from '@athanor/core'
import type { Expression, FromClause, JoinStep, Keyed, TreeVisitor } from '@athanor/core'
import { deletedColumnIn } from './registry.js'
import { isWithDeleted } from './options.js'

/** `deleted_at IS NULL` for every soft-deletable leaf of `from`, or undefined when none is. */
function liveCriteria(from: FromClause, skip: ReadonlySet<FromClause> = new Set()): Expression<boolean> | undefined {
  const conds = from.leaves.filter((l) => !skip.has(l)).map((l) => deletedColumnIn(l)?.isNull()).filter((c) => c !== undefined)
  return conds.length ? and(...conds) : undefined
}

/** An explicit Join in FROM: criteria of each right side go into its ON clause. */
function rejoin(from: FromClause): FromClause {
  if (!(from instanceof Join)) return from
  const left = rejoin(from.left)
  const extra = from.right instanceof Join ? undefined : liveCriteria(from.right)
  const right = rejoin(from.right)
  if (left === from.left && right === from.right && !extra) return from
  return new Join(left, right, extra ? and(from.on as Expression<boolean>, extra) : from.on, from.type)
}

/**
 * Adds "not deleted" criteria to one SELECT: joined tables get them in their ON clause (so an
 * outer join still yields the parent row), tables in FROM get them in WHERE. Tables of
 * enclosing selects (correlation) are left to those selects.
 */
function addCriteria(select: Select, outer: ReadonlySet<FromClause>): Select {
  const st = select.state
  let changed = false
  const joins = st.joins.map((j): JoinStep => {
    const extra = liveCriteria(j.target)
    if (!extra) return j
    changed = true
    return { ...j, on: and(j.on as Expression<boolean>, extra) }
  })
  const froms = st.froms.map((f) => {
    const r = rejoin(f)
    if (r !== f) changed = true
    return r
  })
  const covered = new Set<FromClause>(st.joins.flatMap((j) => [...j.target.leaves]))
  for (const f of st.froms) if (f instanceof Join) for (const l of f.right.leaves) covered.add(l)
  const candidates = [...st.froms, ...inferFroms(st.columns), ...(st.where ? columnsIn(st.where).map((c) => c.from) : [])]
  const where: Expression<boolean>[] = []
  const seen = new Set<FromClause>()
  for (const f of candidates) {
    if (seen.has(f) || (outer.has(f) && !st.froms.includes(f))) continue
    seen.add(f)
    const c = liveCriteria(f instanceof Join ? f.left : f, covered)
    if (c) where.push(c)
  }
  if (!changed && where.length === 0) return select
  const rebuilt = changed ? new Select({ ...st, joins, froms }) : select
  return where.length ? rebuilt.where(...where) : rebuilt
}

function fromsOf(select: Select): FromClause[] {
  const st = select.state
  return [...st.froms, ...inferFroms(st.columns), ...st.joins.map((j) => j.target)].flatMap((f) => [...f.leaves])
}

/**
 * Rewrites a statement so that every SELECT in it (subqueries included) leaves soft-deleted rows
 * out, except selects carrying `withDeleted()`. `memo` keeps rewritten subqueries across calls
 * so repeated statements keep hitting the compiled-SQL cache.
 */
export function excludeDeleted<S extends Keyed>(statement: S, memo: WeakMap<object, Keyed>): S {
  const outer: FromClause[][] = []
  const visitor: TreeVisitor = {
    enter(node) {
      if (!(node instanceof Select)) return undefined
      if (node.state.options.some(isWithDeleted)) return node
      outer.push(fromsOf(node))
      return undefined
    },
    leave(node, original) {
      if (!(original instanceof Select) || !(node instanceof Select)) return node
      outer.pop()
      return addCriteria(node, new Set(outer.flat()))
    },
  }
  return transform(statement, visitor, { memo })
}
