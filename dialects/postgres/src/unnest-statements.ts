import { Bind } from '@athanor/core'
import type { Column, KeyBuilder, KeyedUpdate, Keyed, RowsInsert, Table } from '@athanor/core'
import { arrayParamType } from './array-type.js'

/**
 * The unit of work's batched UPDATE on PostgreSQL: the keys and each column's new values as one
 * array parameter apiece, joined to the table by key —
 *
 *   UPDATE "authors" AS "_t" SET "name" = "_r"."c0"
 *   FROM unnest($1::int4[], $2::varchar[]) AS "_r"("k", "c0") WHERE "_t"."id" = "_r"."k"
 *
 * The SQL is the same for 2 rows or 1,000, so it is compiled and prepared once; the server
 * joins the arrays' rows to the table by key instead of parsing and planning a CASE with a
 * branch per row and testing each row against them (a 1,000-row update: ~7 ms against ~20 ms on
 * loopback, benchmarks/PROFILE.md pass 23).
 */
export class UnnestUpdate implements Keyed {
  readonly kind = 'pg-unnest-update'
  readonly table: Table
  readonly keyColumn: Column<unknown>
  readonly columns: readonly Column<unknown>[]
  /** The keys' array, then one array per column. */
  readonly arrays: readonly Bind[]
  constructor(table: Table, keyColumn: Column<unknown>, columns: readonly Column<unknown>[], arrays: readonly Bind[]) {
    this.table = table
    this.keyColumn = keyColumn
    this.columns = columns
    this.arrays = arrays
  }
  key(k: KeyBuilder): void {
    k.s += 'pgunnestupd('
    this.table.key(k)
    this.keyColumn.key(k)
    for (const c of this.columns) c.key(k)
    for (const b of this.arrays) b.key(k)
    k.s += ')'
  }
}

/** An {@link UnnestUpdate} for the unit of work's rows, or undefined to leave them to its CASE form. */
export function unnestUpdate(update: KeyedUpdate): UnnestUpdate | undefined {
  const keyColumn = update.key as Column<unknown>
  const columns = update.columns as readonly Column<unknown>[]
  const types = [keyColumn, ...columns].map((c) => arrayParamType(c.type))
  if (types.some((t) => t === undefined)) return undefined
  // The keys as the objects hold them, converted as the key column converts them (a decorated
  // type's toDriver); the values arrive validated. Checked: the array type adds nothing.
  const label = `${(update.table as Table).name}.${keyColumn.name}`
  const keys = update.keys.map((k) => keyColumn.type.validate(k, label))
  const arrays = [keys, ...update.values].map((values, i) => new Bind(values, types[i]!, true))
  return new UnnestUpdate(update.table as Table, keyColumn, columns, arrays)
}

/**
 * The unit of work's multi-row INSERT on PostgreSQL: each column's values as one array
 * parameter —
 *
 *   INSERT INTO "posts" ("title", "author_id") SELECT * FROM unnest($1::varchar[], $2::int4[]) RETURNING "id"
 *
 * Four parameters for 10,000 four-column rows instead of 40,000, one SQL text for any row
 * count; RETURNING comes back in the arrays' order, as it does in VALUES order (the executor
 * inserts the function's rows as it scans them), which `orderedReturning` relies on.
 */
export class UnnestInsert implements Keyed {
  readonly kind = 'pg-unnest-insert'
  readonly table: Table
  readonly columns: readonly Column<unknown>[]
  readonly arrays: readonly Bind[]
  readonly returning: readonly Column<unknown>[]
  constructor(table: Table, columns: readonly Column<unknown>[], arrays: readonly Bind[], returning: readonly Column<unknown>[]) {
    this.table = table
    this.columns = columns
    this.arrays = arrays
    this.returning = returning
  }
  key(k: KeyBuilder): void {
    k.s += 'pgunnestins('
    this.table.key(k)
    for (const c of this.columns) c.key(k)
    for (const b of this.arrays) b.key(k)
    k.s += ')R('
    for (const c of this.returning) c.key(k)
    k.s += ')'
  }
}

/** An {@link UnnestInsert} of the unit of work's rows, or undefined to leave them to VALUES. */
export function unnestInsert(rows: RowsInsert): UnnestInsert | undefined {
  const columns = rows.columns as readonly Column<unknown>[]
  const types = columns.map((c) => arrayParamType(c.type))
  if (types.some((t) => t === undefined)) return undefined
  const arrays = rows.values.map((values, i) => new Bind(values, types[i]!, true))
  return new UnnestInsert(rows.table as Table, columns, arrays, rows.returning as readonly Column<unknown>[])
}
