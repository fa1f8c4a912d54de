import { ArgumentError } from '../util/errors.js'
import type { Capabilities } from '../dialect/contract.js'
import type { Executable } from '../engine/connection.js'
import type { Result } from '../engine/result.js'
import type { Column } from '../sql/column.js'
import { insert } from '../sql/dml.js'
import type { Insert } from '../sql/dml.js'
import { select } from '../sql/select.js'
import type { Expression } from '../sql/elements.js'
import { proposedRow, withUpsert } from '../sql/upsert.js'
import { Index, PrimaryKeyConstraint, UniqueConstraint } from '../schema/constraints.js'
import { maybeState } from './instance-state.js'
import { inClause } from './key-lists.js'
import { trusted } from './validated-attributes.js'
import type { InstanceState } from './instance-state.js'
import type { Mapper } from './mapper.js'

/**
 * What `session.upsert()` matches on and what it overwrites.
 * ```ts
 * { on: ['email'], update: ['name'] }
 * ```
 */
export interface UpsertObjectsOptions<T> {
  /** The attributes of one unique key (the primary key, a unique column or constraint, or a unique index). */
  readonly on: readonly (keyof T & string)[]
  /**
   * The attributes an existing row takes from the object; by default every attribute the objects
   * give except the `on` key and the primary key. `[]` leaves existing rows as they are (the
   * objects then take their values).
   */
  readonly update?: readonly (keyof T & string)[]
}

/** What an upsert needs of the session. */
export interface UpsertContext {
  readonly capabilities: Capabilities
  /** Runs a statement on the session's transaction (a write). */
  run(statement: Executable): Promise<Result>
  /** Takes the row the database holds for `given` into the session; returns the object that stands for it. */
  absorb(mapper: Mapper, row: readonly unknown[], given: InstanceState): object
}

/**
 * Inserts the objects' rows, updating the rows they collide with on `on`, in one statement per
 * batch (`INSERT … ON CONFLICT (on) DO UPDATE` / `ON DUPLICATE KEY UPDATE`), then reads back every
 * affected row — with RETURNING where the dialect has it, else one SELECT … IN by the key — and
 * hands each to the session. Returns the objects in the order given.
 */
export async function upsertObjects(ctx: UpsertContext, mapper: Mapper, states: readonly InstanceState[], options: UpsertObjectsOptions<object>): Promise<object[]> {
  const table = mapper.table
  const { on, otherKeys } = keyColumns(mapper, options.on)
  const given = givenColumns(mapper, states)
  const anyKey = ctx.capabilities.upsertAnyKey === true
  const clash = anyKey ? otherKeys.find((k) => k.every((c) => given.includes(c))) : undefined
  if (clash !== undefined) {
    throw new ArgumentError(
      `session.upsert() on ${mapper.className}: this database's upsert (ON DUPLICATE KEY UPDATE) reacts to a conflict on any unique key, and the objects also give ` +
        `[${clash.map((c) => c.key_).join(', ')}], so a row could be matched on that key instead of on [${on.map((c) => c.key_).join(', ')}]. Leave those attributes out, or upsert on that key.`,
    )
  }
  const missing = on.filter((c) => !given.includes(c))
  if (missing.length > 0) {
    throw new ArgumentError(`session.upsert(): every ${mapper.className} must give its '${missing.map((c) => c.key_).join("', '")}' — the key the rows are matched on.`)
  }
  const update = options.update === undefined
    ? given.filter((c) => !on.includes(c) && !c.primaryKey)
    : options.update.map((k) => columnOf(mapper, k, 'update'))
  const proposed = proposedRow(table) as Record<string, Expression<unknown>>
  // Nothing to update still needs an assignment, so that the existing row is returned (and locked).
  const set = Object.fromEntries((update.length > 0 ? update : on.slice(0, 1)).map((c) => [c.key_, proposed[c.key_]]))
  const byKey = new Map<string, InstanceState>()
  for (const s of states) {
    const k = keyString(on.map((c) => (s.obj as Record<string, unknown>)[c.key_]))
    if (byKey.has(k)) throw new ArgumentError(`session.upsert(): two ${mapper.className} objects have the same ${on.map((c) => c.key_).join(', ')} (${k}); one statement can write a row once — pass one object per key.`)
    byKey.set(k, s)
  }
  const returning = ctx.capabilities.returning.insert
  const perStatement = Math.max(1, Math.floor(ctx.capabilities.maxParams / (given.length + update.length + 1)))
  const out = new Map<InstanceState, object>()
  for (let i = 0; i < states.length; i += perStatement) {
    const chunk = states.slice(i, i + perStatement)
    const values = chunk.map((s) => Object.fromEntries(given.map((c) => [c.key_, (s.obj as Record<string, unknown>)[c.key_]])))
    let stmt: Insert = withUpsert(insert(table).values(values as never), 'session.upsert()', { target: anyKey ? undefined : on, set: set as never })
    let rows: readonly (readonly unknown[])[]
    if (returning) {
      stmt = stmt.returning(...mapper.columns) as unknown as Insert
      rows = (await ctx.run(stmt as unknown as Executable)).rows
    } else {
      await ctx.run(stmt as unknown as Executable)
      const keys = chunk.map((s) => on.map((c) => (s.obj as Record<string, unknown>)[c.key_]))
      rows = (await ctx.run(select(...mapper.columns).where(inClause(on, keys)) as unknown as Executable)).rows
    }
    const index = on.map((c) => mapper.columns.indexOf(c))
    for (const row of rows) {
      const s = byKey.get(keyString(index.map((j) => row[j])))
      if (s === undefined) continue
      out.set(s, ctx.absorb(mapper, row, s))
    }
  }
  return states.map((s) => {
    const obj = out.get(s)
    if (obj === undefined) throw new ArgumentError(`session.upsert(): the database returned no row for the ${mapper.className} with ${on.map((c) => `${c.key_} = ${String((s.obj as Record<string, unknown>)[c.key_])}`).join(', ')}; a value the database stores differently from how it was given (case, padding, rounding) cannot serve as the key.`)
    return obj
  })
}

