import type { Expression } from '../sql/elements.js'
import { ColumnGroup, Select, select } from '../sql/select.js'
import type { PartialLayout, SelectColumn } from '../sql/select.js'
import type { Column } from '../sql/column.js'
import { Mapper } from './mapper.js'
import { ownTables } from './inheritance.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import type { Relationship } from './relationship.js'
import type { ColumnProperty } from './column-property.js'
import { LevelOptions, writeOnlyLoad } from './loader-options.js'
import type { Result } from '../engine/result.js'
import type { LoaderOption } from './loader-options.js'
import { NO_MEMBERS, isLoaded, setLoaded, setLoadedMembers } from './attributes.js'
import { oneKeySelect } from './by-key.js'
import { inClause } from './key-lists.js'
import type { KeyLists } from './key-lists.js'

/**
 * The most parents' keys one select-in statement carries. Fewer go in one statement when the
 * dialect's parameter limit needs it (see {@link selectinBatchSize}); a load of 10,000 parents on
 * any of the bundled dialects is one statement per level.
 */
export const SELECTIN_BATCH = 10_000

/**
 * Parameters kept free in a select-in statement for what else it binds: relationship and loader
 * criteria, plugin filters (soft delete), ORDER BY expressions.
 */
const OTHER_PARAMS_HEADROOM = 1_000

/**
 * How many parents' keys go in one IN list: as many as the dialect's parameter limit allows for
 * `keyColumns` columns per key, beyond the headroom, up to {@link SELECTIN_BATCH}. SQLAlchemy
 * sends 500 per statement; larger lists cost the databases little and save a round trip each.
 * ```ts
 * selectinBatchSize(65533, 1) // 10000 (PostgreSQL)
 * selectinBatchSize(999, 2)   // 250 (an old SQLite: half the limit is kept free)
 * ```
 */
export function selectinBatchSize(maxParams: number, keyColumns: number): number {
  const free = maxParams - Math.min(OTHER_PARAMS_HEADROOM, Math.floor(maxParams / 2))
  return Math.max(1, Math.min(SELECTIN_BATCH, Math.floor(free / Math.max(1, keyColumns))))
}

/** What loading needs of the session: statement execution and identity-map hydration, and how its dialect writes key lists. */
export interface LoadContext extends KeyLists {
  /** Runs a select and hydrates rows; entity positions become instances. `params`: its bind parameters' values. */
  executeRows(stmt: Select, params?: Readonly<Record<string, unknown>>): Promise<Result>
}

/** A select-list position: an entity group or a plain column. */
export type RowPlan = ({ kind: 'entity'; mapper: Mapper; start: number; partial?: PartialLayout | undefined } | { kind: 'value'; index: number })[]

export function rowPlan(columns: readonly SelectColumn[]): RowPlan {
  const plan: RowPlan = []
  let i = 0
  for (const c of columns) {
    if (c instanceof ColumnGroup) {
      if (c.entity instanceof Mapper) plan.push({ kind: 'entity', mapper: c.entity, start: i, partial: c.partial })
      else for (let j = 0; j < c.columns.length; j++) plan.push({ kind: 'value', index: i + j })
      i += c.columns.length
    } else plan.push({ kind: 'value', index: i++ })
  }
  return plan
}

/**
 * Whether `applyLoaders` could load anything for objects of `mapper` with `options`: callers
 * skip the call (two async frames and their microtasks per query) when it could not.
 */
export function loadsAnything(mapper: Mapper, options: readonly LoaderOption[]): boolean {
  return options.length > 0 || mapper.columnProperties.length > 0 || mapper.hierarchy !== undefined || !loadsNothingByDefault(mapper.relationships)
}

/**
 * Applies loader options and relationship defaults to freshly loaded instances of `mapper`:
 * every relationship whose strategy is selectin (or joined, when the statement could not join
 * it) and is not loaded yet gets one SELECT … IN per level. Deeper levels are handled by the
 * statements this issues, which carry the options of the next level.
 */
