import type { Dialect } from '../dialect/contract.js'
import { clearWriteOnly } from './write-only.js'
import { trusted } from './validated-attributes.js'
import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import { topoSort } from '../util/topo-sort.js'
import type { Column } from '../sql/column.js'
import type { Table } from '../sql/table.js'
import { Expression } from '../sql/elements.js'
import { Insert, del, insert, valueLabels, valuesRow } from '../sql/dml.js'
import { select } from '../sql/select.js'
import type { Result } from '../engine/result.js'
import type { Executable } from '../engine/connection.js'
import { Collection } from './collection.js'
import { maybeState } from './instance-state.js'
import type { InstanceState, StateOwner } from './instance-state.js'
import type { IdentityKey } from './identity-key.js'
import type { MapperEventEmitter } from './orm-events.js'
import type { Mapper } from './mapper.js'
import type { TablePart } from './inheritance.js'
import type { Relationship } from './relationship.js'
import { NO_MEMBERS, isLoaded, setLoaded, setUnreadEmpty } from './attributes.js'
import { StaleDataError } from './orm-errors.js'
import { executeDeletes, planDeletes } from './delete-plan.js'
import { computedAssigned, updateDirty } from './dirty-updates.js'
import type { DeletePlan } from './delete-plan.js'

/** What a flush needs of its session. */
export interface FlushContext {
  readonly dialect: Dialect
  readonly owner: StateOwner
  execute(stmt: Executable): Promise<Result>
  /** Loads a relationship for the given parents (delete cascades need the children). */
  load(rel: Relationship, parents: readonly InstanceState[]): Promise<void>
  readonly identityMap: Map<IdentityKey, InstanceState>
  /** Pending (added, not yet inserted) objects, in add order. */
  readonly pending: Set<InstanceState>
  /** Objects marked for deletion. */
  readonly deleted: Set<InstanceState>
  /** Mapper events (plugins' before/after insert, update, delete listeners). */
  readonly mapperEvents?: MapperEventEmitter
}

/** A foreign key to copy from a parent object into a child object before the child is written. */
interface Sync {
  readonly child: InstanceState
  readonly parent: InstanceState | null
  readonly rel: Relationship
  /** many-to-one: child = owner of rel; one-to-many: child = member of the collection. */
  readonly pairs: readonly { source: Column<unknown>; dest: Column<unknown> }[]
}


/** A relationship's members at the last load or flush: a collection's snapshot, or the reference (kept as itself) as a list. */
function committedMembers(s: InstanceState, key: string): readonly object[] {
  const v = s.relations.getCommitted(key)
  return v === undefined || v === null ? NO_MEMBERS : Array.isArray(v) ? v : [v]
}

/** A copy of a relationship's members as they are now (empty when it is not loaded). */
function related(state: InstanceState, rel: Relationship): object[] {
  // An indexed copy into a plain array: a Collection is an Array subclass, which a spread walks by
  // iterator and slice() copies through its species constructor (a new Collection per loaded
  // collection snapshot, 1.5 % of an N+1 loop's profile).
  const now = members(state, rel)
  // Snapshots are replaced, never changed in place: every empty one can be the same list.
  if (now.length === 0) return NO_MEMBERS as object[]
  const out = new Array<object>(now.length)
  for (let i = 0; i < now.length; i++) out[i] = now[i]!
  return out
}

/** Whether `before` is an array of exactly `now`'s members, in order. */
function sameMembers(now: readonly object[], before: unknown): boolean {
  if (!Array.isArray(before) || before.length !== now.length) return false
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return false
  return true
}

/**
 * A relationship's members as they are now, without a copy, for walks that change no collection
 * (the planning passes run over every object of the session once per flush).
 */
function members(state: InstanceState, rel: Relationship): readonly object[] {
  const v = state.relations.get(rel.key)
  if (v === undefined || v === null) return NO_MEMBERS
  return Array.isArray(v) ? (v as readonly object[]) : [v as object]
}

/*
 * The planning and execution passes below walk every object of the session once per flush with
 * indexed loops: they run once per flush, so mostly before V8 optimizes them, and there a for-of
 * allocates an iterator result per element (1.3 MB per pass for 11,000 objects; PROFILE.md pass 17).
 */

const NO_STATES: ReadonlySet<InstanceState> = new Set()

/**
 * The states of `first`, then those of `second`, in one array made at its length. Not
 * `[...first, ...second]`: in a function not optimised yet (these passes run once per flush)
 * that steps an iterator and allocates its result per object, 700 kB for 11,000.
 */
function both(first: ReadonlyMap<unknown, InstanceState> | ReadonlySet<InstanceState>, second: ReadonlyMap<unknown, InstanceState> | ReadonlySet<InstanceState>): InstanceState[] {
  const out = new Array<InstanceState>(first.size + second.size)
  let i = 0
  const put = (s: InstanceState): void => void (out[i++] = s)
  first.forEach(put)
  second.forEach(put)
  return out
}

