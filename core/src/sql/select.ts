import { Integer, NullType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'
import { Bind, BooleanList, Deferred, Expression, Label, OrderBy, ScalarSubquery, Unary, expectExpression } from './elements.js'
import { Inline } from './literals.js'
import { describeValue } from '../util/describe-value.js'
import type { SubqueryLike } from './elements.js'
import { ColumnRef } from './column.js'
import { FromClause, Join, Subquery, inferJoinCondition } from './from.js'
import type { JoinType, NamedColumnsQuery } from './from.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'
import type { Table, TableRow } from './table.js'
import type { RelatedClass, WithColumnLoads, WithLoads } from './loaded.js'
import type { ColumnSpecs } from './table.js'

/** Objects that stand for a clause: mapped classes (an entity's columns) implement this. */
export const CLAUSE: unique symbol = Symbol.for('athanor.clause')
/** Objects that know how to join themselves: ORM relationship attributes implement this. */
export const JOIN_PATH: unique symbol = Symbol.for('athanor.join-path')

export interface ClauseProvider {
  [CLAUSE](): ColumnGroup | FromClause
}

export interface JoinPathProvider {
  /** The joins that lead from `left` along this path, in order. */
  [JOIN_PATH](left: FromClause): readonly { readonly target: FromClause; readonly on: Expression<unknown> }[]
}

/**
 * Several columns of one FROM clause selected as one item: `select(users)` or an ORM entity.
 * `entity` is opaque to core; the ORM reads it to build instances from the columns.
 */
/**
 * An entity loaded with some of its columns (deferred ones left out): for each column of the
 * group, its index among the entity's columns, and where in the group its key columns are.
 */
export interface PartialLayout {
  readonly columns: readonly number[]
  readonly keyAt: readonly number[]
}

export class ColumnGroup implements Keyed {
  readonly kind = 'column-group'
  readonly from: FromClause
  readonly columns: readonly ColumnRef<unknown>[]
  readonly entity: unknown
  /** Set when the group holds only some of the entity's columns. */
  readonly partial: PartialLayout | undefined
  constructor(from: FromClause, columns: readonly ColumnRef<unknown>[], entity?: unknown, partial?: PartialLayout) {
    this.from = from
    this.columns = columns
    this.entity = entity
    this.partial = partial
  }
  /** The key of a group of table columns (an entity's own): walk-independent, so made once. */
  #tableKey: string | undefined
  key(k: KeyBuilder): void {
    if (this.#tableKey !== undefined) {
      k.s += this.#tableKey
      return
    }
    const from = k.s.length
    k.s += 'G'
    keyList(k, this.columns)
    if (this.columns.every((c) => c.from.kind === 'table')) this.#tableKey = k.s.slice(from)
  }
}

// The select list is typed item by item; `any` below only describes constructor shapes.
type EntityClass<I> = (abstract new (...args: any[]) => I) & ClauseProvider
type WithColumns = FromClause & { readonly c: Record<string, ColumnRef<any, string>> }
/** What `select()` accepts: expressions, tables, aliases, subqueries, mapped classes. */
export type SelectItem = Expression<any> | WithColumns | ColumnGroup | ClauseProvider

/** A mapped class under another name (the ORM's `aliased()`): selecting it yields `I` objects. */
export interface EntityAlias<I> extends ClauseProvider {
  readonly __entity: I
}
type ItemTuple<E> = E extends Expression<infer T> ? [T] : E extends EntityClass<infer I> ? [I] : E extends EntityAlias<infer I> ? [I] : unknown[]
type ItemMapping<E> =
  E extends Label<infer T, infer N> ? { [K in N]: T }
  : E extends ColumnRef<infer T, infer K> ? { [P in K]: T }
  : E extends Table<infer S extends ColumnSpecs> ? TableRow<S>
  : E extends { readonly c: infer C } ? { [K in keyof C]: C[K] extends ColumnRef<infer T, string> ? T : never }
  : {}

/** The row tuple of a select list. */
export type RowOf<Es extends readonly unknown[]> = Es extends readonly [infer H, ...infer R] ? [...ItemTuple<H>, ...RowOf<R>] : []
type MappingOf0<Es extends readonly unknown[]> = Es extends readonly [infer H, ...infer R] ? ItemMapping<H> & MappingOf0<R> : unknown
/** A row typed by position, keyed by the names given to its columns (a CTE's column list). */
export type NamedRow<R extends readonly unknown[], N extends readonly string[]> = { [I in keyof N & `${number}` as N[I] & string]: I extends keyof R ? R[I] : unknown }
/** The row object (`mappings()`) of a select list. */
export type MappingOf<Es extends readonly unknown[]> = { [K in keyof MappingOf0<Es>]: MappingOf0<Es>[K] }

/** A select-list entry after items are resolved. */
export type SelectColumn = Expression<unknown> | ColumnGroup

/**
 * The classes an object of type `E` refers to through its attributes (`Post[]` or `Author | null`
 * fields): what an ORM loader option on a select of `E` may load. (`$`, a model's awaitable
 * attributes, is not one.)
 */
export type RelatedOf<E> = E extends object
  ? { [K in Exclude<keyof E, '$'>]-?: E[K] extends (...args: never[]) => unknown ? never : RelatedClass<E[K]> extends infer C ? (C extends object ? C : never) : never }[Exclude<keyof E, '$'>]
  : never
/** A statement option that says which class it loads (ORM loader options do). */
export interface TargetedOption<T> {
  readonly __loads: T
}
/**
 * What `Select.options()` accepts for rows `R`: loader options whose path starts at a class in
 * the select list, and options of other kinds (which carry no `__loads`).
 */
export type OptionFor<R extends readonly unknown[]> = TargetedOption<RelatedOf<R[number]>> | { readonly __loads?: undefined }

export interface JoinStep {
  readonly target: FromClause
  readonly on: Expression<unknown>
  readonly type: JoinType
}

export interface LockOptions {
  readonly nowait?: boolean
  readonly skipLocked?: boolean
  readonly read?: boolean
}

/** How the executing layer runs a select; they do not change its SQL. */
export interface ExecutionOptions {
  /**
   * The ORM overwrites objects the session already holds with the rows this query returns
   * (SQLAlchemy's populate_existing), discarding their unflushed changes. Locking reads
   * (`forUpdate()`, `forShare()`) do so unless this is `false`.
   */
  readonly populateExisting?: boolean | undefined
}

export interface SelectState {
  readonly columns: readonly SelectColumn[]
  readonly froms: readonly FromClause[]
  readonly joins: readonly JoinStep[]
  readonly where: Expression<unknown> | undefined
  readonly groupBy: readonly Expression<unknown>[]
  readonly having: Expression<unknown> | undefined
  readonly orderBy: readonly OrderBy[]
  readonly limit: Expression<unknown> | undefined
  readonly offset: Expression<unknown> | undefined
  readonly distinct: boolean
  /** PostgreSQL's DISTINCT ON expressions (with `distinct` true). */
  readonly distinctOn: readonly Expression<unknown>[]
  readonly lock: LockOptions | undefined
  /** Opaque options for the layer that executes the statement (the ORM's loader options). */
  readonly options: readonly unknown[]
  readonly execution: ExecutionOptions
}

const EMPTY: SelectState = {
  columns: [], froms: [], joins: [], where: undefined, groupBy: [], having: undefined, orderBy: [],
  limit: undefined, offset: undefined, distinct: false, distinctOn: [], lock: undefined, options: [], execution: {},
}

/** Names and types of a select list's result columns, in order; groups expand to their columns. */
export function resultColumnsOf(columns: readonly SelectColumn[]): { name: string; type: Expression<unknown>['type'] }[] {
  const out: { name: string; type: Expression<unknown>['type'] }[] = []
  for (const c of columns) {
    // Columns are named by their keys (the select list says `col AS key` where the SQL name differs).
    if (c instanceof ColumnGroup) for (const col of c.columns) out.push({ name: col.key_, type: col.type })
    else out.push({ name: c instanceof Label ? c.name : c instanceof ColumnRef ? c.key_ : `_${out.length + 1}`, type: c.type })
  }
  return out
}

/** Resolves one select() argument to select-list entries. */
export function resolveItem(item: SelectItem): SelectColumn {
  if (item instanceof Expression || item instanceof ColumnGroup) return item
  if (typeof item !== 'object' && typeof item !== 'function' || item === null) {
    const constant = typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint' ? ` For a constant, write literal(${String(item)}).` : ''
    throw new ArgumentError(`select() takes columns, expressions, tables, subqueries or mapped classes, not ${describeValue(item)}.${constant}`)
  }
  if (CLAUSE in item) {
    const c = (item as ClauseProvider)[CLAUSE]()
    return c instanceof ColumnGroup ? c : new ColumnGroup(c, c.columnList)
  }
  if (item instanceof FromClause) return new ColumnGroup(item, item.columnList)
  throw new ArgumentError(`select() takes columns, expressions, tables, subqueries or mapped classes, not ${describeValue(item)}.`)
}

/** Resolves a join target (table, alias, mapped class) to a FROM clause. */
export function resolveFrom(target: FromClause | ClauseProvider, where = 'from()'): FromClause {
  if (target instanceof FromClause) return target
  if (typeof target !== 'object' && typeof target !== 'function' || target === null || !(CLAUSE in target)) {
    throw new ArgumentError(`${where} takes a table, an alias, a subquery or a mapped class, not ${describeValue(target)}.`)
  }
  const c = target[CLAUSE]()
  return c instanceof ColumnGroup ? c.from : c
}

type OrderItem = OrderBy | Expression<unknown>
function toOrder(items: readonly OrderItem[]): OrderBy[] {
  return items.map((i) => {
    if (i instanceof OrderBy) return i
    // A string here would be SQL text from who knows where (CVE-2019-7164 in SQLAlchemy): refuse it.
    if (!(i instanceof Expression)) {
      throw new ArgumentError(`orderBy() takes columns or expressions (users.c.name, users.c.id.desc()), not ${describeValue(i)}. Map user input to a column yourself, e.g. { name: users.c.name }[key].`)
    }
    return i.asc()
  })
}

/**
 * A SELECT statement. Every method returns a new Select.
 * ```ts
 * const stmt = select(users.c.id, users.c.name).where(users.c.name.like('A%')).orderBy(users.c.id).limit(10)
 * const rows = await conn.execute(stmt)   // rows typed [number, string]
 * ```
 */
export class Select<R extends readonly unknown[] = unknown[], M = Record<string, unknown>> implements SubqueryLike, NamedColumnsQuery {
  readonly kind = 'select'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly state: SelectState
  constructor(state: SelectState) {
    this.state = state
  }

  #with(patch: Partial<SelectState>): Select<R, M> {
    return new Select<R, M>({ ...this.state, ...patch })
  }

  key(k: KeyBuilder): void {
    const s = this.state
    k.s += 'SEL' + (s.distinct ? 'D' : '')
    if (s.distinctOn.length) (k.s += 'on', keyList(k, s.distinctOn))
    keyList(k, s.columns)
    k.s += 'F'
    keyList(k, s.froms)
    for (const j of s.joins) {
      k.s += 'j' + j.type
      j.target.key(k)
      j.on.key(k)
    }
    if (s.where) (k.s += 'W', s.where.key(k))
    if (s.groupBy.length) (k.s += 'G', keyList(k, s.groupBy))
    if (s.having) (k.s += 'H', s.having.key(k))
    if (s.orderBy.length) (k.s += 'O', keyList(k, s.orderBy))
    if (s.limit) (k.s += 'L', s.limit.key(k))
    if (s.offset) (k.s += 'Of', s.offset.key(k))
    if (s.lock) k.s += 'U' + JSON.stringify(s.lock)
  }

  /** The columns of the result as (name, type), in order; groups expand to their columns. */
  get resultColumns(): { name: string; type: Expression<unknown>['type'] }[] {
    return resultColumnsOf(this.state.columns)
  }

  /** Adds WHERE conditions, joined with AND. */
  where(...conditions: (Expression<boolean | null> | undefined)[]): Select<R, M> {
    conditions.forEach((c) => c === undefined || expectExpression(c, 'where()'))
    const all = [this.state.where, ...conditions].filter((c): c is Expression<unknown> => c !== undefined)
    if (all.length === 0) return this
    return this.#with({ where: all.length === 1 ? all[0] : new BooleanList('AND', all) })
  }

  /** Adds explicit FROM clauses (for selects whose columns name no table, or cross joins). */
  from(...froms: (FromClause | ClauseProvider)[]): Select<R, M> {
    return this.#with({ froms: [...this.state.froms, ...froms.map((f) => resolveFrom(f))] })
  }

  /**
   * `JOIN target ON condition`; without a condition, the ON is inferred from foreign keys, and
   * ORM relationship attributes (`Post.tags`) join along the relationship.
   */
  join(target: FromClause | ClauseProvider | JoinPathProvider, on?: Expression<boolean | null>): Select<R, M> {
    return this.#join(target, on, 'INNER')
  }
  /** `LEFT OUTER JOIN`. */
  outerJoin(target: FromClause | ClauseProvider | JoinPathProvider, on?: Expression<boolean | null>): Select<R, M> {
    return this.#join(target, on, 'LEFT')
  }
  /** `FULL OUTER JOIN`. */
  fullJoin(target: FromClause | ClauseProvider | JoinPathProvider, on?: Expression<boolean | null>): Select<R, M> {
    return this.#join(target, on, 'FULL')
  }

  #join(target: FromClause | ClauseProvider | JoinPathProvider, on: Expression<unknown> | undefined, type: JoinType): Select<R, M> {
    if (on !== undefined) expectExpression(on, 'join() condition')
    if (typeof target !== 'object' && typeof target !== 'function' || target === null) {
      throw new ArgumentError(`join() takes a table, an alias, a subquery, a mapped class or a relationship (Post.author), not ${describeValue(target)}.`)
    }
    const left = this.joinedFrom()
    if (JOIN_PATH in target) {
      // Along a relationship; an explicit condition replaces the ON of the join to its target.
      const steps = (target as JoinPathProvider)[JOIN_PATH](left)
      const last = steps.length - 1
      return this.#with({ joins: [...this.state.joins, ...steps.map((s, i) => ({ ...s, on: i === last && on !== undefined ? on : s.on, type }))] })
    }
    const right = resolveFrom(target as FromClause | ClauseProvider, 'join()')
    return this.#with({ joins: [...this.state.joins, { target: right, on: on ?? inferJoinCondition(left, right), type }] })
  }

  /** The FROM clause joins attach to: the join chain so far, or the first FROM. */
  joinedFrom(): FromClause {
    const base = this.state.froms[0] ?? inferFroms(this.state.columns)[0]
    if (!base) throw new ArgumentError('join() needs a FROM to join to: select a column or table first, or call from().')
    return this.state.joins.reduce<FromClause>((l, j) => new Join(l, j.target, j.on, j.type), base)
  }

  groupBy(...exprs: Expression<unknown>[]): Select<R, M> {
    return this.#with({ groupBy: [...this.state.groupBy, ...exprs.map((e) => expectExpression(e, 'groupBy()'))] })
  }
  having(condition: Expression<boolean | null>): Select<R, M> {
    expectExpression(condition, 'having()')
    return this.#with({ having: this.state.having ? new BooleanList('AND', [this.state.having, condition]) : condition })
  }
  /** ORDER BY; a bare expression sorts ascending. */
  orderBy(...items: OrderItem[]): Select<R, M> {
    return this.#with({ orderBy: [...this.state.orderBy, ...toOrder(items)] })
  }
  /**
   * LIMIT n, written into the SQL text (`LIMIT 20`) so that a prepared statement's plan knows
   * the row goal; OFFSET is bound.
   * ```ts
   * select(User).orderBy(User.c.id).limit(20).offset(page * 20)
   * ```
   */
  limit(n: number): Select<R, M> {
    return this.#with({ limit: rowLimit(n) })
  }
  offset(n: number): Select<R, M> {
    return this.#with({ offset: new Bind(checkCount('offset', n), Integer) })
  }
  /**
   * `SELECT DISTINCT`; with expressions, PostgreSQL's `DISTINCT ON (…)`: the first row of each
   * group of equal values, in ORDER BY order (other databases: rank with a window in a subquery).
   */
  distinct(...on: Expression<unknown>[]): Select<R, M> {
    return this.#with({ distinct: true, distinctOn: [...this.state.distinctOn, ...on.map((e, i) => expectExpression(e, `distinct() item ${i + 1}`))] })
  }
  /**
   * `FOR UPDATE` (ignored by dialects without row locks). In a session, the objects it returns
   * are refreshed from their rows even when the session already holds them (see
   * `executionOptions({ populateExisting })`).
   */
  forUpdate(options: LockOptions = {}): Select<R, M> {
    return this.#with({ lock: options })
  }
  /** `FOR SHARE` (MySQL 5.7: `LOCK IN SHARE MODE`); refreshes returned objects like forUpdate(). */
  forShare(options: Omit<LockOptions, 'read'> = {}): Select<R, M> {
    return this.#with({ lock: { ...options, read: true } })
  }
  /**
   * Options for the layer that executes the select, e.g. refreshing objects the session holds:
   * ```ts
   * await session.scalars(select(Product).where(Product.c.id.eq(1)).executionOptions({ populateExisting: true }))
   * ```
   */
  executionOptions(options: ExecutionOptions): Select<R, M> {
    return this.#with({ execution: { ...this.state.execution, ...options } })
  }
  /** Attaches options for the executing layer, such as ORM loader options. */
  options<const O extends readonly OptionFor<R>[]>(...options: O): Select<WithColumnLoads<WithLoads<R, O[number]>, O[number]>, M> {
    // Loader options change only what the rows' relationships and columns are known to hold (a type).
    return this.#with({ options: [...this.state.options, ...options] }) as Select<never, M> as Select<WithColumnLoads<WithLoads<R, O[number]>, O[number]>, M>
  }
  /** Replaces the select list, keeping FROM, WHERE and the rest. */
  withOnly<const Es extends readonly SelectItem[]>(...items: Es): Select<RowOf<Es>, MappingOf<Es>> {
    return new Select({ ...this.state, columns: items.map(resolveItem) })
  }
  /** `(SELECT …) AS name` for use in FROM. */
  subquery(name: string): Subquery<M> {
    return new Subquery<M>(this, name)
  }
  /**
   * `LATERAL (SELECT …) AS name`, joined like a subquery but able to refer to the FROM clauses
   * before it: the top three orders of each customer, say. PostgreSQL and MySQL 8.0.14+.
   */
  lateral(name: string): Subquery<M> {
    return new Subquery<M>(this, name, { lateral: true })
  }
  /**
   * `WITH name AS (SELECT …)`; `columns` names its columns (`WITH name (a, b) AS …`), which a
   * recursive CTE's members then share.
   */
  cte<const N extends readonly string[]>(name: string, options: { recursive?: boolean; columns: N }): CommonTableExpression<NamedRow<R, N>>
  cte(name: string, options?: { recursive?: boolean }): CommonTableExpression<M>
  cte(name: string, options: { recursive?: boolean; columns?: readonly string[] } = {}): CommonTableExpression<unknown> {
    return new CommonTableExpression(this, name, options.recursive ?? false, undefined, options.columns)
  }
  /** The select as a single value: `(SELECT count(*) …)`. */
  scalarSubquery(): Expression<R[0] | null> {
    const first = this.state.columns[0]
    return new ScalarSubquery(this, first instanceof Expression ? first.type : NullType)
  }
  /** `EXISTS (SELECT …)`. */
  exists(): Expression<boolean> {
    return new Unary('EXISTS', new ScalarSubquery(this), false)
  }
  union(...others: Select<R>[]): CompoundSelect<R, M> {
    return new CompoundSelect<R, M>('UNION', [this as Select<R>, ...others])
  }
  unionAll(...others: Select<R>[]): CompoundSelect<R, M> {
    return new CompoundSelect<R, M>('UNION ALL', [this as Select<R>, ...others])
  }
  intersect(...others: Select<R>[]): CompoundSelect<R, M> {
    return new CompoundSelect<R, M>('INTERSECT', [this as Select<R>, ...others])
  }
  except(...others: Select<R>[]): CompoundSelect<R, M> {
    return new CompoundSelect<R, M>('EXCEPT', [this as Select<R>, ...others])
  }
}

