import type { LoadedValue, RelatedClass } from '../sql/loaded.js'
import { isLoaded } from './attributes.js'
import { stateOf } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { isUnloaded } from './load-columns.js'
import { DetachedInstanceError } from './orm-errors.js'

/**
 * `obj.$`: each relationship and column as a promise of its value, loaded on the first await when
 * it is not loaded yet (SQLAlchemy's `AsyncAttrs.awaitable_attrs`): a relationship, or a column a
 * deferred load left out. One object at a time: for many, `session.load()` and
 * `session.loadColumns()` load them in one statement per level or batch.
 * ```ts
 * const posts = await author.$.posts     // Post[], loaded now if it was not
 * const bio = await author.$.bio         // a deferred column
 * ```
 */
export type AwaitableAttrs<T> = {
  readonly [K in Exclude<keyof T, '$'> as T[K] extends (...args: never[]) => unknown ? never : K]: RelatedClass<T[K]> extends MappedInstance ? Promise<LoadedValue<T[K]>> : Promise<T[K]>
}

/** Type-only mark of a model instance: tells relationship fields (mapped targets) from columns holding objects (Date, JSON). */
declare const MAPPED: unique symbol
export interface MappedInstance {
  readonly [MAPPED]: true
}

/** What `$` needs of the session that owns the object (AsyncSession, without importing it). */
interface Loader {
  load(obj: object, key: string): Promise<unknown>
  loadColumns(obj: object, key: string): Promise<void>
}

/** The `$` object of one instance. */
export function awaitableAttrs(obj: object): object {
  return new Proxy(Object.create(null) as object, {
    get: (_target, key) => (typeof key === 'string' ? relatedValue(obj, key) : undefined),
  })
}

function relatedValue(obj: object, key: string): Promise<unknown> {
  try {
    const state = stateOf(obj)
    const read = (): unknown => (obj as Record<string, unknown>)[key]
    const column = state.mapper.columnIndex.get(key)
    // A column: loaded first (one SELECT) when a deferred load left it out.
    if (column !== undefined) return isUnloaded(state, column) ? loaderOf(state, key).loadColumns(obj, key).then(read) : Promise.resolve(read())
    const rel = state.mapper.relationship(key)
    if (isLoaded(state, rel) || state.lifecycle === 'transient' || state.lifecycle === 'pending') return Promise.resolve(read())
    return loaderOf(state, key).load(obj, key).then(read)
  } catch (e) {
    return Promise.reject(e)
  }
}

/** The session that can load `key` of the object: the one holding it. */
function loaderOf(state: InstanceState, key: string): Loader {
  const session = state.owner as Partial<Loader> | undefined
  if (state.lifecycle !== 'persistent' || typeof session?.load !== 'function' || typeof session.loadColumns !== 'function') {
    throw new DetachedInstanceError(
      `${state.mapper.className}.${key} cannot be loaded: this ${state.mapper.className} is ${state.lifecycle} (its session was closed, ` +
        `or it was expunged). Attach it first: const attached = await session.merge(obj), then await attached.$.${key}.`,
    )
  }
  return session as Loader
}