/** Adds transient objects reachable through save-update cascades to the pending set. */
function cascadeSaveUpdate(ctx: FlushContext): void {
  const work = both(ctx.pending, ctx.identityMap)
  // Everything the session held at the start is in `work`; what the walk brings in is pushed
  // once, when it joins the session. No Set of every object (11,000 entries for a flush of 11,000).
  const seen = new Set<InstanceState>()
  while (work.length) {
    const s = work.pop()!
    const rels = s.mapper.relationships
    for (let r = 0; r < rels.length; r++) {
      const rel = rels[r]!
      if (!rel.cascade.has('save-update') || rel.options.viewonly) continue
      const v = s.relations.get(rel.key)
      if (v === undefined || v === null) continue
      // A reference is visited as itself: members() would wrap it in an array of one per object.
      if (!Array.isArray(v)) cascadeTo(ctx, rel, maybeState(v)!, seen, work)
      else for (let i = 0; i < v.length; i++) cascadeTo(ctx, rel, maybeState(v[i] as object)!, seen, work)
    }
  }
}

/** One object reached through `rel`: brought into the session if new to it, and walked once. */
function cascadeTo(ctx: FlushContext, rel: Relationship, t: InstanceState, seen: Set<InstanceState>, work: InstanceState[]): void {
  if (t.owner && t.owner !== ctx.owner) {
    throw new InvalidRequestError(`${t.mapper.className} object reached through ${rel.description} belongs to another session; expunge it there or merge() it into this one.`, 'foreign-session')
  }
  if (t.lifecycle === 'transient' || t.lifecycle === 'detached') {
    if (t.lifecycle === 'detached' && t.key && ctx.identityMap.has(t.key)) {
      throw new InvalidRequestError(`A detached ${t.mapper.className} with the same identity as an object in this session was reached through ${rel.description}; use session.merge() instead.`, 'identity-conflict')
    }
    t.lifecycle = t.key ? 'persistent' : 'pending'
    t.owner = ctx.owner
    // Held from now on (held() finds it): walked once without a `seen` entry.
    if (t.key) ctx.identityMap.set(t.key, t)
    else ctx.pending.add(t)
    work.push(t)
  } else if (!held(ctx, t) && !seen.has(t)) (seen.add(t), work.push(t))
}

/** Whether the session holds `t` already (pending, or in its identity map): walked from the start. */
function held(ctx: FlushContext, t: InstanceState): boolean {
  return t.owner === ctx.owner && (ctx.pending.has(t) || (t.key !== undefined && ctx.identityMap.get(t.key) === t))
}

/**
 * Calls `fn` for every object the session holds (`pending`: or will insert) and each of its
 * loaded relationships that `wanted` accepts, with indexed loops (above).
 */
function forEachLoaded(ctx: FlushContext, pending: boolean, wanted: (rel: Relationship) => boolean, fn: (s: InstanceState, rel: Relationship) => void): void {
  // `wanted` asked once per class, not once per object and relationship; classes with none of
  // them (most, for delete-orphan) skip their objects at once.
  const byMapper = new Map<Mapper, readonly Relationship[]>()
  const states = both(ctx.identityMap, pending ? ctx.pending : NO_STATES)
  for (let k = 0; k < states.length; k++) {
    const s = states[k]!
    let rels = byMapper.get(s.mapper)
    if (rels === undefined) byMapper.set(s.mapper, (rels = s.mapper.relationships.filter(wanted)))
    for (let r = 0; r < rels.length; r++) if (isLoaded(s, rels[r]!)) fn(s, rels[r]!)
  }
}

/** Orphans (removed from a delete-orphan collection) and delete cascades. */
async function cascadeDeletes(ctx: FlushContext): Promise<void> {
  // Only held objects: a new one's collections had no members to lose (2 ms of a flush of
  // 11,000 new objects; benchmarks/PROFILE.md pass 32).
  forEachLoaded(ctx, false, (rel) => rel.cascade.has('delete-orphan'), (s, rel) => {
    const before = committedMembers(s, rel.key)
    if (before.length === 0) return
    const now = new Set(members(s, rel))
    for (const obj of before) {
      if (now.has(obj)) continue
      const t = maybeState(obj)!
      const back = rel.back
      // Moved to another parent: not an orphan.
      if (back && !back.uselist && isLoaded(t, back) && t.relations.get(back.key) && t.relations.get(back.key) !== s.obj) continue
      if (t.lifecycle === 'persistent') markDeleted(ctx, t)
    }
  })
  const work = [...ctx.deleted]
  while (work.length) {
    const s = work.pop()!
    for (const rel of s.mapper.relationships) {
      if (rel.direction !== 'one-to-many' || rel.options.viewonly) continue
      if (rel.options.passiveDeletes && !rel.cascade.has('delete')) continue
      if (rel.writeOnly && s.lifecycle !== 'pending') {
        // Its members are never loaded: the database must detach or delete them (ON DELETE).
        if (rel.options.passiveDeletes) continue
        throw new InvalidRequestError(
          `Deleting a ${s.mapper.className} whose write-only ${rel.description} may have rows: the session never loads them to ${rel.cascade.has('delete') ? 'delete' : 'detach'} them. ` +
            `Declare the relationship with passiveDeletes: true and the foreign key with onDelete: '${rel.cascade.has('delete') ? 'CASCADE' : 'SET NULL'}', or delete the members first.`,
          'write-only-delete',
        )
      }
      if (!isLoaded(s, rel) && s.lifecycle !== 'pending') {
        if (rel.options.passiveDeletes) continue
        await ctx.load(rel, [s])
      }
      if (!rel.cascade.has('delete')) continue
      for (const obj of related(s, rel)) {
        const t = maybeState(obj)!
        if (t.lifecycle === 'persistent' && !ctx.deleted.has(t)) (markDeleted(ctx, t), work.push(t))
        else if (t.lifecycle === 'pending') ctx.pending.delete(t)
      }
    }
  }
}

