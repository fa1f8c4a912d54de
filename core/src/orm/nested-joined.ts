/**
 * Joined loading of a collection as nested rows, where the dialect can (capability `nestedRows`):
 * instead of a LEFT JOIN that repeats the parent's row once per member, each parent row gets one
 * more column, a correlated subquery whose value is the members' rows, and those hold what is
 * joined below them the same way. The statement's rows stay one per parent: no folding of
 * repeated rows, and a LIMIT counts parents without a subquery around the caller's statement.
 */
import { ScalarSubquery } from '../sql/elements.js'
import type { OrderBy } from '../sql/elements.js'
import type { FromClause, TableAlias } from '../sql/from.js'
import type { Table } from '../sql/table.js'
import { select, Select } from '../sql/select.js'
import type { JoinStep } from '../sql/select.js'
import { NestedRowList } from '../sql/nested-rows.js'
import type { Column } from '../sql/column.js'
import { onFrom } from './inheritance.js'
import type { Relationship } from './relationship.js'
import { LevelOptions } from './loader-options.js'
import { adaptTo, joinConditions, memberOrder } from './join-adapt.js'
import type { Adapt } from './join-adapt.js'
import type { JoinedNode } from './joined-loading.js'

/**
 * Whether a relationship joined below another one stops there: its back reference is on the path
 * (filled from memory), or it is itself, by its own `lazy: 'joined'` default (which would join
 * forever). A self-referential relationship that this level's options name joins again: an
 * option chain is as deep as it was written.
 */
export function onPath(rel: Relationship, seen: ReadonlySet<Relationship>, level: LevelOptions): boolean {
  if (rel.back !== undefined && seen.has(rel.back)) return true
  return seen.has(rel) && level.explicit(rel)?.strategy !== 'joined'
}

/**
 * Whether `rel`, and everything joined below it, can come back as nested rows: targets stored
 * in one table (a hierarchy over several tables needs joins), nothing filled from the caller's
 * own joins (containsEager).
 */
export function nestable(rel: Relationship, level: LevelOptions, seen: ReadonlySet<Relationship>): boolean {
  const target = rel.target
  if (target.group.from !== target.table) return false
  const next = LevelOptions.forMapper(level.children(rel), target)
  const path = new Set([...seen, rel])
  return target.relationships.every((r) => {
    const strategy = next.strategy(r)
    if (strategy === 'contains-eager') return false
    return strategy !== 'joined' || onPath(r, path, next) || nestable(r, next, path)
  })
}

/**
 * The nested-rows column that loads `rel` for parents whose columns `adapt` finds, and its node
 * for readJoinedRows: `start` is where the column sits in the parent's row. `alias` names each
 * table's alias (numbered by the caller's statement, so that names never clash).
 */
export function nestedRows(rel: Relationship, level: LevelOptions, adapt: Adapt, seen: ReadonlySet<Relationship>, start: number, alias: (t: Table) => TableAlias): { node: JoinedNode; column: ScalarSubquery<unknown> } {
  const target = rel.target
  const own = alias(target.table)
  const at = adaptTo(own)
  const secondary = rel.direction === 'many-to-many' ? alias(rel.options.secondary!) : undefined
  const on = joinConditions(rel, adapt, at, secondary && adaptTo(secondary), target.criteria && onFrom(target.criteria, own))
  // A many-to-many: FROM the secondary table JOIN the target, WHERE the secondary rows are the parent's.
  const from: FromClause = secondary ?? own
  const joins: JoinStep[] = secondary === undefined ? [] : [{ target: own, on: on.target, type: 'INNER' }]
  const where = on.secondary ?? on.target
  const columns = target.group.columns.map((c) => at(c as Column<unknown>))
  const next = level.children(rel)
  const nextLevel = LevelOptions.forMapper(next, target)
  const path = new Set([...seen, rel])
  const children: JoinedNode[] = []
  const nested: ScalarSubquery<unknown>[] = []
  for (const r of target.relationships) {
    if (nextLevel.strategy(r) !== 'joined' || onPath(r, path, nextLevel)) continue
    const child = nestedRows(r, nextLevel, at, path, columns.length + nested.length, alias)
    children.push(child.node)
    nested.push(child.column)
  }
  // Members in the relationship's order, else as the database reads them (as a join's rows and
  // select-in's come): ordering by key as well cost ~6 ms of a 1,000-author nested load.
  const orderBy: OrderBy[] = rel.uselist ? memberOrder(rel, at) : []
  const list = new NestedRowList(columns, nested, orderBy, !rel.uselist)
  const query = new Select({ ...select(list).state, froms: [from], joins, where })
  return { node: { rel, start, children, next, nested: { one: !rel.uselist } }, column: new ScalarSubquery(query, list.type) }
}
