import type { Mapper } from './mapper.js'
import { RelationMap } from './relation-map.js'
import { peeking } from './unloaded-columns.js'
import type { IdentityKey } from './identity-key.js'

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
  /** Column values as of the last load or flush, by column index; undefined for new objects. */
  committed: unknown[] | undefined
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
    // Only a class with columns left out of loads has accessors to peek past (unloaded-columns.ts).
    if (this.mapper.partialLoads) return peeking(() => keys.map((k) => o[k]))
    const out = new Array<unknown>(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = o[keys[i]!]
    return out
  }
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