function markDeleted(ctx: FlushContext, s: InstanceState): void {
  ctx.deleted.add(s)
}

/** Every parent → child foreign-key copy implied by loaded relationships. */
function collectSyncs(ctx: FlushContext): Sync[] {
  const syncs: Sync[] = []
  const states = both(ctx.identityMap, ctx.pending)
  for (let k = 0; k < states.length; k++) {
    const s = states[k]!
    if (ctx.deleted.has(s)) {
      // Children that outlive a deleted parent (no delete cascade) lose their foreign key, as in SQLAlchemy.
      for (const rel of s.mapper.relationships) {
        if (rel.direction !== 'one-to-many' || rel.options.viewonly || !isLoaded(s, rel)) continue
        for (const obj of related(s, rel)) {
          const t = maybeState(obj)!
          if (!ctx.deleted.has(t)) syncs.push({ child: t, parent: null, rel, pairs: rel.pairs })
        }
      }
      continue
    }
    const rels = s.mapper.relationships
    for (let r = 0; r < rels.length; r++) {
      const rel = rels[r]!
      if (rel.options.viewonly || !isLoaded(s, rel) || rel.direction === 'many-to-many') continue
      if (rel.direction === 'many-to-one') {
        const v = s.relations.get(rel.key) as object | null
        const parent = v ? maybeState(v)! : null
        if (parent && ctx.deleted.has(parent)) continue
        // Only when the reference was set or changed: an unchanged loaded reference needs no copy.
        if (s.lifecycle === 'persistent' && s.relations.getCommitted(rel.key) === (v ?? null)) continue
        syncs.push({ child: s, parent, rel, pairs: rel.pairs })
      } else {
        const objs = members(s, rel)
        // The members' own references back to this parent make the same copy (above): once is enough.
        const back = objs.length > 0 && rel.back !== undefined && copiesSame(rel.back, rel) ? rel.back : undefined
        for (let i = 0; i < objs.length; i++) {
          const t = maybeState(objs[i]!)!
          if (back !== undefined && backSyncs(ctx, t, back, s.obj)) continue
          syncs.push({ child: t, parent: s, rel, pairs: rel.pairs })
        }
        const before = committedMembers(s, rel.key)
        if (before.length > 0) syncRemoved(ctx, syncs, rel, before, objs)
      }
    }
  }
  return syncs
}

/**
 * Members removed from a collection and not adopted elsewhere: their foreign keys become NULL.
 * A function of its own: its closure would otherwise make the caller's loop allocate a block
 * context per object and relationship (dirty-check.ts).
 */
function syncRemoved(ctx: FlushContext, syncs: Sync[], rel: Relationship, before: readonly object[], objs: readonly object[]): void {
  const now = new Set(objs)
  for (const obj of before) {
    const t = maybeState(obj)!
    if (now.has(obj) || ctx.deleted.has(t)) continue
    if (!syncs.some((x) => x.child === t && x.rel === rel)) syncs.push({ child: t, parent: null, rel, pairs: rel.pairs })
  }
}

/** Whether the many-to-one `back` copies the same keys into the same columns as the one-to-many `rel`. */
function copiesSame(back: Relationship, rel: Relationship): boolean {
  if (back.direction !== 'many-to-one' || back.options.viewonly || back.pairs.length !== rel.pairs.length) return false
  for (let i = 0; i < rel.pairs.length; i++) if (back.pairs[i]!.dest !== rel.pairs[i]!.dest || back.pairs[i]!.source !== rel.pairs[i]!.source) return false
  return true
}

/**
 * Whether `collectSyncs` copies `parent`'s key into `child` through `child`'s many-to-one
 * `back` reference (one that {@link copiesSame}): loaded, pointing at `parent`, and set or changed.
 */
function backSyncs(ctx: FlushContext, child: InstanceState, back: Relationship, parent: object): boolean {
  // Objects outside the session (no save-update cascade brought them in) are not walked there.
  if (child.owner !== ctx.owner || (child.lifecycle !== 'pending' && child.lifecycle !== 'persistent')) return false
  if (ctx.deleted.has(child) || !isLoaded(child, back)) return false
  if (child.relations.get(back.key) !== parent) return false
  return child.lifecycle !== 'persistent' || child.relations.getCommitted(back.key) !== parent
}

