import { ArgumentError } from '../util/errors.js'
import type { Executable } from '../engine/connection.js'
import { Result } from '../engine/result.js'
import type { Select } from '../sql/select.js'
import type { Mapper } from './mapper.js'
import { maybeState } from './instance-state.js'
import { applyLoaders } from './loading.js'
import type { LoadContext, RowPlan } from './loading.js'
import { planJoined, readJoinedRows } from './joined-loading.js'
import type { Hydrate } from './joined-loading.js'
import { LevelOptions } from './loader-options.js'
import { snapshotRelations } from './unit-of-work.js'

/** What running an entity select needs of the session. */
export interface EntityQueryContext {
  run(statement: Executable): Promise<Result>
  readonly hydrate: Hydrate
  /** Loading for relationships of the results of `parent`. */
  loadContext(parent: Select): LoadContext
}

/**
 * Runs a select whose list holds entities: joins what its loader options load by join, builds
 * the objects through the identity map, then loads the selectin relationships of every level.
 */
export async function executeEntitySelect(ctx: EntityQueryContext, statement: Select, plan: RowPlan): Promise<Result> {
  const options = LevelOptions.optionsOf(statement.state.options)
  for (const { relationship: rel } of options) {
    if (rel !== '*' && !plan.some((p) => p.kind === 'entity' && p.mapper === rel.owner)) {
      const selected = plan.flatMap((p) => (p.kind === 'entity' ? [p.mapper.className] : [])).join(', ')
      throw new ArgumentError(`The loader option for ${rel.description} does not apply to select(${selected}): start the path at a relationship of ${selected}, e.g. selectinload(${plan.find((p) => p.kind === 'entity')!.mapper.className}.<relationship>).`)
    }
  }
  const joined = planJoined(statement, plan, options)
  const result = await ctx.run((joined?.statement ?? statement) as unknown as Executable)
  const loads = ctx.loadContext(statement)
  let rows: unknown[][]
  if (joined) {
    const read = readJoinedRows(joined, plan, result.rows as unknown[][], ctx.hydrate)
    rows = read.rows
    for (const { node, states } of read.loaded) {
      await applyLoaders(loads, node.rel.target, states, node.next)
      for (const s of states) snapshotRelations(s)
    }
  } else {
    rows = result.rows.map((raw) => plan.map((p) => (p.kind === 'value' ? raw[p.index] : ctx.hydrate(p.mapper as Mapper, raw, p.start))))
  }
  for (const [i, p] of plan.entries()) {
    if (p.kind !== 'entity') continue
    const states = [...new Set(rows.map((r) => r[i]).filter((o) => o !== undefined))].map((o) => maybeState(o)!)
    await applyLoaders(loads, p.mapper, states, options)
    for (const s of states) snapshotRelations(s)
  }
  for (const r of rows) for (const v of r) { const s = maybeState(v); if (s) s.expired = false }
  const names = joined ? statement.resultColumns.map((c) => c.name) : result.columnNames
  return new Result(rows, names, result.rowsAffected, result.insertId)
}