/** The transient objects of one mapped class that an upsert takes. */
export function upsertStates(objs: readonly object[]): { mapper: Mapper; states: InstanceState[] } {
  if (objs.length === 0) throw new ArgumentError('session.upsert() needs at least one object.')
  const states = objs.map((o) => {
    const s = maybeState(o)
    if (s === undefined) throw new ArgumentError(`session.upsert() takes instances of mapped classes, not ${String((o as object)?.constructor?.name ?? o)}.`)
    if (s.lifecycle !== 'transient') {
      throw new ArgumentError(`session.upsert() takes new objects; this ${s.mapper.className} is ${s.lifecycle}. Change a loaded object's attributes and commit() instead.`)
    }
    return s
  })
  const mapper = states[0]!.mapper
  const other = states.find((s) => s.mapper !== mapper)
  if (other) throw new ArgumentError(`session.upsert() takes objects of one class per call, not ${mapper.className} and ${other.mapper.className}.`)
  if (mapper.tables.length > 1) throw new ArgumentError(`session.upsert() writes one table, and a ${mapper.className} is stored in ${mapper.tables.length} (${mapper.tables.map((p) => p.table.name).join(', ')}); add it with session.add() instead.`)
  if (mapper.columns.some((c) => c.nextVersion !== undefined)) {
    throw new ArgumentError(`session.upsert() cannot check ${mapper.className}'s version column: an upsert overwrites whatever row it meets. Load the object and change it instead.`)
  }
  return { mapper, states }
}

/** Columns every object gives (client defaults applied first, as a flush would). */
function givenColumns(m: Mapper, states: readonly InstanceState[]): Column<unknown>[] {
  for (const s of states) {
    const o = s.obj as Record<string, unknown>
    trusted(() => { for (const c of m.columns) if (o[c.key_] === undefined && c.default !== undefined) o[c.key_] = c.defaultValue() })
  }
  const first = states[0]!.obj as Record<string, unknown>
  const given = m.columns.filter((c) => first[c.key_] !== undefined)
  for (const s of states) {
    const o = s.obj as Record<string, unknown>
    const odd = m.columns.find((c) => (o[c.key_] === undefined) !== (first[c.key_] === undefined))
    if (odd) throw new ArgumentError(`session.upsert(): the ${m.className} objects must give the same attributes; some give '${odd.key_}' and some do not. Upsert them in separate calls.`)
  }
  return given
}

function columnOf(m: Mapper, key: string, option: string): Column<unknown> {
  const c = m.columns.find((col) => col.key_ === key)
  if (c === undefined) throw new ArgumentError(`session.upsert(): ${option} names '${key}', which is not a column attribute of ${m.className} (its columns: ${m.columnKeys.join(', ')}).`)
  return c
}

/** `on` as columns, checked to be exactly one unique key of the table; and the table's other unique keys. */
function keyColumns(m: Mapper, on: readonly string[]): { on: Column<unknown>[]; otherKeys: Column<unknown>[][] } {
  if (!Array.isArray(on) || on.length === 0) throw new ArgumentError(`session.upsert() needs on: the attributes of a unique key of ${m.className}, e.g. { on: ['${m.columnKeys[m.pkIndexes[0] ?? 0]}'] }.`)
  const cols = on.map((k) => columnOf(m, k, 'on'))
  const table = m.table
  const keys: string[][] = [table.primaryKey.map((c) => c.key_), ...table.columnList.filter((c) => c.unique).map((c) => [c.key_])]
  for (const c of table.constraints) {
    if (c instanceof UniqueConstraint || c instanceof PrimaryKeyConstraint || (c instanceof Index && c.unique)) keys.push([...c.columns])
  }
  const wanted = [...on].sort().join(',')
  const same = (k: readonly string[]): boolean => [...k].sort().join(',') === wanted
  if (!keys.some(same)) {
    throw new ArgumentError(
      `session.upsert(): ${on.join(', ')} is not a unique key of ${m.className} (table '${table.name}'), so a conflict on it cannot be detected. ` +
        `Its unique keys: ${keys.map((k) => `[${k.join(', ')}]`).join(', ')}; declare one with unique: true or a UniqueConstraint.`,
    )
  }
  return { on: cols, otherKeys: keys.filter((k) => !same(k)).map((k) => k.map((key) => columnOf(m, key, 'a unique key'))) }
}

function keyString(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'bigint' ? `${v}` : v instanceof Date ? v.toISOString() : String(v))).join('\u0001')
}