function applySync(sync: Sync): void {
  if (sync.child.mapper.validated.length > 0) trusted(copyKeys, sync)
  else copyKeys(sync)
}

/** The parent's key into the child's foreign key columns (NULL without a parent). */
function copyKeys(sync: Sync): void {
  const child = sync.child.obj as Record<string, unknown>
  const parent = sync.parent?.obj as Record<string, unknown> | undefined
  const pairs = sync.pairs
  for (let i = 0; i < pairs.length; i++) child[pairs[i]!.dest.key_] = parent ? (parent[pairs[i]!.source.key_] ?? null) : null
}

/** Whether every foreign key column of `pairs` may be NULL (a post-update can then break a cycle). */
function allNullable(pairs: Sync['pairs']): boolean {
  for (let i = 0; i < pairs.length; i++) if (!pairs[i]!.dest.nullable) return false
  return true
}

/** The SQL-visible change set of one flush, planned before anything is executed. */
export interface FlushPlan {
  readonly inserts: readonly (readonly InstanceState[])[]
  readonly deletes: DeletePlan
  readonly syncs: readonly Sync[]
}

/** Plans the flush: cascades, foreign-key syncs, insert batches in dependency order, deletes. */
export async function plan(ctx: FlushContext): Promise<FlushPlan> {
  cascadeSaveUpdate(ctx)
  await cascadeDeletes(ctx)
  const syncs = collectSyncs(ctx)
  // Which pending rows wait for which: across tables this orders the tables; within a table
  // (a self-reference) it orders the rows in levels. Only the latter needs per-row bookkeeping.
  const mapperDeps = new Map<Mapper, Set<Mapper>>()
  const notNullDeps = new Map<Mapper, Set<Mapper>>()
  const sameTable = new Map<InstanceState, InstanceState[]>()
  const edge = (map: Map<Mapper, Set<Mapper>>, from: Mapper, to: Mapper): void => void (map.get(from) ?? map.set(from, new Set()).get(from)!).add(to)
  // Consecutive syncs are mostly one relationship's between the same two classes (10,000 posts
  // under their authors): their edge is recorded once.
  let lastRel: Relationship | undefined
  let lastFrom: Mapper | undefined
  let lastTo: Mapper | undefined
  for (let i = 0; i < syncs.length; i++) {
    const sy = syncs[i]!
    const parent = sy.parent
    if (parent === null || !ctx.pending.has(parent) || !ctx.pending.has(sy.child)) continue
    const from = sy.child.mapper
    const to = parent.mapper
    if (to === from) {
      const list = sameTable.get(sy.child)
      if (list === undefined) sameTable.set(sy.child, [parent])
      else if (!list.includes(parent)) list.push(parent)
      continue
    }
    if (sy.rel === lastRel && from === lastFrom && to === lastTo) continue
    lastRel = sy.rel
    lastFrom = from
    lastTo = to
    edge(mapperDeps, from, to)
    if (!allNullable(sy.pairs)) edge(notNullDeps, from, to)
  }
  // Tables first (so rows of one table batch together), then rows within a table by level.
  const byMapper = new Map<Mapper, InstanceState[]>()
  // forEach, not a copy of the set: no iterator step per object (see both()).
  ctx.pending.forEach((s) => {
    if (!ctx.deleted.has(s)) (byMapper.get(s.mapper) ?? byMapper.set(s.mapper, []).get(s.mapper)!).push(s)
  })
  const mappers = [...byMapper.keys()]
  let { order, cycles } = topoSort(mappers, (m) => mapperDeps.get(m) ?? [])
  // Tables that reference each other: only nullable foreign keys can wait for the post-update,
  // so the order follows the NOT NULL ones (SQLAlchemy asks for post_update=True instead).
  if (cycles.length) order = topoSort(mappers, (m) => notNullDeps.get(m) ?? []).order
  const inserts: InstanceState[][] = []
  for (const m of order) {
    const rows = byMapper.get(m)!
    if (sameTable.size === 0 || !rows.some((s) => sameTable.has(s))) {
      inserts.push(rows)
      continue
    }
    const level = new Map<InstanceState, number>()
    const levelOf = (s: InstanceState, guard: Set<InstanceState>): number => {
      const known = level.get(s)
      if (known !== undefined) return known
      if (guard.has(s)) return 0 // a cycle inside the table: broken by a post-update
      guard.add(s)
      let l = 0
      for (const p of sameTable.get(s) ?? []) l = Math.max(l, levelOf(p, guard) + 1)
      level.set(s, l)
      return l
    }
    for (const s of rows) levelOf(s, new Set())
    const maxLevel = Math.max(0, ...level.values())
    for (let l = 0; l <= maxLevel; l++) {
      const batch = rows.filter((s) => level.get(s) === l)
      if (batch.length) inserts.push(batch)
    }
  }
  const deletes = planDeletes([...ctx.deleted].filter((s) => s.lifecycle === 'persistent'))
  return { inserts, deletes, syncs }
}

