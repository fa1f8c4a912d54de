import { ArgumentError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'
import { Label, OrderBy, and } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { Column, ColumnRef } from '../sql/column.js'
import type { Table } from '../sql/table.js'
import { TableAlias } from '../sql/from.js'
import type { FromClause } from '../sql/from.js'
import { ColumnGroup, Select, inferFroms } from '../sql/select.js'
import type { JoinStep, PartialLayout, SelectColumn } from '../sql/select.js'
import { onFrom } from './inheritance.js'
import type { Mapper } from './mapper.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { isLoaded, setLoaded, setLoadedMembers } from './attributes.js'
import type { Relationship } from './relationship.js'
import { LevelOptions } from './loader-options.js'
import type { LoaderOption } from './loader-options.js'
import type { RowPlan } from './loading.js'
import { adaptTo, joinConditions, memberOrder } from './join-adapt.js'
import type { Adapt } from './join-adapt.js'
import { nestable, nestedRows, onPath } from './nested-joined.js'

/** One relationship loaded by a join: where its target's columns sit in the row, and what hangs below. */
export interface JoinedNode {
  readonly rel: Relationship
  /** Index of the target's first column in the statement's rows. */
  readonly start: number
  readonly children: readonly JoinedNode[]
  /** Options for the next level (selectin ones run after the rows are read). */
  readonly next: readonly LoaderOption[]
  /**
   * Loaded as nested rows (nested-joined.ts): the value at `start` is the members' rows (`one`:
   * the row, or null), each the target's columns and then its children's values.
   */
  readonly nested?: { readonly one: boolean }
}

/** A statement rewritten to load relationships by joins. */
export interface JoinedPlan {
  readonly statement: Select
  /** Joined nodes per position of the original row plan (entity positions only). */
  readonly roots: ReadonlyMap<number, readonly JoinedNode[]>
  /** True when a collection is joined: rows repeat per member and are folded back to one. */
  readonly multiplies: boolean
  /** How many columns the caller's own select list has (the rest is ours). */
  readonly width: number
}

interface Builder {
  readonly columns: SelectColumn[]
  readonly joins: JoinStep[]
  readonly orderBy: OrderBy[]
  /** The FROM clauses the caller's statement joins (where containsEager finds its targets). */
  readonly joinable: ReadonlySet<FromClause>
  count: number
  multiplies: boolean
  /** Collections may load as nested rows (capability `nestedRows`). */
  readonly nestedRows: boolean
}

/**
 * Rewrites `statement` so the relationships that `options` (or their `lazy: 'joined'` default)
 * load by join come back in the same rows: one LEFT OUTER JOIN per relationship (INNER for a
 * many-to-one whose foreign key is NOT NULL, while every join above it is inner too), the
 * targets' columns appended after the caller's. With LIMIT/OFFSET and a joined collection, the
 * caller's statement becomes a subquery first, so the limit counts parents rather than rows.
 * With `nested` (the dialect's capability `nestedRows`), a collection whose whole subtree allows it is
 * one nested-rows column instead (nested-joined.ts). Returns undefined when nothing is loaded by join.
 */
export function planJoined(statement: Select, plan: RowPlan, options: readonly LoaderOption[], nested = false): JoinedPlan | undefined {
  // No options and no relationship joined by default (most queries): no level to resolve.
  if (options.length === 0 && !joinsByDefault(plan)) return undefined
  const st = statement.state
  const wanted = plan.some((p) => p.kind === 'entity' && wantsJoin(p.mapper, LevelOptions.forMapper(options, p.mapper)))
  if (!wanted) return undefined
  const base = st.froms[0] ?? inferFroms(st.columns)[0]
  if (!base) return undefined
  const joinable = new Set<FromClause>([...base.leaves, ...st.joins.flatMap((j) => j.target.leaves)])
  const ownWidth = width(st.columns)
  const wrap = (st.limit !== undefined || st.offset !== undefined) && plan.some((p) => p.kind === 'entity' && joinsCollection(p.mapper, LevelOptions.forMapper(options, p.mapper), new Set(), nested))
  if (wrap && plan.some((p) => p.kind === 'entity' && containsEagerBelow(p.mapper, LevelOptions.forMapper(options, p.mapper), new Set()))) {
    throw new ArgumentError('containsEager() cannot be combined with a joinedload() of a collection under LIMIT/OFFSET (the limited rows become a subquery the join is not in); load the collection with selectinload() instead.')
  }
  const b: Builder = { columns: [], joins: [], orderBy: [], joinable, count: 0, multiplies: false, nestedRows: nested }
  let adaptAt: (start: number, m: Mapper, partial: PartialLayout | undefined) => Adapt
  let source: Select
  if (wrap) {
    // The caller's rows, limited, as a subquery: every column labelled so names cannot clash.
    const flat = flatten(st.columns)
    const orderLabels = st.orderBy.map((o, i) => o.operand.label(`_ob${i}`))
    const inner = new Select({ ...st, columns: [...flat.map((c, i) => c.label(`_c${i}`)), ...orderLabels], options: [] })
    const sub = inner.subquery('anon_1')
    const subCols = sub.columnList
    b.columns.push(...subCols.slice(0, ownWidth))
    b.orderBy.push(...st.orderBy.map((o, i) => new OrderBy(subCols[ownWidth + i]!, o.direction, o.nulls)))
    adaptAt = (start, m, partial) => {
      const columns = partial === undefined ? (m.group.columns as readonly Column<unknown>[]) : partial.columns.map((i) => m.columns[i]!)
      const byColumn = new Map<Column<unknown>, ColumnRef<unknown>>(columns.map((c, i) => [c, subCols[start + i]!]))
      return (c) => byColumn.get(c) ?? c
    }
    source = new Select({ ...st, columns: b.columns, froms: [sub], joins: [], where: undefined, groupBy: [], having: undefined, orderBy: [], limit: undefined, offset: undefined, distinct: false, options: [] })
  } else {
    b.columns.push(...st.columns)
    b.orderBy.push(...st.orderBy)
    adaptAt = (_start, m) => adaptTo(m.group.from)
    source = st.froms.length ? statement : new Select({ ...st, froms: [base] })
  }
  const roots = new Map<number, JoinedNode[]>()
  plan.forEach((p, i) => {
    if (p.kind !== 'entity' || (!wrap && !p.mapper.group.from.leaves.every((l) => joinable.has(l)))) return
    const nodes = collect(b, p.mapper, LevelOptions.forMapper(options, p.mapper), adaptAt(p.start, p.mapper, p.partial), true, new Set())
    if (nodes.length) roots.set(i, nodes)
  })
  if (roots.size === 0) return undefined
  const s = source.state
  const rewritten = new Select({ ...s, columns: b.columns, joins: [...s.joins, ...b.joins], orderBy: b.orderBy })
  return { statement: rewritten, roots, multiplies: b.multiplies, width: ownWidth }
}

/** How many values a select list's rows have (a group is its columns). */
function width(columns: readonly SelectColumn[]): number {
  return columns.reduce((n, c) => n + (c instanceof ColumnGroup ? c.columns.length : 1), 0)
}

function flatten(columns: readonly SelectColumn[]): Expression<unknown>[] {
  return columns.flatMap((c) => (c instanceof ColumnGroup ? [...c.columns] : [c instanceof Label ? c.operand : c]))
}

function wantsJoin(m: Mapper, level: LevelOptions): boolean {
  return m.relationships.some((r) => level.strategy(r) === 'joined' || level.strategy(r) === 'contains-eager')
}

function containsEagerBelow(m: Mapper, level: LevelOptions, seen: Set<Relationship>): boolean {
  return m.relationships.some((r) => {
    const s = level.strategy(r)
    if (seen.has(r)) return false
    return s === 'contains-eager' || (s === 'joined' && containsEagerBelow(r.target, LevelOptions.forMapper(level.children(r), r.target), new Set([...seen, r])))
  })
}

/** The FROM clause of the caller's joins that holds `rel`'s target: the alias the option names, or the one join of its table. */
function eagerSource(b: Builder, rel: Relationship, given: FromClause | undefined): FromClause {
  const table = rel.target.table
  if (given !== undefined) {
    if (!b.joinable.has(given)) throw new ArgumentError(`containsEager(${rel.description}, ${given.description}): the query does not join ${given.description}; add .join(${rel.description}.of(…)).`)
    return given
  }
  const found = [...b.joinable].filter((f) => f === table || (f instanceof TableAlias && f.target === table))
  if (found.length === 0) throw new ArgumentError(`containsEager(${rel.description}) fills the relationship from a join the query makes, and it joins no ${table.name}: add .join(${rel.description}).`)
  if (found.length > 1) throw new ArgumentError(`containsEager(${rel.description}): the query joins ${table.name} ${found.length} times; say which with containsEager(${rel.description}, alias).`)
  return found[0]!
}

/** Whether a collection is joined row by row below `m` (nested rows do not multiply the rows). */
function joinsCollection(m: Mapper, level: LevelOptions, seen: Set<Relationship>, nested: boolean): boolean {
  return m.relationships.some((r) => {
    if (level.strategy(r) !== 'joined' || onPath(r, seen, level)) return false
    if (r.uselist) return !(nested && nestable(r, level, seen))
    return joinsCollection(r.target, LevelOptions.forMapper(level.children(r), r.target), new Set([...seen, r]), nested)
  })
}

/**
 * Adds a join per joined relationship of `m` and recurses into the targets. `seen` holds the
 * relationships on the path, so defaults such as Author.posts ↔ Post.author (both `joined`)
 * stop instead of joining forever; the back reference is filled from memory anyway.
 */
function collect(b: Builder, m: Mapper, level: LevelOptions, adapt: Adapt, inner: boolean, seen: Set<Relationship>): JoinedNode[] {
  const nodes: JoinedNode[] = []
  for (const rel of m.relationships) {
    const strategy = level.strategy(rel)
    if (strategy === 'contains-eager') {
      nodes.push(eager(b, rel, level, seen))
      continue
    }
    if (strategy !== 'joined' || onPath(rel, seen, level)) continue
    if (b.nestedRows && rel.uselist && nestable(rel, level, seen)) {
      const { node, column } = nestedRows(rel, level, adapt, seen, width(b.columns), (t) => new TableAlias(t, `${t.name}_${++b.count}`))
      b.columns.push(column.label(`_nested_${b.count}`))
      nodes.push(node)
      continue
    }
    const target = rel.target
    const n = ++b.count
    // A hierarchy stored in several tables: an alias of each, the relationship's own table first.
    const tables = [target.table, ...(target.group.from.leaves as readonly Table[]).filter((t) => t !== target.table)]
    const aliases = new Map<FromClause, TableAlias>(tables.map((t) => [t, new TableAlias(t, `${t.name}_${n}`)]))
    const alias = aliases.get(target.table)!
    const at: Adapt = tables.length === 1 ? adaptTo(alias) : (c) => aliases.get(c.from)?.corresponding(c) ?? c
    const required = inner && rel.direction === 'many-to-one' && rel.pairs.every((p) => !(p.dest as Column<unknown>).nullable)
    const type = required ? 'INNER' : 'LEFT'
    const secondary = rel.direction === 'many-to-many' ? new TableAlias(rel.options.secondary!, `${rel.options.secondary!.name}_${n}`) : undefined
    const on = joinConditions(rel, adapt, at, secondary && adaptTo(secondary), tables.length === 1 ? target.criteria && onFrom(target.criteria, alias) : undefined)
    if (secondary !== undefined) b.joins.push({ target: secondary, on: on.secondary!, type })
    b.joins.push({ target: alias, on: on.target, type })
    if (tables.length > 1) joinHierarchy(b, target, aliases)
    const start = width(b.columns)
    b.columns.push(new ColumnGroup(alias, target.group.columns.map((c) => at(c as Column<unknown>) as ColumnRef<unknown>), target))
    if (rel.uselist) {
      b.multiplies = true
      b.orderBy.push(...memberOrder(rel, at))
    }
    const next = level.children(rel)
    const path = new Set([...seen, rel])
    const children = collect(b, target, LevelOptions.forMapper(next, target), at, required, path)
    nodes.push({ rel, start, children, next })
  }
  return nodes
}

/** containsEager: the target's columns from the caller's own join, and what hangs below them. */
function eager(b: Builder, rel: Relationship, level: LevelOptions, seen: Set<Relationship>): JoinedNode {
  if (rel.target.group.from !== rel.target.table) throw new ArgumentError(`containsEager(${rel.description}): ${rel.target.className} is stored in several tables (joined-table inheritance), which one join cannot fill; load it with selectinload().`)
  const from = eagerSource(b, rel, level.explicit(rel)?.source)
  const at = adaptTo(from)
  const start = width(b.columns)
  b.columns.push(new ColumnGroup(from, rel.target.group.columns.map((c) => at(c as Column<unknown>) as ColumnRef<unknown>), rel.target))
  if (rel.uselist) b.multiplies = true
  const next = level.children(rel)
  const children = collect(b, rel.target, LevelOptions.forMapper(next, rel.target), at, false, new Set([...seen, rel]))
  return { rel, start, children, next }
}

/**
 * The other tables of a hierarchy the relationship's target is stored in, joined to the aliases
 * already there on the key (outer: the first join decided whether there is a row). A single-table
 * subclass's criteria go with its root table's join.
 */
function joinHierarchy(b: Builder, target: Mapper, aliases: ReadonlyMap<FromClause, TableAlias>): void {
  const root = target.root.table
  const first = aliases.get(target.table)!
  const rootAlias = aliases.get(root)!
  for (const [t, a] of aliases) {
    if (t === target.table) continue
    const other = t === root ? first : rootAlias
    const on = and(...(t as Table).primaryKey.map((k, i) => a.corresponding(k)!.eq(other.corresponding((other.target as Table).primaryKey[i]!)! as never)), t === root && target.criteria ? onFrom(target.criteria, a) : undefined)
    b.joins.push({ target: a, on, type: 'LEFT' })
  }
}

/**
 * Builds (or finds) the object of the entity whose columns start at `start` in `raw` (`partial`:
 * some of them); undefined for an outer join's empty side.
 */
export type Hydrate = (m: Mapper, raw: readonly unknown[], start: number, partial?: PartialLayout) => object | undefined

/**
 * One entity position of a joined statement's rows. A joined collection repeats its parent's
 * columns on every member's row; a row whose key cells equal those of the last row read here is
 * the same row, so it yields the same object without a key string, an identity-map lookup or a
 * second 'load' event (9 in 10 parent rows of a one-to-many join). Only for full rows: a partial
 * one keys elsewhere. (@internal: exported for its spec.)
 */
export class RepeatFold {
  static #shapeKept = false
  /** A fold for one position; the first one made also keeps the shape (util/kept-shapes.ts). */
  static of(m: Mapper, start: number): RepeatFold {
    if (!RepeatFold.#shapeKept) (RepeatFold.#shapeKept = true, keepShape(new RepeatFold(m, start)))
    return new RepeatFold(m, start)
  }
  readonly #m: Mapper
  readonly #start: number
  readonly #keyAt: readonly number[]
  /** Where this entity's columns end in the row. */
  readonly #end: number
  #last: readonly unknown[] | undefined
  #obj: object | undefined
  constructor(m: Mapper, start: number) {
    this.#m = m
    this.#start = start
    this.#keyAt = m.pkIndexes.map((i) => start + i)
    this.#end = start + m.group.columns.length
  }
  hydrate(raw: readonly unknown[], hydrate: Hydrate): object | undefined {
    const last = this.#last
    if (last !== undefined && this.#sameKey(raw, last)) {
      // A repeat: its copies of this entity's values (the driver makes new strings for every row)
      // are dropped from the row, which may live on as a deeper entity's committed snapshot
      // (commitRow) and would keep them as long as the graph lives.
      ;(raw as unknown[]).fill(undefined, this.#start, this.#end)
      return this.#obj
    }
    this.#obj = hydrate(this.#m, raw, this.#start)
    this.#last = raw
    return this.#obj
  }
  #sameKey(raw: readonly unknown[], last: readonly unknown[]): boolean {
    // Strict equality: numbers, strings and bigints compare by value; a key that is an object
    // (a Date, bytes) never matches, and the row is hydrated as any other.
    for (let i = 0; i < this.#keyAt.length; i++) if (raw[this.#keyAt[i]!] !== last[this.#keyAt[i]!]) return false
    return true
  }
}

/**
 * The members one joined node gathered: each parent's, in row order, once each. A member repeats
 * in the rows of a deeper join or of a sibling collection; most repeats are the parent's last
 * member, and the rest are found by scanning the parent's few members, so a parent gets a Set
 * only once it has many (a Set and its copy per parent were ~0.5 MB of a 1,000-author joined
 * load's 18 MB; benchmarks/PROFILE.md pass 24).
 */
class Members {
  /** Scanning a list this long costs about what a Set lookup does. */
  static readonly #scanned = 16
  readonly byParent = new Map<InstanceState, object[]>()
  #large: Map<InstanceState, Set<object>> | undefined

  /** Every list came whole from all() (nested rows), made at its length, and none was added to since. */
  #whole = true

  /** `parent`'s members, all of them, distinct (nested rows); added one by one if it has some already. */
  all(parent: InstanceState, objs: object[]): void {
    if (this.byParent.has(parent)) {
      for (let i = 0; i < objs.length; i++) this.add(parent, objs[i]!)
      return
    }
    this.byParent.set(parent, objs)
  }

  /** Whether `list` has no spare room, so it may be kept as the loaded collection's snapshot (setLoadedMembers). */
  exact(list: object[]): boolean {
    return list.length === 0 || this.#whole
  }

  /** A row with no member for `parent` (an outer join's NULLs): it has an empty list. */
  none(parent: InstanceState): void {
    if (!this.byParent.has(parent)) this.byParent.set(parent, [])
  }

  add(parent: InstanceState, obj: object): void {
    this.#whole = false
    const list = this.byParent.get(parent)
    if (list === undefined) {
      this.byParent.set(parent, [obj])
      return
    }
    const n = list.length
    if (n > 0 && list[n - 1] === obj) return
    if (n < Members.#scanned) {
      if (!list.includes(obj)) list.push(obj)
      return
    }
    this.#large ??= new Map()
    let seen = this.#large.get(parent)
    if (seen === undefined) this.#large.set(parent, (seen = new Set(list)))
    if (!seen.has(obj)) (seen.add(obj), list.push(obj))
  }
}

const NO_ROWS: readonly unknown[][] = []

/** What a joined statement's rows turned into. */
export interface JoinedRows {
  /** The caller's rows (entities hydrated), one per parent row when a collection was joined. */
  readonly rows: unknown[][]
  /** The objects each node loaded, for the options of the next level. */
  readonly loaded: readonly { readonly node: JoinedNode; readonly states: InstanceState[] }[]
}

/**
 * Reads the rows of a joined statement: hydrates the caller's entities and every joined target,
 * gathers each parent's members in row order (once each), stores them on parents that were not
 * loaded yet, and folds the repeated parent rows a joined collection produces.
 */
export function readJoinedRows(jp: JoinedPlan, plan: RowPlan, raws: readonly (readonly unknown[])[], hydrate: Hydrate): JoinedRows {
  const members = new Map<JoinedNode, Members>()
  const rows: unknown[][] = []
  const seenRows = new Set<string>()
  // select(Entity): a row is its object, so repeated parent rows fold by identity, without a key string.
  const single = plan.length === 1 && plan[0]!.kind === 'entity'
  const seenObjects = new Set<unknown>()
  const folds = new Map<JoinedNode, RepeatFold>()
  const walk = (nodes: readonly JoinedNode[], parent: InstanceState, raw: readonly unknown[]): void => {
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n]!
      let gathered = members.get(node)
      if (gathered === undefined) members.set(node, (gathered = new Members()))
      if (node.nested !== undefined) {
        walkNested(node, node.nested.one, gathered, parent, raw as unknown[])
        continue
      }
      let fold = folds.get(node)
      if (fold === undefined) folds.set(node, (fold = RepeatFold.of(node.rel.target, node.start)))
      const obj = fold.hydrate(raw, hydrate)
      if (obj === undefined) {
        gathered.none(parent)
        continue
      }
      gathered.add(parent, obj)
      if (node.children.length) walk(node.children, maybeState(obj)!, raw)
    }
  }
  // A nested-rows value: the members' own rows, each with the values of what hangs below it.
  // A row may live on as its object's committed snapshot (commitRow): without the rows nested in
  // it, which their own objects keep (a member's row cut to its own columns: setting the cells to
  // undefined kept 2.9 MB more of a 1,000-author nested load, benchmarks/PROFILE.md pass 32).
  const walkNested = (node: JoinedNode, one: boolean, gathered: Members, parent: InstanceState, raw: unknown[]): void => {
    const value = raw[node.start]
    raw[node.start] = undefined
    const rows = (one ? (value === null ? NO_ROWS : [value]) : value) as unknown[][]
    if (rows.length === 0) return gathered.none(parent)
    const target = node.rel.target
    const nested = node.children.length
    const objs = new Array<object>(rows.length)
    let n = 0
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      // No object for a row without a key (SQLite lets a PRIMARY KEY column hold NULL), as a join's.
      const obj = hydrate(target, row, 0)
      if (obj === undefined) continue
      objs[n++] = obj
      if (nested === 0) continue
      walk(node.children, maybeState(obj)!, row)
      row.length -= nested
    }
    if (n < objs.length) objs.length = n
    gathered.all(parent, objs)
  }
  // Per row: no Map iteration (an entry array each step) and, for select(Entity), no row array
  // for the repeats of a parent that a joined collection produces.
  const roots = [...jp.roots]
  const entity = single ? (plan[0] as Extract<RowPlan[number], { kind: 'entity' }>) : undefined
  const entityNodes = single ? jp.roots.get(0) : undefined
  const entityFold = entity !== undefined && entity.partial === undefined ? RepeatFold.of(entity.mapper, entity.start) : undefined
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!
    if (entity !== undefined) {
      const obj = entityFold !== undefined ? entityFold.hydrate(raw, hydrate) : hydrate(entity.mapper, raw, entity.start, entity.partial)
      const parent = entityNodes === undefined ? undefined : maybeState(obj)
      if (parent) walk(entityNodes!, parent, raw)
      if (jp.multiplies) {
        if (seenObjects.has(obj)) continue
        seenObjects.add(obj)
      }
      rows.push([obj])
      continue
    }
    const row = plan.map((p) => (p.kind === 'value' ? raw[p.index] : hydrate(p.mapper, raw, p.start, p.partial)))
    for (let r = 0; r < roots.length; r++) {
      const parent = maybeState(row[roots[r]![0]])
      if (parent) walk(roots[r]![1], parent, raw)
    }
    if (jp.multiplies) {
      const key = rowKey(row)
      if (seenRows.has(key)) continue
      seenRows.add(key)
    }
    rows.push(row)
  }
  const loaded: { node: JoinedNode; states: InstanceState[] }[] = []
  for (const [node, gathered] of members) {
    const { rel } = node
    const { byParent } = gathered
    const back = rel.back
    // One-to-many members belong to one parent each, so the lists are disjoint: no Set needed.
    const disjoint = rel.direction === 'one-to-many'
    const states = disjoint ? undefined : new Set<InstanceState>()
    const list: InstanceState[] = []
    // forEach and indexed loops: this runs once per query, mostly unoptimised, where each step
    // of an iterator allocates its result (PROFILE.md pass 17).
    byParent.forEach((items, parent) => {
      for (let i = 0; i < items.length; i++) {
        const s = maybeState(items[i])!
        if (states === undefined) list.push(s)
        else if (!states.has(s)) (states.add(s), list.push(s))
      }
      if (isLoaded(parent, rel) && !parent.expired) return
      // Member lists grown by push are not exact (setLoadedMembers): an empty one and a nested one are.
      if (rel.uselist) setLoadedMembers(parent, rel, items, gathered.exact(items))
      else setLoaded(parent, rel, items[0] ?? null)
      // The many-to-one side is known too: child.parent reads without a query.
      if (back && !back.uselist && rel.direction === 'one-to-many') {
        for (let i = 0; i < items.length; i++) {
          const s = maybeState(items[i])!
          if (!isLoaded(s, back)) setLoaded(s, back, parent.obj)
        }
      }
    })
    loaded.push({ node, states: list })
  }
  return { rows, loaded }
}

/** Identity of a caller's row: entities by identity key, values by type and value. */
function rowKey(row: readonly unknown[]): string {
  return row.map((v) => {
    const s = maybeState(v)
    if (s) return 'e' + s.key
    if (v instanceof Date) return 'd' + v.getTime()
    return typeof v + ':' + (typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) : String(v))
  }).join('\u0001')
}

/** Whether an entity of `plan` has a relationship joined by default (plain loops: asked of every query). */
function joinsByDefault(plan: RowPlan): boolean {
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!
    if (p.kind !== 'entity') continue
    const rels = p.mapper.relationships
    for (let j = 0; j < rels.length; j++) if (rels[j]!.lazy === 'joined') return true
  }
  return false
}