/**
 * A LIMIT as a literal. A prepared statement's generic plan cannot see a bound LIMIT, so
 * PostgreSQL plans it as if a tenth of the rows were wanted: on the benchmark's page query, a
 * walk of the whole primary-key index in place of a scan and a top-20 sort, 0.37 against 0.20
 * ms a page (benchmarks/PROFILE.md pass 27). The count is a whole number checked here, so only
 * digits reach the SQL; it is part of the statement's cache key, one compiled statement per
 * distinct limit, which applications keep to a few page sizes. OFFSET, which changes with every
 * page, stays a parameter.
 */
function rowLimit(n: number): Inline<number> {
  return new Inline<number>(checkCount('limit', n), Integer)
}

function checkCount(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ArgumentError(`${what}() takes a whole number ≥ 0, not ${describeValue(n)}.`)
  return n
}

/** The FROM clauses a select list implies, in order of first use, without duplicates. */
export function inferFroms(columns: readonly SelectColumn[]): FromClause[] {
  const out: FromClause[] = []
  const add = (f: FromClause | undefined): void => {
    if (f && !out.includes(f)) out.push(f)
  }
  for (const c of columns) {
    if (c instanceof ColumnGroup) add(c.from)
    else for (const col of columnsIn(c)) add(col.from)
  }
  return out
}

