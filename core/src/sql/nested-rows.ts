/**
 * Rows of a correlated subquery as one value of each outer row: what a joined eager load asks
 * for where the database can aggregate rows into a nested value (SQLite's JSON functions,
 * capability `nestedRows`). A joined collection then costs one row per parent, not one per
 * member, and nothing repeats the parent's columns (benchmarks/PROFILE.md pass 32).
 */
import { SqlType } from '../types/sql-type.js'
import type { KeyBuilder, Keyed } from './key.js'
import { keyList } from './key.js'
import { Expression } from './elements.js'
import type { OrderBy, ScalarSubquery } from './elements.js'

/**
 * The value of a nested-rows subquery once the dialect has read it: a list of rows (`one`:
 * a row or null), each the `columns`' values as the dialect's result processors give them, then
 * one value per child. (@internal: dialects build their readers from it.)
 */
export class NestedRowsType extends SqlType<unknown> {
  readonly columns: readonly SqlType<unknown>[]
  readonly children: readonly NestedRowsType[]
  readonly one: boolean
  constructor(columns: readonly SqlType<unknown>[], children: readonly NestedRowsType[], one: boolean) {
    super('native', { native: 'nested rows' })
    this.columns = columns
    this.children = children
    this.one = one
  }
}

/**
 * The select list of a nested-rows subquery (a {@link ScalarSubquery} typed by its
 * {@link NestedRowsType}): per row, `columns` then the value of each of `children` (nested-rows
 * subqueries themselves); all rows in `orderBy` order (`one`: the row itself). Dialects with
 * `nestedRows` render it as their aggregate.
 */
export class NestedRowList extends Expression<unknown> {
  readonly kind = 'nested-row-list'
  readonly columns: readonly Expression<unknown>[]
  readonly children: readonly ScalarSubquery<unknown>[]
  readonly orderBy: readonly OrderBy[]
  readonly one: boolean
  readonly type: NestedRowsType
  constructor(columns: readonly Expression<unknown>[], children: readonly ScalarSubquery<unknown>[], orderBy: readonly OrderBy[], one: boolean) {
    super()
    this.columns = columns
    this.children = children
    this.orderBy = orderBy
    this.one = one
    this.type = new NestedRowsType(columns.map((c) => c.type), children.map((c) => c.type as NestedRowsType), one)
  }
  key(k: KeyBuilder): void {
    k.s += this.one ? 'nr1(' : 'nr('
    keyList(k, this.columns)
    keyList(k, this.children)
    keyList(k, this.orderBy)
    k.s += ')'
  }
  /** For statement transforms (sql/transform.ts): plugins' criteria reach the nested subqueries too. */
  mapChildren(visit: (node: Keyed) => Keyed): Keyed {
    const columns = this.columns.map(visit) as Expression<unknown>[]
    const children = this.children.map(visit) as ScalarSubquery<unknown>[]
    const orderBy = this.orderBy.map(visit) as OrderBy[]
    const same = (a: readonly Keyed[], b: readonly Keyed[]): boolean => a.every((x, i) => x === b[i])
    if (same(columns, this.columns) && same(children, this.children) && same(orderBy, this.orderBy)) return this
    return new NestedRowList(columns, children, orderBy, this.one)
  }
}
