import { ArgumentError, ConcurrentUseError, InvalidRequestError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import type { Connection, Executable, Transaction } from '../engine/connection.js'
import type { IsolationLevel } from '../dialect/contract.js'
import type { Engine } from '../engine/engine.js'
import { connectRouted } from '../engine/routed-connect.js'
import type { Result, ScalarResult } from '../engine/result.js'
import { ColumnGroup, Select, select } from '../sql/select.js'
import type { ClauseProvider, OptionFor } from '../sql/select.js'
import type { Loaded, PathsOf, WithLoads } from '../sql/loaded.js'
import { explicitLoadOptions } from './explicit-load.js'
import type { ChainTargets, LoadArgument, RelationshipChain } from './explicit-load.js'
import type { Relationship } from './relationship.js'
import type { StateOwner } from './instance-state.js'
import { Mapper } from './mapper.js'
import { loadRelationship } from './loading.js'
import { executeEntitySelect, hydrateRows } from './session-execute.js'
import type { EntityQueryContext } from './session-execute.js'
import type { Hydrate } from './joined-loading.js'
import type { IdentityKey } from './identity-key.js'
import { StreamResult, streamBatches } from './session-stream.js'
import type { StreamContext, StreamOptions } from './session-stream.js'
import { executeOrmDml } from './orm-dml.js'
import { plannedSelect } from './deferral.js'
import { loadColumns } from './load-columns.js'
import { Delete, Insert, Update } from '../sql/dml.js'
import { SessionObjects, expireState } from './session-objects.js'
import type { ObjectsSnapshot } from './session-objects.js'
import { NPlusOneDetector } from './n-plus-one.js'
import type { NPlusOneOptions } from './n-plus-one.js'
import type { LoaderOption } from './loader-options.js'
import type { LoadContext } from './loading.js'
import { keyListsOf } from './key-lists.js'
import type { KeyIn } from './key-lists.js'
import { execute as executePlan, plan, snapshotRelations } from './unit-of-work.js'
import { changedColumns } from './dirty-check.js'
import type { FlushContext } from './unit-of-work.js'
import { PendingRollbackError } from './orm-errors.js'
import { detachedError, insideBlockError, mapperArgument, stateArgument } from './session-arguments.js'
import { isLoaded, setLoaded } from './attributes.js'
import { Query } from './query.js'
import { EventBus } from '../util/events.js'
import { keepShape } from '../util/kept-shapes.js'
import { MapperEventEmitter, ormHooksOf, propagateOptions } from './orm-events.js'
import type { MapperEvents, OrmHooks, SessionEvents } from './orm-events.js'
import type { Keyed } from '../sql/key.js'
import type { BindParams } from '../sql/bind-param.js'
import { byKeyParams, byKeySelect } from './by-key.js'
import { runUnitOfWork, type RunOptions } from './session-run.js'
import { upsertObjects, upsertStates, type UpsertObjectsOptions } from './session-upsert.js'
import { mergeObject } from './session-merge.js'
import type { SessionOptions, TransactionOptions } from './session-options.js'

export type { SessionOptions, TransactionOptions } from './session-options.js'

type Entity<T> = (abstract new (...args: never[]) => T) & ClauseProvider
type SessionState = 'idle' | 'active' | 'failed' | 'closed'

/** An open savepoint and the objects as they were when it began. */
interface SavepointEntry {
  readonly tx: Transaction
  readonly objects: ObjectsSnapshot
}

let nextSessionId = 0
let sessionShapeKept = false

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
  readonly #objects = new SessionObjects(this)
  #conn: Connection | undefined
  /** The next transaction will write (set by session.run() for its retries): begin it with the write lock. */
  #writes = false
  /** The session's transaction options, and begin()'s for the transaction it begins (until it ends). */
  readonly #transactionOptions: TransactionOptions
  #beginOptions: TransactionOptions | undefined
  #state: SessionState = 'idle'
  #failure: unknown
  #busy: string | undefined
  /** True while #conn came from another engine by routing (a read replica), not from `engine`. */
  #routed = false
  /** A statement other than a SELECT ran in this transaction (close() then waits for its ROLLBACK). */
  #wrote = false
  /**
   * Session events: listeners here, on the session factory and on the engine all hear them.
   * ```ts
   * session.events.on('afterCommit', ({ session }) => audit(session))
   * ```
   */
  readonly events: EventBus<SessionEvents>
  readonly #mapperEvents: MapperEventEmitter
  readonly #hooks: OrmHooks | undefined
  readonly #nPlusOne: NPlusOneDetector
  readonly #savepoints: SavepointEntry[] = []
  readonly #bind: Connection | undefined
  /** The savepoint a bound session works in, while its transaction is open. */
  #joined: Transaction | undefined
  /** Blocks (begin(fn), run(fn), …) whose function is running now, innermost last. */
  readonly #blocks: string[] = []

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine
    this.autoflush = options.autoflush ?? true
    this.expireOnCommit = options.expireOnCommit ?? true
    this.#hooks = options.hooks
    this.#bind = options.bind
    this.#transactionOptions = options.transaction ?? {}
    this.#nPlusOne = new NPlusOneDetector(options.nPlusOne)
    const scopes = [ormHooksOf(engine), ...(options.hooks ? [options.hooks] : [])]
    this.events = new EventBus<SessionEvents>(...scopes.map((h) => h.session))
    this.#mapperEvents = new MapperEventEmitter(this, new EventBus<MapperEvents>(...scopes.map((h) => h.mapper)))
    // One session never used, built the same way, keeps the shapes of a session and of what it
    // holds (util/kept-shapes.ts); it keeps the first engine referenced, nothing else.
    if (!sessionShapeKept) (sessionShapeKept = true, keepShape(new AsyncSession(engine)))
  }

  /** Objects in the identity map, by their identity (an opaque key: a number or text). */
  get identityMap(): ReadonlyMap<IdentityKey, object> {
    return new Map([...this.#objects.identity].map(([k, s]) => [k, s.obj]))
  }
  /** Objects added and not yet flushed. */
  get new(): object[] {
    return [...this.#objects.pending].map((s) => s.obj)
  }
  /** Persistent objects with unflushed column changes. */
  get dirty(): object[] {
    return [...this.#objects.identity.values()].filter((s) => changedColumns(s) !== undefined).map((s) => s.obj)
  }
  get deleted(): object[] {
    return [...this.#objects.deleted].map((s) => s.obj)
  }
  /** True while a transaction is open. */
  get inTransaction(): boolean {
    return this.#state === 'active'
  }

  // ---- object membership (synchronous) --------------------------------------------------------

  /** Adds a new object (and, by cascade, what it references) to be inserted at the next flush. */
  add(obj: object): void {
    this.#checkUsable()
    this.#objects.add(stateArgument(obj, 'add()'))
  }

  addAll(objs: Iterable<object>): void {
    for (const o of objs) this.add(o)
  }

  /** Marks an object for deletion at the next flush (cascades follow `cascade: 'delete'`). */
  async delete(obj: object): Promise<void> {
    this.#checkUsable()
    this.#objects.markDeleted(stateArgument(obj, 'delete()'))
  }

  /** Removes an object from the session without deleting it; it becomes detached (with what the expunge cascade reaches). */
  expunge(obj: object): void {
    this.#objects.expunge(stateArgument(obj, 'expunge()'))
  }

  /** Marks an object expired, dropping its unflushed changes: the next query that returns it refreshes its values. */
  expire(obj: object): void {
    expireState(stateArgument(obj, 'expire()'))
  }

  expireAll(): void {
    for (const s of this.#objects.identity.values()) expireState(s)
  }

  // ---- queries ------------------------------------------------------------------------------

  /**
   * Runs a statement. For `select(Entity, …)` the entities come from the identity map; loader
   * options load relationships. `params` gives the statement's bind parameters their values.
   * ```ts
   * const byAuthor = select(Post).where(Post.c.author_id.eq(bindparam('author')))
   * const posts = (await session.execute(byAuthor, { author: 7 })).scalars().all()
   * ```
   */
  async execute<R extends readonly unknown[], M>(statement: Executable<R, M>, params?: BindParams): Promise<Result<R, M>> {
    // #op's work written out (here, in get() and in load()): the session's most frequent calls,
    // where an async layer and its closure cost a promise, a suspended frame and microtask turns
    // per call (benchmarks/PROFILE.md pass 31). The awaits keep this call in async stack traces,
    // so a pool in debug mode can name the caller's line as the holder of the connection.
    this.#enterOp('execute a statement')
    try {
      if (statement instanceof Select) {
        const first = statement.state.columns[0]
        if (first instanceof ColumnGroup && first.entity instanceof Mapper) this.#nPlusOne.select(statement, first.entity)
      }
      if (this.autoflush) await this.#flush()
      return (await this.#execute(statement as unknown as Executable, params)) as unknown as Result<R, M>
    } catch (e) {
      throw this.#failedOp(e)
    } finally {
      this.#busy = undefined
    }
  }

  /** The first column of each row: entities for `select(User)`. */
  async scalars<R extends readonly unknown[], M>(statement: Executable<R, M>, params?: BindParams): Promise<ScalarResult<R[0]>> {
    return (await this.execute(statement, params)).scalars()
  }

  /**
   * Reads a select batch by batch (`batchSize` rows, default 1,000), holding one batch in memory:
   * objects a batch brought in that were not held before and that you did not change leave the
   * session when the next batch is read. A select of one entity applies its loader options per
   * batch (selectin: one statement per relationship and batch). See {@link StreamResult}.
   * ```ts
   * for await (const user of session.stream(select(User).options(selectinload(User.posts))).scalars()) { … }
   * ```
   */
  stream<R extends readonly unknown[], M>(statement: Select<R, M>, options: StreamOptions = {}): StreamResult<R> {
    if (!(statement instanceof Select)) throw new ArgumentError(`stream() takes a select(), not ${describeValue(statement)}.`)
    const ctx: StreamContext = {
      execute: (stmt) => this.execute(stmt as unknown as Executable, options.params),
      cursor: (stmt, batchSize) => this.#cursor(stmt, batchSize, options.params),
      hydrate: (rows, plan) => hydrateRows(rows, plan, (m, raw, start, partial) => this.#objects.hydrate(m, raw, start, this.#mapperEvents, false, partial)),
      objects: this.#objects,
      keyIn: this.#keyIn,
    }
    return new StreamResult(() => streamBatches(ctx, statement, options))
  }

  /** `stream(statement).scalars()`: the objects of `select(User)`, batch by batch. */
  streamScalars<R extends readonly unknown[], M>(statement: Select<R, M>, options: StreamOptions = {}): AsyncIterableIterator<R[0]> {
    return this.stream(statement, options).scalars()
  }

  /** Raw rows of a select through the driver's cursor; the session is busy until the loop ends. */
  async *#cursor(statement: Select, batchSize: number, params: BindParams | undefined): AsyncGenerator<readonly (readonly unknown[])[]> {
    if (this.#busy) throw new ConcurrentUseError('AsyncSession', this.#busy, 'stream rows')
    this.#checkUsable()
    this.#busy = 'streaming rows'
    try {
      if (this.autoflush) await this.#flush()
      const conn = await this.#connection(statement)
      const stmt = this.#hooks ? this.#hooks.transforms.statement(statement, { scope: 'session', dialect: this.engine.dialect.name }) : statement
      let batch: unknown[][] = []
      for await (const row of conn.stream(stmt as unknown as Executable, { batchSize, ...(params && { params }) })) {
        batch.push(row as unknown[])
        if (batch.length < batchSize) continue
        yield batch
        batch = []
      }
      if (batch.length > 0) yield batch
    } finally {
      this.#busy = undefined
    }
  }

  /** The first column of the first row. */
  async scalar<R extends readonly unknown[], M>(statement: Executable<R, M>, params?: BindParams): Promise<R[0] | undefined> {
    return (await this.execute(statement, params)).scalar()
  }

  /**
   * An object by primary key: from the identity map when present (no query), else one SELECT.
   * ```ts
   * const user = await session.get(User, 5)
   * ```
   */
  async get<T, const O extends readonly OptionFor<[T]>[] = []>(entity: Entity<T>, pk: unknown, options: { options?: O } = {}): Promise<WithLoads<[T], O[number]>[0] | undefined> {
    this.#enterOp('get an object')
    try {
      const m = mapperArgument(entity)
      const values = Array.isArray(pk) ? pk : [pk]
      if (values.length !== m.pkIndexes.length) throw new ArgumentError(`${m.className} has a ${m.pkIndexes.length}-column primary key; pass ${m.pkIndexes.length} values as an array.`)
      const key = m.identityKey(values.map((v, i) => m.columns[m.pkIndexes[i]!]!.type.validate(v, `${m.className} primary key`)))
      const hit = key ? this.#objects.identity.get(key) : undefined
      // In a hierarchy one key is one row: held as another class, it is not a row of this one.
      if (hit && !hit.expired) return this.#objects.deleted.has(hit) || !hit.mapper.isa(m) ? undefined : (hit.obj as WithLoads<[T], O[number]>[0])
      // On a miss only new and deleted objects can change what this key finds: a changed object
      // in the identity map is not this row (it would have been a hit) and primary keys cannot
      // change. Skipping the flush then skips autoflush's scan of the whole identity map, which
      // made N lookups in one session cost O(N²). Loader options read further rows, and an
      // expired hit is overwritten from its row, so both flush first.
      const mustFlush = hit !== undefined || (options.options?.length ?? 0) > 0 || this.#objects.pending.size > 0 || this.#objects.deleted.size > 0
      if (this.autoflush && mustFlush) await this.#flush()
      const loads: readonly unknown[] = options.options ?? []
      const found = byKeySelect(m)
      const stmt = loads.length === 0 ? found : found.options(...(loads as never[]))
      return (await this.#execute(stmt as unknown as Executable, byKeyParams(values))).scalar() as WithLoads<[T], O[number]>[0] | undefined
    } catch (e) {
      throw this.#failedOp(e)
    } finally {
      this.#busy = undefined
    }
  }

  /**
   * Inserts new objects, or where a row with the same `on` key exists updates its `update`
   * attributes (default: every other attribute given), one statement per batch on every dialect;
   * returns, in order, the objects the session now holds for those rows, with the database's values.
   * ```ts
   * const [ann] = await session.upsert(new User({ email: 'ann@x.io', name: 'Ann' }), { on: ['email'] })
   * ```
   */
  async upsert<T extends object>(objs: T | readonly T[], options: UpsertObjectsOptions<T>): Promise<T[]> {
    return await this.#op('upsert objects', async () => {
      const { mapper, states } = upsertStates(Array.isArray(objs) ? (objs as readonly T[]) : [objs as T])
      // Always flushed first: the upsert may meet rows this session changed.
      await this.#flush()
      const conn = await this.#connection()
      const ctx = { capabilities: this.engine.dialect.capabilities, run: (stmt: Executable) => this.#run(conn, stmt), absorb: this.#objects.absorb.bind(this.#objects) }
      return (await upsertObjects(ctx, mapper, states, options as UpsertObjectsOptions<object>)) as T[]
    })
  }

  /**
   * Loads relationships explicitly, for one object or many at once (one statement per level and
   * batch), and returns what it was given, typed with those relationships loaded. Names load
   * relationships side by side; relationship attributes load a path, each starting where the
   * previous one ends (checked when compiling); loader options load what they say (the first level
   * always with SELECT … IN).
   * ```ts
   * const a = await session.load(author, 'books')                  // Loaded<Author, 'books'>
   * await session.load(authors, Author.books, Book.reviews)        // Loaded<Author, 'books' | 'books.reviews'>[]
   * await session.load(authors, selectinload(Author.books), selectinload(Author.profile))
   * ```
   */
  async load<T extends object, const K extends string>(objs: readonly T[], ...relationships: K[]): Promise<Loaded<T, K>[]>
  async load<T extends object, const K extends string>(objs: T, ...relationships: K[]): Promise<Loaded<T, K>>
  async load<T extends object, const P extends readonly [Relationship<unknown>, ...Relationship<unknown>[]]>(objs: readonly T[], ...path: P & RelationshipChain<T, P>): Promise<Loaded<T, PathsOf<T, ChainTargets<P>>>[]>
  async load<T extends object, const P extends readonly [Relationship<unknown>, ...Relationship<unknown>[]]>(objs: T, ...path: P & RelationshipChain<T, P>): Promise<Loaded<T, PathsOf<T, ChainTargets<P>>>>
  async load<T extends object, const O extends readonly [OptionFor<[T]>, ...OptionFor<[T]>[]]>(objs: readonly T[], ...options: O): Promise<WithLoads<[T], O[number]>[0][]>
  async load<T extends object, const O extends readonly [OptionFor<[T]>, ...OptionFor<[T]>[]]>(objs: T, ...options: O): Promise<WithLoads<[T], O[number]>[0]>
  async load(objs: object, ...args: LoadArgument[]): Promise<unknown> {
    this.#enterOp('load a relationship')
    try {
      const states = (Array.isArray(objs) ? objs : [objs]).map((o) => stateArgument(o as object, 'load()'))
      if (states.length === 0) return objs
      const stray = states.find((st) => st.lifecycle === 'detached' || (st.owner !== undefined && st.owner !== this))
      if (stray !== undefined) throw stray.lifecycle === 'detached' ? detachedError(stray, 'load()') : new InvalidRequestError(`load() needs objects of this session; this ${stray.mapper.className} belongs to another one.`, 'foreign-session')
      for (const option of explicitLoadOptions(states[0]!.mapper, args)) {
        const rel = option.relationship as Relationship
        if (states.length === 1) this.#nPlusOne.singleLoad(rel)
        await loadRelationship(this.#loadContext(), rel, states.filter((s) => s.lifecycle === 'persistent'), option.children)
        for (const s of states) if (s.lifecycle === 'pending' && !isLoaded(s, rel)) setLoaded(s, rel, rel.uselist ? [] : null)
        for (const s of states) snapshotRelations(s)
      }
    } catch (e) {
      throw this.#failedOp(e)
    } finally {
      this.#busy = undefined
    }
    return objs
  }

  /** Reloads an object's columns (and the named relationships) from the database. */
  async refresh(obj: object, options: { relationships?: readonly string[] } = {}): Promise<void> {
    const s = stateArgument(obj, 'refresh()')
    if (s.lifecycle === 'detached') throw detachedError(s, 'refresh()')
    if (s.lifecycle !== 'persistent') throw new InvalidRequestError(`refresh() needs a persistent ${s.mapper.className}; this one is ${s.lifecycle}.`, 'not-persistent')
    expireState(s) // its unflushed changes are dropped, not autoflushed by the reload
    const found = await this.get(s.mapper.cls as unknown as Entity<object>, s.mapper.primaryKeyOf(obj))
    if (!found) throw new InvalidRequestError(`The ${s.mapper.className} row no longer exists; it was deleted by another transaction.`, 'stale-data')
    for (const r of options.relationships ?? []) s.relations.delete(r)
    if (options.relationships?.length) await this.load(obj, ...options.relationships)
  }

  /**
   * Loads columns left unloaded by a deferred load (`deferred: true`, `defer()`, `loadOnly()`) on
   * objects of one class: one SELECT of those columns per batch of keys. Loaded or assigned
   * columns are left as they are.
   * ```ts
   * await session.loadColumns(users, 'bio')
   * ```
   */
  async loadColumns<T extends object>(objs: T | readonly T[], ...keys: (keyof T & string)[]): Promise<void> {
    await this.#op('load columns', async () => {
      const conn = await this.#connection()
      await loadColumns((stmt) => this.#run(conn, stmt as unknown as Executable), keyListsOf(this.engine.dialect), Array.isArray(objs) ? (objs as readonly object[]) : [objs as object], keys)
    })
  }

  /**
   * Copies the state of an object (possibly from another session or built by hand) onto the
   * object with the same identity in this session, loading it if needed. Returns that object.
   * Loaded relationships with the `merge` cascade (the default) are merged the same way.
   * ```ts
   * const attached = await session.merge(detachedAlbum)   // its loaded photos come along
   * ```
   */
  async merge<T extends object>(obj: T): Promise<T> {
    stateArgument(obj, 'merge()')
    return (await mergeObject(this, obj, new Map())) as T
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
    this.#refuseInsideBlock('commit()')
    await this.#op('commit', async () => {
      await this.#flush()
      if (!this.#conn) return // nothing was begun and nothing needed writing
      this.events.emit('beforeCommit', { session: this })
      if (this.#bind !== undefined) await this.#joined?.commit()
      else await this.#conn.commit()
      const wrote = this.#wrote && !this.#routed
      this.#endTransaction(true)
      this.events.emit('afterCommit', { session: this, wrote })
    })
  }

  /** Rolls back the transaction; objects return to their state before it began. */
  rollback(): Promise<void> {
    return this.#rollback(false)
  }

  /** rollback(), and with `detach` every object detached in the same walk once the database rolled back (close()). */
  async #rollback(detach: boolean): Promise<void> {
    this.#refuseInsideBlock('rollback()')
    if (this.#busy) throw new ConcurrentUseError('AsyncSession', this.#busy, 'roll back')
    if (this.#state === 'closed') return
    const had = this.#conn !== undefined
    let rolledBack = false
    try {
      if (this.#conn !== undefined) await this.#abandon(this.#conn)
      rolledBack = true
    } finally {
      this.#endTransaction(false, detach && rolledBack)
    }
    if (had) this.events.emit('afterRollback', { session: this })
  }

  /**
   * Begins the transaction explicitly. With a function: runs it, then commits (or rolls back if
   * it throws).
   * ```ts
   * await session.begin(async () => { session.add(user) })
   * await session.begin({ isolationLevel: 'SERIALIZABLE' })   // options for this transaction only
   * ```
   */
  async begin(options?: TransactionOptions): Promise<undefined>
  async begin<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>
  async begin<T>(fnOrOptions?: (() => Promise<T>) | TransactionOptions, options?: TransactionOptions): Promise<T | undefined> {
    const fn = typeof fnOrOptions === 'function' ? fnOrOptions : undefined
    const txOptions = typeof fnOrOptions === 'function' ? options : fnOrOptions
    this.#checkUsable()
    if (this.#state === 'active') throw new InvalidRequestError('A transaction is already begun on this session (queries begin one automatically); commit or roll back first, or use beginNested().', 'transaction-open')
    if (txOptions !== undefined && this.#bind !== undefined) {
      throw new InvalidRequestError('This session joins a transaction its caller owns ({ bind }); that transaction\'s options are the caller\'s. Begin the connection with them instead.', 'bound-session')
    }
    this.#beginOptions = txOptions
    try {
      await this.#connection()
    } catch (e) {
      this.#beginOptions = undefined
      throw e
    }
    if (!fn) return undefined
    let r: T
    try {
      r = await this._block('session.begin(fn)', fn)
    } catch (e) {
      await this.rollback()
      throw e
    }
    try {
      await this.commit()
    } catch (e) {
      await this.rollback().catch(() => undefined)
      throw e
    }
    return r
  }

  /**
   * A savepoint: pending changes are flushed first. With a function, the savepoint is released
   * when it returns and rolled back when it throws (the outer transaction goes on); rolling
   * back also restores the objects changed inside it.
   * ```ts
   * await session.beginNested(async () => { session.add(risky) })
   * ```
   */
  async beginNested(): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }>
  async beginNested<T>(fn: () => Promise<T>): Promise<T>
  async beginNested<T>(fn?: () => Promise<T>): Promise<T | { commit(): Promise<void>; rollback(): Promise<void> }> {
    await this.#op('begin a savepoint', () => this.#flush())
    const conn = await this.#connection()
    const tx = await conn.beginNested()
    const entry: SavepointEntry = { tx, objects: this.#objects.snapshot() }
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
        this.#objects.restore(entry.objects)
        if (this.#state === 'failed') this.#state = 'active'
      },
    }
    if (!fn) return handle
    let r: T
    try {
      r = await this._block('session.beginNested(fn)', fn)
    } catch (e) {
      // The savepoint may be gone already (a deadlock on MariaDB ends the whole transaction):
      // the error that ended the block is the one to report, not the failed ROLLBACK TO.
      if (this.#state !== 'failed') await handle.rollback().catch(() => undefined)
      throw e
    }
    await handle.commit()
    return r
  }

  /** Rolls back and returns the connection; the session can be used again afterwards. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return
    this.#refuseInsideBlock('close()')
    const conn = this.#conn
    // The rollback's walk over the objects detaches them too, unless an afterRollback listener
    // is there to see them rolled back but still held, as rollback() leaves them.
    const oneWalk = !this.events.has('afterRollback')
    if (conn !== undefined && this.#bind === undefined && this.#rollbackLeftToPool(conn)) {
      // Nothing to undo: the pool's reset-on-return sends the ROLLBACK, and the caller does not
      // wait a round trip for it (the connection is not handed out again before it finished).
      conn._closeLeavingRollbackToPool()
      this.#endTransaction(false, oneWalk)
      this.events.emit('afterRollback', { session: this })
    } else await this.#rollback(oneWalk)
    if (!oneWalk) this.#objects.detachAll()
    this.#state = 'closed'
  }

  /**
   * Runs `fn` as one transaction and commits it; on a deadlock, serialization failure, lock
   * timeout or lost connection rolls back and runs all of `fn` again with backoff (see RunOptions).
   * ```ts
   * await session.run(async (s) => { (await s.get(Account, 1))!.balance -= 10 }, { retries: 5 })
   * ```
   */
  run<T>(fn: (session: AsyncSession, attempt: number) => Promise<T>, options?: RunOptions): Promise<T> {
    return runUnitOfWork(this, fn, options)
  }

  // The close() promise itself: `await using` per request pays no extra async frame.
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** @internal session.run(): whether the transactions it begins will write (see BeginOptions.writes). */
  _expectWrites(writes: boolean): void {
    this.#writes = writes
  }

  /**
   * @internal Runs the body of a block that ends the transaction itself when it returns
   * (`begin(fn)`, `beginNested(fn)`, `run(fn)`): a commit() or rollback() inside it would end
   * the transaction under the block's feet, so both refuse, naming the block.
   */
  async _block<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.#blocks.push(name)
    try {
      return await fn()
    } finally {
      this.#blocks.pop()
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  #refuseInsideBlock(what: string): void {
    const block = this.#blocks[this.#blocks.length - 1]
    if (block !== undefined) throw insideBlockError(what, block)
  }

  #checkUsable(): void {
    if (this.#state === 'failed') throw new PendingRollbackError(this.#failure)
    if (this.#state === 'closed') this.#state = 'idle' // a closed session may be reused, as in SQLAlchemy
  }

  async #op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.#enterOp(what)
    try {
      return await fn()
    } catch (e) {
      throw this.#failedOp(e)
    } finally {
      this.#busy = undefined
    }
  }

  /** Starts an operation: one at a time, on a usable session. The caller clears #busy when it ends. */
  #enterOp(what: string): void {
    if (this.#busy) throw new ConcurrentUseError('AsyncSession', this.#busy, what)
    this.#checkUsable()
    this.#busy = what
  }

  /** What an operation that failed with `e` leaves behind; returns `e`, to be rethrown. */
  #failedOp(e: unknown): unknown {
    // A lost connection took the transaction with it: like a failed flush, the session refuses
    // work until rollback(), instead of failing later with a confusing "connection invalidated".
    if (this.#conn?.invalidated === true && this.#state === 'active') {
      this.#state = 'failed'
      this.#failure = e
    }
    return e
  }

  /**
   * The session's connection. With `read` (a statement run outside an explicit transaction and
   * before any flush), the engine's routers may pick another engine (a read replica); the first
   * write, flush or begin() moves the session to the engine's own connection for good.
   */
  async #connection(read?: Keyed): Promise<Connection> {
    if (this.#bind !== undefined) {
      this.#joined ??= await this.#bind.beginNested()
      this.#conn = this.#bind
      this.#state = 'active'
      return this.#bind
    }
    const target = read !== undefined && (this.#conn === undefined || this.#routed) ? this.engine.route(read, { session: this }) : this.engine
    if (this.#conn && this.#routed && target === this.engine) {
      const replica = this.#conn
      this.#conn = undefined
      this.#routed = false
      await replica.close()
    }
    if (!this.#conn) {
      const options = { ...this.#transactionOptions, ...this.#beginOptions, ...(this.#writes && target === this.engine ? { writes: true } : {}) }
      ;({ connection: this.#conn, routed: this.#routed } = await connectRouted(this.engine, target, options))
    }
    this.#state = 'active'
    return this.#conn
  }

  /**
   * The session's connection when #connection() would return it unchanged: one of its own
   * (not a bound connection's savepoint), not a read replica that the next statement might
   * move away from.
   */
  #reusableConnection(): Connection | undefined {
    if (this.#bind !== undefined || this.#conn === undefined || this.#routed) return undefined
    this.#state = 'active'
    return this.#conn
  }

  /** Runs a statement after the session factory's statement transforms (the engine's run in the connection). */
  #run(conn: Connection, statement: Executable, params?: BindParams): Promise<Result> {
    if (!(statement instanceof Select)) this.#wrote = true
    const stmt = this.#hooks ? this.#hooks.transforms.statement(statement, { scope: 'session', dialect: this.engine.dialect.name }) : statement
    return conn.execute(stmt, params)
  }

  /**
   * Runs a statement for the session; `params` are its bind parameters' values (also for the
   * loads it causes). Not async: every statement after the first reuses the connection as it is,
   * and the promise of the layer below is returned as it is (an async layer would cost a frame
   * of its own and, returning a promise, two more microtask turns).
   */
  #execute(statement: Executable, params?: BindParams): Promise<Result> {
    const conn = this.#reusableConnection()
    return conn === undefined ? this.#connectAndExecute(statement, params) : this.#executeOn(conn, statement, params)
  }

  async #connectAndExecute(statement: Executable, params?: BindParams): Promise<Result> {
    return await this.#executeOn(await this.#connection(statement), statement, params)
  }

  #executeOn(conn: Connection, statement: Executable, params?: BindParams): Promise<Result> {
    if ((statement instanceof Insert || statement instanceof Update || statement instanceof Delete) && statement.orm?.entity !== undefined) {
      return executeOrmDml({
        capabilities: this.engine.dialect.capabilities,
        dialectName: this.engine.dialect.name,
        run: (stmt) => this.#run(conn, stmt, params),
        params,
        objects: this.#objects,
        hydrate: (m, raw, start, partial) => this.#objects.hydrate(m, raw, start, this.#mapperEvents, true, partial),
      }, statement)
    }
    if (!(statement instanceof Select)) return this.#run(conn, statement, params)
    const { statement: select, plan, entities } = plannedSelect(statement)
    if (!entities) return this.#run(conn, select as unknown as Executable, params)
    const { lock, execution } = select.state
    const populate = execution.populateExisting ?? lock !== undefined
    const query: SessionQuery = {
      session: this, conn, params, nestedRows: conn.capabilities.nestedRows === true,
      hydrate: populate ? (this.#hydrateRefreshing ??= this.#hydrator(true)) : (this.#hydrateKeeping ??= this.#hydrator(false)),
      run: AsyncSession.#queryRun, built: AsyncSession.#queryBuilt, loadContext: AsyncSession.#queryLoadContext,
    }
    return executeEntitySelect(query, select, plan)
  }

  // What an entity select needs of the session (session-execute.ts) is one object literal per
  // statement whose methods are these, shared by all (`this` is that object): four closures and
  // the context they share cost ~0.4 kB per statement (benchmarks/PROFILE.md pass 31). Static
  // members of the class, where the session's private members are in reach.
  static readonly #queryRun = function (this: SessionQuery, statement: Executable): Promise<Result> {
    return this.session.#run(this.conn, statement, this.params)
  }
  static readonly #queryBuilt = function (this: SessionQuery): number {
    return this.session.#objects.built
  }
  static readonly #queryLoadContext = function (this: SessionQuery, parent: Select): LoadContext {
    return this.session.#loadContext(parent, this.params)
  }

  /** The session's hydrate functions, made at first use: held objects refreshed from their rows or kept as they are. */
  #hydrateRefreshing: Hydrate | undefined
  #hydrateKeeping: Hydrate | undefined
  #hydrator(populate: boolean): Hydrate {
    return (m, raw, start, partial) => this.#objects.hydrate(m, raw, start, this.#mapperEvents, populate, partial)
  }

  /**
   * Loading for the results of `parent`, whose propagating options its relationship loads
   * inherit, as do their statements the values of its bind parameters (`params`).
   */
  #loadContext(parent?: Select, params?: BindParams): LoadContext {
    // Without a parent or parameters (an explicit load, a flush's), one per session.
    if (parent === undefined && params === undefined && this.#plainLoads !== undefined) return this.#plainLoads
    const engine = this.engine
    const loads: LoadContext = {
      // Not async: #execute's promise as it is (see #execute).
      executeRows: (stmt, own) => {
        const values = own === undefined ? params : params === undefined ? own : { ...params, ...own }
        return this.#execute(propagateOptions(stmt, parent) as unknown as Executable, values)
      },
      // As of each call: the first connection may replace the dialect (initialize).
      get maxParams() {
        return engine.dialect.capabilities.maxParams
      },
      keyIn: this.#keyIn,
    }
    if (parent === undefined && params === undefined) this.#plainLoads = loads
    return loads
  }
  #plainLoads: LoadContext | undefined

  /** The engine's dialect's `keyIn` as of each call: the first connection may replace the dialect (initialize). */
  readonly #keyIn: KeyIn = (column, keys) => keyListsOf(this.engine.dialect).keyIn?.(column, keys)

  async #flush(): Promise<void> {
    if (this.#objects.pending.size === 0 && this.#objects.deleted.size === 0 && !this.#objects.hasChanges()) return
    const conn = await this.#connection()
    this.events.emit('beforeFlush', { session: this, connection: conn })
    const ctx: FlushContext = {
      dialect: this.engine.dialect,
      owner: this,
      identityMap: this.#objects.identity,
      pending: this.#objects.pending,
      deleted: this.#objects.deleted,
      execute: (stmt) => this.#run(conn, stmt),
      mapperEvents: this.#mapperEvents,
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
      await this.#abandon(conn).catch(() => undefined)
      this.#state = 'failed'
      this.events.emit('flushError', { session: this, connection: conn, error: e })
      throw e
    }
    for (const s of this.#objects.deleted) if (s.lifecycle === 'deleted') (s.owner = undefined, this.#objects.deletedInTx.add(s))
    this.#objects.deleted.clear()
    this.events.emit('afterFlush', { session: this, connection: conn })
  }

  /** Rolls the session's transaction back: its own, or the savepoint of a bound session. */
  async #abandon(conn: Connection): Promise<void> {
    if (this.#bind === undefined) {
      if (conn.inTransaction) await conn.rollback()
      return
    }
    const joined = this.#joined
    this.#joined = undefined
    if (joined?.active === true) await joined.rollback()
  }

  /**
   * Whether close() can leave the ROLLBACK to the pool: the transaction ran only SELECTs (no
   * flush, no other statement, no savepoint) on this engine's own pool, which resets connections
   * on return.
   */
  #rollbackLeftToPool(conn: Connection): boolean {
    return !this.#wrote && !this.#busy && !this.#routed && this.#state === 'active' && this.#savepoints.length === 0 &&
      conn.inTransaction && !conn.invalidated && conn.savepointDepth === 0 && this.engine.pool.options.resetOnReturn
  }

  #endTransaction(committed: boolean, detach = false): void {
    const conn = this.#conn
    this.#conn = undefined
    this.#beginOptions = undefined
    this.#wrote = false
    this.#nPlusOne.reset()
    this.#routed = false
    this.#savepoints.length = 0
    this.#joined = undefined
    if (conn && conn !== this.#bind) void conn.close().catch(() => undefined)
    this.#objects.endTransaction(committed, this.expireOnCommit, detach)
    this.#failure = undefined
    this.#state = 'idle'
  }
}

/** An entity select's context (session-execute.ts) with what its shared methods read. */
interface SessionQuery extends EntityQueryContext {
  readonly session: AsyncSession
  readonly conn: Connection
  readonly params: BindParams | undefined
}
