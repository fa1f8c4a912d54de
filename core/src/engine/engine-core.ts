import type { CompiledStatement, Dialect } from '../dialect/contract.js'
import type { AthanorError } from '../util/errors.js'
import type { EventBus } from '../util/events.js'
import type { Connection } from './connection.js'
import type { Engine } from './engine.js'
import type { Transforms } from './extensions.js'
import type { PoolStatus } from '../pool/diagnostics.js'

/** Events an engine emits; plugins and the ORM's statement counter listen to them. */
export interface EngineEvents {
  beforeExecute(e: { sql: string; params: readonly unknown[]; statement: unknown; connection: Connection }): void
  afterExecute(e: {
    sql: string; params: readonly unknown[]; statement: unknown; connection: Connection
    ms: number; rowCount: number; rowsAffected: number; cached: boolean
  }): void
  executeError(e: { sql: string; params: readonly unknown[]; error: AthanorError; connection: Connection }): void
  begin(e: { connection: Connection }): void
  commit(e: { connection: Connection }): void
  rollback(e: { connection: Connection }): void
  /** The pool opened a new database connection (before any checkout of it). */
  connect(e: { dialect: Dialect }): void
  checkout(e: { connection: Connection }): void
  checkin(e: { connection: Connection }): void
  invalidate(e: { connection: Connection; reason: unknown }): void
  /**
   * An engine a router chose for a read could not be connected to (the error says why); the read
   * ran on this engine instead. Routers use it to stop choosing that engine for a while.
   */
  routeFailed(e: { target: Engine; error: AthanorError }): void
}

/** What a Connection needs of its engine. */
export interface EngineCore {
  readonly dialect: Dialect
  readonly events: EventBus<EngineEvents>
  /** Statement and result transforms registered on the engine (by plugins). */
  readonly extensions: Transforms
  readonly watchdogMs: number | undefined
  readonly logParameters: boolean
  /** The pool's counters, and which connection holds the database's write lock (SQLite). */
  readonly poolStatus: PoolStatus
  echo(compiled: CompiledStatement): void
  /** Reports (or refuses) a statement the compiler found probably wrong. */
  lint(compiled: CompiledStatement): void
}