export async function applyLoaders(ctx: LoadContext, mapper: Mapper, instances: readonly InstanceState[], options: readonly LoaderOption[]): Promise<void> {
  if (instances.length === 0) return
  await applyFor(ctx, mapper, instances, options, mapper.relationships, mapper.columnProperties)
  if (mapper.hierarchy === undefined || instances.every((s) => s.mapper === mapper)) return
  // Objects of subclasses: what a subclass declares loads once for the objects of it and its
  // subclasses (an Engineer's projects for Engineers and Principals in one statement).
  const declaring = new Set<Mapper>()
  for (const s of instances) for (let m: Mapper | undefined = s.mapper; m !== undefined && m !== mapper; m = m.parent) declaring.add(m)
  for (const m of declaring) {
    const inherited = m.parent!
    await applyFor(ctx, m, instances.filter((s) => s.mapper.isa(m)), options, m.relationships.filter((r) => !inherited.relationships.includes(r)), m.columnProperties.filter((p) => !inherited.columnProperties.includes(p)))
  }
}

async function applyFor(ctx: LoadContext, mapper: Mapper, instances: readonly InstanceState[], options: readonly LoaderOption[], relationships: readonly Relationship[], props: readonly ColumnProperty[]): Promise<void> {
  if (props.length > 0) await loadColumnProperties(ctx, mapper, props, instances)
  // No options and only relationships that load on request: nothing to do, and no level to
  // resolve (most queries, and every load of an N+1 loop).
  if (options.length === 0 && loadsNothingByDefault(relationships)) return
  const level = LevelOptions.forMapper(options, mapper)
  for (const rel of relationships) {
    const strategy = level.strategy(rel)
    // containsEager relationships were filled from the statement's own join (or it failed).
    if (strategy === 'raise' || strategy === 'contains-eager') continue
    const targets = instances.filter((s) => !isLoaded(s, rel) || s.expired)
    if (targets.length === 0) continue
    if (strategy === 'noload') {
      for (const s of targets) setLoaded(s, rel, rel.uselist ? [] : null)
      continue
    }
    await loadRelationship(ctx, rel, targets, level.children(rel))
  }
}

function loadsNothingByDefault(relationships: readonly Relationship[]): boolean {
  for (let i = 0; i < relationships.length; i++) if (relationships[i]!.lazy !== 'raise') return false
  return true
}

function colValues(s: InstanceState, cols: readonly Column<unknown>[]): unknown[] {
  const o = s.obj as Record<string, unknown>
  return cols.map((c) => o[c.key_])
}

/** `keyOf(colValues(s, cols))` without the intermediate arrays (one call per loaded row). */
function stateKey(s: InstanceState, cols: readonly Column<unknown>[]): string | undefined {
  if (cols.length !== 1) return keyOf(colValues(s, cols))
  const v = (s.obj as Record<string, unknown>)[cols[0]!.key_]
  return v === null || v === undefined ? undefined : String(v)
}

function hasNull(values: readonly unknown[]): boolean {
  return values.some((v) => v === null || v === undefined)
}

function keyOf(values: readonly unknown[]): string | undefined {
  if (hasNull(values)) return undefined
  return values.map((v) => String(v)).join('\u0001')
}

/** `keyOf(row.slice(from))` without the copies (one call per association row of a many-to-many load). */
function rowKey(row: readonly unknown[], from: number): string | undefined {
  let k = ''
  for (let i = from; i < row.length; i++) {
    const v = row[i]
    if (v === null || v === undefined) return undefined
    k = i === from ? String(v) : k + '\u0001' + String(v)
  }
  return k
}