/** Executes a plan on the session's connection. Any error propagates; the caller rolls back. */
export async function execute(ctx: FlushContext, flushPlan: FlushPlan): Promise<void> {
  const syncs = flushPlan.syncs
  // Most children have one sync: kept as itself, an array only for the others (10,000 new rows
  // made 10,000 one-element arrays).
  const syncsByChild = new Map<InstanceState, Sync | Sync[]>()
  for (let i = 0; i < syncs.length; i++) {
    const sy = syncs[i]!
    const had = syncsByChild.get(sy.child)
    syncsByChild.set(sy.child, had === undefined ? sy : Array.isArray(had) ? (had.push(sy), had) : [had, sy])
  }
  const secondary = collectSecondary(ctx)
  await deleteSecondary(ctx, secondary.removed)
  for (const batch of flushPlan.inserts) {
    for (let i = 0; i < batch.length; i++) {
      const own = syncsByChild.get(batch[i]!)
      if (own === undefined) continue
      if (!Array.isArray(own)) applySync(own)
      else for (let j = 0; j < own.length; j++) applySync(own[j]!)
    }
    await insertBatch(ctx, batch)
  }
  initNewCollections(ctx, flushPlan.inserts)
  for (let i = 0; i < syncs.length; i++) if (syncs[i]!.child.lifecycle === 'persistent' && !syncs[i]!.child.insertedInTx) applySync(syncs[i]!)
  // Rows inserted with a NULL key to a row inserted later (a cycle) get it now: the post-update.
  for (let i = 0; i < syncs.length; i++) if (syncs[i]!.child.insertedInTx) applySync(syncs[i]!)
  await updateDirty(ctx)
  await insertSecondary(ctx, secondary.added)
  await executeDeletes(ctx, flushPlan.deletes)
  // The loaded relationship state now matches the database.
  ctx.identityMap.forEach((s) => (snapshotRelations(s), clearWriteOnly(s)))
}

/**
 * A new object's collections are known once its row exists: empty, but for objects this session
 * holds that point at it by foreign key. Collections set through the relationship (or read while
 * the object was new) are loaded already; without this, one never touched before an autoflush
 * would read as "not loaded" right after it. Members are found through one index per relationship.
 */
function initNewCollections(ctx: FlushContext, batches: readonly (readonly InstanceState[])[]): void {
  const indexes = new Map<Relationship, Map<string, object[]>>()
  for (const batch of batches) {
    for (let k = 0; k < batch.length; k++) {
      const s = batch[k]!
      const rels = s.mapper.relationships
      for (let r = 0; r < rels.length; r++) {
        const rel = rels[r]!
        if (!rel.uselist || isLoaded(s, rel) || rel.writeOnly) continue
        let found: readonly object[] | undefined
        if (rel.direction === 'one-to-many') {
          let index = indexes.get(rel)
          if (index === undefined) indexes.set(rel, (index = referencingIndex(ctx, rel)))
          const key = keyOf(s.obj, rel.pairs, 'source')
          found = key === undefined ? undefined : index.get(key)
        }
        if (found === undefined) setUnreadEmpty(s, rel)
        else setLoaded(s, rel, found)
      }
    }
  }
}

/** The session's objects of `rel`'s target class, by the key their foreign key holds. */
function referencingIndex(ctx: FlushContext, rel: Relationship): Map<string, object[]> {
  const index = new Map<string, object[]>()
  ctx.identityMap.forEach((t) => {
    if (!t.mapper.isa(rel.target)) return
    const key = keyOf(t.obj, rel.pairs, 'dest')
    if (key !== undefined) (index.get(key) ?? index.set(key, []).get(key)!).push(t.obj)
  })
  return index
}

/** The values of the pairs' `side` columns on an object as one string key; undefined when any is null. */
function keyOf(obj: object, pairs: Relationship['pairs'], side: 'source' | 'dest'): string | undefined {
  const o = obj as Record<string, unknown>
  let key = ''
  for (let i = 0; i < pairs.length; i++) {
    const v = o[pairs[i]![side].key_]
    if (v === null || v === undefined) return undefined
    key += `${typeof v}:${String(v)}\u0000`
  }
  return key
}

/** Records current relationship members as the database's, for the next flush's diff. */
export function snapshotRelations(s: InstanceState): void {
  const rels = s.mapper.relationships
  // A write-only collection's "snapshot" is its pending removes, cleared by the flush that writes them.
  for (let i = 0; i < rels.length; i++) {
    const rel = rels[i]!
    if (!isLoaded(s, rel) || rel.writeOnly) continue
    // A reference is kept as itself (or null), not in an array of one: one array less per loaded object.
    if (!rel.uselist) s.relations.setCommitted(rel.key, (s.relations.get(rel.key) as object | null | undefined) ?? null)
    // A snapshot that lists the members already stays (snapshots are replaced, never changed): a
    // loader's exact member list recorded as one (setLoadedMembers), and an unchanged collection,
    // need no new copy at the end of every flush.
    else if (!sameMembers(members(s, rel), s.relations.getCommitted(rel.key))) s.relations.setCommitted(rel.key, related(s, rel))
  }
}

