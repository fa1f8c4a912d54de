import { ArgumentError } from '../util/errors.js'
import type { Capabilities } from '../dialect/contract.js'
import type { Executable } from '../engine/connection.js'
import { Result } from '../engine/result.js'
import { Bind } from '../sql/elements.js'
import { BindParam } from '../sql/bind-param.js'
import type { BindParams } from '../sql/bind-param.js'
import type { Expression } from '../sql/elements.js'
import type { Delete, Insert, Update } from '../sql/dml.js'
import { select } from '../sql/select.js'
import { Mapper } from './mapper.js'
import { stateOf } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import type { IdentityKey } from './identity-key.js'
import type { SessionObjects } from './session-objects.js'
import { rowPlan, selectinBatchSize } from './loading.js'
import type { RowPlan } from './loading.js'
import type { Hydrate } from './joined-loading.js'
import { hydrateRows } from './session-execute.js'
import { evaluator, UnevaluableError } from './dml-evaluate.js'
import type { Evaluator } from './dml-evaluate.js'

/** What running INSERT/UPDATE/DELETE of a mapped class needs of the session. */
export interface OrmDmlContext {
  readonly capabilities: Capabilities
  readonly dialectName: string
  run(statement: Executable): Promise<Result>
  readonly objects: SessionObjects
  /** Builds objects from rows, overwriting the ones held: the rows are what the database now has. */
  readonly hydrate: Hydrate
  /** The values of the statement's bind parameters (the session's objects are brought in line with them too). */
  readonly params?: BindParams | undefined
}

type Dml = Insert | Update | Delete

/**
 * Runs `insert(User)`, `update(User)` or `del(User)` the ORM's way: inserts in batches the
 * dialect's parameter limit allows; the objects the session holds brought in line with the rows
 * an UPDATE or DELETE changed (`synchronizeSession`); entities in RETURNING built through the
 * identity map.
 */
export async function executeOrmDml(ctx: OrmDmlContext, statement: Dml): Promise<Result> {
  const mapper = statement.orm!.entity
  if (!(mapper instanceof Mapper)) throw new ArgumentError(`${statement.kind}() was given a class that is not mapped.`)
  // A statement names one table: a subclass's rows are not all in it, nor kept apart in it by the statement.
  if (mapper.hierarchy !== undefined && (statement.kind === 'insert' || mapper.parent !== undefined || mapper.hierarchy.mappers.some((m) => m.tables.length > 1))) {
    throw new ArgumentError(
      `${statement.kind === 'delete' ? 'del' : statement.kind}(${mapper.className}): ${mapper.className} is in an inheritance hierarchy, whose rows one statement on one table cannot write. ` +
        (statement.kind === 'insert' ? 'Add the objects with session.addAll() and flush().' : `Run it on the root's table (${mapper.root.table.name}) with Core, or load the objects and change them.`),
    )
  }
  const plan = rowPlan(statement.returningColumns)
  if (plan.some((p) => p.kind === 'entity') && !ctx.capabilities.returning[statement.kind]) {
    throw new ArgumentError(
      `${statement.kind}(${mapper.className}).returning(${mapper.className}) needs ${statement.kind.toUpperCase()} … RETURNING, which ${ctx.dialectName} does not have. ` +
        (statement.kind === 'insert' ? 'Add the objects with session.addAll() and flush(): the unit of work reads their keys back.' : `Run the ${statement.kind}, then select(${mapper.className}) the rows.`),
    )
  }
  if (statement.kind === 'insert') return insertRows(ctx, statement, plan)
  const what = `${statement.kind === 'update' ? 'update' : 'del'}(${mapper.className})`
  const mode = statement.orm!.synchronizeSession ?? 'fetch'
  // Evaluated before the statement runs: the criteria see the rows as they were.
  const values = statement.kind === 'update' && mode !== false ? setValues(statement, mapper, what, mode === 'evaluate', ctx.params) : undefined
  let matched: InstanceState[] = []
  let result: Result
  if (mode === 'evaluate') {
    const where = statement.whereClause === undefined ? () => true : evaluator(statement.whereClause, mapper, what, ctx.params)
    matched = heldObjects(ctx.objects, mapper).filter((s) => !s.expired && where(s.obj as Record<string, unknown>) === true)
    result = await ctx.run(statement as unknown as Executable)
  } else if (mode === 'fetch') {
    let keys: IdentityKey[]
    ;[result, keys] = await runFetchingKeys(ctx, statement, mapper)
    matched = keys.flatMap((k) => ctx.objects.identity.get(k) ?? [])
  } else result = await ctx.run(statement as unknown as Executable)
  if (statement.kind === 'delete') for (const s of matched) ctx.objects.removed(s)
  else for (const s of matched) applyUpdate(ctx.objects, s, values!)
  return withEntities(ctx.hydrate, result, plan)
}

