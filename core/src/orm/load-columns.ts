import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import type { Result } from '../engine/result.js'
import type { Select } from '../sql/select.js'
import { stateOf } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { readByKey } from './loading.js'
import type { KeyLists } from './key-lists.js'
import { UNLOADED, setLoadedColumn } from './unloaded-columns.js'

/**
 * Loads the unloaded (deferred) `keys` of persistent objects of one class: one SELECT of the keys
 * and those columns per batch. Columns already loaded, or assigned since, are left as they are.
 */
export async function loadColumns(runStatement: (statement: Select) => Promise<Result>, lists: KeyLists, objs: readonly object[], keys: readonly string[]): Promise<void> {
  if (objs.length === 0) return
  const states = objs.map((o) => stateOf(o))
  const m = states[0]!.mapper
  if (states.some((s) => s.mapper !== m)) throw new ArgumentError(`loadColumns() takes objects of one class; got ${[...new Set(states.map((s) => s.mapper.className))].join(' and ')}.`)
  const indexes = keys.map((k) => {
    const i = m.columnIndex.get(k)
    if (i === undefined) throw new ArgumentError(`${m.className} has no column attribute '${k}'; its columns are ${m.columnKeys.join(', ')}.`)
    return i
  })
  const waiting = states.filter((s) => indexes.some((i) => isUnloaded(s, i)))
  for (const s of waiting) {
    if (s.lifecycle !== 'persistent') throw new InvalidRequestError(`${m.className}.${keys.join(', ')} cannot be loaded: this ${m.className} is ${s.lifecycle}. Load it in the session that holds it.`, 'not-persistent')
  }
  if (waiting.length === 0) return
  const run = async (stmt: Select): Promise<readonly (readonly unknown[])[]> => (await runStatement(stmt)).rows as readonly (readonly unknown[])[]
  await readByKey(run, lists, m, waiting, indexes.map((i) => m.columns[i]!), (s, values) => {
    const committed = s.committed!.slice()
    indexes.forEach((i, j) => {
      if (!isUnloaded(s, i)) return
      committed[i] = values[j]
      setLoadedColumn(s.obj, m.columnKeys[i]!, values[j])
    })
    s.committed = m.snapshot(committed, true)
  })
}

/** Whether column `i` of the object is unloaded (not loaded, and not assigned since). */
export function isUnloaded(s: InstanceState, i: number): boolean {
  return s.committed?.[i] === UNLOADED && Object.getOwnPropertyDescriptor(s.obj, s.mapper.columnKeys[i]!)?.get !== undefined
}
