import { ArgumentError } from '../util/errors.js'
import type { Result } from '../engine/result.js'
import { select } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import type { Mapper } from './mapper.js'
import type { Column } from '../sql/column.js'
import type { InstanceState } from './instance-state.js'
import type { SessionObjects } from './session-objects.js'
import { rowPlan } from './loading.js'
import { inClause } from './key-lists.js'
import type { KeyIn } from './key-lists.js'
import type { RowPlan } from './loading.js'
import { LevelOptions } from './loader-options.js'
import { isModified } from './dirty-check.js'
import { withDeferral } from './deferral.js'

/** What streaming needs of the session. */
export interface StreamContext {
  /** Runs a select as `session.execute()` does: autoflush, the identity map, loader options. */
  execute(statement: Select): Promise<Result>
  /**
   * Streams a select's raw rows on the session's connection in batches; the session refuses other
   * work until the generator ends (the connection is busy with the cursor).
   */
  cursor(statement: Select, batchSize: number): AsyncGenerator<readonly (readonly unknown[])[]>
  /** Builds a batch's rows: entities through the identity map. */
  hydrate(rows: readonly (readonly unknown[])[], plan: RowPlan): unknown[][]
  readonly objects: SessionObjects
  /** The dialect's own `col IN (keys)` for a one-column key, if it has one. */
  readonly keyIn?: KeyIn | undefined
}

export interface StreamOptions {
  /** Rows per batch (default 1,000): what the session holds at a time, and one round of loading. */
  readonly batchSize?: number
  /** Values of the statement's bind parameters (bindparam()), by name. */
  readonly params?: Readonly<Record<string, unknown>>
}

const DEFAULT_BATCH = 1000

/**
 * A select's result read batch by batch, as rows (iterate it), first columns (`scalars()`) or
 * whole batches (`partitions()`). Nothing runs until it is iterated; it can be iterated once.
 * ```ts
 * for await (const user of session.stream(select(User).options(selectinload(User.posts))).scalars()) { … }
 * ```
 */
export class StreamResult<R extends readonly unknown[]> implements AsyncIterable<R> {
  readonly #batches: () => AsyncGenerator<R[]>
  #used = false
  constructor(batches: () => AsyncGenerator<R[]>) {
    this.#batches = batches
  }

  /** The batches themselves, each an array of rows. */
  partitions(): AsyncGenerator<R[]> {
    if (this.#used) throw new ArgumentError('This stream was already iterated; call session.stream() again for a new one.', 'stream-used')
    this.#used = true
    return this.#batches()
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return rowsOf(this.partitions(), (row) => row)
  }

  /** The first column of each row: the objects of `select(User)`. */
  scalars(): AsyncIterableIterator<R[0]> {
    return rowsOf(this.partitions(), (row) => row[0])
  }
}

/**
 * The rows of the batches one at a time. A hand-written iterator, not an async generator: a
 * generator's `yield` awaits each value, a second turn of the microtask queue per row, which in a
 * long stream cost more than building the row's object.
 */
function rowsOf<R, T>(batches: AsyncGenerator<R[]>, pick: (row: R) => T): AsyncIterableIterator<T> {
  let batch: readonly R[] = []
  let i = 0
  const refill = async (): Promise<IteratorResult<T>> => {
    for (;;) {
      const next = await batches.next()
      if (next.done === true) return { value: undefined, done: true }
      batch = next.value
      i = 0
      if (batch.length > 0) return { value: pick(batch[i++]!), done: false }
    }
  }
  const it: AsyncIterableIterator<T> = {
    next: () => (i < batch.length ? Promise.resolve({ value: pick(batch[i++]!), done: false }) : refill()),
    // Left early (break, throw): the batches end too, which closes a cursor and releases the session.
    return: async () => {
      await batches.return(undefined)
      return { value: undefined, done: true }
    },
    [Symbol.asyncIterator]: () => it,
  }
  return it
}

/**
 * The batches of a streamed select. A select of one entity is read by statements that end before
 * its batch is handed out, so that loader options can run their queries between batches on every
 * database (a server cursor would hold the connection): in primary-key order, keyset pages
 * (`WHERE pk > last ORDER BY pk LIMIT batch`); in any other order, first the primary keys of every
 * row (the only thing kept for the whole stream), then per batch `select(Entity).where(pk IN
 * batch)`. Each page or batch carries the statement's loader options. Other selects go through
 * the driver's cursor, without loader options.
 *
 * After each batch the session lets go of the objects that batch brought in, unless they were
 * held before the stream or have been changed: memory stays at one batch however long the result.
 */
export async function* streamBatches<R extends readonly unknown[]>(ctx: StreamContext, statement: Select<R, unknown>, options: StreamOptions): AsyncGenerator<R[]> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`stream() takes a batchSize that is a whole number ≥ 1, not ${String(batchSize)}.`)
  const plan = rowPlan(statement.state.columns)
  const first = plan[0]
  const only = plan.length === 1 && first?.kind === 'entity' ? first.mapper : undefined
  const held = new Set<InstanceState>(ctx.objects.identity.values())
  const release = (): void => releaseUnchanged(ctx.objects, held)
  if (only !== undefined) {
    // keysetKey reads the statement, not its rows' type.
    const key = keysetKey(statement as unknown as Select, only)
    yield* key !== undefined ? byKeyset(ctx, statement, key, batchSize, release) : byKeys(ctx, statement, only, batchSize, release)
    return
  }
  const loads = LevelOptions.optionsOf(statement.state.options)
  if (loads.length > 0) {
    throw new ArgumentError(`stream() applies loader options only to a select of one entity (select(${loads[0]!.relationship === '*' ? 'Entity' : loads[0]!.relationship.owner.className}).options(…)); this select has ${plan.length} items. Stream the entity alone, or load relationships per batch with session.load().`)
  }
  const deferred = withDeferral(statement as unknown as Select)
  const cursorPlan = rowPlan(deferred.state.columns)
  for await (const raw of ctx.cursor(deferred, batchSize)) {
    yield ctx.hydrate(raw, cursorPlan) as unknown as R[]
    release()
  }
}

