import { ArgumentError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'
import { Bind, BooleanList, Expression } from './elements.js'
import type { Column } from './column.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'
import type { Select } from './select.js'
import type { ColumnSpecs, InsertRow, Table } from './table.js'
import type { RowOf, MappingOf, SelectItem } from './select.js'
import { CLAUSE, ColumnGroup, resolveItem } from './select.js'
import type { SelectColumn } from './select.js'
import { Table as TableClass } from './table.js'
import { describeValue } from '../util/describe-value.js'
import { Join } from './from.js'

/** A value for a column in INSERT/UPDATE: a plain value or an expression. */
type Assignable<T> = T | Expression<T> | Expression<NonNullable<T>>
type Assignments<S extends ColumnSpecs> = { [K in keyof InsertRow<S>]?: Assignable<InsertRow<S>[K]> }
/** An INSERT row: columns without a default (and not nullable) must be given. */
type InsertValues<S extends ColumnSpecs> = { [K in keyof InsertRow<S>]: Assignable<InsertRow<S>[K]> }

function assignments(table: Table, values: Record<string, unknown>, what: string): [Column<unknown>, Expression<unknown>][] {
  const out: [Column<unknown>, Expression<unknown>][] = []
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ArgumentError(`${what} on '${table.fullName}' takes an object of column values, e.g. { ${Object.keys(table.c)[0] ?? 'id'}: … }, not ${values === null ? 'null' : Array.isArray(values) ? 'an array' : `a ${typeof values}`}.`)
  }
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue
    const col = Object.hasOwn(table.c, key) ? (table.c[key] as Column<unknown>) : undefined
    if (!col) throw new ArgumentError(`${what} on '${table.fullName}' got unknown column '${key}'; its columns are ${Object.keys(table.c).join(', ')}.`)
    out.push([col, value instanceof Bind ? value.asOperandOf(col.type) : value instanceof Expression ? value : new Bind(col.type.validate(value, `${table.name}.${key}`), col.type, true)])
  }
  return out
}

/**
 * How a session brings the objects it holds in line with what an UPDATE or DELETE of a mapped
 * class changed: `'fetch'` (the default) learns the affected primary keys from the database —
 * with RETURNING where the dialect has it, else one SELECT first; `'evaluate'` matches the WHERE
 * clause against the objects in memory (no statement, but only for criteria it can evaluate, and
 * by JavaScript's comparison rules, not the column's collation); `false` leaves them alone.
 */
export type SynchronizeSession = 'fetch' | 'evaluate' | false

/** A DML statement's ORM side: the mapped class it was written for, and how sessions sync with it. */
export interface DmlOrm {
  /** What `insert(User)` resolved (the ORM's mapper); undefined for a plain table. */
  readonly entity: unknown
  readonly synchronizeSession?: SynchronizeSession | undefined
}

/** A mapped class (anything whose clause is a column group over a table) or a table. */
export interface DmlTarget<S extends ColumnSpecs> {
  readonly __table__: Table<S>
}

/** The table a DML statement writes, and the ORM entity when it was given a mapped class. */
function resolveTarget<S extends ColumnSpecs>(target: Table<S> | DmlTarget<S>, what: string): [Table<S>, DmlOrm | undefined] {
  if (target instanceof TableClass) return [target, undefined]
  const group = typeof target === 'function' && CLAUSE in target ? (target as unknown as { [CLAUSE](): unknown })[CLAUSE]() : undefined
  if (group instanceof ColumnGroup && group.from instanceof TableClass) return [group.from as Table<S>, { entity: group.entity }]
  if (group instanceof ColumnGroup && group.from instanceof Join) {
    const tables = group.from.leaves.map((l) => (l instanceof TableClass ? l.name : l.description)).join(', ')
    throw new ArgumentError(`${what}() was given ${describeValue(target)}, whose rows span several tables (${tables}); one statement writes one table: write those tables with Core, or load the objects and change them in a session.`)
  }
  throw new ArgumentError(`${what}() takes a table or a mapped class, not ${describeValue(target)}${group instanceof ColumnGroup ? ' (an alias or a subquery cannot be written to)' : ''}.`)
}

/** The RETURNING list of a DML statement. */
function keyReturning(k: KeyBuilder, returning: readonly SelectColumn[]): void {
  if (returning.length) (k.s += 'R', keyList(k, returning))
}

/**
 * `INSERT INTO table …` with one row, many rows, or the rows of a select.
 * ```ts
 * await conn.execute(insert(users).values([{ name: 'Alice' }, { name: 'Bob' }]).returning(users.c.id))
 * ```
 */