/** Every column reference inside an expression (not descending into subqueries). */
export function columnsIn(expr: unknown, out: ColumnRef<unknown>[] = []): ColumnRef<unknown>[] {
  if (expr instanceof ColumnRef) out.push(expr)
  else if (expr instanceof ScalarSubquery) return out
  else if (expr instanceof Deferred) return columnsIn(expr.resolved, out)
  else if (expr instanceof Expression || expr instanceof OrderBy) {
    for (const v of Object.values(expr)) {
      if (Array.isArray(v)) for (const x of v) columnsIn(Array.isArray(x) ? x[0] : x, out), Array.isArray(x) && columnsIn(x[1], out)
      else if (typeof v === 'object' && v !== null) columnsIn(v, out)
    }
  }
  return out
}

/**
 * Starts a SELECT. The row type follows the items: `select(users.c.id, users.c.name)` yields
 * `[number, string]` rows; `select(User)` yields `[User]` in the ORM.
 * ```ts
 * select(func.count().label('n')).from(users)
 * ```
 */
export function select<const Es extends readonly SelectItem[]>(...items: Es): Select<RowOf<Es>, MappingOf<Es>> {
  return new Select({ ...EMPTY, columns: items.map(resolveItem) })
}

// A select and its state keep their shapes between requests (util/kept-shapes.ts).
keepShape(select(new Bind(1, Integer)).where(new Bind(1, Integer).eq(1)).orderBy(new Bind(1, Integer)).limit(1))

