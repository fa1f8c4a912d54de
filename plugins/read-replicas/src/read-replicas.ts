import { ArgumentError, CompoundSelect, Engine, Select } from '@athanor/core'
import type { Executable, Keyed, Plugin, Result } from '@athanor/core'
import { isUsePrimary } from './options.js'

export interface ReadReplicasOptions {
  /** How a replica is chosen for each routed statement. Default: round robin. */
  readonly choose?: (replicas: readonly Engine[]) => Engine
}

/**
 * A read that may run on a replica: a SELECT (or UNION of them) without a row lock and without
 * `usePrimary()`. Everything else — writes, locks, text() — stays on the primary.
 */
export function isReplicaRead(statement: Keyed): boolean {
  if (statement instanceof CompoundSelect) return statement.selects.every(isReplicaRead)
  if (!(statement instanceof Select)) return false
  return statement.state.lock === undefined && !statement.state.options.some(isUsePrimary)
}

function roundRobin(): (replicas: readonly Engine[]) => Engine {
  let next = 0
  return (replicas) => replicas[next++ % replicas.length]!
}

/**
 * The read-replicas plugin, registered on the primary engine. Reads outside a transaction go to
 * a replica engine; writes, row locks, explicit transactions and `usePrimary()` go to the primary.
 *
 * Sessions bound to the primary: they autobegin, and until their first flush, write or
 * `begin()`, their reads run on one replica connection (a read-only transaction). The first write
 * or flush ends that and moves the session to the primary for the rest of the transaction, so it
 * reads its own writes. After commit or rollback the next read goes to a replica again.
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
  const choose = options.choose ?? roundRobin()
  return {
    name: 'read-replicas',
    install(host) {
      const primary = host.engine
      if (host.scope !== 'engine' || !primary) throw new ArgumentError("The 'read-replicas' plugin routes an engine's statements; register it on the primary engine: usePlugin(primary, readReplicas([...])).")
      if (replicas.includes(primary)) throw new ArgumentError('readReplicas(): the primary engine cannot also be one of its replicas.')
      host.route((stmt) => (isReplicaRead(stmt) ? choose(replicas) : undefined))
      // Statements routed to a replica still get the primary's rewrites (soft-delete filters…).
      for (const replica of replicas) {
        host.onRemove(replica.extensions.statements.add('read-replicas (primary transforms)', (s, ctx) => primary.extensions.statement(s, ctx), { first: true }))
        host.onRemove(replica.extensions.results.add('read-replicas (primary transforms)', (r, ctx) => primary.extensions.result(r, ctx), { first: true }))
      }
    },
  }
}

/**
 * Runs one statement outside a transaction on the engine `primary` routes it to (a replica for
 * reads), committing writes; `{ primary: true }` overrides the routing.
 * ```ts
 * const rows = (await executeRouted(primary, select(User.c.name))).scalars().all()
 * ```
 */
export async function executeRouted<R extends readonly unknown[], M>(primary: Engine, statement: Executable<R, M>, options: { primary?: boolean } = {}): Promise<Result<R, M>> {
  const target = options.primary ? primary : primary.route(statement)
  await using conn = await target.connect()
  const result = await conn.execute(statement)
  await conn.commit()
  return result
}