function serverGenerated(columns: readonly Column<unknown>[], obj: Record<string, unknown>): Column<unknown>[] {
  return columns.filter((c) => c.serverGenerated && obj[c.key_] === undefined)
}

async function insertBatch(ctx: FlushContext, states: readonly InstanceState[]): Promise<void> {
  const m = states[0]!.mapper
  if (ctx.mapperEvents) for (const s of states) ctx.mapperEvents.emit('beforeInsert', s)
  // Client defaults are applied to the objects themselves, as SQLAlchemy does at flush. Only the
  // columns that have one are looked at: every column of every object took 2.4 ms of a flush of
  // 11,000 new objects whose classes have none (benchmarks/PROFILE.md pass 32).
  if (m.defaultedColumns.length > 0 || m.computedColumns.length > 0) trusted(applyDefaults, m, states)
  // A joined-table subclass's row is one per table, root first: the later ones take its key.
  for (const part of m.tables) await insertPart(ctx, m, part, states)
  for (let k = 0; k < states.length; k++) markInserted(ctx, states[k]!)
  if (ctx.mapperEvents) for (const s of states) ctx.mapperEvents.emit('afterInsert', s)
}

/** Client defaults and versions' first values into new objects that left them out; a computed column given a value is refused. */
function applyDefaults(m: Mapper, states: readonly InstanceState[]): void {
  const defaulted = m.defaultedColumns
  for (let k = 0; k < states.length; k++) {
    const o = states[k]!.obj as Record<string, unknown>
    for (let i = 0; i < m.computedColumns.length; i++) if (o[m.computedColumns[i]!.key_] !== undefined) throw computedAssigned(m, m.computedColumns[i]!)
    for (let i = 0; i < defaulted.length; i++) {
      const c = defaulted[i]!
      if (o[c.key_] !== undefined) continue
      o[c.key_] = c.default !== undefined ? c.defaultValue() : c.nextVersion!(undefined)
    }
  }
}

/** Which of `cols` a new object gives (not undefined), as bits: no string per object (≤ 30 columns). */
function givenBits(cols: readonly Column<unknown>[], o: Record<string, unknown>): number {
  let b = 0
  for (let i = 0; i < cols.length; i++) if (o[cols[i]!.key_] !== undefined) b |= 1 << i
  return b
}

/** {@link givenBits} for wider tables, as a string of 0s and 1s. */
function givenText(cols: readonly Column<unknown>[], o: Record<string, unknown>): string {
  let sig = ''
  for (let i = 0; i < cols.length; i++) sig += o[cols[i]!.key_] === undefined ? '0' : '1'
  return sig
}

async function insertPart(ctx: FlushContext, m: Mapper, part: TablePart, states: readonly InstanceState[]): Promise<void> {
  const caps = ctx.dialect.capabilities
  const table = part.table
  // Rows giving the same columns share one multi-row INSERT.
  const groups = new Map<number | string, InstanceState[]>()
  const cols = part.columns
  const bits = cols.length <= 30
  for (let k = 0; k < states.length; k++) {
    const s = states[k]!
    const o = s.obj as Record<string, unknown>
    const sig = bits ? givenBits(cols, o) : givenText(cols, o)
    ;(groups.get(sig) ?? groups.set(sig, []).get(sig)!).push(s)
  }
  for (const group of groups.values()) {
    const o0 = group[0]!.obj as Record<string, unknown>
    const given = part.columns.filter((c) => o0[c.key_] !== undefined)
    const generated = serverGenerated(part.columns, o0)
    const auto = generated.find((c) => c.autoincrement)
    const returning = generated.length > 0 && caps.returning.insert
    // Unordered RETURNING of just the autoincrement key can still be matched: sort it (see Capabilities).
    const sortKey = returning && !caps.orderedReturning && caps.autoincrementInsertOrder === true && generated.length === 1 && auto !== undefined
    const multi = caps.multiRowInsert && given.length > 0 && (generated.length === 0 || (returning ? caps.orderedReturning || sortKey : generated.length === 1 && auto !== undefined && caps.insertIdArithmetic))
    const perStatement = multi ? Math.max(1, Math.min(caps.insertPageRows ?? Infinity, Math.floor(caps.maxParams / Math.max(1, given.length)))) : 1
    const labels = valueLabels(table, given)
    for (let i = 0; i < group.length; i += perStatement) {
      const chunk = group.slice(i, i + perStatement)
      // The rows straight from the objects (defaults were applied to them above); the dialect's
      // own statement for several (insertRows), else INSERT … VALUES.
      const own = chunk.length > 1 && given.length > 0 && ctx.dialect.compiler.insertRows !== undefined ? ownInsert(ctx, table, given, labels, chunk, returning ? generated : []) : undefined
      let stmt: Insert | undefined
      if (own === undefined) {
        stmt = given.length ? new Insert(table, given, chunk.map((s) => valuesRow(given, labels, s.obj as Record<string, unknown>)), undefined, []) : insert(table)
        if (returning) stmt = stmt.returning(...generated) as unknown as Insert
      }
      const result = await ctx.execute((own ?? stmt) as unknown as Executable)
      if (returning) {
        if (result.rows.length !== chunk.length) throw new StaleDataError(`INSERT into ${table.name} … RETURNING`, chunk.length, result.rows.length)
        const rows = sortKey && chunk.length > 1 ? inValuesOrder(result.rows, table.name) : result.rows
        trusted(takeRows, chunk, generated, rows)
      } else if (auto) {
        if (result.insertId === undefined) throw new InvalidRequestError(`The ${ctx.dialect.name} driver reported no generated id for ${table.name}; the dialect must return insertId or support RETURNING.`)
        if (chunk.length > 1 && result.insertIdStep === undefined) {
          throw new InvalidRequestError(`The ${ctx.dialect.name} driver reported no id step for a multi-row INSERT into ${table.name}, so the ids of its ${chunk.length} rows are unknown; the flush is rolled back. A dialect with capabilities.insertIdArithmetic must return insertIdStep.`)
        }
        trusted(takeIds, chunk, auto, BigInt(result.insertId), BigInt(result.insertIdStep ?? 1))
      }
      const rest = returning ? [] : generated.filter((c) => c !== auto)
      if (rest.length) await fetchServerDefaults(ctx, table.primaryKey, chunk, rest)
    }
  }
}

