import type { ClauseProvider } from '../sql/select.js'
import { UNLOADED } from './unloaded-columns.js'
import { maybeState } from './instance-state.js'
import type { InstanceState, StateOwner } from './instance-state.js'
import { isLoaded, setRelated } from './attributes.js'

type Entity<T> = (abstract new (...args: never[]) => T) & ClauseProvider

/** What a merge needs of the session: its public API. */
interface MergeTarget extends StateOwner {
  get(entity: Entity<object>, pk: unknown): Promise<object | undefined>
  add(obj: object): void
  load(obj: object, ...relationships: string[]): Promise<unknown>
}

/**
 * One object of `session.merge()`: copies its state onto the session's object of the same
 * identity (loading or creating it) and merges loaded relationships with the `merge` cascade.
 * `done` maps sources to their copies, so cycles through backPopulates end.
 */
export async function mergeObject(session: MergeTarget, obj: object, done: Map<InstanceState, object>): Promise<object> {
  const s = maybeState(obj)!
  const known = done.get(s) ?? (s.owner === session ? obj : undefined)
  if (known) return known
  const m = s.mapper
  const pk = m.primaryKeyOf(obj)
  const existing = m.identityKey(pk) ? await session.get(m.cls as unknown as Entity<object>, pk) : undefined
  // Columns a deferred load left out are not copied: the target keeps (or loads) its own.
  const values = s.values()
  const loaded = m.columnKeys.flatMap((k, i) => (values[i] === UNLOADED ? [] : [[k, values[i]] as const]))
  let target: object
  if (!existing) {
    target = new (m.cls as unknown as new (init: Record<string, unknown>) => object)(Object.fromEntries(loaded))
    session.add(target)
  } else {
    target = existing
    for (const [k, v] of loaded) if (v !== undefined) (target as Record<string, unknown>)[k] = v
  }
  done.set(s, target)
  // The merge cascade: loaded relationships are merged too and replace the target's members.
  const ts = maybeState(target)!
  for (const rel of m.relationships) {
    if (!rel.cascade.has('merge') || rel.options.viewonly || !isLoaded(s, rel)) continue
    if (ts.lifecycle === 'persistent' && !isLoaded(ts, rel)) await session.load(target, rel.key)
    const value = s.relations.get(rel.key) as object | readonly object[] | null
    let merged: object | object[] | null = null
    if (Array.isArray(value)) {
      const items: object[] = []
      for (const item of value as readonly object[]) items.push(await mergeObject(session, item, done))
      merged = items
    } else if (value) merged = await mergeObject(session, value as object, done)
    setRelated(ts, rel, merged)
  }
  return target
}