/** Parents grouped by the values of `cols` (the IN-list keys, each once); parents with a NULL key apart. */
function groupByKey(parents: readonly InstanceState[], cols: readonly Column<unknown>[]): { byKey: Map<string, InstanceState[]>; keys: unknown[][]; missing: InstanceState[] } {
  const byKey = new Map<string, InstanceState[]>()
  const keys: unknown[][] = []
  const missing: InstanceState[] = []
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!
    // The key text without the values' array (stateKey); the array only for a new key's IN entry.
    const k = stateKey(p, cols)
    if (k === undefined) {
      missing.push(p)
      continue
    }
    const group = byKey.get(k)
    if (group) group.push(p)
    else (byKey.set(k, [p]), keys.push(colValues(p, cols)))
  }
  return { byKey, keys, missing }
}

/** The parents' distinct IN-list keys, without grouping the parents (a list per key). */
function distinctKeys(parents: readonly InstanceState[], cols: readonly Column<unknown>[]): unknown[][] {
  if (parents.length === 1) {
    const vals = colValues(parents[0]!, cols)
    return hasNull(vals) ? [] : [vals]
  }
  const seen = new Set<string>()
  const keys: unknown[][] = []
  for (let i = 0; i < parents.length; i++) {
    const k = stateKey(parents[i]!, cols)
    if (k !== undefined && !seen.has(k)) (seen.add(k), keys.push(colValues(parents[i]!, cols)))
  }
  return keys
}

/** The `i`th batch of `size` keys (the keys themselves when they fit in one). */
function batchAt(keys: unknown[][], i: number, size: number): unknown[][] {
  return keys.length <= size ? keys : keys.slice(i, i + size)
}

/** `stmt` carrying the next level's loader options (none: the statement as it is). */
function withOptions(stmt: Select, children: readonly LoaderOption[]): Select {
  return children.length === 0 ? stmt : stmt.options(...(children as never[]))
}

/**
 * The rows of `build(key IN batch)`, with the next level's options. A batch of one key of one
 * column (one parent's load: the N+1 pattern) runs the relationship's statement made once, with
 * the key as its bind parameter: no statement built and keyed per load.
 */
function runBatch(ctx: LoadContext, rel: Relationship, cols: readonly Column<unknown>[], batch: readonly unknown[][], children: readonly LoaderOption[], build: (where: Expression<boolean>) => Select): Promise<Result> {
  if (batch.length === 1 && cols.length === 1 && children.length === 0) return ctx.executeRows(oneKeySelect(rel, cols[0]!, build), { k0: batch[0]![0] })
  return ctx.executeRows(withOptions(build(inClause(cols, batch, ctx.keyIn)), children))
}

/** What loading nothing returns. */
const LOADED: Promise<void> = Promise.resolve()

/**
 * Loads `rel` for the given parents with SELECT … IN, in batches, and stores the results.
 * `children` (the options for the targets) ride on those statements, so the targets' own
 * relationships load as part of executing them.
 */
export function loadRelationship(ctx: LoadContext, rel: Relationship, parents: readonly InstanceState[], children: readonly LoaderOption[] = []): Promise<void> {
  // Not async: it picks the loader and returns that one's promise, without a frame of its own
  // (one parent's load, the N+1 pattern, runs this per object; benchmarks/PROFILE.md pass 31).
  try {
    if (parents.length === 0) return LOADED
    if (rel.writeOnly) throw writeOnlyLoad(rel)
    if (rel.direction === 'many-to-one') return loadReferences(ctx, rel, parents, children)
    const keys = distinctKeys(parents, rel.sourceColumns)
    if (keys.length === 1 && rel.direction === 'one-to-many') return loadOneKey(ctx, rel, parents, keys, children)
    return loadMembers(ctx, rel, parents, keys, children)
  } catch (e) {
    return Promise.reject(e)
  }
}

