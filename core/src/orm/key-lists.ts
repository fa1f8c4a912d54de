import { tuple } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { Column } from '../sql/column.js'
import type { Dialect } from '../dialect/contract.js'

/**
 * A dialect's spelling of `column IN (keys)` for keys the ORM read from the column itself, or
 * undefined to leave it to the IN list (PostgreSQL: `column = ANY($1)`, one array parameter).
 */
export type KeyIn = (column: Column<unknown>, keys: readonly unknown[]) => Expression<boolean> | undefined

/** How the ORM writes a list of keys on one dialect: its parameter limit, and its own `keyIn` if it has one. */
export interface KeyLists {
  /** The dialect's limit on bound parameters per statement. */
  readonly maxParams: number
  /** The dialect's own `col IN (keys)` for a one-column key (`StatementCompiler.keyIn`), if it has one. */
  readonly keyIn?: KeyIn | undefined
}

// One per dialect object: asked per flush and per load, and a dialect is replaced only when its
// engine's first connection initializes it.
const byDialect = new WeakMap<Dialect, KeyLists>()

/** The key lists of `dialect`. */
export function keyListsOf(dialect: Dialect): KeyLists {
  let lists = byDialect.get(dialect)
  if (lists === undefined) {
    const compiler = dialect.compiler
    const keyIn: KeyIn | undefined = compiler.keyIn === undefined ? undefined : (column, keys) => compiler.keyIn!(column, keys) as ReturnType<KeyIn>
    byDialect.set(dialect, (lists = { maxParams: dialect.capabilities.maxParams, keyIn }))
  }
  return lists
}

/**
 * The rows whose `cols` hold one of `keys`: `col IN (…)` (or the dialect's `keyIn` form of it) for
 * one column, `(a, b) IN ((…), …)` for several.
 */
export function inClause(cols: readonly Column<unknown>[], keys: readonly (readonly unknown[])[], keyIn?: KeyIn): Expression<boolean> {
  if (cols.length > 1) return tuple(...cols).inValues(keys as unknown[][])
  const values = keys.map((k) => k[0])
  return keyIn?.(cols[0]!, values) ?? cols[0]!.in(values as never[])
}
