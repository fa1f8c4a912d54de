import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import { Bind, Case, Expression } from '../sql/elements.js'
import type { Column } from '../sql/column.js'
import type { Table } from '../sql/table.js'
import { Update } from '../sql/dml.js'
import type { Select } from '../sql/select.js'
import type { Executable } from '../engine/connection.js'
import type { InstanceState } from './instance-state.js'
import type { Mapper } from './mapper.js'
import type { TablePart } from './inheritance.js'
import type { FlushContext } from './unit-of-work.js'
import { trusted } from './validated-attributes.js'
import { changedColumns, columnsChanged } from './dirty-check.js'
import { readByKey } from './loading.js'
import { keyListsOf } from './key-lists.js'
import { StaleDataError } from './orm-errors.js'
import { pkWhere } from './row-where.js'
import { readVersion, unmatched, versionConflict, versionedBatchSize, versionedWhere } from './version-check.js'

// The flush's UPDATEs: every changed object, those of one class with the same changed columns
// in one statement per table.

/** Most rows one batched UPDATE changes (SQLAlchemy's insertmanyvalues page size). */
const UPDATE_BATCH = 1000

/** A dirty object's UPDATE, prepared: its changed columns (listeners and onupdate applied) and committed key. */
interface RowUpdate {
  readonly s: InstanceState
  readonly changed: Record<string, unknown>
  readonly pk: readonly unknown[]
}

/**
 * Writes every changed object. Objects of one class with the same changed columns share one
 * statement per table: the dialect's own (`StatementCompiler.updateByKey`: PostgreSQL joins
 * arrays of keys and values, two parameters whatever the row count), or else
 * `SET col = CASE pk WHEN ? THEN ? … ELSE col END WHERE pk IN (…)` (one round trip instead of
 * one per object, as MikroORM does; SQLAlchemy gets there with executemany). The ELSE branch
 * gives the CASE the column's type, so no casts are needed for untyped parameters.
 */
export async function updateDirty(ctx: FlushContext): Promise<void> {
  const groups = new Map<string, RowUpdate[]>()
  // A copy (listeners may load more), walked by index: once per flush, mostly unoptimised, where a
  // for-of allocates an iterator result per object (unit-of-work.ts).
  const held = [...ctx.identityMap.values()]
  for (let i = 0; i < held.length; i++) {
    const s = held[i]!
    if (ctx.deleted.has(s)) continue
    const u = prepareUpdate(ctx, s)
    if (!u) continue
    const sig = `${s.mapper.id}:${Object.keys(u.changed).join(',')}`
    ;(groups.get(sig) ?? groups.set(sig, []).get(sig)!).push(u)
  }
  for (const group of groups.values()) {
    const m = group[0]!.s.mapper
    // Per row: a WHEN key and a value per changed column, the key in the WHERE, and the version read.
    const perRow = 2 * Object.keys(group[0]!.changed).length + 1 + (m.versionColumn === undefined ? 0 : 1)
    let size = m.pkIndexes.length === 1 ? Math.max(1, Math.min(UPDATE_BATCH, Math.floor(ctx.dialect.capabilities.maxParams / perRow))) : 1
    if (m.versionColumn !== undefined) size = versionedBatchSize(ctx.dialect, 'update', size)
    for (let i = 0; i < group.length; i += size) await updateRows(ctx, m, group.slice(i, i + size))
  }
}

function prepareUpdate(ctx: FlushContext, s: InstanceState): RowUpdate | undefined {
  // The allocation-free test first: a flush asks this of every held object, and most are unchanged
  // (all of them after an insert of 10,000 new ones). The rest is another function: its closures
  // would otherwise give every call a context (dirty-check.ts).
  if (s.lifecycle !== 'persistent' || !columnsChanged(s)) return undefined
  return changedRow(ctx, s)
}

function changedRow(ctx: FlushContext, s: InstanceState): RowUpdate | undefined {
  const m = s.mapper
  const o = s.obj as Record<string, unknown>
  let changed = changedColumns(s)
  if (changed === undefined) return undefined
  // Listeners may set more columns (an updated-at stamp): diff again after them.
  if (ctx.mapperEvents) (ctx.mapperEvents.emit('beforeUpdate', s, changed), (changed = changedColumns(s) ?? changed))
  for (const c of m.computedColumns) if (c.key_ in changed) throw computedAssigned(m, c)
  trusted(() => { for (const c of m.columns) if (c.onupdate !== undefined && !(c.key_ in changed)) (changed[c.key_] = o[c.key_] = c.onupdateValue()) })
  if (m.pkIndexes.some((i) => m.columnKeys[i]! in changed)) {
    throw new InvalidRequestError(`Changing the primary key of a ${m.className} is not supported; delete it and add a new one.`, 'primary-key-change')
  }
  const vc = m.versionColumn
  if (vc !== undefined && !(vc.key_ in changed)) changed[vc.key_] = trusted(() => (o[vc.key_] = vc.nextVersion!(readVersion(m, s))))
  return { s, changed, pk: m.pkIndexes.map((i) => s.committed![i]) }
}

