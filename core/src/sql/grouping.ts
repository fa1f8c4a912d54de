import { NullType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { Expression, expectExpression } from './elements.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'

/** `ROLLUP (a, b)` in GROUP BY: subtotals per prefix and a grand total (NULL in the rolled-up columns). */
export class Rollup extends Expression<unknown> {
  readonly kind = 'rollup'
  readonly items: readonly Expression<unknown>[]
  readonly type = NullType
  constructor(items: readonly Expression<unknown>[]) {
    super()
    this.items = items
  }
  key(k: KeyBuilder): void {
    k.s += 'rollup'
    keyList(k, this.items)
  }
  mapChildren(visit: (node: Keyed) => Keyed): Rollup {
    const items = this.items.map((i) => visit(i) as Expression<unknown>)
    return items.every((x, i) => x === this.items[i]) ? this : new Rollup(items)
  }
}

/**
 * Subtotals: `groupBy(rollup(region, product))` gives a row per (region, product), one per region
 * (product NULL) and a grand total (both NULL). PostgreSQL `ROLLUP (…)`, MySQL/MariaDB
 * `… WITH ROLLUP`; SQLite has none (the compiler says so).
 */
export function rollup(...items: Expression<unknown>[]): Rollup {
  if (items.length === 0) throw new ArgumentError('rollup() needs at least one expression: rollup(t.c.region, t.c.product).')
  return new Rollup(items.map((e, i) => expectExpression(e, `rollup() item ${i + 1}`)))
}