export class Insert<S extends ColumnSpecs = ColumnSpecs, R extends readonly unknown[] = [], M = Record<string, never>> implements Keyed {
  readonly kind = 'insert'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly table: Table<S>
  /** The columns given, the same for every row. */
  readonly columns: readonly Column<unknown>[]
  readonly rows: readonly (readonly Expression<unknown>[])[]
  readonly fromSelect: Select | undefined
  readonly returningColumns: readonly SelectColumn[]
  /** Dialect-specific clauses (upserts), keyed and compiled by the dialect that added them. */
  readonly extensions: readonly Keyed[]
  /** Set when written for a mapped class (`insert(User)`): a session then runs it the ORM's way. */
  readonly orm: DmlOrm | undefined
  constructor(table: Table<S>, columns: readonly Column<unknown>[], rows: readonly (readonly Expression<unknown>[])[], fromSelect: Select | undefined, returning: readonly SelectColumn[], extensions: readonly Keyed[] = [], orm?: DmlOrm) {
    this.table = table
    this.columns = columns
    this.rows = rows
    this.fromSelect = fromSelect
    this.returningColumns = returning
    this.extensions = extensions
    this.orm = orm
  }
  key(k: KeyBuilder): void {
    k.s += 'INS'
    this.table.key(k)
    keyList(k, this.columns)
    // A row of plain values (binds of their columns' types) keys the same as any other: runs of
    // them are keyed by their count, so a 10,000-row INSERT is not a 100,000-character key.
    let plain = 0
    for (const row of this.rows) {
      if (isPlainRow(row, this.columns)) {
        for (let j = 0; j < row.length; j++) k.binds.push(row[j] as Bind)
        plain++
        continue
      }
      if (plain > 0) (k.s += `p${plain}`, (plain = 0))
      keyList(k, row)
    }
    if (plain > 0) k.s += `p${plain}`
    if (this.fromSelect) this.fromSelect.key(k)
    keyReturning(k, this.returningColumns)
    for (const e of this.extensions) e.key(k)
  }
  /**
   * The row(s) to insert. Every row must give the same columns; client defaults of columns left
   * out are filled in.
   */
  values(rows: InsertValues<S> | readonly InsertValues<S>[]): Insert<S, R, M> {
    const list = (Array.isArray(rows) ? rows : [rows]) as Record<string, unknown>[]
    if (list.length === 0) throw new ArgumentError(`insert(${this.table.name}).values([]) got no rows: pass at least one row object.`)
    const withDefaults = list.map((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new ArgumentError(`insert(${this.table.name}).values(): row ${i} is ${row === null ? 'null' : Array.isArray(row) ? 'an array' : `a ${typeof row}`}; pass an object of column values (or an array of them).`)
      }
      const full: Record<string, unknown> = { ...row }
      for (const col of this.table.columnList) if (full[col.key_] === undefined && col.default !== undefined) full[col.key_] = col.defaultValue()
      return full
    })
    const keys = Object.keys(withDefaults[0]!).filter((k) => withDefaults[0]![k] !== undefined)
    const columns = assignments(this.table, withDefaults[0]!, 'insert().values()').map(([c]) => c)
    const labels = valueLabels(this.table, columns)
    const rowsOut = withDefaults.map((row, i) => {
      let given = 0
      for (const k in row) if (row[k] !== undefined) given++
      if (given !== keys.length || keys.some((k) => row[k] === undefined)) {
        const names = Object.keys(row).filter((k) => row[k] !== undefined)
        throw new ArgumentError(`insert(${this.table.name}).values(): row ${i} gives columns [${names.join(', ')}] but row 0 gives [${keys.join(', ')}]; every row must give the same columns (use null for missing values).`)
      }
      return valuesRow(columns, labels, row)
    })
    return new Insert(this.table, columns, rowsOut, undefined, this.returningColumns, this.extensions, this.orm)
  }
  /** @internal The same statement over other rows of the same columns (the ORM's batches). */
  withRows(rows: readonly (readonly Expression<unknown>[])[]): Insert<S, R, M> {
    return new Insert(this.table, this.columns, rows, this.fromSelect, this.returningColumns, this.extensions, this.orm)
  }
  /** `INSERT INTO table (columns) SELECT …`. */
  fromSelectQuery(columns: readonly (keyof S & string)[], query: Select): Insert<S, R, M> {
    return new Insert(this.table, columns.map((c) => this.table.column(c)), [], query, this.returningColumns, this.extensions, this.orm)
  }
  /** `RETURNING …` (emulated by the ORM on dialects without it; plain execution requires it). */
  returning<const Es extends readonly SelectItem[]>(...items: Es): Insert<S, RowOf<Es>, MappingOf<Es>> {
    return new Insert(this.table, this.columns, this.rows, this.fromSelect, items.map(resolveItem), this.extensions, this.orm)
  }
  /** @internal used by dialect packages to add their clauses. */
  withExtension(ext: Keyed): Insert<S, R, M> {
    return new Insert(this.table, this.columns, this.rows, this.fromSelect, this.returningColumns, [...this.extensions, ext], this.orm)
  }
}

