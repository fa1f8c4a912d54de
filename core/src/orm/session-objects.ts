import type { Mapper } from './mapper.js'
import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import type { PartialLayout } from '../sql/select.js'
import { UNLOADED, markUnloaded, setLoadedColumn } from './unloaded-columns.js'
import { trusted } from './validated-attributes.js'
import type { InstanceState, StateOwner } from './instance-state.js'
import type { IdentityKey } from './identity-key.js'
import type { MapperEventEmitter } from './orm-events.js'
import { columnsChanged, isModified } from './dirty-check.js'
import { isLoaded, relationState, restoreRelationState } from './attributes.js'
import { maybeState } from './instance-state.js'
import { detachedError } from './session-arguments.js'
import type { RelationState } from './attributes.js'

/** One object's column state when a savepoint began. */
interface ColumnState {
  /** The attribute values (in mapper column order), as the user saw them. */
  readonly values: readonly unknown[]
  /** The committed snapshot array itself: loads and flushes replace it, so a new one means "touched". */
  readonly committed: unknown[] | undefined
  readonly expired: boolean
  readonly txSnapshot: unknown[] | undefined
}

/** What a savepoint rollback restores: columns, expiry and relationships as of the savepoint. */
export interface ObjectsSnapshot {
  readonly columns: Map<InstanceState, ColumnState>
  readonly relations: Map<InstanceState, RelationState>
  readonly pending: Set<InstanceState>
  readonly deleted: Set<InstanceState>
  readonly deletedInTx: Set<InstanceState>
}

/**
 * The objects a session tracks — the identity map, the new and the deleted — and how they move
 * between lifecycle states when rows are read and transactions or savepoints end.
 */
export class SessionObjects {
  readonly identity = new Map<IdentityKey, InstanceState>()
  readonly pending = new Set<InstanceState>()
  readonly deleted = new Set<InstanceState>()
  /** Rows deleted by flushes of the current transaction: persistent again if it rolls back. */
  readonly deletedInTx = new Set<InstanceState>()
  /** How many objects hydrate() has built for rows (a running count; queries compare it before and after). */
  built = 0
  readonly #owner: StateOwner
  constructor(owner: StateOwner) {
    this.#owner = owner
  }