/** Each object of `chunk` takes the generated `cols` of its RETURNING row (indexed loops: once per flush, mostly unoptimised). */
function takeRows(chunk: readonly InstanceState[], cols: readonly Column<unknown>[], rows: readonly (readonly unknown[])[]): void {
  for (let r = 0; r < chunk.length; r++) {
    const o = chunk[r]!.obj as Record<string, unknown>
    const row = rows[r]!
    for (let j = 0; j < cols.length; j++) o[cols[j]!.key_] = row[j]
  }
}

/** Each object of `chunk` takes its id: the driver's insert id for the first row, `step` more for each next. */
function takeIds(chunk: readonly InstanceState[], auto: Column<unknown>, first: bigint, step: bigint): void {
  const big = auto.type.kind === 'bigint'
  for (let r = 0; r < chunk.length; r++) {
    const id = first + BigInt(r) * step
    ;(chunk[r]!.obj as Record<string, unknown>)[auto.key_] = big ? id : Number(id)
  }
}

/**
 * The dialect's statement for inserting `chunk` (`StatementCompiler.insertRows`), its values
 * validated per column; undefined when a value is a SQL expression, which only VALUES can hold.
 */
function ownInsert(ctx: FlushContext, table: Table, given: readonly Column<unknown>[], labels: readonly string[], chunk: readonly InstanceState[], returning: readonly Column<unknown>[]): unknown {
  const values = new Array<unknown[]>(given.length)
  for (let j = 0; j < given.length; j++) {
    const col = given[j]!
    const column = (values[j] = new Array<unknown>(chunk.length))
    for (let r = 0; r < chunk.length; r++) {
      const v = (chunk[r]!.obj as Record<string, unknown>)[col.key_]
      if (v instanceof Expression) return undefined
      column[r] = col.type.validate(v, labels[j]!)
    }
  }
  return ctx.dialect.compiler.insertRows!({ table, columns: given, values, returning })
}

/**
 * RETURNING rows of one multi-row INSERT put back in VALUES order by their autoincrement key
 * (first column), for dialects with `autoincrementInsertOrder`. Keys that are not consecutive
 * mean the database did not assign them in order, and matching would be a guess: refuse.
 */
function inValuesOrder(rows: readonly (readonly unknown[])[], table: string): readonly (readonly unknown[])[] {
  // SQLite returns them in VALUES order in practice, but does not promise to: sort only if not.
  let ascending = true
  for (let i = 1; ascending && i < rows.length; i++) ascending = (rows[i - 1]![0] as number) < (rows[i]![0] as number)
  const sorted = ascending ? rows : [...rows].sort((a, b) => ((a[0] as number) < (b[0] as number) ? -1 : (a[0] as number) > (b[0] as number) ? 1 : 0))
  const first = sorted[0]![0] as number | bigint
  const last = sorted[sorted.length - 1]![0] as number | bigint
  if (BigInt(last) - BigInt(first) !== BigInt(rows.length - 1)) {
    throw new InvalidRequestError(
      `The ${rows.length} keys generated by one INSERT into ${table} are not consecutive (${String(first)}…${String(last)}), so they cannot be matched to the inserted objects. ` +
        'This happens when the table\'s key reached its maximum or a trigger inserts into the same table; give these objects explicit keys, or flush them one at a time.',
      'unordered-insert-keys',
    )
  }
  return sorted
}

/** Reads server defaults the INSERT could not return, by the key columns of their table. */
async function fetchServerDefaults(ctx: FlushContext, pkCols: readonly Column<unknown>[], states: readonly InstanceState[], cols: readonly Column<unknown>[]): Promise<void> {
  for (const s of states) {
    const r = await ctx.execute(select(...cols).where(...pkCols.map((c) => c.eq((s.obj as Record<string, unknown>)[c.key_] as never))) as unknown as Executable)
    const row = r.rows[0]
    if (row) trusted(() => cols.forEach((c, j) => ((s.obj as Record<string, unknown>)[c.key_] = row[j])))
  }
}

