import type { Column } from '../sql/column.js'
import { Delete, Update } from '../sql/dml.js'
import type { ResolvedForeignKey, Table } from '../sql/table.js'
import type { Executable } from '../engine/connection.js'
import { topoSort } from '../util/topo-sort.js'
import type { InstanceState } from './instance-state.js'
import type { Mapper } from './mapper.js'
import { StaleDataError } from './orm-errors.js'
import { pksWhere } from './row-where.js'
import { unmatched, versionConflict, versionedBatchSize, versionedWhere } from './version-check.js'
import type { FlushContext } from './unit-of-work.js'

/** Rows of one table deleted by one statement: nothing deleted later references them. */
export interface DeleteBatch {
  readonly mapper: Mapper
  readonly states: readonly InstanceState[]
}

/**
 * Rows about to be deleted whose nullable foreign keys are set to NULL first, because the rows
 * they point at are deleted before them (a cycle; the mirror image of an insert's post-update).
 */
export interface KeyClear {
  readonly mapper: Mapper
  readonly columns: readonly Column<unknown>[]
  readonly states: readonly InstanceState[]
}

/** The deleting part of a flush: key clears, then DELETE batches in order. */
export interface DeletePlan {
  readonly clears: readonly KeyClear[]
  readonly batches: readonly DeleteBatch[]
}

/** A deleted row's reference to another deleted row. */
interface Ref {
  readonly fk: ResolvedForeignKey
  readonly to: InstanceState
}

const notNull = (fk: ResolvedForeignKey): boolean => fk.columns.some((c) => !c.nullable)

/** Column values of a persistent row as the database holds them (the last load or flush). */
function committedValues(s: InstanceState, cols: readonly Column<unknown>[]): unknown[] {
  return cols.map((c) => s.committed![s.mapper.columnIndex.get(c.key_)!])
}

const valuesKey = (values: readonly unknown[]): string => values.map(String).join('\u0000')

/** For every deleted row, the deleted rows its foreign keys point at (by their committed values). */
function collectRefs(deleted: readonly InstanceState[]): Map<InstanceState, Ref[]> {
  const indexes = new Map<string, Map<string, InstanceState>>()
  const target = (table: Table, cols: readonly Column<unknown>[]): Map<string, InstanceState> => {
    const id = `${table.name}:${cols.map((c) => c.key_).join(',')}`
    let index = indexes.get(id)
    if (!index) {
      index = new Map()
      for (const s of deleted) if (s.mapper.table === table) index.set(valuesKey(committedValues(s, cols)), s)
      indexes.set(id, index)
    }
    return index
  }
  const refs = new Map<InstanceState, Ref[]>()
  for (const s of deleted) {
    const list: Ref[] = []
    for (const fk of s.mapper.table.foreignKeys) {
      const values = committedValues(s, fk.columns)
      // A NULL in the key points nowhere (MATCH SIMPLE).
      if (values.some((v) => v === null || v === undefined)) continue
      const to = target(fk.target, fk.targetColumns).get(valuesKey(values))
      if (to && to !== s) list.push({ fk, to })
    }
    refs.set(s, list)
  }
  return refs
}

/**
 * Tables in an order where referencing tables come first. Where tables reference each other,
 * the NOT NULL keys decide; rows whose nullable keys then point the wrong way get a key clear.
 */
function tableOrder(deleted: readonly InstanceState[]): Mapper[] {
  const mappers = [...new Set(deleted.map((s) => s.mapper))]
  const referenced = (m: Mapper, notNullOnly: boolean): Mapper[] => mappers.filter((o) => o !== m &&
    m.table.foreignKeys.some((fk) => fk.target === o.table && (!notNullOnly || notNull(fk))))
  let sorted = topoSort(mappers, (m) => referenced(m, false))
  if (sorted.cycles.length) sorted = topoSort(mappers, (m) => referenced(m, true))
  return sorted.order.reverse()
}

/** Rows of one table split into DELETE batches, rows referencing others of the table first (a tree: leaves first). */
function levels(rows: readonly InstanceState[], refs: Map<InstanceState, Ref[]>): InstanceState[][] {
  const own = (s: InstanceState, notNullOnly: boolean): InstanceState[] =>
    refs.get(s)!.filter((r) => r.to.mapper === s.mapper && (!notNullOnly || notNull(r.fk))).map((r) => r.to)
  // Rows pointing at each other: the NOT NULL keys decide, as between tables.
  const notNullOnly = topoSort(rows, (s) => own(s, false)).cycles.length > 0
  const level = new Map<InstanceState, number>()
  const levelOf = (s: InstanceState, guard: Set<InstanceState>): number => {
    const known = level.get(s)
    if (known !== undefined) return known
    if (guard.has(s)) return 0 // a cycle of NOT NULL keys: no order works, the database will say so
    guard.add(s)
    let l = 0
    for (const p of own(s, notNullOnly)) l = Math.max(l, levelOf(p, guard) + 1)
    level.set(s, l)
    return l
  }
  const byLevel: InstanceState[][] = []
  for (const s of rows) (byLevel[levelOf(s, new Set())] ??= []).push(s)
  return byLevel.filter((batch) => batch !== undefined).reverse()
}

/**
 * Orders the deletes of a flush: tables by foreign key (referencing first), rows of a table that
 * references itself level by level, and a NULL written first into every nullable foreign key
 * that points at a row deleted before it or by the same statement.
 */
