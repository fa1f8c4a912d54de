import { ArgumentError, Engine, connectRouted, redactUrl } from '@athanor/core'
import type { Executable, Plugin, Result } from '@athanor/core'
import { ReplicaSet, type Balance } from './replica-health.js'
import { WriteTracker } from './read-your-writes.js'
import { addRoutingHint } from './routing-hint.js'
import { WRITING_FUNCTIONS, isReplicaRead } from './write-detection.js'

export interface ReadReplicasOptions {
  /** How replicas take turns: `'round-robin'` (default), `'random'`, or your own choice among the replicas up now. */
  readonly balance?: Balance | ((replicas: readonly Engine[]) => Engine)
  /**
   * A replica that could not be connected to takes no reads for this long (ms); then the next read
   * tries it again. Meanwhile reads go to the other replicas, or the primary. Default 5000.
   */
  readonly retryAfterMs?: number
  /**
   * Read-your-writes after a commit: `'session'` (default) sends a session's reads to the primary
   * once it has committed a write (and, inside {@link readYourWritesScope}, every session's reads
   * once any in the scope has); `'scope'` does the second only; `'off'` neither.
   */
  readonly readYourWrites?: 'session' | 'scope' | 'off'
  /** Functions that make a SELECT a write (default {@link WRITING_FUNCTIONS}); add your own that write. */
  readonly writingFunctions?: readonly string[]
  /** The clock (ms), for tests. */
  readonly now?: () => number
}

/**
 * The read-replicas plugin, registered on the primary engine. Reads outside a transaction go to
 * a replica engine; writes, row locks, functions that write (`nextval`…), explicit transactions
 * and `usePrimary()` go to the primary.
 *
 * Sessions bound to the primary: they autobegin, and until their first flush, write or
 * `begin()`, their reads run on one replica connection (a read-only transaction). The first write
 * or flush moves the session to the primary for the rest of the transaction, so it reads its own
 * writes; after it commits, its reads stay on the primary (read-your-writes, `readYourWrites`).
 * A replica that cannot be connected to is skipped for `retryAfterMs` and the read runs on
 * another replica or the primary; an error raised on a replica says so.
 * The primary's statement and result transforms (soft-delete and the like) also run on the
 * replicas' connections; engine events fire on the engine that ran the statement.
 * ```ts
 * usePlugin(primary, readReplicas([replicaA, replicaB]))
 * const users = await new AsyncSession(primary).scalars(select(User))   // runs on a replica
 * ```
 */
export function readReplicas(replicas: readonly Engine[], options: ReadReplicasOptions = {}): Plugin {
  if (replicas.length === 0 || !replicas.every((r) => r instanceof Engine)) {
    throw new ArgumentError('readReplicas() takes a non-empty array of replica engines: readReplicas([createAsyncEngine(replicaUrl)]).')
  }
  const retryAfterMs = options.retryAfterMs ?? 5000
  if (!(Number.isFinite(retryAfterMs) && retryAfterMs >= 0)) throw new ArgumentError(`readReplicas(): retryAfterMs must be a number of milliseconds ≥ 0, not ${String(retryAfterMs)}.`)
  const mode = options.readYourWrites ?? 'session'
  if (!['session', 'scope', 'off'].includes(mode)) throw new ArgumentError(`readReplicas(): readYourWrites must be 'session', 'scope' or 'off', not ${String(mode)}.`)
  const balance = options.balance ?? 'round-robin'
  if (typeof balance !== 'function' && balance !== 'round-robin' && balance !== 'random') {
    throw new ArgumentError(`readReplicas(): balance must be 'round-robin', 'random' or a function choosing among the replicas, not ${String(balance)}.`)
  }
  const set = new ReplicaSet(replicas, balance, retryAfterMs, options.now ?? Date.now)
  const writes = new WriteTracker(mode === 'session')
  const writing = options.writingFunctions ?? WRITING_FUNCTIONS
  return {
    name: 'read-replicas',
    install(host) {
      const primary = host.engine
      if (host.scope !== 'engine' || !primary) throw new ArgumentError("The 'read-replicas' plugin routes an engine's statements; register it on the primary engine: usePlugin(primary, readReplicas([...])).")
      if (replicas.includes(primary)) throw new ArgumentError('readReplicas(): the primary engine cannot also be one of its replicas.')
      host.route((stmt, _primary, { session }) => {
        if (!isReplicaRead(stmt, writing)) return undefined
        if (mode !== 'off' && writes.mustReadPrimary(session)) return undefined
        return set.choose()
      })
      host.onEngine('routeFailed', ({ target }) => set.markDown(target))
      if (mode !== 'off') host.onSession('afterCommit', ({ session, wrote }) => (wrote ? writes.committed(session) : undefined))
      replicas.forEach((replica, i) => {
        // Statements routed to a replica still get the primary's rewrites (soft-delete filters…).
        host.onRemove(replica.extensions.statements.add('read-replicas (primary transforms)', (s, ctx) => primary.extensions.statement(s, ctx), { first: true }))
        host.onRemove(replica.extensions.results.add('read-replicas (primary transforms)', (r, ctx) => primary.extensions.result(r, ctx), { first: true }))
        const name = `read replica ${i + 1} of ${replicas.length} (${redactUrl(replica.url)})`
        host.onRemove(replica.events.on('executeError', ({ error }) => addRoutingHint(error, name)))
      })
      stateOf.set(primary, { set, writes, writing })
      host.onRemove(() => stateOf.delete(primary))
    },
  }
}

const stateOf = new WeakMap<Engine, { readonly set: ReplicaSet; readonly writes: WriteTracker; readonly writing: readonly string[] }>()

/**
 * The replicas of `primary` that take no reads now (they could not be connected to lately).
 * ```ts
 * replicasDown(primary).map((e) => e.url)
 * ```
 */
export function replicasDown(primary: Engine): readonly Engine[] {
  return stateOf.get(primary)?.set.down ?? []
}

/**
 * Runs one statement outside a transaction on the engine `primary` routes it to (a replica for
 * reads; the primary when that replica cannot be reached), committing writes;
 * `{ primary: true }` overrides the routing.
 * ```ts
 * const rows = (await executeRouted(primary, select(User.c.name))).scalars().all()
 * ```
 */
export async function executeRouted<R extends readonly unknown[], M>(primary: Engine, statement: Executable<R, M>, options: { primary?: boolean } = {}): Promise<Result<R, M>> {
  const target = options.primary ? primary : primary.route(statement)
  const { connection, routed } = await connectRouted(primary, target, {})
  await using conn = connection
  const result = await conn.execute(statement)
  await conn.commit()
  const state = stateOf.get(primary)
  if (state !== undefined && !routed && !isReplicaRead(statement, state.writing)) state.writes.committed(undefined)
  return result
}
