import {
  CheckConstraint, ForeignKeyConstraint, Index, PrimaryKeyConstraint, UniqueConstraint, column, sqlDefault, topoSort,
} from '@athanor/core'
import type {
  ColumnSpec, ReferentialAction, SqlType, ReflectedColumn, ReflectedEnum, ReflectedSchema, ReflectedTable, TableConstraint,
} from '@athanor/core'
import { VERSION_TABLE } from './model-schema.js'
import type { Operations } from './operations.js'

/** One call on the `op` of a revision: executable, and printable as the code of a revision file. */
export interface Call {
  readonly method: OperationName
  readonly args: readonly unknown[]
}
export type OperationName = Exclude<keyof Operations, 'steps' | 'run'>

/** One difference between the models and the database, with the calls that make it and undo it. */
export interface Change {
  /** `+ table users`, `~ column users.name: VARCHAR(50) → VARCHAR(100)`, … */
  readonly summary: string
  readonly up: readonly Call[]
  readonly down: readonly Call[]
  /** Why the upgrade can lose data (a dropped column, a narrowed type); undefined when it cannot. */
  readonly dataLoss?: string | undefined
  /** A change autogenerate cannot write; the revision carries it as a comment to do by hand. */
  readonly manual?: string | undefined
  /** Where the calls go in the revision: enums, drops of keys, renames, tables, columns, keys, drops. */
  readonly phase: number
}

/** Renames to make instead of a drop and an add (never guessed: given by flag or confirmed). */
export interface Renames {
  readonly tables?: ReadonlyMap<string, string>
  /** `'table.old'` → `'new'` (the table by its new name). */
  readonly columns?: ReadonlyMap<string, string>
}

export interface DiffOptions {
  readonly renames?: Renames | undefined
  /** Model defaults as written (the diff compares canonical ones): `'table.column'` → SQL. */
  readonly modelDefaults?: ReadonlyMap<string, string> | undefined
  /** The database has named enum types (compare them). */
  readonly namedEnums?: boolean | undefined
}

const call = (method: OperationName, ...args: unknown[]): Call => ({ method, args })
const sameAction = (a: ReferentialAction | undefined, b: ReferentialAction | undefined): boolean =>
  (a === undefined || a === 'NO ACTION' || a === 'RESTRICT' ? undefined : a) === (b === undefined || b === 'NO ACTION' || b === 'RESTRICT' ? undefined : b)

/** The name autogenerate gives an unnamed unique constraint (also how an unnamed one is dropped). */
export const uniqueName = (table: string, columns: readonly string[]): string => `uq_${table}_${columns.join('_')}`
/** The name autogenerate gives an unnamed foreign key. */
export const foreignKeyNameOf = (table: string, columns: readonly string[]): string => `fk_${table}_${columns.join('_')}`

/** A reflected or model column as a `column()` spec (for createTable / addColumn / alterColumn). */
export function specOf(c: ReflectedColumn, options: { primaryKey?: boolean; defaultSql?: string | undefined } = {}): ColumnSpec<unknown> {
  const dflt = options.defaultSql ?? c.default
  return column(c.type, {
    ...(options.primaryKey === true ? { primaryKey: true } : {}),
    ...(c.nullable && options.primaryKey !== true ? { nullable: true } : {}),
    ...(options.primaryKey === true && !c.autoincrement && ['integer', 'bigint', 'smallint'].includes(c.type.kind) ? { autoincrement: false } : {}),
    ...(dflt === undefined ? {} : { serverDefault: sqlDefault(dflt) }),
    ...(c.check === undefined ? {} : { check: c.check }),
    ...(c.generated === undefined ? {} : { computed: { sql: c.generated.expression, stored: c.generated.stored } }),
  }) as ColumnSpec<unknown>
}

/**
 * A generation expression as databases give it back, for comparing: PostgreSQL adds casts and
 * parentheses, MySQL backquotes names and lowercases some; the difference that remains is a change.
 */
