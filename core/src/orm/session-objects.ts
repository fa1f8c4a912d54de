import type { Mapper } from './mapper.js'
import type { InstanceState, StateOwner } from './instance-state.js'
import { isModified } from './unit-of-work.js'
import { relationState, restoreRelationState } from './attributes.js'
import type { RelationState } from './attributes.js'

/** What a savepoint rollback restores: columns and relationships as of the savepoint. */
export interface ObjectsSnapshot {
  readonly columns: Map<InstanceState, unknown[] | undefined>
  readonly relations: Map<InstanceState, RelationState>
  readonly pending: Set<InstanceState>
  readonly deleted: Set<InstanceState>
}

/**
 * The objects a session tracks — the identity map, the new and the deleted — and how they move
 * between lifecycle states when rows are read and transactions or savepoints end.
 */
export class SessionObjects {
  readonly identity = new Map<string, InstanceState>()
  readonly pending = new Set<InstanceState>()
  readonly deleted = new Set<InstanceState>()
  /** Rows deleted by flushes of the current transaction: persistent again if it rolls back. */
  readonly deletedInTx = new Set<InstanceState>()
  readonly #owner: StateOwner
  constructor(owner: StateOwner) {
    this.#owner = owner
  }

  /** Builds or reuses the instance for a row (identity map), refreshing expired ones; `onLoad` hears both. */
  hydrate(m: Mapper, row: readonly unknown[], start: number, onLoad: (s: InstanceState) => void): object | undefined {
    const key = m.rowIdentityKey(row, start)
    if (key === undefined) return undefined // an outer join found no row
    const existing = this.identity.get(key)
    if (existing) {
      if (existing.expired) {
        assign(existing, committedValues(m, row, start))
        onLoad(existing)
      }
      return existing.obj
    }
    const { state } = m.blank()
    assign(state, committedValues(m, row, start))
    state.key = key
    state.lifecycle = 'persistent'
    state.owner = this.#owner
    this.identity.set(key, state)
    onLoad(state)
    return state.obj
  }

  hasChanges(): boolean {
    for (const s of this.identity.values()) if (isModified(s)) return true
    return false
  }

  /** The transaction committed (`true`) or rolled back: settle every object accordingly. */
  endTransaction(committed: boolean, expireOnCommit: boolean): void {
    if (committed) {
      this.deletedInTx.clear()
      for (const s of this.identity.values()) {
        s.txSnapshot = undefined
        s.insertedInTx = false
        if (expireOnCommit) s.expired = true
      }
      return
    }
    // Objects inserted in the transaction become transient again; updated ones get their
    // pre-transaction values back; deleted ones are persistent again.
    for (const s of [...this.identity.values()]) {
      if (s.insertedInTx) {
        this.unInsert(s)
        continue
      }
      // Unflushed changes go too (SQLAlchemy expires them): the object reads as the database has it.
      const before = s.txSnapshot ?? s.committed
      if (before) assign(s, before)
      s.txSnapshot = undefined
      s.expired = true
    }
    for (const s of this.pending) (s.lifecycle = 'transient', (s.owner = undefined))
    this.pending.clear()
    this.unDelete([...this.deleted, ...this.deletedInTx])
    this.deletedInTx.clear()
    this.deleted.clear()
  }

  /** What a savepoint begun now would restore. */
  snapshot(): ObjectsSnapshot {
    const states = [...this.identity.values()]
    return {
      columns: new Map(states.map((s) => [s, s.committed && [...s.committed]])),
      relations: new Map(states.map((s) => [s, relationState(s)])),
      pending: new Set(this.pending),
      deleted: new Set(this.deleted),
    }
  }

  /** A savepoint rolled back: objects return to `snap`. */
  restore(snap: ObjectsSnapshot): void {
    this.unDelete(snap.columns.keys()) // rows deleted by a flush inside the savepoint
    for (const s of [...this.identity.values()]) {
      if (!snap.columns.has(s)) {
        this.unInsert(s) // inserted inside the savepoint
        continue
      }
      const before = snap.columns.get(s)
      if (before) assign(s, before)
    }
    this.unDelete(snap.deleted)
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
      s.lifecycle = 'persistent'
      s.owner = this.#owner
      if (s.key) this.identity.set(s.key, s)
    }
  }

  /** Detaches every object at once (session close), without removing them from the maps one by one. */
  detachAll(): void {
    for (const s of this.identity.values()) (s.owner = undefined, (s.lifecycle = 'detached'))
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
 * The entity's slice of a row, to keep as its committed snapshot. A row holding exactly the
 * entity's columns is kept as it is instead of copied: rows reach the ORM as fresh arrays from the
 * driver, and snapshots are replaced, never written to.
 */
function committedValues(m: Mapper, row: readonly unknown[], start: number): readonly unknown[] {
  const n = m.columnKeys.length
  return start === 0 && row.length === n ? row : row.slice(start, start + n)
}

/** Sets an object's column values (in mapper order) and records them as its committed state. */
function assign(s: InstanceState, values: readonly unknown[]): void {
  const o = s.obj as Record<string, unknown>
  const keys = s.mapper.columnKeys
  for (let i = 0; i < keys.length; i++) o[keys[i]!] = values[i]
  s.committed = values as unknown[]
}

/** Expiry discards unflushed column changes, as in SQLAlchemy: the reload must not write them first. */
export function expireState(s: InstanceState): void {
  s.expired = true
  if (s.committed) assign(s, s.committed)
}
