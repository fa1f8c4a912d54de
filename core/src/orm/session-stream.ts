import { ArgumentError } from '../util/errors.js'
import type { Result } from '../engine/result.js'
import { select } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import type { Expression } from '../sql/elements.js'
import type { Mapper } from './mapper.js'
import type { InstanceState } from './instance-state.js'
import type { SessionObjects } from './session-objects.js'
import { inClause, rowPlan } from './loading.js'
import type { RowPlan } from './loading.js'
import { LevelOptions } from './loader-options.js'
import { isModified } from './unit-of-work.js'

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
}

export interface StreamOptions {
  /** Rows per batch (default 1,000): what the session holds at a time, and one round of loading. */
  readonly batchSize?: number
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

  async *[Symbol.asyncIterator](): AsyncGenerator<R> {
    for await (const batch of this.partitions()) yield* batch
  }

  /** The first column of each row: the objects of `select(User)`. */
  async *scalars(): AsyncGenerator<R[0]> {
    for await (const batch of this.partitions()) for (const row of batch) yield row[0] as Awaited<R[0]>
  }
}

/**
 * The batches of a streamed select. A select of one entity is read in two steps, so that loader
 * options can run their queries between batches on every database (a server cursor holds the
 * connection): first the primary keys of every row, in the statement's order (the only thing kept
 * for the whole stream), then per batch `select(Entity).where(pk IN batch)` with the statement's
 * loader options. Other selects go through the driver's cursor, without loader options.
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
    yield* byKeys(ctx, statement, only, batchSize, release)
    return
  }
  const loads = LevelOptions.optionsOf(statement.state.options)
  if (loads.length > 0) {
    throw new ArgumentError(`stream() applies loader options only to a select of one entity (select(${loads[0]!.relationship === '*' ? 'Entity' : loads[0]!.relationship.owner.className}).options(…)); this select has ${plan.length} items. Stream the entity alone, or load relationships per batch with session.load().`)
  }
  for await (const raw of ctx.cursor(statement as unknown as Select, batchSize)) {
    yield ctx.hydrate(raw, plan) as unknown as R[]
    release()
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
    const batch = select(mapper.group).where(inClause(pk, tuples) as Expression<boolean>).options(...(options as never[])).executionOptions(execution)
    const rows = (await ctx.execute(batch as unknown as Select)).rows as unknown as readonly (readonly [object])[]
    // Back in the statement's order (IN returns rows in any order; a key listed twice, as a join
    // can list it, yields its object twice, as the statement would).
    const byKey = new Map<string, object>()
    for (const [obj] of rows) byKey.set(mapper.identityKey(mapper.pkIndexes.map((j) => (obj as Record<string, unknown>)[mapper.columnKeys[j]!]))!, obj)
    const out: R[] = []
    for (const t of tuples) {
      const obj = byKey.get(mapper.identityKey(t)!)
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
