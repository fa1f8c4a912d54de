import { bindparam } from '../sql/bind-param.js'
import type { BindParams } from '../sql/bind-param.js'
import { select } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import type { Column } from '../sql/column.js'
import type { Expression } from '../sql/elements.js'
import type { Mapper } from './mapper.js'
import type { Relationship } from './relationship.js'

/** A statement made once per owner, made again when the owner's column group has changed. */
type Made = { readonly group: unknown; readonly statement: Select }

function madeFor<K extends object>(made: WeakMap<K, Made>, owner: K, group: unknown, build: () => Select): Select {
  let m = made.get(owner)
  // A hierarchy's column group grows when a subclass is declared later: then it is made again.
  if (m === undefined || m.group !== group) made.set(owner, (m = { group, statement: build() }))
  return m.statement
}

const byKey = new WeakMap<Mapper, Made>()

/**
 * `select(Entity).where(pk = :k0 …)`, made once per mapper: `session.get()` runs it with the key
 * as bind parameters, so a lookup neither builds nor keys a statement (the compiler keeps the
 * compilation of a statement with bind parameters).
 */
export function byKeySelect(m: Mapper): Select {
  const group = m.group
  return madeFor(byKey, m, group, () => select(group).where(...m.pkIndexes.map((c, i) => m.columns[c]!.eq(bindparam(`k${i}`) as never))) as unknown as Select)
}

/** The values of `byKeySelect(m)`'s parameters for one primary key. */
export function byKeyParams(values: readonly unknown[]): BindParams {
  if (values.length === 1) return { k0: values[0] }
  const out: Record<string, unknown> = {}
  for (let i = 0; i < values.length; i++) out[`k${i}`] = values[i]
  return out
}

const byForeignKey = new WeakMap<Relationship, Made>()

/**
 * A relationship's load for one parent (`session.load(author, 'posts')`, the N+1 pattern):
 * `build(col IN (:k0))`, made once per relationship and run with the parent's key as `k0`.
 */
export function oneKeySelect(rel: Relationship, col: Column<unknown>, build: (where: Expression<boolean>) => Select): Select {
  return madeFor(byForeignKey, rel, rel.target.group, () => build(col.in([bindparam('k0')])))
}
