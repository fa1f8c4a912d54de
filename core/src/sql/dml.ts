import { ArgumentError } from '../util/errors.js'
import { Bind, BooleanList, Expression } from './elements.js'
import type { Column } from './column.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'
import type { Select } from './select.js'
import type { ColumnSpecs, InsertRow, Table } from './table.js'
import type { RowOf, MappingOf, SelectItem } from './select.js'
import { resolveItem } from './select.js'
import type { SelectColumn } from './select.js'

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
    out.push([col, value instanceof Expression ? value : new Bind(col.type.validate(value, `${table.name}.${key}`), col.type, true)])
  }
  return out
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
  constructor(table: Table<S>, columns: readonly Column<unknown>[], rows: readonly (readonly Expression<unknown>[])[], fromSelect: Select | undefined, returning: readonly SelectColumn[], extensions: readonly Keyed[] = []) {
    this.table = table
    this.columns = columns
    this.rows = rows
    this.fromSelect = fromSelect
    this.returningColumns = returning
    this.extensions = extensions
  }
  key(k: KeyBuilder): void {
    k.s += 'INS'
    this.table.key(k)
    keyList(k, this.columns)
    for (const row of this.rows) keyList(k, row)
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
    // Per row and value only what must be: the unit of work inserts thousands of rows this way.
    const labels = keys.map((k) => `${this.table.name}.${k}`)
    const rowsOut = withDefaults.map((row, i) => {
      let given = 0
      for (const k in row) if (row[k] !== undefined) given++
      if (given !== keys.length || keys.some((k) => row[k] === undefined)) {
        const names = Object.keys(row).filter((k) => row[k] !== undefined)
        throw new ArgumentError(`insert(${this.table.name}).values(): row ${i} gives columns [${names.join(', ')}] but row 0 gives [${keys.join(', ')}]; every row must give the same columns (use null for missing values).`)
      }
      return columns.map((col, j): Expression<unknown> => {
        const value = row[keys[j]!]
        return value instanceof Expression ? value : new Bind(col.type.validate(value, labels[j]!), col.type, true)
      })
    })
    return new Insert(this.table, columns, rowsOut, undefined, this.returningColumns, this.extensions)
  }
  /** `INSERT INTO table (columns) SELECT …`. */
  fromSelectQuery(columns: readonly (keyof S & string)[], query: Select): Insert<S, R, M> {
    return new Insert(this.table, columns.map((c) => this.table.column(c)), [], query, this.returningColumns, this.extensions)
  }
  /** `RETURNING …` (emulated by the ORM on dialects without it; plain execution requires it). */
  returning<const Es extends readonly SelectItem[]>(...items: Es): Insert<S, RowOf<Es>, MappingOf<Es>> {
    return new Insert(this.table, this.columns, this.rows, this.fromSelect, items.map(resolveItem), this.extensions)
  }
  /** @internal used by dialect packages to add their clauses. */
  withExtension(ext: Keyed): Insert<S, R, M> {
    return new Insert(this.table, this.columns, this.rows, this.fromSelect, this.returningColumns, [...this.extensions, ext])
  }
}

/** Starts an INSERT into `table`. */
export function insert<S extends ColumnSpecs>(table: Table<S>): Insert<S> {
  return new Insert(table, [], [], undefined, [])
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
  constructor(table: Table<S>, assignments: readonly (readonly [Column<unknown>, Expression<unknown>])[], where: Expression<unknown> | undefined, returning: readonly SelectColumn[]) {
    this.table = table
    this.assignments = assignments
    this.whereClause = where
    this.returningColumns = returning
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
    return new Update(this.table, [...this.assignments, ...given], this.whereClause, this.returningColumns)
  }
  where(...conditions: (Expression<boolean | null> | undefined)[]): Update<S, R, M> {
    return new Update(this.table, this.assignments, combine(this.whereClause, conditions), this.returningColumns)
  }
  returning<const Es extends readonly SelectItem[]>(...items: Es): Update<S, RowOf<Es>, MappingOf<Es>> {
    return new Update(this.table, this.assignments, this.whereClause, items.map(resolveItem))
  }
}

/** Starts an UPDATE of `table`. */
export function update<S extends ColumnSpecs>(table: Table<S>): Update<S> {
  return new Update(table, [], undefined, [])
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
  constructor(table: Table<S>, where: Expression<unknown> | undefined, returning: readonly SelectColumn[]) {
    this.table = table
    this.whereClause = where
    this.returningColumns = returning
  }
  key(k: KeyBuilder): void {
    k.s += 'DEL'
    this.table.key(k)
    if (this.whereClause) (k.s += 'W', this.whereClause.key(k))
    keyReturning(k, this.returningColumns)
  }
  where(...conditions: (Expression<boolean | null> | undefined)[]): Delete<S, R, M> {
    return new Delete(this.table, combine(this.whereClause, conditions), this.returningColumns)
  }
  returning<const Es extends readonly SelectItem[]>(...items: Es): Delete<S, RowOf<Es>, MappingOf<Es>> {
    return new Delete(this.table, this.whereClause, items.map(resolveItem))
  }
}

/** Starts a DELETE from `table` (`delete` is a reserved word in JavaScript). */
export function del<S extends ColumnSpecs>(table: Table<S>): Delete<S> {
  return new Delete(table, undefined, [])
}
export { del as delete_ }