export function expressionKey(sql: string): string {
  // MySQL spells some functions its own way when it stores the expression.
  const named = sql.toLowerCase().replace(/\bucase\s*\(/g, 'upper(').replace(/\blcase\s*\(/g, 'lower(')
  return named.replace(/::[a-z ]+(\([0-9, ]+\))?/g, '').replace(/[`"()\s]/g, '')
}

/** What differs between two columns' generation (undefined when nothing). */
function generationChange(want: ReflectedColumn, have: ReflectedColumn): string | undefined {
  const w = want.generated
  const h = have.generated
  if (w === undefined && h === undefined) return undefined
  if (w === undefined || h === undefined) return w === undefined ? 'no longer generated' : `generated as (${w.expression})`
  if (w.stored !== h.stored) return `generated ${h.stored ? 'STORED' : 'VIRTUAL'} → ${w.stored ? 'STORED' : 'VIRTUAL'}`
  return expressionKey(w.expression) === expressionKey(h.expression) ? undefined : `generated as (${h.expression}) → (${w.expression})`
}

/** The createTable call for a table (foreign keys as table constraints, with their names). */
export function createTableCall(t: ReflectedTable, defaults?: ReadonlyMap<string, string>): Call {
  const pk = t.primaryKey?.columns ?? []
  const columns = Object.fromEntries(t.columns.map((c) => [c.name, specOf(c, { primaryKey: pk.length === 1 && pk[0] === c.name, defaultSql: defaults?.get(`${t.name}.${c.name}`) })]))
  const constraints: TableConstraint[] = []
  if (pk.length > 1) constraints.push(new PrimaryKeyConstraint(pk))
  for (const u of t.uniques) constraints.push(new UniqueConstraint(u.columns, u.name === undefined ? {} : { name: u.name }))
  for (const ck of t.checks) constraints.push(new CheckConstraint(ck.sql, ck.generatedName === true || ck.name === undefined ? {} : { name: ck.name }))
  for (const fk of t.foreignKeys) {
    constraints.push(new ForeignKeyConstraint(fk.columns, fk.referredColumns.map((c) => `${fk.referredTable}.${c}`), {
      ...(fk.name === undefined ? {} : { name: fk.name }), ...(fk.onDelete === undefined ? {} : { onDelete: fk.onDelete }), ...(fk.onUpdate === undefined ? {} : { onUpdate: fk.onUpdate }),
    }))
  }
  for (const ix of t.indexes) if (ix.columns.every((c) => c !== undefined)) constraints.push(new Index(ix.name, ix.columns as string[], { unique: ix.unique }))
  return call('createTable', t.schema === undefined ? t.name : `${t.schema}.${t.name}`, columns, ...constraints)
}

/**
 * What must change for the database (`current`) to match the models (`desired`): tables,
 * columns (type, nullability, default), unique constraints, foreign keys, indexes, named
 * checks and named enums. The version table and constraints the database named itself are left
 * out. Renames happen only where `options.renames` says so; otherwise a drop and an add.
 */
export function diffSchemas(desired: ReflectedSchema, current: ReflectedSchema, options: DiffOptions = {}): Change[] {
  const changes: Change[] = []
  const tableRenames = options.renames?.tables ?? new Map<string, string>()
  const ignore = (name: string): boolean => name === VERSION_TABLE || name.startsWith('_athanor_rebuild_')
  const want = new Map(desired.tables.filter((t) => !ignore(t.name)).map((t) => [t.name, t]))
  const have = new Map(current.tables.filter((t) => !ignore(t.name)).map((t) => [t.name, t]))
  const renamedFrom = new Map([...tableRenames].map(([from, to]) => [to, from]))

  if (options.namedEnums === true) diffEnums(desired.enums, current.enums, changes)

  const added = [...want.values()].filter((t) => !have.has(t.name) && !renamedFrom.has(t.name))
  const order = topoSort(added, (t) => added.filter((o) => o !== t && t.foreignKeys.some((fk) => fk.referredTable === o.name)))
  for (const t of order.order) {
    changes.push({ summary: `+ table ${t.name}`, up: [createTableCall(t, options.modelDefaults)], down: [call('dropTable', t.name)], phase: 3 })
  }
  const removed = [...have.values()].filter((t) => !want.has(t.name) && !tableRenames.has(t.name))
  const removeOrder = topoSort(removed, (t) => removed.filter((o) => o !== t && o.foreignKeys.some((fk) => fk.referredTable === t.name)))
  for (const t of removeOrder.order) {
    changes.push({ summary: `- table ${t.name}`, up: [call('dropTable', t.name)], down: [createTableCall(t)], dataLoss: `drops table ${t.name} and every row in it`, phase: 7 })
  }
  for (const [from, to] of tableRenames) {
    if (!have.has(from) || !want.has(to)) continue
    changes.push({ summary: `~ table ${from} renamed to ${to}`, up: [call('renameTable', from, to)], down: [call('renameTable', to, from)], phase: 2 })
  }
  for (const [name, w] of want) {
    const h = have.get(name) ?? have.get(renamedFrom.get(name) ?? '')
    if (h === undefined) continue
    diffTable(w, h, options, changes)
  }
  return changes.sort((a, b) => a.phase - b.phase)
}

function diffEnums(want: readonly ReflectedEnum[], have: readonly ReflectedEnum[], changes: Change[]): void {
  const current = new Map(have.map((e) => [e.name, e]))
  for (const e of want) {
    const h = current.get(e.name)
    if (h === undefined) {
      changes.push({ summary: `+ enum ${e.name} (${e.values.join(', ')})`, up: [call('createEnum', e.name, e.values)], down: [call('dropEnum', e.name)], phase: 0 })
      continue
    }
    const addedValues = e.values.filter((v) => !h.values.includes(v))
    const removedValues = h.values.filter((v) => !e.values.includes(v))
    if (addedValues.length > 0) {
      changes.push({
        summary: `~ enum ${e.name}: + ${addedValues.join(', ')}`, up: addedValues.map((v) => call('addEnumValue', e.name, v)), down: [], phase: 0,
        manual: `Downgrade: PostgreSQL cannot remove values from enum ${e.name} (${addedValues.join(', ')}); recreate the type by hand if you must.`,
      })
    }
    if (removedValues.length > 0) {
      changes.push({
        summary: `~ enum ${e.name}: - ${removedValues.join(', ')}`, up: [], down: [], phase: 0, dataLoss: `rows holding ${removedValues.join(', ')} of enum ${e.name} must change first`,
        manual: `Upgrade: remove ${removedValues.join(', ')} from enum ${e.name} by hand (create a new type, ALTER COLUMN … TYPE it USING …, drop the old one).`,
      })
    }
  }
}

function diffTable(w: ReflectedTable, h: ReflectedTable, options: DiffOptions, changes: Change[]): void {
  const t = w.name
  const columnRenames = new Map<string, string>()
  for (const [key, to] of options.renames?.columns ?? []) if (key.startsWith(`${t}.`)) columnRenames.set(key.slice(t.length + 1), to)
  const renamedFrom = new Map([...columnRenames].map(([from, to]) => [to, from]))
  const have = new Map(h.columns.map((c) => [c.name, c]))
  const want = new Map(w.columns.map((c) => [c.name, c]))
  const modelDefault = (name: string): string | undefined => options.modelDefaults?.get(`${t}.${name}`)

  for (const c of w.columns) {
    const from = renamedFrom.get(c.name)
    const old = have.get(from ?? c.name)
    if (old === undefined) {
      const spec = specOf(c, { defaultSql: modelDefault(c.name) })
      const warn = !c.nullable && c.default === undefined ? `adds NOT NULL column ${t}.${c.name} without a default: fails if ${t} has rows` : undefined
      changes.push({ summary: `+ column ${t}.${c.name} ${c.typeDdl}`, up: [call('addColumn', t, c.name, spec)], down: [call('dropColumn', t, c.name)], phase: 4, dataLoss: warn })
      continue
    }
    const generation = generationChange(c, old)
    if (generation !== undefined) {
      // A generation clause cannot be altered in place on every database: the column is made again
      // (a generated column's values are computed, so nothing is lost; a plain one's are).
      const pk = (h.primaryKey?.columns ?? []).includes(old.name)
      changes.push({
        summary: `~ column ${t}.${c.name}: ${generation}`,
        up: [call('dropColumn', t, old.name), call('addColumn', t, c.name, specOf(c, { defaultSql: modelDefault(c.name) }))],
        down: [call('dropColumn', t, c.name), call('addColumn', t, old.name, specOf(old, { primaryKey: pk }))],
        dataLoss: old.generated === undefined ? `replaces ${t}.${c.name} by a generated column: its stored values are dropped` : undefined,
        phase: 4,
      })
      continue
    }
    const up: Record<string, unknown> = {}
    const down: Record<string, unknown> = {}
    const parts: string[] = []
    let loss: string | undefined
    if (from !== undefined) (up['rename'] = c.name, (down['rename'] = from), parts.push(`renamed from ${from}`))
    if (c.typeDdl !== old.typeDdl) {
      up['type'] = c.type
      down['type'] = old.type
      parts.push(`${old.typeDdl} → ${c.typeDdl}`)
      if (!widens(old.type, c.type)) loss = typeChangeLoss(`${t}.${c.name}`, old, c)
    }
    // A generated column's nullness is its expression's (the DDL states none).
    if (c.nullable !== old.nullable && c.generated === undefined) {
      up['nullable'] = c.nullable
      down['nullable'] = old.nullable
      parts.push(c.nullable ? 'nullable' : 'NOT NULL')
      if (!c.nullable) loss ??= `makes ${t}.${c.name} NOT NULL: fails while rows hold NULL there`
    }
    if (c.default !== old.default && c.generated === undefined) {
      up['serverDefault'] = c.default === undefined ? null : sqlDefault(modelDefault(c.name) ?? c.default)
      down['serverDefault'] = old.default === undefined ? null : sqlDefault(old.default)
      parts.push(`default ${old.default ?? 'none'} → ${c.default ?? 'none'}`)
    }
    if (parts.length === 0) continue
    const pk = (h.primaryKey?.columns ?? []).includes(old.name)
    up['existing'] = specOf(old, { primaryKey: pk })
    down['existing'] = specOf({ ...c, name: c.name }, { primaryKey: pk, defaultSql: modelDefault(c.name) })
    changes.push({
      summary: `~ column ${t}.${c.name}: ${parts.join(', ')}`,
      up: [call('alterColumn', t, from ?? c.name, up)], down: [call('alterColumn', t, c.name, down)], dataLoss: loss, phase: from !== undefined ? 2 : 4,
    })
  }
  for (const c of h.columns) {
    if (want.has(c.name) || columnRenames.has(c.name)) continue
    const pk = (h.primaryKey?.columns ?? []).includes(c.name)
    changes.push({
      summary: `- column ${t}.${c.name}`, up: [call('dropColumn', t, c.name)], down: [call('addColumn', t, c.name, specOf(c, { primaryKey: pk }))],
      dataLoss: `drops column ${t}.${c.name} and its data`, phase: 6,
      manual: c.nullable || c.default !== undefined || c.autoincrement ? undefined
        : `Downgrade: ${t}.${c.name} comes back NOT NULL without a default, which fails once ${t} has rows: give it a server default, or add it nullable, fill it in a data step, then make it NOT NULL.`,
    })
  }
  const pkWant = (w.primaryKey?.columns ?? []).map((c) => renamedFrom.get(c) ?? c).join()
  if (pkWant !== (h.primaryKey?.columns ?? []).join()) {
    changes.push({ summary: `~ primary key of ${t}`, up: [], down: [], phase: 4, manual: `The primary key of ${t} changes from (${h.primaryKey?.columns.join(', ') ?? ''}) to (${w.primaryKey?.columns.join(', ') ?? ''}); write these steps by hand.` })
  }
  diffKeys(w, h, changes)
}

function typeChangeLoss(column: string, from: ReflectedColumn, to: ReflectedColumn): string {
  if (from.type.kind === 'enum' && to.type.kind === 'enum') {
    const gone = (from.type.options.values ?? []).filter((v) => !(to.type.options.values ?? []).includes(v))
    return `removes ${gone.map((v) => `'${v}'`).join(', ')} from the values of ${column}: fails while rows hold ${gone.length === 1 ? 'it' : 'them'} (update those rows first)`
  }
  return `changes the type of ${column} (${from.typeDdl} → ${to.typeDdl}): values that do not convert fail or change`
}

function fkCall(name: string, table: string, fk: ReflectedTable['foreignKeys'][number], actions: Readonly<Record<string, unknown>>): Call {
  const args: unknown[] = [name, table, fk.columns, fk.referredTable, fk.referredColumns]
  return { method: 'createForeignKey', args: Object.keys(actions).length === 0 ? args : [...args, actions] }
}

function indexCall(ix: ReflectedTable['indexes'][number], table: string): Call {
  return ix.unique ? call('createIndex', ix.name, table, ix.columns, { unique: true }) : call('createIndex', ix.name, table, ix.columns)
}

const INTEGER_WIDTH: Readonly<Record<string, number>> = { smallint: 1, integer: 2, bigint: 3 }

/** Whether every value of `from` fits `to` unchanged (a longer string, a wider number). */
function widens(from: SqlType<unknown>, to: SqlType<unknown>): boolean {
  const a = from.options
  const b = to.options
  if (from.kind === to.kind && (from.kind === 'string')) return b.length === undefined || (a.length !== undefined && b.length >= a.length)
  if ((from.kind === 'string' || from.kind === 'enum') && to.kind === 'text') return true
  if (from.kind === 'numeric' && to.kind === 'numeric') {
    if (b.precision === undefined) return true
    if (a.precision === undefined) return false
    return (b.scale ?? 0) >= (a.scale ?? 0) && b.precision - (b.scale ?? 0) >= a.precision - (a.scale ?? 0)
  }
  if (from.kind in INTEGER_WIDTH && to.kind in INTEGER_WIDTH) return INTEGER_WIDTH[to.kind]! >= INTEGER_WIDTH[from.kind]!
  if (from.kind === 'enum' && to.kind === 'enum') return (a.values ?? []).every((v) => (b.values ?? []).includes(v))
  return false
}

/** Unique constraints, foreign keys, indexes and named checks of one table. */
function diffKeys(w: ReflectedTable, current: ReflectedTable, changes: Change[]): void {
  const t = w.name
  // Where unique indexes are unique constraints (MySQL), a model's unique Index comes back as one.
  const asIndex = current.uniques.filter((u) => u.name !== undefined && w.indexes.some((ix) => ix.unique && ix.name === u.name && ix.columns.join() === u.columns.join()))
  const h: ReflectedTable = asIndex.length === 0 ? current : {
    ...current,
    uniques: current.uniques.filter((u) => !asIndex.includes(u)),
    indexes: [...current.indexes, ...asIndex.map((u) => ({ name: u.name!, columns: u.columns, unique: true }))],
  }
  const cols = (list: readonly (string | undefined)[]): string => list.join('\u0000')
  for (const u of w.uniques) {
    if (h.uniques.some((x) => cols(x.columns) === cols(u.columns))) continue
    const name = u.name ?? uniqueName(t, u.columns)
    changes.push({ summary: `+ unique ${t} (${u.columns.join(', ')})`, up: [call('createUnique', name, t, u.columns)], down: [call('dropUnique', name, t)], phase: 5 })
  }
  for (const u of h.uniques) {
    if (w.uniques.some((x) => cols(x.columns) === cols(u.columns))) continue
    const name = u.name ?? uniqueName(t, u.columns)
    changes.push({ summary: `- unique ${t} (${u.columns.join(', ')})`, up: [call('dropUnique', name, t)], down: [call('createUnique', name, t, u.columns)], phase: 1 })
  }
  const sameKey = (a: ReflectedTable['foreignKeys'][number], b: ReflectedTable['foreignKeys'][number]): boolean =>
    cols(a.columns) === cols(b.columns) && a.referredTable === b.referredTable && cols(a.referredColumns) === cols(b.referredColumns) &&
    sameAction(a.onDelete, b.onDelete) && sameAction(a.onUpdate, b.onUpdate)
  for (const fk of w.foreignKeys) {
    if (h.foreignKeys.some((x) => sameKey(x, fk))) continue
    const name = fk.name ?? foreignKeyNameOf(t, fk.columns)
    const actions = { ...(fk.onDelete === undefined ? {} : { onDelete: fk.onDelete }), ...(fk.onUpdate === undefined ? {} : { onUpdate: fk.onUpdate }) }
    changes.push({
      summary: `+ foreign key ${t} (${fk.columns.join(', ')}) → ${fk.referredTable}`,
      up: [fkCall(name, t, fk, actions)], down: [call('dropForeignKey', name, t)], phase: 5,
    })
  }
  for (const fk of h.foreignKeys) {
    if (w.foreignKeys.some((x) => sameKey(x, fk))) continue
    const name = fk.name ?? foreignKeyNameOf(t, fk.columns)
    const actions = { ...(fk.onDelete === undefined ? {} : { onDelete: fk.onDelete }), ...(fk.onUpdate === undefined ? {} : { onUpdate: fk.onUpdate }) }
    changes.push({
      summary: `- foreign key ${t} (${fk.columns.join(', ')}) → ${fk.referredTable}`,
      up: [call('dropForeignKey', name, t)], down: [fkCall(name, t, fk, actions)], phase: 1,
    })
  }
  for (const ix of w.indexes) {
    const old = h.indexes.find((x) => x.name === ix.name)
    if (old !== undefined && cols(old.columns) === cols(ix.columns) && old.unique === ix.unique) continue
    const create = ix.unique ? call('createIndex', ix.name, t, ix.columns, { unique: true }) : call('createIndex', ix.name, t, ix.columns)
    if (old !== undefined) {
      changes.push({ summary: `- index ${ix.name} (changed)`, up: [call('dropIndex', ix.name, t)], down: [indexCall(old, t)], phase: 1 })
    }
    changes.push({ summary: `+ index ${ix.name} on ${t} (${ix.columns.join(', ')})`, up: [create], down: [call('dropIndex', ix.name, t)], phase: 5 })
  }
  for (const ix of h.indexes) {
    if (w.indexes.some((x) => x.name === ix.name)) continue
    if (ix.columns.includes(undefined)) {
      changes.push({ summary: `? index ${ix.name} on ${t}`, up: [], down: [], phase: 1, manual: `Index ${ix.name} on ${t} is an expression index the models cannot declare; it is left as it is.` })
      continue
    }
    changes.push({ summary: `- index ${ix.name} on ${t}`, up: [call('dropIndex', ix.name, t)], down: [indexCall(ix, t)], phase: 1 })
  }
  const named = (list: ReflectedTable['checks']): ReflectedTable['checks'] => list.filter((c) => c.generatedName !== true && c.name !== undefined)
  for (const ck of named(w.checks)) {
    if (named(h.checks).some((x) => x.name === ck.name)) continue
    changes.push({ summary: `+ check ${ck.name} on ${t}`, up: [call('createCheck', ck.name, t, ck.sql)], down: [call('dropCheck', ck.name, t)], phase: 5 })
  }
  for (const ck of named(h.checks)) {
    if (named(w.checks).some((x) => x.name === ck.name)) continue
    changes.push({ summary: `- check ${ck.name} on ${t}`, up: [call('dropCheck', ck.name, t)], down: [call('createCheck', ck.name, t, ck.sql)], phase: 1 })
  }
}
