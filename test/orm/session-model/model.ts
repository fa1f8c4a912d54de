/**
 * The specification the session-model test checks Athanor against: a plain in-memory model of
 * what the database holds and what each session's objects must hold, written from the rules in
 * docs/DESIGN.md ("Session internals") rather than from the code. Rows have two integer
 * columns; isolation is READ COMMITTED (a read sees the latest committed rows plus the
 * session's own uncommitted writes).
 */

export interface Row {
  readonly a: number
  readonly b: number
}
export type Column = keyof Row

/** What one session's object must hold. */
export interface ObjModel {
  readonly id: number
  values: Row
  /** The values last loaded or flushed (what dirty detection diffs against). */
  committed: Row
  /** Bumped whenever `committed` is replaced by a load or a flush ("touched" inside a savepoint). */
  token: number
  expired: boolean
  /** The committed values before this transaction's first UPDATE of the object. */
  txSnapshot: Row | undefined
  insertedInTx: boolean
}

interface SavepointModel {
  readonly objects: Map<number, { values: Row; committed: Row; token: number; expired: boolean; txSnapshot: Row | undefined }>
  readonly pending: Map<number, ObjModel>
  readonly marked: Set<number>
  readonly writes: Map<number, Row | 'deleted'>
  readonly locks: Set<number>
  readonly deletedInTx: Set<number>
}

export class SessionModel {
  /** A connection (and so a transaction) is held. */
  inTx = false
  /** A flush failed: only rollback() is allowed until then. */
  failed = false
  readonly identity = new Map<number, ObjModel>()
  /** Added, not yet inserted. */
  readonly pending = new Map<number, ObjModel>()
  /** Marked with session.delete(), not yet flushed. */
  readonly marked = new Set<number>()
  /** Deleted by a flush of this transaction: back if it rolls back. */
  readonly deletedInTx = new Map<number, ObjModel>()
  /** This transaction's flushed writes: the row image, or a deletion. */
  readonly writes = new Map<number, Row | 'deleted'>()
  /** Rows this transaction has written or locked (a superset: locks taken inside a rolled-back savepoint are kept). */
  readonly locks = new Set<number>()
  readonly savepoints: SavepointModel[] = []
}

let tokens = 0
const nextToken = (): number => ++tokens

export const sameRow = (x: Row, y: Row): boolean => x.a === y.a && x.b === y.b

/** The whole system: the committed database and the sessions. */
export class Model {
  readonly db = new Map<number, Row>()
  readonly sessions: SessionModel[]
  /** Whether the backend runs transactions side by side (else one at a time: SQLite's single writer). */
  readonly concurrent: boolean
  /**
   * Whether a DELETE of a key list may read, and so wait for, rows outside the list: InnoDB
   * locks every row a DELETE reads, and MariaDB reads the whole table when the list covers
   * (nearly) all of it — a row another transaction inserted or locked included. (An UPDATE does
   * not wait: InnoDB's semi-consistent read skips a locked row that does not match.)
   */
  readonly deletesScan: boolean
  nextId: number

  constructor(sessions: number, concurrent: boolean, seed: ReadonlyMap<number, Row>, deletesScan = false) {
    this.sessions = Array.from({ length: sessions }, () => new SessionModel())
    this.concurrent = concurrent
    this.deletesScan = deletesScan
    for (const [id, row] of seed) this.db.set(id, row)
    this.nextId = Math.max(0, ...seed.keys()) + 1
  }

  /** The row as session `s` sees it (its own writes over the committed database). */
  visible(s: SessionModel, id: number): Row | undefined {
    const own = s.writes.get(id)
    if (own === 'deleted') return undefined
    return own ?? this.db.get(id)
  }
  visibleIds(s: SessionModel): number[] {
    const ids = new Set([...this.db.keys(), ...[...s.writes].filter(([, w]) => w !== 'deleted').map(([id]) => id)])
    return [...ids].filter((id) => this.visible(s, id) !== undefined).sort((x, y) => x - y)
  }

  lockedByOthers(s: SessionModel, id: number): boolean {
    return this.sessions.some((o) => o !== s && o.locks.has(id))
  }

  /** Whether `s` may take a connection now: on a one-writer backend only one session holds one. */
  mayConnect(s: SessionModel): boolean {
    return this.concurrent || s.inTx || this.sessions.every((o) => o === s || !o.inTx)
  }

  // ---- flush ------------------------------------------------------------------------------

  isDirty(o: ObjModel): boolean {
    return !sameRow(o.values, o.committed)
  }
  hasChanges(s: SessionModel): boolean {
    return s.pending.size > 0 || s.marked.size > 0 || [...s.identity.values()].some((o) => this.isDirty(o))
  }
  /** Rows a flush of `s` would write. */
  flushTargets(s: SessionModel): number[] {
    return [...s.pending.keys(), ...[...s.identity.values()].filter((o) => this.isDirty(o) && !s.marked.has(o.id)).map((o) => o.id), ...s.marked]
  }
  /** A flush would wait for another transaction's row lock (the test never lets a step block). */
  flushWouldBlock(s: SessionModel): boolean {
    if (!this.hasChanges(s)) return false
    if (!this.mayConnect(s) || this.flushTargets(s).some((id) => this.lockedByOthers(s, id))) return true
    return this.deletesScan && s.marked.size > 0 && this.sessions.some((o) => o !== s && o.locks.size > 0)
  }
  /** A flush would fail: an UPDATE or DELETE of a row another transaction deleted. */
  flushWouldFail(s: SessionModel): boolean {
    return this.hasChanges(s) && this.flushTargets(s).some((id) => !s.pending.has(id) && this.visible(s, id) === undefined)
  }

