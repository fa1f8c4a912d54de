import type { InstanceState } from './instance-state.js'
import { peeking } from './unloaded-columns.js'
import { valuesEqual } from './values-equal.js'
import { NO_MEMBERS } from './attributes.js'

/**
 * Dirty detection: whether an object's columns or loaded relationships differ from what the
 * database last had. Column values are plain properties with no write hook, so a flush and
 * autoflush diff each object against its committed snapshot.
 */

/** The columns whose values differ from the last known database values, or undefined if none. */
export function changedColumns(s: InstanceState): Record<string, unknown> | undefined {
  if (s.committed === undefined) return undefined
  const o = s.obj as Record<string, unknown>
  let changed: Record<string, unknown> | undefined
  peeking(() => s.mapper.columns.forEach((c, i) => {
    if (!valuesEqual(o[c.key_], s.committed![i])) (changed ??= {})[c.key_] = o[c.key_] ?? null
  }))
  return changed
}

/** Whether a loaded relationship's members differ from the last known database state. */
export function relationsChanged(s: InstanceState): boolean {
  // Walks the loaded values in place (no copies): autoflush runs this over the whole identity map.
  return s.relations.some((key, now) => {
    const before = s.relations.getCommitted(key)
    if (!Array.isArray(now)) return (now ?? null) !== (before ?? null)
    const members = (before ?? NO_MEMBERS) as readonly object[]
    if (now.length !== members.length) return true
    for (let i = 0; i < now.length; i++) if (now[i] !== members[i]) return true
    return false
  })
}

/**
 * Whether `changedColumns(s)` or `relationsChanged(s)` would report a change. Allocation-free
 * with an early exit, because autoflush asks it of every object in the identity map before each
 * query (column values are plain properties, so there is no write hook to track changes with).
 */
export function isModified(s: InstanceState): boolean {
  return columnsChanged(s) || (s.relations.size !== 0 && relationsChanged(s))
}

/** Whether a column value differs from the committed snapshot (false for objects without one). */
export function columnsChanged(s: InstanceState): boolean {
  // A partly loaded object's unloaded columns read as UNLOADED (as their snapshot holds) here.
  // The closure is made in another function: one here would capture `s`, and V8 then allocates
  // its context on every call, taken branch or not (48 bytes per object for each autoflush and
  // close scan; benchmarks/PROFILE.md pass 28).
  if (s.mapper.partialLoads) return columnsDifferPeeking(s)
  return s.columnsDiffer()
}

function columnsDifferPeeking(s: InstanceState): boolean {
  return peeking(() => s.columnsDiffer())
}