/** A many-to-one relationship's objects for `parents`, by the keys they hold, batch by batch. */
async function loadReferences(ctx: LoadContext, rel: Relationship, parents: readonly InstanceState[], children: readonly LoaderOption[]): Promise<void> {
  const target = rel.target
  const { byKey, keys, missing } = groupByKey(parents, rel.destColumns)
  for (const p of missing) setLoaded(p, rel, null)
  const found = new Map<string, object>()
  const size = selectinBatchSize(ctx.maxParams, rel.pairs.length)
  const sources = rel.sourceColumns
  for (let i = 0; i < keys.length; i += size) {
    const objs = (await runBatch(ctx, rel, sources, batchAt(keys, i, size), children, (where) => select(target.group).where(where))).scalars().values
    for (let r = 0; r < objs.length; r++) {
      const obj = objs[r]
      found.set(stateKey(maybeState(obj)!, sources)!, obj as object)
    }
  }
  for (const [k, ps] of byKey) for (const p of ps) setLoaded(p, rel, found.get(k) ?? null)
}

/** A collection's members for `parents` (several keys), batch by batch, each parent's list made at its length. */
async function loadMembers(ctx: LoadContext, rel: Relationship, parents: readonly InstanceState[], keys: unknown[][], children: readonly LoaderOption[]): Promise<void> {
  const srcCols = rel.sourceColumns
  const size = selectinBatchSize(ctx.maxParams, srcCols.length)
  // Two passes. The first gives each row the slot of its parent's key and counts the rows per
  // slot, so that the second fills lists made at their length: grown by push, a list of 3 had
  // room for 17, and the parent then copied it for its snapshot (setLoadedMembers). Each row is
  // read in place, without an [object, key] pair per row.
  const slotOf = new Map<string, number>()
  const counts: number[] = []
  const batches: { objs: readonly unknown[] | undefined; rows: readonly (readonly unknown[])[] | undefined; slots: Int32Array }[] = []
  const oneToMany = rel.direction === 'one-to-many'
  const destCols = rel.destColumns
  for (let i = 0; i < keys.length; i += size) {
    const batch = batchAt(keys, i, size)
    const result = await runBatch(ctx, rel, destCols, batch, children, (where) => memberSelect(rel, where))
    // One-to-many selects the targets alone: their objects, without a row array around each.
    const objs = oneToMany ? result.scalars().values : undefined
    const rows = oneToMany ? undefined : result.rows
    const n = objs !== undefined ? objs.length : rows!.length
    const slots = new Int32Array(n)
    for (let r = 0; r < n; r++) {
      const k = objs !== undefined ? stateKey(maybeState(objs[r])!, destCols) : rowKey(rows![r]!, 1)
      let slot = k === undefined ? -1 : slotOf.get(k)
      if (slot === undefined) (slot = counts.length, slotOf.set(k!, slot), counts.push(0))
      if (slot >= 0) counts[slot]!++
      slots[r] = slot
    }
    batches.push({ objs, rows, slots })
  }
  const lists = counts.map((n) => new Array<object>(n))
  const filled = new Int32Array(counts.length)
  for (let b = 0; b < batches.length; b++) {
    const { objs, rows, slots } = batches[b]!
    for (let r = 0; r < slots.length; r++) {
      const slot = slots[r]!
      if (slot >= 0) lists[slot]![filled[slot]!++] = (objs !== undefined ? objs[r] : rows![r]![0]) as object
    }
  }
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!
    const k = stateKey(p, srcCols)
    const slot = k === undefined ? undefined : slotOf.get(k)
    store(rel, p, slot === undefined ? NO_MEMBERS : lists[slot]!, true)
  }
}

/**
 * The select of a collection's members whose parent keys meet `where`: the targets alone for a
 * one-to-many, with the association table's key columns after them for a many-to-many.
 */
function memberSelect(rel: Relationship, where: Expression<boolean>): Select {
  const target = rel.target
  if (rel.direction === 'one-to-many') return rel.ordered(select(target.group).where(where))
  return rel.ordered(select(target.group, ...rel.destColumns).from(rel.options.secondary!).join(target.table, rel.joinCondition(rel.owner.table, target.table)[1]).where(where))
}

