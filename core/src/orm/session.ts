import { ArgumentError, ConcurrentUseError, InvalidRequestError } from '../util/errors.js'
import type { Connection, Executable, Transaction } from '../engine/connection.js'
import type { Engine } from '../engine/engine.js'
import { Result, ScalarResult } from '../engine/result.js'
import { ColumnGroup, Select, resolveItem, select } from '../sql/select.js'
import type { ClauseProvider } from '../sql/select.js'
import { maybeState } from './instance-state.js'
import type { InstanceState, StateOwner } from './instance-state.js'
import { Mapper } from './mapper.js'
import { LoaderOption, applyLoaders, loadRelationship, rowPlan } from './loading.js'
import type { LoadContext } from './loading.js'
import { changedColumns, execute as executePlan, plan, relationsChanged, snapshotRelations } from './unit-of-work.js'
import type { FlushContext } from './unit-of-work.js'
import { PendingRollbackError } from './orm-errors.js'
import { isLoaded, setLoaded } from './attributes.js'
import { Query } from './query.js'

export interface SessionOptions {
  /** Flush pending changes before each query so it sees them. Default true. */
  readonly autoflush?: boolean
  /** Mark every object expired at commit, so the next load refreshes it. Default true. */
  readonly expireOnCommit?: boolean
}

type Entity<T> = (abstract new (...args: never[]) => T) & ClauseProvider
type SessionState = 'idle' | 'active' | 'failed' | 'closed'

let nextSessionId = 0

/**
 * A unit of work with an identity map, natively async. It checks out one connection on first
 * use and keeps it until commit, rollback or close.
 * ```ts
 * await using session = new AsyncSession(engine)
 * session.add(new User({ name: 'Alice' }))
 * await session.commit()
 * const users = await session.scalars(select(User))   // User[]-like ScalarResult
 * ```
 */