  /** Applies a successful flush; returns false (and applies the failure) when it fails. */
  flush(s: SessionModel): boolean {
    if (!this.hasChanges(s)) return true
    s.inTx = true
    if (this.flushWouldFail(s)) {
      // The whole transaction is rolled back at once; objects settle at session.rollback().
      s.failed = true
      s.writes.clear()
      s.locks.clear()
      return false
    }
    for (const o of s.pending.values()) {
      s.writes.set(o.id, o.values)
      s.locks.add(o.id)
      o.committed = o.values
      o.token = nextToken()
      o.insertedInTx = true
      s.identity.set(o.id, o)
    }
    s.pending.clear()
    for (const o of s.identity.values()) {
      if (!this.isDirty(o) || s.marked.has(o.id)) continue
      // Only the changed columns are written: the others keep what the row holds now.
      const now = this.visible(s, o.id)!
      const image: Row = { a: o.values.a !== o.committed.a ? o.values.a : now.a, b: o.values.b !== o.committed.b ? o.values.b : now.b }
      s.writes.set(o.id, image)
      s.locks.add(o.id)
      o.txSnapshot ??= o.committed
      o.committed = o.values
      o.token = nextToken()
    }
    for (const id of s.marked) {
      const o = s.identity.get(id)!
      s.writes.set(id, 'deleted')
      s.locks.add(id)
      s.identity.delete(id)
      s.deletedInTx.set(id, o)
    }
    s.marked.clear()
    return true
  }

  // ---- reads --------------------------------------------------------------------------------

  /** One row read by a query of `s`: the object the identity map gives back, refreshed by the rules. */
  load(s: SessionModel, id: number, populate: boolean): ObjModel {
    const row = this.visible(s, id)!
    const held = s.identity.get(id)
    if (held !== undefined) {
      if (held.expired || populate) {
        held.values = row
        held.committed = row
        held.token = nextToken()
      }
      held.expired = false
      return held
    }
    const o: ObjModel = { id, values: row, committed: row, token: nextToken(), expired: false, txSnapshot: undefined, insertedInTx: false }
    s.identity.set(id, o)
    return o
  }

  // ---- transactions -------------------------------------------------------------------------

  commit(s: SessionModel): void {
    if (!s.inTx) return
    for (const [id, w] of s.writes) {
      if (w === 'deleted') this.db.delete(id)
      else this.db.set(id, w)
    }
    this.#release(s)
    s.deletedInTx.clear()
    for (const o of s.identity.values()) {
      o.txSnapshot = undefined
      o.insertedInTx = false
      o.expired = true
    }
  }

  rollback(s: SessionModel): void {
    this.#release(s)
    s.failed = false
    for (const [id, o] of s.deletedInTx) s.identity.set(id, o)
    s.deletedInTx.clear()
    for (const o of [...s.identity.values()]) {
      if (o.insertedInTx) {
        s.identity.delete(o.id)
        continue
      }
      o.values = o.txSnapshot ?? o.committed
      o.committed = o.values
      o.token = nextToken()
      o.txSnapshot = undefined
      o.expired = true
    }
    s.pending.clear()
    s.marked.clear()
  }

  #release(s: SessionModel): void {
    s.inTx = false
    s.writes.clear()
    s.locks.clear()
    s.savepoints.length = 0
  }

  beginNested(s: SessionModel): void {
    s.inTx = true
    s.savepoints.push({
      objects: new Map([...s.identity.values()].map((o) => [o.id, { values: o.values, committed: o.committed, token: o.token, expired: o.expired, txSnapshot: o.txSnapshot }])),
      pending: new Map(s.pending),
      marked: new Set(s.marked),
      writes: new Map(s.writes),
      locks: new Set(s.locks),
      deletedInTx: new Set(s.deletedInTx.keys()),
    })
  }

  /**
   * ROLLBACK TO the innermost savepoint. Objects held at its start return to their state then,
   * expired if they were read or written inside it; rows deleted inside it are back (their
   * objects too); rows inserted inside it are gone (their objects transient); objects first
   * loaded inside it stay, expired.
   */
  rollbackNested(s: SessionModel): void {
    const sp = s.savepoints.pop()!
    s.writes.clear()
    for (const [id, w] of sp.writes) s.writes.set(id, w)
    for (const [id, o] of s.deletedInTx) {
      if (!sp.deletedInTx.has(id)) (s.identity.set(id, o), s.deletedInTx.delete(id))
    }
    for (const o of [...s.identity.values()]) {
      const before = sp.objects.get(o.id)
      if (before === undefined) {
        if (o.insertedInTx) s.identity.delete(o.id)
        else (o.expired = true, (o.token = nextToken()))
        continue
      }
      const touched = o.token !== before.token
      o.values = before.values
      o.committed = before.committed
      o.txSnapshot = before.txSnapshot
      o.expired = before.expired || touched
      // Touched stays touched for an enclosing savepoint.
      o.token = touched ? nextToken() : before.token
    }
    s.pending.clear()
    for (const [id, o] of sp.pending) s.pending.set(id, o)
    s.marked.clear()
    for (const id of sp.marked) s.marked.add(id)
  }
}
