import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import type { Expression } from '../sql/elements.js'
import { select } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import { maybeState } from './instance-state.js'
import type { InstanceState } from './instance-state.js'
import { backAdd, backRemove, checkTarget } from './attributes.js'
import type { Relationship } from './relationship.js'

/**
 * A one-to-many collection that is never loaded whole (`relationship(…, { writeOnly: true })`):
 * it records the members to add and to remove at the next flush, and gives a select of its
 * members to read them a page at a time. SQLAlchemy's `WriteOnlyCollection`.
 * ```ts
 * author.posts.add(new Post({ title: 'One of many' }))
 * await session.flush()
 * const page = (await session.scalars(author.posts.select().orderBy(Post.c.id).limit(20))).all()
 * ```
 */
export class WriteOnlyCollection<T extends object> {
  readonly #state: InstanceState
  readonly #rel: Relationship
  constructor(state: InstanceState, rel: Relationship) {
    this.#state = state
    this.#rel = rel
  }

  /** Adds `obj` at the next flush (its foreign key set to this object's key); it joins the session by cascade. */
  add(obj: T): void {
    checkTarget(this.#rel, obj)
    const { adds, removes } = pendingOf(this.#state, this.#rel)
    if (removes.includes(obj)) setPending(this.#state, this.#rel, adds, removes.filter((o) => o !== obj))
    else if (!adds.includes(obj)) setPending(this.#state, this.#rel, [...adds, obj], removes)
    backAdd(this.#state, this.#rel, obj)
  }

  addAll(objs: Iterable<T>): void {
    for (const obj of objs) this.add(obj)
  }

  /**
   * Removes `obj` at the next flush: its foreign key becomes NULL, or with a `delete-orphan`
   * cascade its row is deleted. `obj` must be an object of this session (read through `select()`).
   */
  remove(obj: T): void {
    checkTarget(this.#rel, obj)
    const { adds, removes } = pendingOf(this.#state, this.#rel)
    if (adds.includes(obj)) setPending(this.#state, this.#rel, adds.filter((o) => o !== obj), removes)
    else {
      const s = maybeState(obj)!
      if (s.lifecycle !== 'persistent' || s.owner !== this.#state.owner) {
        throw new InvalidRequestError(`${this.#rel.description}.remove() takes a ${this.#rel.target.className} this session holds (read through ${this.#rel.key}.select()); this one is ${s.lifecycle === 'persistent' ? 'in another session' : s.lifecycle}.`, 'write-only-remove')
      }
      if (!removes.includes(obj)) setPending(this.#state, this.#rel, adds, [...removes, obj])
    }
    backRemove(this.#state, this.#rel, obj)
  }

  /**
   * `select(Target)` of the members in the database (pending adds included once flushed — a
   * session's queries autoflush), ordered by the relationship's `orderBy` if it has one.
   */
  select(): Select<[T]> {
    const s = this.#state
    const parent = s.obj as Record<string, unknown>
    const criteria: Expression<boolean>[] = []
    for (const p of this.#rel.pairs) {
      const v = parent[p.source.key_]
      if (v === undefined || v === null) {
        throw new ArgumentError(`${this.#rel.description}.select() needs this ${s.mapper.className}'s ${p.source.key_}, which it does not have yet: flush the session first.`)
      }
      criteria.push(p.dest.eq(v as never))
    }
    return this.#rel.ordered(select(this.#rel.target.group).where(...criteria)) as unknown as Select<[T]>
  }

  /** The objects to be added at the next flush. */
  get pendingAdds(): readonly T[] {
    return [...pendingOf(this.#state, this.#rel).adds] as T[]
  }

  /** The objects to be removed at the next flush. */
  get pendingRemoves(): readonly T[] {
    return [...pendingOf(this.#state, this.#rel).removes] as T[]
  }
}

/**
 * The pending changes of a write-only collection live where a loaded collection's members and
 * their flushed snapshot do (the adds as the members, the removes as the snapshot), so that the
 * unit of work's collection diff writes them: added = members − snapshot, removed = snapshot − members.
 */
function pendingOf(s: InstanceState, rel: Relationship): { adds: readonly object[]; removes: readonly object[] } {
  return { adds: (s.relations.get(rel.key) as readonly object[] | undefined) ?? [], removes: (s.relations.getCommitted(rel.key) as readonly object[] | undefined) ?? [] }
}

/** Replaces the lists rather than changing them: a savepoint's snapshot shares them. */
function setPending(s: InstanceState, rel: Relationship, adds: readonly object[], removes: readonly object[]): void {
  s.relations.set(rel.key, adds)
  s.relations.setCommitted(rel.key, removes)
}

/** After a flush wrote them: nothing pending. */
export function clearWriteOnly(s: InstanceState): void {
  // Indexed: every flush runs this over every object it holds.
  const rels = s.mapper.relationships
  for (let i = 0; i < rels.length; i++) {
    const rel = rels[i]!
    if (!rel.writeOnly) continue
    if (s.relations.has(rel.key)) s.relations.set(rel.key, [])
    if (s.relations.hasCommitted(rel.key)) s.relations.setCommitted(rel.key, [])
  }
}