/** The objects of `mapper`'s class the session holds (its identity map). */
function heldObjects(objects: SessionObjects, mapper: Mapper): InstanceState[] {
  const out: InstanceState[] = []
  objects.identity.forEach((s) => { if (s.mapper === mapper) out.push(s) })
  return out
}

/** Per column index: the value an UPDATE sets, computed per object, or undefined where only the database knows it. */
type SetValues = Map<number, Evaluator | undefined>

function setValues(statement: Update, mapper: Mapper, what: string, strict: boolean, params: BindParams | undefined): SetValues {
  const out: SetValues = new Map()
  for (const [col, expr] of statement.assignments) {
    const i = mapper.columnIndex.get(col.key_)!
    // The identity map is keyed by primary key: moving held objects to new keys is not done here.
    if (mapper.pkIndexes.includes(i)) {
      throw new ArgumentError(`${what} sets the primary key ${col.key_}, which a session cannot follow in the objects it holds. Add .executionOptions({ synchronizeSession: false }) and load the objects again afterwards.`)
    }
    if (expr instanceof Bind && !(expr instanceof BindParam)) {
      const v = expr.value
      out.set(i, () => v)
      continue
    }
    try {
      out.set(i, evaluator(expr as Expression<unknown>, mapper, what, params))
    } catch (e) {
      // 'fetch' and false sync what they can and expire the rest; 'evaluate' was asked to be exact.
      if (strict || !(e instanceof UnevaluableError)) throw e
      out.set(i, undefined)
    }
  }
  return out
}

function applyUpdate(objects: SessionObjects, s: InstanceState, values: SetValues): void {
  const o = s.obj as Record<string, unknown>
  const known = new Map<number, unknown>()
  let unknown = false
  // All computed from the values before the UPDATE, as the database does (SET a = b, b = a swaps).
  for (const [i, f] of values) {
    if (f === undefined) unknown = true
    else known.set(i, f(o))
  }
  objects.updated(s, known)
  // A value only the database computed: the next query that returns the object refreshes it.
  if (unknown) s.expired = true
}

/** Runs an UPDATE/DELETE and says which rows it touched: with RETURNING where it can, else one SELECT first. */
async function runFetchingKeys(ctx: OrmDmlContext, statement: Update | Delete, mapper: Mapper): Promise<[Result, IdentityKey[]]> {
  const pk = mapper.pkIndexes.map((i) => mapper.columns[i]!)
  const keysOf = (rows: readonly (readonly unknown[])[], start: number): IdentityKey[] => rows.flatMap((r) => mapper.identityKey(r.slice(start, start + pk.length)) ?? [])
  if (ctx.capabilities.returning[statement.kind] && statement.returningColumns.length === 0) {
    const r = await ctx.run((statement as Update).returning(...pk) as unknown as Executable)
    return [new Result([], [], r.rowsAffected), keysOf(r.rows as unknown[][], 0)]
  }
  const before = await ctx.run(select(...pk).where(statement.whereClause as Expression<boolean | null> | undefined) as unknown as Executable)
  const result = await ctx.run(statement as unknown as Executable)
  return [result, keysOf(before.rows as unknown[][], 0)]
}

/** An INSERT of many rows as one statement per batch; entities in RETURNING become the session's. */
async function insertRows(ctx: OrmDmlContext, statement: Insert, plan: RowPlan): Promise<Result> {
  const perStatement = selectinBatchSize(ctx.capabilities.maxParams, Math.max(1, statement.columns.length))
  const results: Result[] = []
  if (statement.fromSelect !== undefined || statement.rows.length <= perStatement) results.push(await ctx.run(statement as unknown as Executable))
  else {
    for (let i = 0; i < statement.rows.length; i += perStatement) {
      results.push(await ctx.run(statement.withRows(statement.rows.slice(i, i + perStatement)) as unknown as Executable))
    }
  }
  const first = results[0]!
  const result = results.length === 1 ? first : new Result(results.flatMap((r) => r.rows), first.columnNames, results.reduce((n, r) => n + r.rowsAffected, 0))
  // Rows new to the session are inserted in this transaction: a rollback makes their objects new again.
  const hydrate: Hydrate = (m, raw, start) => {
    const key = m.rowIdentityKey(raw, start)
    const held = key !== undefined && ctx.objects.identity.has(key)
    const obj = ctx.hydrate(m, raw, start)
    if (!held && obj !== undefined) stateOf(obj).insertedInTx = true
    return obj
  }
  return withEntities(hydrate, result, plan)
}

/** The result with the entities of its RETURNING list built. */
function withEntities(hydrate: Hydrate, result: Result, plan: RowPlan): Result {
  if (!plan.some((p) => p.kind === 'entity')) return result
  const rows = hydrateRows(result.rows as readonly (readonly unknown[])[], plan, hydrate)
  return new Result(rows, result.columnNames, result.rowsAffected)
}
