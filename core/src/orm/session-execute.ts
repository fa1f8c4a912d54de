import { ArgumentError } from '../util/errors.js'
import type { Executable } from '../engine/connection.js'
import { Result } from '../engine/result.js'
import type { Select } from '../sql/select.js'
import type { Mapper } from './mapper.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { applyLoaders, loadsAnything } from './loading.js'
import type { LoadContext, RowPlan } from './loading.js'
import { planJoined, readJoinedRows } from './joined-loading.js'
import type { Hydrate } from './joined-loading.js'
import { LevelOptions } from './loader-options.js'
import { snapshotRelations } from './unit-of-work.js'
import { withSubclassCriteria } from './inheritance.js'

/** What running an entity select needs of the session. */
export interface EntityQueryContext {
  run(statement: Executable): Promise<Result>
  readonly hydrate: Hydrate
  /** How many objects `hydrate` has built so far (not found in the identity map): a running count. */
  built(): number
  /** Loading for relationships of the results of `parent`. */
  loadContext(parent: Select): LoadContext
  /** Joined collections may come back as nested rows (the dialect's capability `nestedRows`). */
  readonly nestedRows: boolean
}

/**
 * Runs a select whose list holds entities: joins what its loader options load by join, builds
 * the objects through the identity map, then loads the selectin relationships of every level.
 */
export async function executeEntitySelect(ctx: EntityQueryContext, statement: Select, plan: RowPlan): Promise<Result> {
  statement = withSubclassCriteria(statement)
  const options = LevelOptions.optionsOf(statement.state.options)
  for (const { relationship: rel } of options) {
    // A subclass's relationship applies to a select of its parent: it loads for the subclass's objects.
    if (rel !== '*' && !plan.some((p) => p.kind === 'entity' && (p.mapper.isa(rel.owner) || rel.owner.isa(p.mapper)))) {
      const selected = plan.flatMap((p) => (p.kind === 'entity' ? [p.mapper.className] : [])).join(', ')
      throw new ArgumentError(`The loader option for ${rel.description} does not apply to select(${selected}): start the path at a relationship of ${selected}, e.g. selectinload(${plan.find((p) => p.kind === 'entity')!.mapper.className}.<relationship>).`)
    }
  }
  const joined = planJoined(statement, plan, options, ctx.nestedRows)
  const result = await ctx.run((joined?.statement ?? statement) as unknown as Executable)
  // Made when something loads: most queries load nothing more.
  let loads: LoadContext | undefined
  const only = plan.length === 1 && !joined ? plan[0]! : undefined
  if (only !== undefined && only.kind === 'entity') {
    // select(Entity), the common case: the objects themselves, no row array around each.
    const before = ctx.built()
    const objects = hydrateObjects(result.rows as readonly (readonly unknown[])[], only, ctx.hydrate)
    // Every row built its object: no row repeats another, and none is missing (an outer join's
    // absent side builds nothing), so no set is needed to tell them apart.
    const states = ctx.built() - before === objects.length ? statesOf(objects) : distinctStates(objects)
    if (loadsAnything(only.mapper, options)) await applyLoaders((loads ??= ctx.loadContext(statement)), only.mapper, states, options)
    settle(states, true)
    return Result.ofColumn(objects, result.columnNames, result.rowsAffected)
  }
  let rows: unknown[][]
  if (joined) {
    const read = readJoinedRows(joined, plan, result.rows as unknown[][], ctx.hydrate)
    rows = read.rows
    for (let i = 0; i < read.loaded.length; i++) {
      const { node, states } = read.loaded[i]!
      await applyLoaders((loads ??= ctx.loadContext(statement)), node.rel.target, states, node.next)
      settle(states, true)
    }
  } else {
    rows = hydrateRows(result.rows as readonly (readonly unknown[])[], plan, ctx.hydrate)
  }
  const entityStates: InstanceState[][] = []
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!
    if (p.kind !== 'entity') continue
    const states = distinctStates(column(rows, i))
    entityStates.push(states)
    if (loadsAnything(p.mapper, options)) await applyLoaders((loads ??= ctx.loadContext(statement)), p.mapper, states, options)
    settle(states, false)
  }
  for (let i = 0; i < entityStates.length; i++) {
    const states = entityStates[i]!
    for (let j = 0; j < states.length; j++) states[j]!.expired = false
  }
  const names = joined ? statement.resultColumns.map((c) => c.name) : result.columnNames
  return new Result(rows, names, result.rowsAffected, result.insertId, result.insertIdStep)
}

/**
 * Loaded objects' relationships as the database has them now (and, with `fresh`, their values
 * too: no longer expired). Indexed loops: this runs once per query, mostly unoptimised, where a
 * for-of allocates an iterator result per object (PROFILE.md pass 17).
 */
function settle(states: readonly InstanceState[], fresh: boolean): void {
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!
    snapshotRelations(s)
    if (fresh) s.expired = false
  }
}

/** The values of position `i` of every row. */
function column(rows: readonly (readonly unknown[])[], i: number): unknown[] {
  const out = new Array<unknown>(rows.length)
  for (let r = 0; r < rows.length; r++) out[r] = rows[r]![i]
  return out
}

/** Builds the caller's rows: entities through the identity map, plain values as they are. */
export function hydrateRows(raws: readonly (readonly unknown[])[], plan: RowPlan, hydrate: Hydrate): unknown[][] {
  const only = plan.length === 1 && plan[0]!.kind === 'entity' ? plan[0] : undefined
  // select(Entity): no per-row walk of the plan.
  if (only !== undefined) return hydrateObjects(raws, only, hydrate).map((o) => [o])
  // Indexed loops: a plan.map() per row made a closure over the row as well as its array (30,000
  // association rows of a many-to-many load).
  const rows = new Array<unknown[]>(raws.length)
  for (let r = 0; r < raws.length; r++) {
    const raw = raws[r]!
    const row = new Array<unknown>(plan.length)
    for (let j = 0; j < plan.length; j++) {
      const p = plan[j]!
      row[j] = p.kind === 'value' ? raw[p.index] : hydrate(p.mapper, raw, p.start, p.partial)
    }
    rows[r] = row
  }
  return rows
}

/** The objects of a select of one entity, through the identity map (undefined for a row without one). */
function hydrateObjects(raws: readonly (readonly unknown[])[], entity: Extract<RowPlan[number], { kind: 'entity' }>, hydrate: Hydrate): (object | undefined)[] {
  const objects = new Array<object | undefined>(raws.length)
  const { mapper, start, partial } = entity
  for (let r = 0; r < raws.length; r++) objects[r] = hydrate(mapper, raws[r]!, start, partial)
  return objects
}

/** The states of objects known to be mapped and distinct. */
function statesOf(objects: readonly (object | undefined)[]): InstanceState[] {
  const states = new Array<InstanceState>(objects.length)
  for (let i = 0; i < objects.length; i++) states[i] = maybeState(objects[i])!
  return states
}

/** The distinct objects among `values` (an outer join's missing side skipped), in order. */
function distinctStates(values: readonly unknown[]): InstanceState[] {
  if (values.length <= 1) {
    // One row (a get() by primary key): no set to build.
    const o = values[0]
    return o === undefined ? [] : [maybeState(o)!]
  }
  const seen = new Set<object>()
  const states: InstanceState[] = []
  for (let i = 0; i < values.length; i++) {
    const o = values[i]
    if (o === undefined || seen.has(o as object)) continue
    seen.add(o as object)
    states.push(maybeState(o)!)
  }
  return states
}
