import type { Column } from '../sql/column.js'
import type { Dialect } from '../dialect/contract.js'
import { Bind, BooleanList, or } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { Mapper } from './mapper.js'
import { inClause, keyListsOf } from './key-lists.js'

/** `pk = ?` (AND-ed for a composite key) for one row of `m`. */
export function pkWhere(m: Mapper, values: readonly unknown[], keyColumns?: readonly Column<unknown>[]): Expression<boolean> {
  const pk = keyColumns ?? m.pkIndexes.map((i) => m.columns[i]!)
  const conds = pk.map((c, j) => c.eq(new Bind(values[j], c.type) as never))
  return conds.length === 1 ? conds[0]! : new BooleanList('AND', conds)
}

/**
 * The rows of `m` with the given primary keys: `pk IN (…)` (or the dialect's `keyIn` form of it),
 * a row-value IN for composite keys where the database has one, else OR-ed per-row conditions.
 */
export function pksWhere(dialect: Dialect, m: Mapper, keys: readonly (readonly unknown[])[], keyColumns?: readonly Column<unknown>[]): Expression<boolean> {
  const pkCols = keyColumns ?? m.pkIndexes.map((i) => m.columns[i]!)
  if (pkCols.length === 1 || dialect.capabilities.tupleIn) return inClause(pkCols, keys, keyListsOf(dialect).keyIn)
  return or(...keys.map((k) => pkWhere(m, k, pkCols)))
}