/** Where each column's values are validated, for error messages: `table.column`. */
export function valueLabels(table: Table, columns: readonly Column<unknown>[]): string[] {
  return columns.map((c) => `${table.name}.${c.key_}`)
}

/**
 * One VALUES row: `source`'s value for each column (by attribute key), validated against the
 * column's type and bound as it; an expression is kept as it is. Per value only what must be:
 * the unit of work builds its multi-row INSERTs of thousands of objects this way.
 */
export function valuesRow(columns: readonly Column<unknown>[], labels: readonly string[], source: Readonly<Record<string, unknown>>): Expression<unknown>[] {
  const row = new Array<Expression<unknown>>(columns.length)
  for (let j = 0; j < columns.length; j++) {
    const col = columns[j]!
    const value = source[col.key_]
    row[j] = value instanceof Bind ? value.asOperandOf(col.type) : value instanceof Expression ? value : new Bind(col.type.validate(value, labels[j]!), col.type, true)
  }
  return row
}

/** Every value a bind of its column's type: the row's key is the columns' key. */
function isPlainRow(row: readonly Expression<unknown>[], columns: readonly Column<unknown>[]): boolean {
  for (let j = 0; j < row.length; j++) {
    const v = row[j]!
    if (!(v instanceof Bind) || v.type !== columns[j]!.type) return false
  }
  return row.length === columns.length
}

/**
 * Starts an INSERT into a table or a mapped class. Given a class, a session runs it as a bulk
 * insert: one multi-row statement per batch the dialect's parameter limit allows, and
 * `returning(User)` yields objects the session holds.
 * ```ts
 * await session.execute(insert(User).values([{ name: 'Ann' }, { name: 'Bob' }]))
 * const users = (await session.execute(insert(User).values(rows).returning(User))).scalars().all()
 * ```
 */
export function insert<S extends ColumnSpecs>(target: Table<S> | DmlTarget<S>): Insert<S> {
  const [table, orm] = resolveTarget(target, 'insert')
  return new Insert(table, [], [], undefined, [], [], orm)
}

function combine(where: Expression<unknown> | undefined, more: readonly (Expression<unknown> | undefined)[]): Expression<unknown> | undefined {
  const all = [where, ...more].filter((c): c is Expression<unknown> => c !== undefined)
  return all.length === 0 ? undefined : all.length === 1 ? all[0] : new BooleanList('AND', all)
}

/**
 * `UPDATE table SET … WHERE …`; columns with `onupdate` get their value when not set.
 * ```ts
 * update(users).set({ name: 'Bob' }).where(users.c.id.eq(1))
 * ```
 */
export class Update<S extends ColumnSpecs = ColumnSpecs, R extends readonly unknown[] = [], M = Record<string, never>> implements Keyed {
  readonly kind = 'update'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly table: Table<S>
  readonly assignments: readonly (readonly [Column<unknown>, Expression<unknown>])[]
  readonly whereClause: Expression<unknown> | undefined
  readonly returningColumns: readonly SelectColumn[]
  /** Set when written for a mapped class (`update(User)`): a session syncs the objects it holds. */
  readonly orm: DmlOrm | undefined
  constructor(table: Table<S>, assignments: readonly (readonly [Column<unknown>, Expression<unknown>])[], where: Expression<unknown> | undefined, returning: readonly SelectColumn[], orm?: DmlOrm) {
    this.table = table
    this.assignments = assignments
    this.whereClause = where
    this.returningColumns = returning
    this.orm = orm
  }
  key(k: KeyBuilder): void {
    k.s += 'UPD'
    this.table.key(k)
    for (const [c, e] of this.assignments) {
      c.key(k)
      k.s += '='
      e.key(k)
    }
    if (this.whereClause) (k.s += 'W', this.whereClause.key(k))
    keyReturning(k, this.returningColumns)
  }
  set(values: Assignments<S>): Update<S, R, M> {
    const given = assignments(this.table, values as Record<string, unknown>, 'update().set()')
    const keys = new Set(given.map(([c]) => c))
    for (const col of this.table.columnList) {
      if (col.onupdate !== undefined && !keys.has(col)) given.push([col, new Bind(col.type.validate(col.onupdateValue(), col.name), col.type, true)])
    }
    return new Update(this.table, [...this.assignments, ...given], this.whereClause, this.returningColumns, this.orm)
  }
  /** The same as {@link set} (SQLAlchemy's spelling). */
  values(values: Assignments<S>): Update<S, R, M> {
    return this.set(values)
  }
  where(...conditions: (Expression<boolean | null> | undefined)[]): Update<S, R, M> {
    return new Update(this.table, this.assignments, combine(this.whereClause, conditions), this.returningColumns, this.orm)
  }
  returning<const Es extends readonly SelectItem[]>(...items: Es): Update<S, RowOf<Es>, MappingOf<Es>> {
    return new Update(this.table, this.assignments, this.whereClause, items.map(resolveItem), this.orm)
  }
  /**
   * How a session syncs the objects it holds with this UPDATE of a mapped class (see
   * {@link SynchronizeSession}; default `'fetch'`).
   * ```ts
   * update(User).where(User.c.team.eq(3)).values({ active: false }).executionOptions({ synchronizeSession: 'evaluate' })
   * ```
   */
  executionOptions(options: { synchronizeSession: SynchronizeSession }): Update<S, R, M> {
    return new Update(this.table, this.assignments, this.whereClause, this.returningColumns, withSync(this.orm, options.synchronizeSession, 'update'))
  }
}