/**
 * The primary key, when the select can be read by keyset pages (`WHERE key > last ORDER BY key
 * LIMIT batch`): one entity with a single-column key, in key order (or none asked), without joins
 * that could repeat a row, paging, grouping or locking of its own. No key list is read first.
 */
function keysetKey(statement: Select<readonly unknown[], unknown>, mapper: Mapper): Column<unknown> | undefined {
  const st = statement.state
  if (mapper.pkIndexes.length !== 1 || st.joins.length > 0 || st.froms.length > 1 || st.limit !== undefined || st.offset !== undefined) return undefined
  if (st.distinct || st.distinctOn.length > 0 || st.groupBy.length > 0 || st.having !== undefined || st.lock !== undefined) return undefined
  const pk = mapper.columns[mapper.pkIndexes[0]!]!
  if (st.orderBy.length === 0) return pk
  const [order] = st.orderBy
  return st.orderBy.length === 1 && order!.operand === pk && order!.direction === 'ASC' ? pk : undefined
}

async function* byKeyset<R extends readonly unknown[]>(ctx: StreamContext, statement: Select<R, unknown>, pk: Column<unknown>, batchSize: number, release: () => void): AsyncGenerator<R[]> {
  const ordered = statement.state.orderBy.length === 0 ? statement.orderBy(pk.asc()) : statement
  let last: unknown
  for (;;) {
    const page = (last === undefined ? ordered : ordered.where(pk.gt(last as never))).limit(batchSize)
    const rows = (await ctx.execute(page as unknown as Select)).rows as unknown as R[]
    if (rows.length === 0) return
    last = (rows[rows.length - 1]![0] as Record<string, unknown>)[pk.key_]
    yield rows
    release()
    if (rows.length < batchSize) return
  }
}

async function* byKeys<R extends readonly unknown[]>(ctx: StreamContext, statement: Select<R, unknown>, mapper: Mapper, batchSize: number, release: () => void): AsyncGenerator<R[]> {
  const pk = mapper.pkIndexes.map((i) => mapper.columns[i]!)
  const keyRows = (await ctx.execute(statement.withOnly(...pk) as unknown as Select)).rows as readonly (readonly unknown[])[]
  // Single-column keys kept as values, composite ones as arrays: the only per-row memory held.
  const keys: unknown[] = pk.length === 1 ? keyRows.map((r) => r[0]) : keyRows.map((r) => [...r])
  const { options, execution } = statement.state
  for (let i = 0; i < keys.length; i += batchSize) {
    const chunk = keys.slice(i, i + batchSize)
    const tuples = pk.length === 1 ? chunk.map((k) => [k]) : (chunk as unknown[][])
    const batch = select(mapper.group).where(inClause(pk, tuples, ctx.keyIn)).options(...(options as never[])).executionOptions(execution)
    const rows = (await ctx.execute(batch as unknown as Select)).rows as unknown as readonly (readonly [object])[]
    // Back in the statement's order (IN returns rows in any order; a key listed twice, as a join
    // can list it, yields its object twice, as the statement would). A single-column key of a
    // primitive type is its own map key; others go by identity key.
    const keyOf = pk.length === 1 ? (k: unknown): unknown => (typeof k === 'object' && k !== null ? mapper.identityKey([k]) : k) : (k: unknown): unknown => mapper.identityKey(k as unknown[])
    const pkKeys = mapper.pkIndexes.map((j) => mapper.columnKeys[j]!)
    const byKey = new Map<unknown, object>()
    for (const [obj] of rows) {
      const o = obj as Record<string, unknown>
      byKey.set(keyOf(pk.length === 1 ? o[pkKeys[0]!] : pkKeys.map((k) => o[k])), obj)
    }
    const out: R[] = []
    for (const k of chunk) {
      const obj = byKey.get(keyOf(k))
      // A row deleted since the keys were read (another transaction, READ COMMITTED) is skipped.
      if (obj !== undefined) out.push([obj] as unknown as R)
    }
    yield out
    release()
  }
}

/** Detaches the objects the session took in since `held` was taken, except changed ones. */
function releaseUnchanged(objects: SessionObjects, held: ReadonlySet<InstanceState>): void {
  const gone: InstanceState[] = []
  objects.identity.forEach((s) => {
    if (!held.has(s) && !s.insertedInTx && !isModified(s)) gone.push(s)
  })
  for (const s of gone) objects.detach(s)
}
