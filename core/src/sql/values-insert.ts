import type { Column } from './column.js'
import type { KeyBuilder, Keyed } from './key.js'
import { keyList } from './key.js'
import type { Table } from './table.js'

/**
 * The unit of work's multi-row INSERT as plain values: `INSERT INTO t (a, b) VALUES (?, ?), (?, ?) …`
 * with row i's value of column j at `values[j][i]`, validated against its column already.
 *
 * Why not an `Insert` of `Bind` rows: a flush of 10,000 four-column rows made 40,000 bind nodes
 * and row arrays only for the compiler to key them, read their values back and drop them. Here
 * the compiler renders the text once per table, columns and row count (as SQLAlchemy's
 * insertmanyvalues repeats one row's VALUES) and converts the values straight into the driver's
 * parameter list (`SqlCompiler.compile`). The dialect's `insertRows` makes it; PostgreSQL makes
 * its one-array-per-column `unnest` instead.
 */
export class ValuesInsert implements Keyed {
  readonly kind = 'values-insert'
  readonly table: Table
  readonly columns: readonly Column<unknown>[]
  /** Per column, one value per row. */
  readonly values: readonly (readonly unknown[])[]
  readonly returning: readonly Column<unknown>[]
  constructor(table: Table, columns: readonly Column<unknown>[], values: readonly (readonly unknown[])[], returning: readonly Column<unknown>[]) {
    this.table = table
    this.columns = columns
    this.values = values
    this.returning = returning
  }
  /** The number of rows. */
  get rowCount(): number {
    return this.values[0]?.length ?? 0
  }
  /** The shape only: the values are not nodes, and the compiler reads them from `values`. */
  key(k: KeyBuilder): void {
    k.s += 'VINS('
    this.table.key(k)
    keyList(k, this.columns)
    k.s += `${this.rowCount}`
    if (this.returning.length > 0) (k.s += 'R', keyList(k, this.returning))
    k.s += ')'
  }
}
