import { ArgumentError } from '../util/errors.js'
import type { Column } from '../sql/column.js'
import { ColumnGroup, Select } from '../sql/select.js'
import type { PartialLayout, SelectColumn } from '../sql/select.js'
import type { ColumnLoadMarker } from '../sql/loaded.js'
import { Mapper } from './mapper.js'
import { rowPlan } from './loading.js'
import type { RowPlan } from './loading.js'

type Kind = 'defer' | 'undefer' | 'loadOnly'

/**
 * A statement option that changes which columns of an entity a query loads (SQLAlchemy's
 * `defer`, `undefer`, `load_only`). It applies to the query's own entities; relationships loaded
 * with selectin loading get each class's `deferred: true` columns left out, joined loading loads
 * every column.
 */
export class ColumnLoadOption<K extends Kind = Kind, C extends string = string> implements ColumnLoadMarker<K, C> {
  /** Loads no relationship (type only: `select().options()` takes it beside loader options). */
  declare readonly __loads?: undefined
  /** The option's kind and column keys, for result types (type only). */
  declare readonly __columnLoad: { readonly kind: K; readonly keys: C }
  readonly kind: Kind
  readonly columns: readonly Column<unknown>[]
  constructor(kind: Kind, columns: readonly Column<unknown>[]) {
    if (columns.length === 0) throw new ArgumentError(`${kind}() takes at least one column, e.g. ${kind}(User.c.bio).`)
    this.kind = kind
    this.columns = columns
  }
}

/**
 * Leaves columns out of the query's loads.
 * ```ts
 * await session.scalars(select(User).options(defer(User.c.bio)))
 * ```
 */
export function defer<const C extends string>(...columns: Column<unknown, C>[]): ColumnLoadOption<'defer', C> {
  return new ColumnLoadOption('defer', columns)
}

/** Loads columns declared `deferred: true` (or deferred by another option) in this query. */
export function undefer<const C extends string>(...columns: Column<unknown, C>[]): ColumnLoadOption<'undefer', C> {
  return new ColumnLoadOption('undefer', columns)
}

/**
 * Loads only these columns of their entity (and its key, version and relationship keys).
 * ```ts
 * await session.scalars(select(User).options(loadOnly(User.c.name)))
 * ```
 */
export function loadOnly<const C extends string>(...columns: Column<unknown, C>[]): ColumnLoadOption<'loadOnly', C> {
  return new ColumnLoadOption('loadOnly', columns)
}

/**
 * The statement with each entity's deferred columns left out of its column group (the group then
 * says which columns it has), or the statement itself when none are.
 */
export function withDeferral(statement: Select): Select {
  const { columns, options } = statement.state
  let opts: ColumnLoadOption[] | undefined
  for (const o of options) if (o instanceof ColumnLoadOption) (opts ??= []).push(o)
  let changed = false
  const out: SelectColumn[] = columns.map((c) => {
    if (!(c instanceof ColumnGroup) || !(c.entity instanceof Mapper) || c.partial !== undefined) return c
    const m = c.entity
    if (!m.hasDeferred && opts === undefined) return c
    const loaded = loadedColumns(m, opts)
    if (loaded === undefined) return c
    if (m.hierarchy !== undefined) throw new ArgumentError(`${m.className} is in an inheritance hierarchy, whose loads cannot leave columns out yet; drop defer()/loadOnly()/deferred for it.`)
    changed = true
    return partialGroup(c, m, loaded)
  })
  return changed ? new Select({ ...statement.state, columns: out }) : statement
}

/** The indexes of the columns `m` loads under `opts`, or undefined for all of them. */
function loadedColumns(m: Mapper, opts: readonly ColumnLoadOption[] | undefined): number[] | undefined {
  const unload = new Set<number>(m.deferredIndexes)
  for (const o of opts ?? []) {
    const mine = o.columns.filter((c) => m.columnIndex.get(c.key_) !== undefined && m.columns[m.columnIndex.get(c.key_)!] === c)
    if (mine.length === 0) continue
    const indexes = mine.map((c) => m.columnIndex.get(c.key_)!)
    if (o.kind === 'defer') for (const i of indexes) unload.add(i)
    else if (o.kind === 'undefer') for (const i of indexes) unload.delete(i)
    else m.columns.forEach((_, i) => (indexes.includes(i) ? unload.delete(i) : unload.add(i)))
  }
  for (const i of m.alwaysLoaded) unload.delete(i)
  for (const i of unload) {
    if (m.columns[i]!.validate !== undefined) {
      throw new ArgumentError(`${m.className}.${m.columnKeys[i]} has a validator and cannot be deferred (its value lives behind the validating accessor); load it, or drop deferred/defer for it.`)
    }
  }
  if (unload.size === 0) return undefined
  return m.columns.flatMap((_, i) => (unload.has(i) ? [] : [i]))
}

function partialGroup(group: ColumnGroup, m: Mapper, loaded: readonly number[]): ColumnGroup {
  const layout: PartialLayout = { columns: loaded, keyAt: m.pkIndexes.map((i) => loaded.indexOf(i)) }
  return new ColumnGroup(group.from, loaded.map((i) => group.columns[i]!), m, layout)
}

/** A select as a session runs it: `withDeferral()` applied, and its row plan. */
export interface PlannedSelect {
  readonly statement: Select
  readonly plan: RowPlan
  /** Whether any position of the plan is an entity (else the rows are returned as they are). */
  readonly entities: boolean
}

const planned = new WeakMap<Select, PlannedSelect>()

/**
 * `withDeferral(statement)` and its row plan, worked out once per statement object: statements
 * are immutable, and one built once and run many times (`session.get`'s by-key select, an
 * explicit load's statement, a query kept by the caller) would otherwise rebuild both per run.
 */
export function plannedSelect(statement: Select): PlannedSelect {
  let p = planned.get(statement)
  if (p === undefined) {
    const deferred = withDeferral(statement)
    const plan = rowPlan(deferred.state.columns)
    p = { statement: deferred, plan, entities: plan.some((x) => x.kind === 'entity') }
    planned.set(statement, p)
  }
  return p
}