  /** `session.add()`: a new object becomes pending; a detached one persistent again; a deleted one is kept. */
  add(s: InstanceState): void {
    if (s.owner && s.owner !== this.#owner) throw new InvalidRequestError(`This ${s.mapper.className} belongs to another session; expunge it there first, or merge() it into this one.`, 'foreign-session')
    if (s.lifecycle === 'transient') {
      s.lifecycle = 'pending'
      s.owner = this.#owner
      this.pending.add(s)
    } else if (s.lifecycle === 'detached') {
      if (s.key && this.identity.has(s.key) && this.identity.get(s.key) !== s) {
        throw new InvalidRequestError(`Another ${s.mapper.className} with this identity is already in the session; use merge().`, 'identity-conflict')
      }
      s.lifecycle = 'persistent'
      s.owner = this.#owner
      if (s.key) this.identity.set(s.key, s)
    } else if (s.lifecycle === 'deleted' || this.deleted.has(s)) {
      this.deleted.delete(s)
      if (s.lifecycle === 'deleted') s.lifecycle = 'persistent'
    }
  }

  /** `session.delete()`: a pending object is dropped; a persistent one is deleted at the next flush. */
  markDeleted(s: InstanceState): void {
    if (s.lifecycle === 'pending') {
      this.pending.delete(s)
      s.lifecycle = 'transient'
      s.owner = undefined
      return
    }
    if (s.lifecycle === 'detached') throw detachedError(s, 'delete()')
    if (s.lifecycle !== 'persistent' || s.owner !== this.#owner) {
      throw new InvalidRequestError(`delete() needs a ${s.mapper.className} loaded in this session (it is ${s.lifecycle}${s.owner && s.owner !== this.#owner ? ', in another session' : ''}).`, 'not-persistent')
    }
    this.deleted.add(s)
  }

  /** `session.expunge()`: the object leaves the session, with the loaded objects its expunge cascade reaches. */
  expunge(s: InstanceState): void {
    if (s.lifecycle === 'detached') throw detachedError(s, 'expunge()')
    if (s.owner !== this.#owner) throw new InvalidRequestError(`This ${s.mapper.className} is not in this session (it is ${s.lifecycle}).`, 'not-in-session')
    // The expunge cascade ('all' includes it) takes loaded related objects along.
    const work = [s]
    const seen = new Set(work)
    for (let x = work.pop(); x; x = work.pop()) {
      this.detach(x)
      for (const rel of x.mapper.relationships) {
        if (!rel.cascade.has('expunge') || !isLoaded(x, rel)) continue
        const v = x.relations.get(rel.key)
        for (const o of Array.isArray(v) ? (v as object[]) : v ? [v as object] : []) {
          const t = maybeState(o)
          if (t && t.owner === this.#owner && !seen.has(t)) (seen.add(t), work.push(t))
        }
      }
    }
  }

  /**
   * Builds or reuses the instance for a row (identity map); `events` emits 'load' for both. The row
   * overwrites an object the session already holds only when the object is expired or the
   * query populates existing objects (`populateExisting`, and locking reads by default); the
   * object is then treated as expired for the rest of the query, so its eagerly loaded
   * relationships are loaded again too.
   */
  hydrate(m: Mapper, row: readonly unknown[], start: number, events: MapperEventEmitter, populateExisting = false, partial?: PartialLayout): object | undefined {
    const key = partial === undefined ? m.rowIdentityKey(row, start) : m.rowIdentityKey(row, start, partial.keyAt)
    if (key === undefined) return undefined // an outer join found no row
    const poly = partial === undefined ? m.polymorphic : undefined
    if (poly !== undefined) {
      // A row of a hierarchy: the object is of the class its discriminator names (or the one
      // held already), built from that class's columns.
      const cm = this.identity.get(key)?.mapper ?? m.hierarchy!.mapperFor(row[start + poly.on], m)
      const layout = poly.layouts.get(cm)
      if (layout === undefined) throw new ArgumentError(`The ${cm.className} held for this key is not a ${m.className}, but the row was loaded as one; expunge it or reload it as ${cm.className}.`)
      const values = new Array<unknown>(layout.length)
      for (let i = 0; i < layout.length; i++) values[i] = row[start + layout[i]!]
      return this.#hydrate(cm, values, 0, key, events, populateExisting, undefined)
    }
    return this.#hydrate(m, row, start, key, events, populateExisting, partial)
  }

  #hydrate(m: Mapper, row: readonly unknown[], start: number, key: IdentityKey, events: MapperEventEmitter, populateExisting: boolean, partial: PartialLayout | undefined): object {
    const existing = this.identity.get(key)
    if (existing) {
      if (existing.expired || (populateExisting && existing.lifecycle === 'persistent')) {
        existing.expired = true
        assign(existing, partial === undefined ? committedValues(m, row, start) : spread(m, row, start, partial), true)
        events.emit('load', existing)
      } else if (m.partialLoads) fillUnloaded(existing, row, start, partial)
      return existing.obj
    }
    let state = partial === undefined ? m.fromRow(row, start) : undefined
    if (state !== undefined) commitLoaded(m, state, row, start)
    else assign((state = m.blank().state), partial === undefined ? committedValues(m, row, start) : spread(m, row, start, partial), true)
    state.key = key
    state.lifecycle = 'persistent'
    state.owner = this.#owner
    this.identity.set(key, state)
    this.built++
    events.emit('load', state)
    return state.obj
  }

  /**
   * An upsert wrote `row` for the transient `given`: the object the session already holds for
   * that row takes its values (restored if the transaction rolls back); otherwise `given` becomes
   * that persistent object (transient again on rollback, like an insert). Returns the one that now
   * stands for the row.
   */
  absorb(m: Mapper, row: readonly unknown[], given: InstanceState): object {
    const key = m.rowIdentityKey(row, 0)!
    const held = this.identity.get(key)
    if (held !== undefined) {
      held.txSnapshot ??= held.committed
      assign(held, committedValues(m, row, 0), true)
      held.expired = false
      return held.obj
    }
    assign(given, committedValues(m, row, 0), true)
    given.key = key
    given.lifecycle = 'persistent'
    given.owner = this.#owner
    given.insertedInTx = true
    this.identity.set(key, given)
    return given.obj
  }

  /**
   * A bulk UPDATE wrote `values` (by column index) into the row of held object `s`: the object
   * and its snapshot take them, and a rollback gives back what it had before the transaction.
   */
  updated(s: InstanceState, values: ReadonlyMap<number, unknown>): void {
    s.txSnapshot ??= s.committed
    // Only the written columns: changes the session has not flushed (autoflush off) stay changes.
    const committed = (s.committed ?? s.values()).slice()
    const o = s.obj as Record<string, unknown>
    const keys = s.mapper.columnKeys
    const write = (): void => values.forEach((v, i) => ((committed[i] = v), (o[keys[i]!] = v)))
    if (s.mapper.validated.length > 0) trusted(write)
    else write()
    s.committed = s.mapper.snapshot(committed, true)
  }

  /** A bulk DELETE removed held object `s`'s row: it is deleted, and persistent again on rollback. */
  removed(s: InstanceState): void {
    if (s.lifecycle !== 'persistent') return
    this.identity.delete(s.key!)
    this.deleted.delete(s)
    s.lifecycle = 'deleted'
    s.owner = undefined
    this.deletedInTx.add(s)
  }

  hasChanges(): boolean {
    for (const s of this.identity.values()) if (isModified(s)) return true
    return false
  }

  /**
   * The transaction committed (`true`) or rolled back: settle every object accordingly. With
   * `detach` (a rollback by the session's close) every object is also detached in the same walk:
   * a read-only session's close visits every object it loaded, and a second walk over 11,000 took
   * ~0.8 ms of a ~40 ms libSQL joined load (benchmarks/PROFILE.md pass 33).
   */
  endTransaction(committed: boolean, expireOnCommit: boolean, detach = false): void {
    if (committed) {
      this.deletedInTx.clear()
      // forEach, not for…of: runs once per transaction, mostly unoptimised, where each step of a
      // Map iterator allocates its result object.
      this.identity.forEach((s) => {
        s.txSnapshot = undefined
        s.insertedInTx = false
        if (expireOnCommit) s.expired = true
      })
      return
    }
    // Objects inserted in the transaction become transient again; updated ones get their
    // pre-transaction values back; deleted ones are persistent again — first, so that the loop
    // below gives them their pre-transaction values too (one updated, then deleted, in the
    // transaction would otherwise keep the values of its UPDATE, which the rollback undid).
    if (this.deleted.size > 0 || this.deletedInTx.size > 0) this.unDelete([...this.deleted, ...this.deletedInTx])
    // forEach, not a copy: unInsert() deletes the entry being visited, which Map.forEach allows
    // (a read-only session's close runs this over every object it loaded).
    this.identity.forEach((s) => {
      if (this.#rolledBack(s) && detach) (s.owner = undefined, (s.lifecycle = 'detached'))
    })
    for (const s of this.pending) (s.lifecycle = 'transient', (s.owner = undefined))
    if (detach) this.identity.clear()
    this.pending.clear()
    this.deletedInTx.clear()
    this.deleted.clear()
  }

  /** One held object after a rollback: transient again if the transaction inserted it (false), else as the database has it, expired (true). */
  #rolledBack(s: InstanceState): boolean {
    if (s.insertedInTx) {
      this.unInsert(s)
      return false
    }
    // Unflushed changes go too (SQLAlchemy expires them): the object reads as the database has it.
    // An object no flush touched and nobody changed is left as it is (a read-only session's
    // close would otherwise copy every snapshot it loaded).
    // (columnsChanged first: it reads a kept row in place, where `committed` would slice it.)
    if (s.txSnapshot !== undefined) assign(s, s.txSnapshot)
    else if (columnsChanged(s)) assign(s, s.committed!)
    s.txSnapshot = undefined
    s.expired = true
    return true
  }

  /** What a savepoint begun now would restore. */
  snapshot(): ObjectsSnapshot {
    const states = [...this.identity.values()]
    return {
      columns: new Map(states.map((s) => [s, { values: s.mapper.snapshot(s.values(), true), committed: s.committed, expired: s.expired, txSnapshot: s.txSnapshot }])),
      relations: new Map(states.map((s) => [s, relationState(s)])),
      pending: new Set(this.pending),
      deleted: new Set(this.deleted),
      deletedInTx: new Set(this.deletedInTx),
    }
  }

  /**
   * A savepoint rolled back: objects return to `snap`. Each object gets back its values and its
   * committed snapshot as of the savepoint; one whose row was read or written inside the
   * savepoint is also marked expired, because after ROLLBACK TO the database may hold neither
   * what it held then (another transaction may have committed since; the savepoint's writes are
   * gone), so the next query that returns it must refresh it. The others keep their expiry.
   */
  restore(snap: ObjectsSnapshot): void {
    // Rows deleted by a flush inside the savepoint exist again.
    const deletedInside = [...this.deletedInTx].filter((s) => !snap.deletedInTx.has(s))
    for (const s of deletedInside) this.deletedInTx.delete(s)
    this.unDelete(deletedInside)
    for (const s of [...this.identity.values()]) {
      const before = snap.columns.get(s)
      if (before === undefined) {
        // Inserted inside the savepoint: its row is gone. Loaded inside it: the row is still
        // there, but the values came from inside, so the next query that returns it refreshes it.
        if (s.insertedInTx) this.unInsert(s)
        else s.expired = true
        continue
      }
      const touched = s.committed !== before.committed
      setValues(s, before.values)
      // A copy when touched, so that an enclosing savepoint sees it as touched too.
      s.committed = touched && before.committed !== undefined ? [...before.committed] : before.committed
      s.txSnapshot = before.txSnapshot
      s.expired = before.expired || touched
    }
    for (const [s, rs] of snap.relations) restoreRelationState(s, rs)
    this.deleted.clear()
    snap.deleted.forEach((s) => this.deleted.add(s))
    for (const s of this.pending) if (!snap.pending.has(s)) (s.lifecycle = 'transient', (s.owner = undefined))
    this.pending.clear()
    snap.pending.forEach((s) => this.pending.add(s))
  }

  /** The row was rolled back out of existence: the object is transient again and may be re-added. */
  unInsert(s: InstanceState): void {
    this.identity.delete(s.key!)
    const o = s.obj as Record<string, unknown>
    for (const c of s.mapper.columns) if (c.autoincrement) o[c.key_] = undefined
    s.key = undefined
    s.committed = undefined
    s.insertedInTx = false
    s.lifecycle = 'transient'
    s.owner = undefined
  }

  /** Deletes that were rolled back: the objects are persistent again. */
  unDelete(states: Iterable<InstanceState>): void {
    for (const s of states) {
      if (s.lifecycle !== 'deleted') continue
      const current = s.key === undefined ? undefined : this.identity.get(s.key)
      if (current !== undefined && current !== s) {
        // The row came back under another object meanwhile: one object per row, and that one stays.
        s.lifecycle = 'detached'
        s.owner = undefined
        continue
      }
      s.lifecycle = 'persistent'
      s.owner = this.#owner
      if (s.key) this.identity.set(s.key, s)
    }
  }

  /** Detaches every object at once (session close), without removing them from the maps one by one. */
  detachAll(): void {
    this.identity.forEach((s) => (s.owner = undefined, (s.lifecycle = 'detached')))
    for (const s of this.pending) (s.owner = undefined, (s.lifecycle = 'transient'))
    for (const s of this.deleted) (s.owner = undefined, (s.lifecycle = s.key ? 'detached' : 'transient'))
    this.identity.clear()
    this.pending.clear()
    this.deleted.clear()
  }

  detach(s: InstanceState): void {
    if (s.key) this.identity.delete(s.key)
    this.pending.delete(s)
    this.deleted.delete(s)
    s.owner = undefined
    s.lifecycle = s.key ? 'detached' : 'transient'
  }
}

/**
 * A new object's committed snapshot: the row it was built from. A row holding other columns too (a
 * joined load) is kept whole, with where the entity's columns start, when the mapper's snapshots
 * need no copies; the slice is made only if something reads it (InstanceState.committed).
 */
function commitLoaded(m: Mapper, s: InstanceState, row: readonly unknown[], start: number): void {
  if ((start !== 0 || row.length !== m.columnKeys.length) && m.snapshotsRows) s.commitRow(row, start)
  else s.committed = m.snapshot(committedValues(m, row, start), true)
}

/**
 * The entity's slice of a row, to keep as its committed snapshot. A row holding exactly the
 * entity's columns is kept as it is instead of copied: rows reach the ORM as fresh arrays from the
 * driver, and snapshots are replaced, never written to.
 */
function committedValues(m: Mapper, row: readonly unknown[], start: number): readonly unknown[] {
  const n = m.columnKeys.length
  return start === 0 && row.length === n ? row : row.slice(start, start + n)
}

/** A partial row's values in mapper column order, the columns it does not have UNLOADED. */
function spread(m: Mapper, row: readonly unknown[], start: number, partial: PartialLayout): unknown[] {
  m.partialLoads = true
  const values = new Array<unknown>(m.columns.length).fill(UNLOADED)
  const cols = partial.columns
  for (let j = 0; j < cols.length; j++) values[cols[j]!] = row[start + j]
  return values
}

/** A held object some of whose columns are unloaded takes them from a row that has them. */
function fillUnloaded(s: InstanceState, row: readonly unknown[], start: number, partial: PartialLayout | undefined): void {
  const committed = s.committed
  if (committed === undefined || !committed.includes(UNLOADED)) return
  const keys = s.mapper.columnKeys
  let next: unknown[] | undefined
  const n = partial === undefined ? keys.length : partial.columns.length
  for (let j = 0; j < n; j++) {
    const i = partial === undefined ? j : partial.columns[j]!
    if (committed[i] !== UNLOADED) continue
    // Assigned meanwhile (a data property again): the application's value stays, to be written.
    if (Object.getOwnPropertyDescriptor(s.obj, keys[i]!)?.get === undefined) continue
    next ??= committed.slice()
    next[i] = row[start + j]
    setLoadedColumn(s.obj, keys[i]!, row[start + j])
  }
  if (next !== undefined) s.committed = s.mapper.snapshot(next, true)
}

/** Sets an object's column values (in mapper order); UNLOADED makes a column unloaded. */
function setValues(s: InstanceState, values: readonly unknown[]): void {
  // Values from the database or a snapshot: not the application's, so validators do not see them.
  if (s.mapper.validated.length > 0) trusted(writeValues, s.mapper, s.obj as Record<string, unknown>, values)
  else writeValues(s.mapper, s.obj as Record<string, unknown>, values)
}

function writeValues(m: Mapper, o: Record<string, unknown>, values: readonly unknown[]): void {
  const keys = m.columnKeys
  for (let i = 0; i < keys.length; i++) {
    const v = values[i]
    if (v === UNLOADED) markUnloaded(m, o, i)
    else o[keys[i]!] = v
  }
}

/** Sets an object's column values (in mapper order) and records them as its committed state. */
function assign(s: InstanceState, values: readonly unknown[], fromRow = false): void {
  if (fromRow) {
    // A driver row: the object takes its values, the snapshot takes the row (copies where a value can change in place).
    setValues(s, values)
    s.committed = s.mapper.snapshot(values, true)
    return
  }
  // A snapshot being restored: the object gets its values back, and the snapshot copies of them.
  setValues(s, values)
  s.committed = s.mapper.snapshot(values)
}

/** Expiry discards unflushed column changes, as in SQLAlchemy: the reload must not write them first. */
export function expireState(s: InstanceState): void {
  s.expired = true
  if (s.committed) assign(s, s.committed)
}