/** `UNION` / `INTERSECT` / `EXCEPT` of selects, with its own ORDER BY and LIMIT. */
export class CompoundSelect<R extends readonly unknown[] = unknown[], M = Record<string, unknown>> implements SubqueryLike, NamedColumnsQuery {
  readonly kind = 'compound'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly op: 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT'
  // Members need the same row types, not the same names: the first member names the columns.
  readonly selects: readonly (Select<R> | CompoundSelect<R>)[]
  readonly orderByItems: readonly OrderBy[]
  readonly limitValue: Expression<unknown> | undefined
  readonly offsetValue: Expression<unknown> | undefined
  constructor(op: CompoundSelect['op'], selects: readonly (Select<R> | CompoundSelect<R>)[], orderBy: readonly OrderBy[] = [], limit?: Expression<unknown>, offset?: Expression<unknown>) {
    selects.forEach((q, i) => {
      if (!(q instanceof Select) && !(q instanceof CompoundSelect)) throw new ArgumentError(`${op.toLowerCase()}() member ${i + 1} must be a select(), not ${describeValue(q)}.`)
    })
    this.op = op
    this.selects = selects
    this.orderByItems = orderBy
    this.limitValue = limit
    this.offsetValue = offset
  }
  key(k: KeyBuilder): void {
    k.s += this.op
    keyList(k, this.selects)
    if (this.orderByItems.length) (k.s += 'O', keyList(k, this.orderByItems))
    if (this.limitValue) (k.s += 'L', this.limitValue.key(k))
    if (this.offsetValue) (k.s += 'Of', this.offsetValue.key(k))
  }
  get resultColumns(): { name: string; type: Expression<unknown>['type'] }[] {
    return this.selects[0]!.resultColumns
  }
  orderBy(...items: OrderItem[]): CompoundSelect<R, M> {
    return new CompoundSelect(this.op, this.selects, [...this.orderByItems, ...toOrder(items)], this.limitValue, this.offsetValue)
  }
  limit(n: number): CompoundSelect<R, M> {
    return new CompoundSelect(this.op, this.selects, this.orderByItems, rowLimit(n), this.offsetValue)
  }
  offset(n: number): CompoundSelect<R, M> {
    return new CompoundSelect(this.op, this.selects, this.orderByItems, this.limitValue, new Bind(checkCount('offset', n), Integer))
  }
  subquery(name: string): Subquery<M> {
    return new Subquery<M>(this, name)
  }
}