/**
 * Parents that share one key (one parent's load: the N+1 pattern): every row of the one
 * statement is a member, so the result's objects are the members as they are, without a
 * grouping map, a key string per row or a list per key.
 */
async function loadOneKey(ctx: LoadContext, rel: Relationship, parents: readonly InstanceState[], keys: unknown[][], children: readonly LoaderOption[]): Promise<void> {
  const result = await runBatch(ctx, rel, rel.destColumns, keys, children, (where) => memberSelect(rel, where))
  const items = result.scalars().values as readonly object[]
  const srcCols = rel.sourceColumns
  for (let i = 0; i < parents.length; i++) store(rel, parents[i]!, hasNullAt(parents[i]!, srcCols) ? NO_MEMBERS : items, true)
}

/** Whether one of `cols` is null on the object (its parent has no key, so no members). */
function hasNullAt(s: InstanceState, cols: readonly Column<unknown>[]): boolean {
  const o = s.obj as Record<string, unknown>
  for (let i = 0; i < cols.length; i++) if (o[cols[i]!.key_] === null || o[cols[i]!.key_] === undefined) return true
  return false
}

/**
 * Stores a parent's loaded members (`exact`: a list made at its length, see setLoadedMembers), and
 * each member's many-to-one back reference to it (so child.parent reads without a query).
 */
function store(rel: Relationship, p: InstanceState, items: readonly object[], exact: boolean): void {
  if (rel.uselist) setLoadedMembers(p, rel, items, exact)
  else setLoaded(p, rel, items[0] ?? null)
  const back = rel.back
  if (back === undefined || back.uselist) return
  for (let i = 0; i < items.length; i++) {
    const s = maybeState(items[i])!
    if (!isLoaded(s, back)) setLoaded(s, back, p.obj)
  }
}

/**
 * Reads the column properties of the objects that need them (new to the session, or refreshed by
 * this query: expired) — one SELECT of the key and the expressions per batch.
 */
async function loadColumnProperties(ctx: LoadContext, mapper: Mapper, props: readonly ColumnProperty[], instances: readonly InstanceState[]): Promise<void> {
  const first = props[0]!.key
  const need = instances.filter((s) => s.expired || !Object.hasOwn(s.obj, first))
  await readByKey(async (stmt) => (await ctx.executeRows(stmt)).rows, ctx, mapper, need, props.map((p) => p.expression.label(p.key)), (s, values) => {
    // Read-only: a plain, non-writable property (assigning it fails in strict mode).
    props.forEach((p, j) => Object.defineProperty(s.obj, p.key, { value: values[j], writable: false, enumerable: true, configurable: true }))
  })
}

/**
 * Reads `exprs` for persistent objects of one class — one `SELECT key, exprs … WHERE key IN (…)`
 * per batch of keys — and hands each object's values to `take` (generated columns after an
 * UPDATE, unloaded columns, column properties).
 */
export async function readByKey(
  run: (statement: Select) => Promise<readonly (readonly unknown[])[]>, lists: KeyLists, m: Mapper, states: readonly InstanceState[],
  exprs: readonly Expression<unknown>[], take: (s: InstanceState, values: readonly unknown[]) => void,
): Promise<void> {
  if (states.length === 0) return
  const pk = m.pkIndexes.map((i) => m.columns[i]!)
  const byKey = new Map(states.map((s) => [s.key!, s]))
  const size = selectinBatchSize(lists.maxParams, pk.length)
  for (let b = 0; b < states.length; b += size) {
    const keys = states.slice(b, b + size).map((s) => m.primaryKeyOf(s.obj))
    // A joined-table subclass's expressions may name any of its tables: select from their join.
    const stmt = select(...pk, ...exprs).where(inClause(pk, keys, lists.keyIn))
    for (const row of await run(m.tables.length > 1 ? stmt.from(ownTables(m)) : stmt)) {
      const s = byKey.get(m.identityKey(row.slice(0, pk.length))!)
      if (s !== undefined) take(s, row.slice(pk.length))
    }
  }
}