function withSync(orm: DmlOrm | undefined, mode: SynchronizeSession, what: string): DmlOrm {
  if (mode !== 'fetch' && mode !== 'evaluate' && mode !== false) throw new ArgumentError(`synchronizeSession must be 'fetch', 'evaluate' or false, not ${describeValue(mode)}.`)
  if (orm === undefined) throw new ArgumentError(`synchronizeSession applies to ${what}() of a mapped class (${what}(User)), whose objects a session holds; this ${what}() was given a table.`)
  return { ...orm, synchronizeSession: mode }
}

/**
 * Starts an UPDATE of a table or a mapped class. Given a class, a session brings the objects it
 * holds in line with the rows it changed (`executionOptions({ synchronizeSession })`), and
 * `returning(User)` yields those objects.
 * ```ts
 * await session.execute(update(User).where(User.c.name.eq('Ann')).values({ name: 'Anne' }))
 * ```
 */
export function update<S extends ColumnSpecs>(target: Table<S> | DmlTarget<S>): Update<S> {
  const [table, orm] = resolveTarget(target, 'update')
  return new Update(table, [], undefined, [], orm)
}

/**
 * `DELETE FROM table WHERE …`.
 * ```ts
 * del(users).where(users.c.id.eq(1))
 * ```
 */
export class Delete<S extends ColumnSpecs = ColumnSpecs, R extends readonly unknown[] = [], M = Record<string, never>> implements Keyed {
  readonly kind = 'delete'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly table: Table<S>
  readonly whereClause: Expression<unknown> | undefined
  readonly returningColumns: readonly SelectColumn[]
  /** Set when written for a mapped class (`del(User)`): a session syncs the objects it holds. */
  readonly orm: DmlOrm | undefined
  constructor(table: Table<S>, where: Expression<unknown> | undefined, returning: readonly SelectColumn[], orm?: DmlOrm) {
    this.table = table
    this.whereClause = where
    this.returningColumns = returning
    this.orm = orm
  }
  key(k: KeyBuilder): void {
    k.s += 'DEL'
    this.table.key(k)
    if (this.whereClause) (k.s += 'W', this.whereClause.key(k))
    keyReturning(k, this.returningColumns)
  }
  where(...conditions: (Expression<boolean | null> | undefined)[]): Delete<S, R, M> {
    return new Delete(this.table, combine(this.whereClause, conditions), this.returningColumns, this.orm)
  }
  returning<const Es extends readonly SelectItem[]>(...items: Es): Delete<S, RowOf<Es>, MappingOf<Es>> {
    return new Delete(this.table, this.whereClause, items.map(resolveItem), this.orm)
  }
  /** How a session syncs the objects it holds with this DELETE of a mapped class (default `'fetch'`). */
  executionOptions(options: { synchronizeSession: SynchronizeSession }): Delete<S, R, M> {
    return new Delete(this.table, this.whereClause, this.returningColumns, withSync(this.orm, options.synchronizeSession, 'delete'))
  }
}

/**
 * Starts a DELETE from a table or a mapped class (`delete` is a reserved word in JavaScript).
 * Given a class, a session takes the deleted rows' objects out of its identity map.
 * ```ts
 * await session.execute(del(User).where(User.c.active.eq(false)))
 * ```
 */
export function del<S extends ColumnSpecs>(target: Table<S> | DmlTarget<S>): Delete<S> {
  const [table, orm] = resolveTarget(target, 'delete')
  return new Delete(table, undefined, [], orm)
}
export { del as delete_ }

// Built anew by every flush: their shapes outlive the statements (util/kept-shapes.ts).
keepShape(new Insert(undefined as never, [], [], undefined, []))
keepShape(new Update(undefined as never, [], undefined, []))
keepShape(new Delete(undefined as never, undefined, []))