export class AsyncSession implements AsyncDisposable, StateOwner {
  readonly id = ++nextSessionId
  readonly engine: Engine
  readonly autoflush: boolean
  readonly expireOnCommit: boolean
  readonly #identity = new Map<string, InstanceState>()
  readonly #pending = new Set<InstanceState>()
  readonly #deleted = new Set<InstanceState>()
  #conn: Connection | undefined
  #state: SessionState = 'idle'
  #failure: unknown
  #busy: string | undefined
  readonly #savepoints: { tx: Transaction; snapshot: Map<InstanceState, unknown[] | undefined>; pending: Set<InstanceState>; deleted: Set<InstanceState> }[] = []

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine
    this.autoflush = options.autoflush ?? true
    this.expireOnCommit = options.expireOnCommit ?? true
  }

  /** Objects in the identity map. */
  get identityMap(): ReadonlyMap<string, object> {
    return new Map([...this.#identity].map(([k, s]) => [k, s.obj]))
  }
  /** Objects added and not yet flushed. */
  get new(): object[] {
    return [...this.#pending].map((s) => s.obj)
  }
  /** Persistent objects with unflushed column changes. */
  get dirty(): object[] {
    return [...this.#identity.values()].filter((s) => changedColumns(s) !== undefined).map((s) => s.obj)
  }
  get deleted(): object[] {
    return [...this.#deleted].map((s) => s.obj)
  }
  /** True while a transaction is open. */
  get inTransaction(): boolean {
    return this.#state === 'active'
  }

  // ---- object membership (synchronous) --------------------------------------------------------

  /** Adds a new object (and, by cascade, what it references) to be inserted at the next flush. */
  add(obj: object): void {
    this.#checkUsable()
    const s = this.#stateOf(obj, 'add()')
    if (s.owner && s.owner !== this) throw new InvalidRequestError(`This ${s.mapper.className} belongs to another session; expunge it there first, or merge() it into this one.`, 'foreign-session')
    if (s.lifecycle === 'transient') {
      s.lifecycle = 'pending'
      s.owner = this
      this.#pending.add(s)
    } else if (s.lifecycle === 'detached') {
      if (s.key && this.#identity.has(s.key) && this.#identity.get(s.key) !== s) {
        throw new InvalidRequestError(`Another ${s.mapper.className} with this identity is already in the session; use merge().`, 'identity-conflict')
      }
      s.lifecycle = 'persistent'
      s.owner = this
      if (s.key) this.#identity.set(s.key, s)
    } else if (s.lifecycle === 'deleted' || this.#deleted.has(s)) {
      this.#deleted.delete(s)
      if (s.lifecycle === 'deleted') s.lifecycle = 'persistent'
    }
  }

  addAll(objs: Iterable<object>): void {
    for (const o of objs) this.add(o)
  }

  /** Marks an object for deletion at the next flush (cascades follow `cascade: 'delete'`). */
  async delete(obj: object): Promise<void> {
    this.#checkUsable()
    const s = this.#stateOf(obj, 'delete()')
    if (s.lifecycle === 'pending') {
      this.#pending.delete(s)
      s.lifecycle = 'transient'
      s.owner = undefined
      return
    }
    if (s.lifecycle !== 'persistent' || s.owner !== this) {
      throw new InvalidRequestError(`delete() needs a ${s.mapper.className} loaded in this session (it is ${s.lifecycle}).`, 'not-persistent')
    }
    this.#deleted.add(s)
  }

  /** Removes an object from the session without deleting it; it becomes detached. */
  expunge(obj: object): void {
    const s = this.#stateOf(obj, 'expunge()')
    if (s.owner !== this) throw new InvalidRequestError(`This ${s.mapper.className} is not in this session.`, 'not-in-session')
    this.#detach(s)
  }

  /** Marks an object expired: the next query that returns it refreshes its values. */
  expire(obj: object): void {
    this.#stateOf(obj, 'expire()').expired = true
  }

  expireAll(): void {
    for (const s of this.#identity.values()) s.expired = true
  }

  // ---- queries ------------------------------------------------------------------------------

  /**
   * Runs a statement. For `select(Entity, …)` the entities come from the identity map; loader
   * options load relationships.
   */
  async execute<R extends readonly unknown[], M>(statement: Executable<R, M>): Promise<Result<R, M>> {
    return this.#op('execute a statement', async () => {
      if (this.autoflush) await this.#flush()
      return (await this.#execute(statement as unknown as Executable)) as unknown as Result<R, M>
    })
  }

  /** The first column of each row: entities for `select(User)`. */
  async scalars<R extends readonly unknown[], M>(statement: Executable<R, M>): Promise<ScalarResult<R[0]>> {
    return (await this.execute(statement)).scalars()
  }

  /** The first column of the first row. */
  async scalar<R extends readonly unknown[], M>(statement: Executable<R, M>): Promise<R[0] | undefined> {
    return (await this.execute(statement)).scalar()
  }

  /**
   * An object by primary key: from the identity map when present (no query), else one SELECT.
   * ```ts
   * const user = await session.get(User, 5)
   * ```
   */
  async get<T>(entity: Entity<T>, pk: unknown, options: { options?: readonly LoaderOption[] } = {}): Promise<T | undefined> {
    return this.#op('get an object', async () => {
      const m = this.#mapperOf(entity)
      const values = Array.isArray(pk) ? pk : [pk]
      if (values.length !== m.pkIndexes.length) throw new ArgumentError(`${m.className} has a ${m.pkIndexes.length}-column primary key; pass ${m.pkIndexes.length} values as an array.`)
      const key = m.identityKey(values.map((v, i) => m.columns[m.pkIndexes[i]!]!.type.validate(v, `${m.className} primary key`)))
      const hit = key ? this.#identity.get(key) : undefined
      if (hit && !hit.expired) return this.#deleted.has(hit) ? undefined : (hit.obj as T)
      if (this.autoflush) await this.#flush()
      const pkCols = m.pkIndexes.map((i) => m.columns[i]!)
      const stmt = select(m.group).where(...pkCols.map((c, i) => c.eq(values[i] as never))).options(...(options.options ?? []))
      return (await this.#execute(stmt as unknown as Executable)).rows[0]?.[0] as T | undefined
    })
  }

  /**
   * Loads relationships explicitly, for one object or many at once (one statement per batch).
   * ```ts
   * await session.load(author, 'books')
   * await session.load(authors, 'books')
   * ```
   */
  async load<T extends object>(objs: T | readonly T[], ...relationships: string[]): Promise<void> {
    await this.#op('load a relationship', async () => {
      const states = (Array.isArray(objs) ? objs : [objs]).map((o) => this.#stateOf(o as object, 'load()'))
      if (states.length === 0) return
      for (const name of relationships) {
        const rel = states[0]!.mapper.relationship(name)
        await loadRelationship(this.#loadContext(), rel, states.filter((s) => s.lifecycle === 'persistent'))
        for (const s of states) if (s.lifecycle === 'pending' && !isLoaded(s, rel)) setLoaded(s, rel, rel.uselist ? [] : null)
        for (const s of states) snapshotRelations(s)
      }
    })
  }

  /** Reloads an object's columns (and the named relationships) from the database. */
  async refresh(obj: object, options: { relationships?: readonly string[] } = {}): Promise<void> {
    const s = this.#stateOf(obj, 'refresh()')
    if (s.lifecycle !== 'persistent') throw new InvalidRequestError(`refresh() needs a persistent ${s.mapper.className}; this one is ${s.lifecycle}.`, 'not-persistent')
    s.expired = true
    const found = await this.get(s.mapper.cls as unknown as Entity<object>, s.mapper.primaryKeyOf(obj))
    if (!found) throw new InvalidRequestError(`The ${s.mapper.className} row no longer exists; it was deleted by another transaction.`, 'stale-data')
    for (const r of options.relationships ?? []) s.relations.delete(r)
    if (options.relationships?.length) await this.load(obj, ...options.relationships)
  }

  /**
   * Copies the state of an object (possibly from another session or built by hand) onto the
   * object with the same identity in this session, loading it if needed. Returns that object.
   */
  async merge<T extends object>(obj: T): Promise<T> {
    const s = this.#stateOf(obj, 'merge()')
    const m = s.mapper
    const pk = m.primaryKeyOf(obj)
    const existing = m.identityKey(pk) ? ((await this.get(m.cls as unknown as Entity<T>, pk)) as T | undefined) : undefined
    if (!existing) {
      const copy = new (m.cls as unknown as new (init: Record<string, unknown>) => T)(Object.fromEntries(m.columnKeys.map((k) => [k, (obj as Record<string, unknown>)[k]])))
      this.add(copy)
      return copy
    }
    for (const k of m.columnKeys) {
      const v = (obj as Record<string, unknown>)[k]
      if (v !== undefined) (existing as Record<string, unknown>)[k] = v
    }
    return existing
  }

  /** SQLAlchemy's legacy query veneer: `session.query(User).filterBy({ name: 'Alice' }).first()`. */
  query<T>(entity: Entity<T>): Query<T> {
    return new Query(this, entity)
  }

  // ---- transactions -------------------------------------------------------------------------

  /** Writes pending changes to the database inside the current transaction. */
  async flush(): Promise<void> {
    await this.#op('flush', () => this.#flush())
  }

  /** Flushes, then commits the transaction and returns the connection to the pool. */
  async commit(): Promise<void> {
    await this.#op('commit', async () => {
      await this.#flush()
      if (!this.#conn) return // nothing was begun and nothing needed writing
      await this.#conn.commit()
      this.#endTransaction(true)
    })
  }

  /** Rolls back the transaction; objects return to their state before it began. */
  async rollback(): Promise<void> {
    if (this.#busy) throw new ConcurrentUseError('AsyncSession', this.#busy, 'roll back')
    if (this.#state === 'closed') return
    try {
      if (this.#conn && this.#conn.inTransaction) await this.#conn.rollback()
    } finally {
      this.#endTransaction(false)
    }
  }

  /**
   * Begins the transaction explicitly. With a function: runs it, then commits (or rolls back if
   * it throws).
   * ```ts
   * await session.begin(async () => { session.add(user) })
   * ```
   */
  async begin<T>(fn?: () => Promise<T>): Promise<T | undefined> {
    this.#checkUsable()
    if (this.#state === 'active') throw new InvalidRequestError('A transaction is already begun on this session (queries begin one automatically); commit or roll back first, or use beginNested().', 'transaction-open')
    await this.#connection()
    if (!fn) return undefined
    try {
      const r = await fn()
      await this.commit()
      return r
    } catch (e) {
      await this.rollback()
      throw e
    }
  }

  /**
   * A savepoint: pending changes are flushed first. With a function, the savepoint is released
   * when it returns and rolled back when it throws (the outer transaction goes on); rolling
   * back also restores the objects changed inside it.
   * ```ts
   * await session.beginNested(async () => { session.add(risky) })
   * ```
   */
  async beginNested<T>(fn?: () => Promise<T>): Promise<T | undefined | { commit(): Promise<void>; rollback(): Promise<void> }> {
    await this.#op('begin a savepoint', () => this.#flush())
    const conn = await this.#connection()
    const tx = await conn.beginNested()
    const snapshot = new Map([...this.#identity.values()].map((s) => [s, s.committed && [...s.committed]]))
    const entry = { tx, snapshot, pending: new Set(this.#pending), deleted: new Set(this.#deleted) }
    this.#savepoints.push(entry)
    const handle = {
      commit: async (): Promise<void> => {
        await this.#op('release a savepoint', () => this.#flush())
        this.#savepoints.splice(this.#savepoints.indexOf(entry), 1)
        await tx.commit()
      },
      rollback: async (): Promise<void> => {
        this.#savepoints.splice(this.#savepoints.indexOf(entry))
        await tx.rollback()
        this.#restoreSavepoint(entry)
      },
    }
    if (!fn) return handle
    let r: T
    try {
      r = await fn()
    } catch (e) {
      if (this.#state !== 'failed') await handle.rollback()
      throw e
    }
    await handle.commit()
    return r
  }

  /** Rolls back and returns the connection; the session can be used again afterwards. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return
    await this.rollback()
    for (const s of [...this.#identity.values()]) this.#detach(s)
    this.#state = 'closed'
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // ---- internals ----------------------------------------------------------------------------

  #mapperOf(entity: unknown): Mapper {
    const m = resolveItem(entity as ClauseProvider)
    if (!(m instanceof ColumnGroup) || !(m.entity instanceof Mapper)) throw new ArgumentError(`Expected a mapped class, got ${String(entity)}.`)
    return m.entity
  }

  #stateOf(obj: object, what: string): InstanceState {
    const s = maybeState(obj)
    if (!s) throw new ArgumentError(`${what} takes an instance of a mapped class, not ${obj === null ? 'null' : typeof obj === 'object' ? `a ${obj.constructor.name}` : typeof obj}.`)
    return s
  }

  #checkUsable(): void {
    if (this.#state === 'failed') throw new PendingRollbackError(this.#failure)
    if (this.#state === 'closed') this.#state = 'idle' // a closed session may be reused, as in SQLAlchemy
  }

  async #op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new ConcurrentUseError('AsyncSession', this.#busy, what)
    this.#checkUsable()
    this.#busy = what
    try {
      return await fn()
    } finally {
      this.#busy = undefined
    }
  }

  async #connection(): Promise<Connection> {
    if (!this.#conn) this.#conn = await this.engine.connect()
    this.#state = 'active'
    return this.#conn
  }

  async #execute(statement: Executable): Promise<Result> {
    const conn = await this.#connection()
    const result = await conn.execute(statement)
    if (!(statement instanceof Select)) return result
    const plan = rowPlan(statement.state.columns)
    if (!plan.some((p) => p.kind === 'entity')) return result
    const rows = result.rows.map((raw) => plan.map((p) => (p.kind === 'value' ? raw[p.index] : this.#hydrate(p.mapper, raw, p.start))))
    const options = statement.state.options.filter((o): o is LoaderOption => o instanceof LoaderOption)
    for (const [i, p] of plan.entries()) {
      if (p.kind !== 'entity') continue
      const states = [...new Set(rows.map((r) => r[i]).filter((o) => o !== undefined))].map((o) => maybeState(o)!)
      await applyLoaders(this.#loadContext(), p.mapper, states, options)
      for (const s of states) snapshotRelations(s)
    }
    for (const r of rows) for (const v of r) { const s = maybeState(v); if (s) s.expired = false }
    return new Result(rows, result.columnNames, result.rowsAffected, result.insertId)
  }

  #loadContext(): LoadContext {
    return {
      executeRows: async (stmt) => {
        const r = await this.#execute(stmt as unknown as Executable)
        return r.rows as unknown[][]
      },
    }
  }

  /** Builds or reuses the instance for a row (identity map), refreshing expired ones. */
  #hydrate(m: Mapper, row: readonly unknown[], start: number): object | undefined {
    const pk = m.pkIndexes.map((i) => row[start + i])
    const key = m.identityKey(pk)
    if (key === undefined) return undefined // an outer join found no row
    const existing = this.#identity.get(key)
    if (existing) {
      if (existing.expired) {
        const o = existing.obj as Record<string, unknown>
        const keys = m.columnKeys
        for (let i = 0; i < keys.length; i++) o[keys[i]!] = row[start + i]
        existing.committed = row.slice(start, start + keys.length)
      }
      return existing.obj
    }
    const { obj, state } = m.blank()
    const keys = m.columnKeys
    for (let i = 0; i < keys.length; i++) obj[keys[i]!] = row[start + i]
    state.committed = row.slice(start, start + keys.length)
    state.key = key
    state.lifecycle = 'persistent'
    state.owner = this
    this.#identity.set(key, state)
    return obj
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0 && this.#deleted.size === 0 && !this.#hasChanges()) return
    const conn = await this.#connection()
    const ctx: FlushContext = {
      dialect: this.engine.dialect,
      owner: this,
      identityMap: this.#identity,
      pending: this.#pending,
      deleted: this.#deleted,
      execute: (stmt) => conn.execute(stmt),
      load: async (rel, parents) => {
        await loadRelationship(this.#loadContext(), rel, parents)
        for (const p of parents) snapshotRelations(p)
      },
    }
    try {
      await executePlan(ctx, await plan(ctx))
    } catch (e) {
      // A failed flush rolls back whole: the database transaction ends now, and the session
      // refuses work until rollback() restores the objects (SQLAlchemy's "needs rollback").
      this.#failure = e
      if (conn.inTransaction) await conn.rollback().catch(() => undefined)
      this.#state = 'failed'
      throw e
    }
    for (const s of this.#deleted) if (s.lifecycle === 'deleted') (s.owner = undefined)
    this.#deleted.clear()
  }

  #hasChanges(): boolean {
    for (const s of this.#identity.values()) if (changedColumns(s) !== undefined || relationsChanged(s)) return true
    return false
  }

  #endTransaction(committed: boolean): void {
    const conn = this.#conn
    this.#conn = undefined
    this.#savepoints.length = 0
    if (conn) void conn.close().catch(() => undefined)
    if (committed) {
      for (const s of this.#identity.values()) {
        s.txSnapshot = undefined
        s.insertedInTx = false
        if (this.expireOnCommit) s.expired = true
      }
    } else {
      // Objects inserted in the transaction become transient again; updated ones get their
      // pre-transaction values back; deleted ones are persistent again.
      for (const s of [...this.#identity.values()]) {
        if (s.insertedInTx) {
          this.#unInsert(s)
          continue
        }
        if (s.txSnapshot) {
          const o = s.obj as Record<string, unknown>
          s.mapper.columnKeys.forEach((k, i) => (o[k] = s.txSnapshot![i]))
          s.committed = s.txSnapshot
          s.txSnapshot = undefined
        }
        s.expired = true
      }
      for (const s of this.#pending) (s.lifecycle = 'transient', (s.owner = undefined))
      this.#pending.clear()
      this.#unDelete(this.#deleted)
      this.#deleted.clear()
    }
    this.#failure = undefined
    this.#state = 'idle'
  }

  #restoreSavepoint(entry: { snapshot: Map<InstanceState, unknown[] | undefined>; pending: Set<InstanceState>; deleted: Set<InstanceState> }): void {
    for (const s of [...this.#identity.values()]) {
      if (!entry.snapshot.has(s)) {
        this.#unInsert(s) // inserted inside the savepoint
        continue
      }
      const before = entry.snapshot.get(s)
      if (before) {
        const o = s.obj as Record<string, unknown>
        s.mapper.columnKeys.forEach((k, i) => (o[k] = before[i]))
        s.committed = before
      }
    }
    this.#unDelete(entry.deleted)
    this.#deleted.clear()
    entry.deleted.forEach((s) => this.#deleted.add(s))
    this.#pending.clear()
    if (this.#state === 'failed') this.#state = 'active'
  }

  /** The row was rolled back out of existence: the object is transient again and may be re-added. */
  #unInsert(s: InstanceState): void {
    this.#identity.delete(s.key!)
    const o = s.obj as Record<string, unknown>
    for (const c of s.mapper.columns) if (c.autoincrement) o[c.key_] = undefined
    s.key = undefined
    s.committed = undefined
    s.insertedInTx = false
    s.lifecycle = 'transient'
    s.owner = undefined
  }

  /** Deletes that were rolled back: the objects are persistent again. */
  #unDelete(states: Iterable<InstanceState>): void {
    for (const s of states) {
      if (s.lifecycle !== 'deleted') continue
      s.lifecycle = 'persistent'
      if (s.key) this.#identity.set(s.key, s)
    }
  }

  #detach(s: InstanceState): void {
    if (s.key) this.#identity.delete(s.key)
    this.#pending.delete(s)
    this.#deleted.delete(s)
    s.owner = undefined
    s.lifecycle = s.key ? 'detached' : 'transient'
  }
}

/**
 * A session factory bound to an engine and options (SQLAlchemy's sessionmaker).
 * ```ts
 * const Session = sessionmaker(engine)
 * await using session = Session()
 * ```
 */
export function sessionmaker(engine: Engine, options: SessionOptions = {}): (overrides?: SessionOptions) => AsyncSession {
  return (overrides = {}) => new AsyncSession(engine, { ...options, ...overrides })
}