/** `a UNION b UNION …`. */
export function union<R extends readonly unknown[], M>(first: Select<R, M>, ...rest: Select<R>[]): CompoundSelect<R, M> {
  return new CompoundSelect<R, M>('UNION', [first as Select<R>, ...rest])
}
/** `a UNION ALL b …`. */
export function unionAll<R extends readonly unknown[], M>(first: Select<R, M>, ...rest: Select<R>[]): CompoundSelect<R, M> {
  return new CompoundSelect<R, M>('UNION ALL', [first as Select<R>, ...rest])
}
/** `a INTERSECT b …`. */
export function intersect<R extends readonly unknown[], M>(first: Select<R, M>, ...rest: Select<R>[]): CompoundSelect<R, M> {
  return new CompoundSelect<R, M>('INTERSECT', [first as Select<R>, ...rest])
}
/** `a EXCEPT b …`. */
export function except<R extends readonly unknown[], M>(first: Select<R, M>, ...rest: Select<R>[]): CompoundSelect<R, M> {
  return new CompoundSelect<R, M>('EXCEPT', [first as Select<R>, ...rest])
}

/**
 * A common table expression: `WITH name AS (…)`, rendered at the top of the statement that uses
 * it. A recursive CTE grows with `.unionAll()`, whose result replaces the CTE under the same name.
 * ```ts
 * const tree = select(nodes.c.id).where(nodes.c.parentId.isNull()).cte('tree', { recursive: true })
 * const all = tree.unionAll(select(nodes.c.id).join(tree, nodes.c.parentId.eq(tree.c.id)))
 * const stmt = select(all.c.id).from(all)
 * ```
 */
