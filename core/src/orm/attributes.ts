import { ArgumentError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'
import { Collection } from './collection.js'
import type { CollectionHandler } from './collection.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { UnloadedRelationshipError } from './orm-errors.js'
import type { Relationship } from './relationship.js'

/**
 * Relationship attribute access. Reading an unloaded relationship of a loaded object throws
 * (no hidden I/O); new objects start with empty collections and null references. Writes keep
 * the `backPopulates` side in step in memory, as SQLAlchemy's backrefs do.
 */
export function getRelated(state: InstanceState, rel: Relationship): unknown {
  const rels = state.relations
  if (rels.has(rel.key)) return unread(state, rel, rels.get(rel.key))
  if (state.lifecycle === 'transient' || state.lifecycle === 'pending') return initEmpty(state, rel)
  throw new UnloadedRelationshipError(state.mapper.className, rel.key, rel.target.className, state.lifecycle === 'detached')
}

/** Whether the relationship holds a value in memory (loaded, set, or a new object's default). */
export function isLoaded(state: InstanceState, rel: Relationship): boolean {
  return state.relations.has(rel.key)
}

function initEmpty(state: InstanceState, rel: Relationship): unknown {
  // A write-only collection's value is its list of pending adds (see write-only.ts).
  const v = rel.uselist ? (rel.writeOnly ? [] : makeCollection(state, rel, [])) : null
  state.relations.set(rel.key, v)
  return v
}

/**
 * The empty collection of an object whose row the flush just wrote, which nothing has read yet
 * (`setUnreadEmpty`): its Collection is made when it is first read. A flush of 10,000 new posts
 * made an empty Collection of tags for each, which nothing read. Only `getRelated` and `peek`
 * hand out collections; every other reader takes it for what it is, an empty member list.
 */
const UNREAD_EMPTY: readonly object[] = Object.freeze([])

/**
 * No members: the one empty list the ORM's member lists and relationship snapshots share (they
 * are replaced, never changed in place). Never handed out as a collection.
 */
export const NO_MEMBERS: readonly object[] = Object.freeze([])

/** Records `rel` of a just-inserted object as loaded and empty, without a Collection until it is read. */
export function setUnreadEmpty(state: InstanceState, rel: Relationship): void {
  state.relations.set(rel.key, UNREAD_EMPTY)
}

/** `value` as handed out: an unread empty collection becomes a Collection now. */
function unread(state: InstanceState, rel: Relationship, value: unknown): unknown {
  if (value !== UNREAD_EMPTY) return value
  const c = makeCollection(state, rel, [])
  state.relations.set(rel.key, c)
  return c
}

/** The value of the relationship if it is in memory (new objects included), else undefined. */
function peek(state: InstanceState, rel: Relationship): unknown {
  if (state.relations.has(rel.key)) return unread(state, rel, state.relations.get(rel.key))
  if (state.lifecycle === 'transient' || state.lifecycle === 'pending') return initEmpty(state, rel)
  return undefined
}

export function makeCollection(state: InstanceState, rel: Relationship, items: Iterable<object>): Collection<object> {
  return Collection.of_(items, new BackSync(state, rel))
}

/** Keeps the other side of `rel` in step; one small object per collection instead of two closures. */
class BackSync implements CollectionHandler<object> {
  readonly #state: InstanceState
  readonly #rel: Relationship
  constructor(state: InstanceState, rel: Relationship) {
    this.#state = state
    this.#rel = rel
  }
  added(item: object): void {
    backAdd(this.#state, this.#rel, item)
  }
  removed(item: object): void {
    backRemove(this.#state, this.#rel, item)
  }
}

// Collections, empty and holding objects, and their handler keep their shapes (util/kept-shapes.ts).
const exemplarHandler = keepShape(new BackSync(undefined as never, undefined as never))
keepShape(Collection.of_([], exemplarHandler))
keepShape(Collection.of_([{}], exemplarHandler))

export function checkTarget(rel: Relationship, value: unknown): void {
  const s = maybeState(value)
  if (!s || (s.mapper !== rel.target && !(value instanceof (rel.target.cls as unknown as new () => object)))) {
    throw new ArgumentError(`${rel.description} takes ${rel.target.className} objects, not ${describe(value)}.`)
  }
}

function describe(v: unknown): string {
  return typeof v === 'object' && v !== null ? `a ${v.constructor.name}` : String(v)
}

export function setRelated(state: InstanceState, rel: Relationship, value: unknown): void {
  if (rel.options.viewonly) throw new ArgumentError(`${rel.description} is viewonly and cannot be assigned.`)
  if (rel.uselist) {
    if (!Array.isArray(value)) throw new ArgumentError(`${rel.description} is a collection: assign an array of ${rel.target.className}.`)
    for (const item of value) checkTarget(rel, item)
    if (rel.writeOnly) return setWriteOnly(state, rel, value as object[])
    // The members it had, without peek(): a new object's first assignment (the constructor's)
    // would make an empty collection only to replace it.
    const old = state.relations.has(rel.key) ? (state.relations.get(rel.key) as readonly object[]) : NO_MEMBERS
    const oldItems = old.length === 0 ? NO_MEMBERS : Array.from(old)
    const next = makeCollection(state, rel, value as object[])
    state.relations.set(rel.key, next)
    for (let i = 0; i < oldItems.length; i++) if (!next.includes(oldItems[i]!)) backRemove(state, rel, oldItems[i]!)
    for (let i = 0; i < next.length; i++) if (!oldItems.includes(next[i]!)) backAdd(state, rel, next[i]!)
    return
  }
  if (value !== null && value !== undefined) checkTarget(rel, value)
  const old = peek(state, rel) as object | null | undefined
  if (old === value) return
  state.relations.set(rel.key, value ?? null)
  if (old) backRemove(state, rel, old)
  if (value) backAdd(state, rel, value as object)
}

/** Stores a loaded value without back-syncing (loaders set both sides themselves). */
export function setLoaded(state: InstanceState, rel: Relationship, value: unknown): void {
  state.relations.set(rel.key, rel.uselist ? (rel.writeOnly ? [...(value as object[])] : makeCollection(state, rel, value as object[])) : value)
}

/**
 * Stores members a loader read: the collection, and, when the loader's own list of them is
 * `exact` (made at its length, so it holds no spare room), that list as the snapshot the next
 * flush diffs against (the list is not used again elsewhere, and snapshots are never changed in
 * place): no copy of it per loaded collection. A list grown by push keeps room for more
 * (3 members, room for 17), which a loaded graph would keep for as long as it lives; its
 * snapshot is an exact copy (`snapshotRelations`).
 */
export function setLoadedMembers(state: InstanceState, rel: Relationship, items: readonly object[], exact: boolean): void {
  setLoaded(state, rel, items)
  if (exact && !rel.writeOnly) state.relations.setCommitted(rel.key, items)
}

/** A new object's write-only collection may be given whole (the constructor, an assignment): those are its adds. */
function setWriteOnly(state: InstanceState, rel: Relationship, items: readonly object[]): void {
  if (state.lifecycle !== 'transient' && state.lifecycle !== 'pending') {
    throw new ArgumentError(`${rel.description} is write-only: it cannot be assigned once its object has a row. Use ${rel.key}.add() and ${rel.key}.remove().`)
  }
  const old = (state.relations.get(rel.key) as readonly object[] | undefined) ?? []
  state.relations.set(rel.key, [...items])
  for (const item of old) if (!items.includes(item)) backRemove(state, rel, item)
  for (const item of items) if (!old.includes(item)) backAdd(state, rel, item)
}

/** Makes `item` point back at the owner of `rel`. */
export function backAdd(owner: InstanceState, rel: Relationship, item: object): void {
  const back = rel.back
  const itemState = maybeState(item)
  if (!back || !itemState) return
  if (back.uselist) {
    const coll = peek(itemState, back)
    if (coll instanceof Collection) coll._addSilently(owner.obj)
    return
  }
  const prev = peek(itemState, back) as object | null | undefined
  if (prev === owner.obj) return
  itemState.relations.set(back.key, owner.obj)
  const prevState = maybeState(prev)
  if (!prevState) return
  // The item moved away from its previous owner: take it out of that owner's side too.
  const prevValue = peek(prevState, rel)
  if (prevValue instanceof Collection) prevValue._removeSilently(item)
  else if (prevValue === item) prevState.relations.set(rel.key, null)
}

/** Makes `item` stop pointing back at the owner of `rel`. */
export function backRemove(owner: InstanceState, rel: Relationship, item: object): void {
  const back = rel.back
  const itemState = maybeState(item)
  if (!back || !itemState) return
  const v = peek(itemState, back)
  if (v instanceof Collection) v._removeSilently(owner.obj)
  else if (v === owner.obj) itemState.relations.set(back.key, null)
}

/** An object's loaded relationships and their last flushed members (what a savepoint rollback restores). */
export interface RelationState {
  readonly relations: ReadonlyMap<string, unknown>
  readonly committed: ReadonlyMap<string, readonly object[] | object | null>
}

export function relationState(s: InstanceState): RelationState {
  return { relations: new Map([...s.relations].map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])), committed: new Map(s.relations.committedEntries()) }
}

export function restoreRelationState(s: InstanceState, rs: RelationState): void {
  s.relations.clear()
  for (const [k, v] of rs.relations) setLoaded(s, s.mapper.relationship(k), v)
  s.relations.clearCommitted()
  for (const [k, v] of rs.committed) s.relations.setCommitted(k, v)
}