export function planDeletes(deleted: readonly InstanceState[]): DeletePlan {
  const refs = collectRefs(deleted)
  const batches: DeleteBatch[] = []
  const step = new Map<InstanceState, number>()
  for (const m of tableOrder(deleted)) {
    for (const states of levels(deleted.filter((s) => s.mapper === m), refs)) {
      for (const s of states) step.set(s, batches.length)
      batches.push({ mapper: m, states })
    }
  }
  const clears = new Map<string, { mapper: Mapper; columns: Column<unknown>[]; states: InstanceState[] }>()
  for (const { states } of batches) {
    for (const s of states) {
      const cols = new Set<Column<unknown>>()
      for (const r of refs.get(s)!) {
        if (step.get(r.to)! > step.get(s)!) continue
        // Clearing one column of a composite key is enough (MATCH SIMPLE); a NOT NULL key cannot be cleared.
        const col = r.fk.columns.find((c) => c.nullable)
        if (col) cols.add(col)
      }
      if (!cols.size) continue
      const columns = s.mapper.columns.filter((c) => cols.has(c))
      const sig = `${s.mapper.id}:${columns.map((c) => c.key_).join(',')}`
      const clear = clears.get(sig) ?? clears.set(sig, { mapper: s.mapper, columns, states: [] }).get(sig)!
      clear.states.push(s)
    }
  }
  return { clears: [...clears.values()], batches }
}

/** Runs the key clears, then the DELETEs; every statement must match all of its rows. */
export async function executeDeletes(ctx: FlushContext, deletePlan: DeletePlan): Promise<void> {
  // No update listeners: the rows are deleted next, and an updated-at stamp would be noise.
  for (const { mapper, columns, states } of deletePlan.clears) {
    // A joined-table subclass's keys may be in any of its tables: one UPDATE per table.
    for (const part of mapper.tables) {
      const mine = columns.filter((c) => c.from === part.table)
      if (mine.length === 0) continue
      const set = Object.fromEntries(mine.map((c) => [c.key_, null]))
      await forChunks(ctx, mapper, states, mine.length, async (chunk, where) => {
        const result = await ctx.execute(new Update(part.table, [], undefined, []).set(set as never).where(where) as unknown as Executable)
        if (result.rowsAffected !== chunk.length) throw new StaleDataError(`UPDATE of ${chunk.length} ${mapper.className} (clearing ${mine.map((c) => c.key_).join(', ')} before the DELETE)`, chunk.length, result.rowsAffected)
      }, part.table.primaryKey)
    }
  }
  for (const { mapper, states } of deletePlan.batches) {
    const versioned = mapper.versionColumn !== undefined
    await forChunks(ctx, mapper, states, 0, async (chunk, where) => {
      if (ctx.mapperEvents) for (const s of chunk) ctx.mapperEvents.emit('beforeDelete', s)
      // A joined-table subclass's rows in its own tables go first, newest table first, then the root's.
      for (const part of mapper.tables.slice(1).reverse()) {
        const keys = chunk.map((s) => mapper.pkIndexes.map((j) => s.committed![j]))
        const result = await ctx.execute(new Delete(part.table, undefined, []).where(pksWhere(ctx.dialect, mapper, keys, part.table.primaryKey)) as unknown as Executable)
        if (result.rowsAffected !== chunk.length) throw new StaleDataError(`DELETE of ${chunk.length} ${mapper.className} from ${part.table.name}`, chunk.length, result.rowsAffected)
      }
      let stmt = new Delete(mapper.root.table, undefined, []).where(versioned ? versionedWhere(mapper, chunk) : where)
      // A versioned batch lists the rows it deleted, so a stale one is known by name.
      if (versioned && chunk.length > 1) stmt = stmt.returning(...mapper.pkIndexes.map((i) => mapper.columns[i]!)) as unknown as Delete
      const result = await ctx.execute(stmt as unknown as Executable)
      if (result.rowsAffected !== chunk.length && versioned) {
        throw await versionConflict(ctx.execute, mapper, chunk.length === 1 ? chunk : unmatched(mapper, chunk, result.rows), 'DELETE')
      }
      if (result.rowsAffected !== chunk.length) throw new StaleDataError(`DELETE of ${chunk.length} ${mapper.className}`, chunk.length, result.rowsAffected)
      for (const s of chunk) {
        s.lifecycle = 'deleted'
        if (s.key) ctx.identityMap.delete(s.key)
      }
      if (ctx.mapperEvents) for (const s of chunk) ctx.mapperEvents.emit('afterDelete', s)
    })
  }
}

/** Calls `run` per chunk of rows small enough for the dialect's parameter limit, with the chunk's WHERE. */
async function forChunks(
  ctx: FlushContext, m: Mapper, states: readonly InstanceState[], otherParams: number,
  run: (chunk: readonly InstanceState[], where: ReturnType<typeof pksWhere>) => Promise<void>, keyColumns?: readonly Column<unknown>[],
): Promise<void> {
  // A versioned row is named by its key and the version read: one more parameter per row.
  const perRow = m.pkIndexes.length + (m.versionColumn === undefined ? 0 : 1)
  let size = Math.max(1, Math.floor((ctx.dialect.capabilities.maxParams - otherParams) / perRow))
  if (m.versionColumn !== undefined) size = versionedBatchSize(ctx.dialect, 'delete', size)
  for (let i = 0; i < states.length; i += size) {
    const chunk = states.slice(i, i + size)
    await run(chunk, pksWhere(ctx.dialect, m, chunk.map((s) => m.pkIndexes.map((j) => s.committed![j])), keyColumns))
  }
}
