import type { LoadedValue, RelatedClass } from '../sql/loaded.js'
import { isLoaded } from './attributes.js'
import { stateOf } from './instance-state.js'
import { DetachedInstanceError } from './orm-errors.js'

/**
 * `obj.$`: each relationship as a promise of its value, loaded on the first await when it is not
 * loaded yet (SQLAlchemy's `AsyncAttrs.awaitable_attrs`). One relationship at a time: for many
 * objects or a deeper path, `session.load()` loads them in one statement per level.
 * ```ts
 * const posts = await author.$.posts     // Post[], loaded now if it was not
 * ```
 */
export type AwaitableAttrs<T> = {
  readonly [K in Exclude<keyof T, '$'> as RelatedClass<T[K]> extends MappedInstance ? K : never]: Promise<LoadedValue<T[K]>>
}

/** Type-only mark of a model instance: tells relationship fields (mapped targets) from columns holding objects (Date, JSON). */
declare const MAPPED: unique symbol
export interface MappedInstance {
  readonly [MAPPED]: true
}

/** What `$` needs of the session that owns the object (AsyncSession, without importing it). */
interface Loader {
  load(obj: object, key: string): Promise<unknown>
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
    const rel = state.mapper.relationship(key)
    if (isLoaded(state, rel) || state.lifecycle === 'transient' || state.lifecycle === 'pending') {
      return Promise.resolve((obj as Record<string, unknown>)[key])
    }
    const session = state.owner as Partial<Loader> | undefined
    if (state.lifecycle !== 'persistent' || typeof session?.load !== 'function') {
      throw new DetachedInstanceError(
        `${state.mapper.className}.${key} cannot be loaded: this ${state.mapper.className} is ${state.lifecycle} (its session was closed, ` +
          `or it was expunged). Attach it first: const attached = await session.merge(obj), then await attached.$.${key}.`,
      )
    }
    return session.load(obj, key).then(() => (obj as Record<string, unknown>)[key])
  } catch (e) {
    return Promise.reject(e)
  }
}
