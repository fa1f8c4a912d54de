import type { Mapper } from './mapper.js'
import { RelationMap } from './relation-map.js'
import { peeking } from './unloaded-columns.js'
import type { IdentityKey } from './identity-key.js'
import { valuesEqual } from './values-equal.js'
import { checkDateMutations } from './mutable-values.js'

/** Where an instance stands towards a session (SQLAlchemy's object states). */
export type Lifecycle = 'transient' | 'pending' | 'persistent' | 'deleted' | 'detached'

/** The owner of instances: what an InstanceState needs of its session. */
export interface StateOwner {
  readonly id: number
}


/**
 * The ORM's bookkeeping for one mapped instance: its identity, the column values last known to
 * be in the database (the snapshot that dirty detection diffs against), and which relationships
 * are loaded. Column values themselves live on the instance as plain properties.
 *
 * It is its own relationship map (`relations` is the state itself): one object per loaded
 * instance instead of two, 40 bytes less for each of the thousands a load keeps alive.
 */
export class InstanceState extends RelationMap<unknown, readonly object[] | object | null> {
  readonly mapper: Mapper
  readonly obj: object
  lifecycle: Lifecycle = 'transient'
  owner: StateOwner | undefined
  /** Identity-map key (mapper id + primary key), once the row exists. */
  key: IdentityKey | undefined
  /**
   * Column values as of the last load or flush, by column index; undefined for new objects. A
   * load from a row holding other entities' columns too (a joined load) keeps that row and where
   * this entity's columns start in it (`commitRow`), and slices them out only when something
   * reads this array: the dirty checks read them in place, so a read-only load copies no slice
   * per object (benchmarks/PROFILE.md pass 28).
   */
  get committed(): unknown[] | undefined {
    const at = this.#at
    if (at >= 0) {
      this.#at = -1
      this.#committed = (this.#committed as unknown[]).slice(at, at + this.mapper.columnKeys.length)
    }
    return this.#committed
  }
  set committed(values: unknown[] | undefined) {
    this.#committed = values
    this.#at = -1
  }
  #committed: unknown[] | undefined
  /** Where this object's columns start in `#committed` when it is a whole row (commitRow), else -1. */
  #at = -1

  /**
   * The committed snapshot is the columns of `row` from `start` (a row the object was just loaded
   * from, which nothing writes to). For mappers whose snapshots need no copies (`Mapper.snapshotsRows`).
   */
  commitRow(row: readonly unknown[], start: number): void {
    this.#committed = row as unknown[]
    this.#at = start
  }

  /**
   * Whether a column value of the object differs from the committed snapshot (false for objects
   * without one). Reads the snapshot where it is, without slicing a kept row; no allocation,
   * because autoflush and close ask it of every object in the identity map.
   */
  columnsDiffer(): boolean {
    if (this.#committed === undefined) return false
    const m = this.mapper
    const o = this.obj as Record<string, unknown>
    // Development only, where rows are not kept (Mapper.snapshotsRows): no slice is made here.
    if (m.dateIndexes.length > 0) checkDateMutations(m.className, m.columns, o, this.committed!, m.dateIndexes)
    const committed = this.#committed
    const at = this.#at < 0 ? 0 : this.#at
    const keys = m.columnKeys
    for (let i = 0; i < keys.length; i++) {
      const v = o[keys[i]!]
      const c = committed[at + i]
      if (v !== c && !valuesEqual(v, c)) return true
    }
    return false
  }
  /** Values before this transaction's first flush, to restore on rollback. */
  txSnapshot: unknown[] | undefined
  /** Set on commit (expire-on-commit) and rollback: the next load overwrites the values. */
  expired = false
  /** Inserted in the current transaction (becomes transient again on rollback). */
  insertedInTx = false

  constructor(mapper: Mapper, obj: object) {
    super(mapper.relationshipKeys)
    this.mapper = mapper
    this.obj = obj
  }

  /**
   * Relationship values, loaded or set (absent key = not loaded), and each loaded relationship's
   * value at the last load or flush (`getCommitted`): a collection's members, or a reference
   * itself (or null).
   */
  get relations(): RelationMap<unknown, readonly object[] | object | null> {
    return this
  }

  /** Current column values, in mapper column order (UNLOADED for a column not loaded). */
  values(): unknown[] {
    const o = this.obj as Record<string, unknown>
    const keys = this.mapper.columnKeys
    // Only a class with columns left out of loads has accessors to peek past (unloaded-columns.ts);
    // its closure is made elsewhere, so other calls allocate no context for it (dirty-check.ts).
    if (this.mapper.partialLoads) return peekValues(o, keys)
    const out = new Array<unknown>(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = o[keys[i]!]
    return out
  }
}

function peekValues(o: Record<string, unknown>, keys: readonly string[]): unknown[] {
  return peeking(() => keys.map((k) => o[k]))
}

/** A constructor that returns the object it is given, so a subclass's fields land on that object. */
class Stamped {
  constructor(obj: object) {
    return obj
  }
}

/**
 * Where an instance keeps its state: a private field added to the instance itself. Like a
 * non-enumerable property it stays out of JSON, spreads, Object.keys and console.log, and it
 * cannot be written from outside; unlike `Object.defineProperty` (a runtime call, ~13× the time
 * of a store) it is added as fast as an ordinary field, once per loaded object (PROFILE.md pass 20).
 */
class StateSlot extends Stamped {
  readonly #state: InstanceState
  constructor(obj: object, state: InstanceState) {
    super(obj)
    this.#state = state
  }
  static of(obj: object): InstanceState | undefined {
    return #state in obj ? (obj as StateSlot).#state : undefined
  }
}

/** The state of a mapped instance, created on first use. */
export function stateOf(obj: object): InstanceState {
  const s = typeof obj === 'object' && obj !== null ? StateSlot.of(obj) : undefined
  if (s) return s
  throw new TypeError(`${String(obj?.constructor?.name ?? obj)} is not an instance of a mapped class.`)
}

/** The state if the object is mapped, else undefined. */
export function maybeState(obj: unknown): InstanceState | undefined {
  return typeof obj === 'object' && obj !== null ? StateSlot.of(obj) : undefined
}

/** Attaches a new state to an instance. */
export function attachState(obj: object, mapper: Mapper): InstanceState {
  const s = new InstanceState(mapper, obj)
  new StateSlot(obj, s)
  return s
}
