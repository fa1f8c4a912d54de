import { bindparam } from '../sql/bind-param.js'
import type { BindParams } from '../sql/bind-param.js'
import { select } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import type { Column } from '../sql/column.js'
import type { Expression } from '../sql/elements.js'
import type { Mapper } from './mapper.js'
import type { Relationship } from './relationship.js'

/**
 * `select(Entity).where(pk = :k0 …)`, made once per mapper: `session.get()` runs it with the key
 * as bind parameters, so a lookup neither builds nor keys a statement (the compiler keeps the
 * compilation of a statement with bind parameters).
 */
const byKey = new WeakMap<Mapper, { readonly group: unknown; readonly statement: Select }>()

export function byKeySelect(m: Mapper): Select {
  const group = m.group
  let made = byKey.get(m)
  // A hierarchy's column group grows when a subclass is declared later: then it is made again.
  if (made === undefined || made.group !== group) {
    made = { group, statement: select(group).where(...m.pkIndexes.map((c, i) => m.columns[c]!.eq(bindparam(`k${i}`) as never))) as unknown as Select }
    byKey.set(m, made)
  }
  return made.statement
}

/** The values of `byKeySelect(m)`'s parameters for one primary key. */
export function byKeyParams(values: readonly unknown[]): BindParams {
  if (values.length === 1) return { k0: values[0] }
  const out: Record<string, unknown> = {}
  for (let i = 0; i < values.length; i++) out[`k${i}`] = values[i]
  return out
}

const byForeignKey = new WeakMap<Relationship, { readonly group: unknown; readonly statement: Select }>()

/**
 * A relationship's load for one parent (`session.load(author, 'posts')`, the N+1 pattern):
 * `build(col IN (:k0))`, made once per relationship and run with the parent's key as `k0`.
 */
export function oneKeySelect(rel: Relationship, col: Column<unknown>, build: (where: Expression<boolean>) => Select): Select {
  const group = rel.target.group
  let made = byForeignKey.get(rel)
  if (made === undefined || made.group !== group) {
    made = { group, statement: build(col.in([bindparam('k0')])) }
    byForeignKey.set(rel, made)
  }
  return made.statement
}