function markInserted(ctx: FlushContext, s: InstanceState): void {
  const key = s.mapper.objectIdentityKey(s.obj)
  if (key === undefined) {
    throw new ArgumentError(`${s.mapper.className} was inserted without a full primary key: give it a value or make the key autoincrement.`)
  }
  const existing = ctx.identityMap.get(key)
  if (existing && existing !== s) throw new InvalidRequestError(`Another ${s.mapper.className} with the same primary key is already in this session.`, 'identity-conflict')
  s.key = key
  s.committed = s.mapper.snapshot(s.values(), true)
  s.lifecycle = 'persistent'
  s.insertedInTx = true
  ctx.pending.delete(s)
  ctx.identityMap.set(key, s)
}


/** Association-table rows to add and remove, from many-to-many collection diffs. */
function collectSecondary(ctx: FlushContext): { added: Map<Relationship, unknown[][]>; removed: Map<Relationship, unknown[][]> } {
  const added = new Map<Relationship, unknown[][]>()
  const removed = new Map<Relationship, unknown[][]>()
  const seen = new Set<string>()
  // Pairs are keyed by object identity: new objects have no primary key yet at this point.
  const ids = new Map<InstanceState, number>()
  const idOf = (x: InstanceState): number => ids.get(x) ?? (ids.set(x, ids.size), ids.size - 1)
  const push = (map: Map<Relationship, unknown[][]>, rel: Relationship, owner: InstanceState, target: InstanceState): void => {
    // With backPopulates both sides list the pair: record it once, from either side.
    const sign = map === added ? '+' : '-'
    const id = `${rel.options.secondary!.id}|${idOf(owner)}|${idOf(target)}|${sign}`
    const idBack = `${rel.options.secondary!.id}|${idOf(target)}|${idOf(owner)}|${sign}`
    if (seen.has(id) || (rel.back && seen.has(idBack))) return
    seen.add(id)
    ;(map.get(rel) ?? map.set(rel, []).get(rel)!).push([owner, target])
  }
  forEachLoaded(ctx, true, (rel) => rel.direction === 'many-to-many' && !rel.options.viewonly, (s, rel) => {
    const now = members(s, rel)
    const before = committedMembers(s, rel.key)
    const deleted = ctx.deleted.has(s)
    // Indexed: once per object and relationship, where a for-of makes an iterator even for no members.
    for (let i = 0; i < now.length; i++) if (!before.includes(now[i]!) && !deleted && !ctx.deleted.has(maybeState(now[i]!)!)) push(added, rel, s, maybeState(now[i]!)!)
    for (let i = 0; i < before.length; i++) if (!now.includes(before[i]!) || deleted) push(removed, rel, s, maybeState(before[i]!)!)
  })
  return { added, removed }
}

function secondaryRow(rel: Relationship, pair: unknown[]): Record<string, unknown> {
  const [owner, target] = pair as [InstanceState, InstanceState]
  const row: Record<string, unknown> = {}
  for (const p of rel.pairs) row[p.dest.key_] = (owner.obj as Record<string, unknown>)[p.source.key_]
  for (const p of rel.secondaryPairs) row[p.dest.key_] = (target.obj as Record<string, unknown>)[p.source.key_]
  return row
}

async function insertSecondary(ctx: FlushContext, added: Map<Relationship, unknown[][]>): Promise<void> {
  for (const [rel, pairs] of added) {
    const rows = pairs.map((p) => secondaryRow(rel, p))
    const size = Math.max(1, Math.floor(ctx.dialect.capabilities.maxParams / Math.max(1, Object.keys(rows[0]!).length)))
    for (let i = 0; i < rows.length; i += size) await ctx.execute(insert(rel.options.secondary!).values(rows.slice(i, i + size) as never) as unknown as Executable)
  }
}

async function deleteSecondary(ctx: FlushContext, removed: Map<Relationship, unknown[][]>): Promise<void> {
  for (const [rel, pairs] of removed) {
    const sec = rel.options.secondary!
    for (const p of pairs) {
      const row = secondaryRow(rel, p)
      await ctx.execute(del(sec).where(...Object.entries(row).map(([k, v]) => sec.column(k).eq(v as never))) as unknown as Executable)
    }
  }
  // Deleted owners with unloaded many-to-many collections: remove their association rows too.
  for (const s of ctx.deleted) {
    for (const rel of s.mapper.relationships) {
      if (rel.direction !== 'many-to-many' || rel.options.viewonly || isLoaded(s, rel)) continue
      const sec = rel.options.secondary!
      await ctx.execute(del(sec).where(...rel.pairs.map((p) => sec.column(p.dest.key_).eq((s.obj as Record<string, unknown>)[p.source.key_] as never))) as unknown as Executable)
    }
  }
}