async function updateRows(ctx: FlushContext, m: Mapper, rows: readonly RowUpdate[]): Promise<void> {
  const changedKeys = Object.keys(rows[0]!.changed)
  // One UPDATE per table with changed columns (the root's always when versioned: it holds the counter).
  for (const [i, part] of m.tables.entries()) {
    const keys = changedKeys.filter((k) => part.columns.some((c) => c.key_ === k))
    if (keys.length > 0) await updatePart(ctx, m, part, i === 0 && m.versionColumn !== undefined, rows, keys)
  }
  // Generated columns follow the columns they are computed from: read them back.
  if (m.computedColumns.length > 0) {
    const cols = m.computedColumns
    const run = async (stmt: Select): Promise<readonly (readonly unknown[])[]> => (await ctx.execute(stmt as unknown as Executable)).rows as readonly (readonly unknown[])[]
    await readByKey(run, keyListsOf(ctx.dialect), m, rows.map((u) => u.s), cols, (s, values) =>
      trusted(() => cols.forEach((c, j) => ((s.obj as Record<string, unknown>)[c.key_] = values[j]))))
  }
  for (const { s } of rows) {
    s.txSnapshot ??= s.committed
    s.committed = s.mapper.snapshot(s.values(), true)
    ctx.mapperEvents?.emit('afterUpdate', s)
  }
}

/** The UPDATE of one table's changed columns (`keys`) for a group of objects; a versioned one checks the counter. */
async function updatePart(ctx: FlushContext, m: Mapper, part: TablePart, versioned: boolean, rows: readonly RowUpdate[], keys: readonly string[]): Promise<void> {
  let stmt: unknown
  const table = part.table
  const keyCols = table.primaryKey
  const pick = (changed: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, changed[k]]))
  if (rows.length === 1) {
    stmt = new Update(table, [], undefined, []).set(pick(rows[0]!.changed) as never).where(versioned ? versionedWhere(m, [rows[0]!.s]) : pkWhere(m, rows[0]!.pk, keyCols))
  } else {
    const pkCol = keyCols[0]!
    const columns = keys.map((k) => table.column(k))
    // Values as the columns take them (validated once here; the statement's binds are trusted).
    const values = columns.map((col, j) => {
      const label = `${table.name}.${keys[j]!}`
      return rows.map((u) => {
        const v = u.changed[keys[j]!]
        return v instanceof Expression ? v : col.type.validate(v, label)
      })
    })
    const byKey = versioned || values.some((vs) => vs.some((v) => v instanceof Expression))
      ? undefined
      : ctx.dialect.compiler.updateByKey?.({ table, key: pkCol, columns, keys: rows.map((u) => u.pk[0]), values })
    stmt = byKey ?? caseUpdate(table, pkCol, keys, columns, rows, values, versioned ? versionedWhere(m, rows.map((u) => u.s)) : undefined)
  }
  const result = await ctx.execute(stmt as unknown as Executable)
  if (result.rowsAffected !== rows.length && versioned) {
    throw await versionConflict(ctx.execute, m, rows.length === 1 ? [rows[0]!.s] : unmatched(m, rows.map((u) => u.s), result.rows), 'UPDATE')
  }
  if (result.rowsAffected !== rows.length) {
    const what = rows.length === 1 ? `${m.className} ${JSON.stringify(rows[0]!.pk.map(String))}` : `${rows.length} ${m.className}`
    throw new StaleDataError(`UPDATE of ${what}`, rows.length, result.rowsAffected)
  }
}

/**
 * `UPDATE t SET col = CASE pk WHEN ? THEN ? … ELSE col END WHERE pk IN (…)` for rows keyed by
 * `pk` (the simple CASE: MariaDB looks the key up among constant WHENs, ~6 ms for 1,000 rows
 * where testing `pk = ?` in turn took ~10); a versioned batch checks each row's counter (`where`) and lists the rows it wrote, so a
 * stale one is known by name.
 */
function caseUpdate(table: Table, pkCol: Column<unknown>, keys: readonly string[], columns: readonly Column<unknown>[], rows: readonly RowUpdate[], values: readonly (readonly unknown[])[], where: ReturnType<typeof versionedWhere> | undefined): Update {
  const whens = rows.map((u) => new Bind(u.pk[0], pkCol.type))
  const set: Record<string, Expression<unknown>> = {}
  columns.forEach((col, j) => {
    const branches = rows.map((_u, r) => {
      const v = values[j]![r]
      return [whens[r]!, v instanceof Expression ? v : new Bind(v, col.type, true)] as const
    })
    set[keys[j]!] = new Case(branches, col, col.type, pkCol)
  })
  const stmt = new Update(table, [], undefined, []).set(set as never).where(where ?? pkCol.in(rows.map((u) => u.pk[0]) as never[]))
  return where === undefined ? stmt : (stmt.returning(pkCol) as unknown as Update)
}

export function computedAssigned(m: Mapper, c: Column<unknown>): ArgumentError {
  return new ArgumentError(`${m.className}.${c.key_} is computed by the database (${c.computed!.sql}), so it cannot be set: leave it out, and the flush reads its value back.`, 'computed-column')
}