export class CommonTableExpression<M = Record<string, unknown>> extends Subquery<M> {
  override readonly kind = 'cte'
  readonly recursive: boolean
  /** The CTE this one extends through unionAll(); both render under one name. */
  readonly base: CommonTableExpression<M> | undefined
  /** Names given to the columns (`WITH name (a, b) AS …`), when given. */
  readonly columnNames: readonly string[] | undefined
  constructor(query: NamedColumnsQuery, name: string, recursive: boolean, base: CommonTableExpression<M> | undefined, columnNames?: readonly string[]) {
    super(query, name, { columnNames })
    this.recursive = recursive
    this.base = base
    this.columnNames = columnNames
  }
  /** The first CTE of a unionAll() chain: references to it render as this CTE's name. */
  get root(): CommonTableExpression<M> {
    return this.base ? this.base.root : this
  }
  override key(k: KeyBuilder): void {
    // The body is keyed on the first reference only; later references are just the name.
    k.s += 'W' + k.ref(this.root) + (this.columnNames ? JSON.stringify(this.columnNames) : '')
    if (k.seen.has(this)) return
    k.seen.add(this)
    k.s += '{'
    this.query.key(k)
    k.s += '}'
  }
  override get description(): string {
    return `CTE ${this.name}`
  }
  unionAll(...others: Select[]): CommonTableExpression<M> {
    return new CommonTableExpression<M>(new CompoundSelect('UNION ALL', [this.query as Select, ...others]), this.name, this.recursive, this, this.columnNames)
  }
  union(...others: Select[]): CommonTableExpression<M> {
    return new CommonTableExpression<M>(new CompoundSelect('UNION', [this.query as Select, ...others]), this.name, this.recursive, this, this.columnNames)
  }
}
