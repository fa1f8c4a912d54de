import type { Connection } from '../engine/connection.js'
import type { IsolationLevel } from '../dialect/contract.js'
import type { NPlusOneOptions } from './n-plus-one.js'
import type { OrmHooks } from './orm-events.js'

export interface SessionOptions {
  /** Flush pending changes before each query so it sees them. Default true. */
  readonly autoflush?: boolean
  /** Mark every object expired at commit, so the next load refreshes it. Default true. */
  readonly expireOnCommit?: boolean
  /**
   * The N+1 detector: warns (or raises) when a relationship is loaded one parent at a time
   * many times in one transaction. Default: warn, except when `NODE_ENV` is `production`.
   */
  readonly nPlusOne?: NPlusOneOptions
  /**
   * Joins a transaction the caller owns on this connection instead of checking one out: the
   * session works inside a savepoint, `commit()` releases it (the caller commits the connection),
   * `rollback()` rolls back to it, and the connection is never closed by the session. For data
   * steps in migrations and for tests that roll everything back at the end.
   * ```ts
   * await using conn = await engine.connect()
   * await using session = new AsyncSession(engine, { bind: conn })
   * ```
   */
  readonly bind?: Connection
  /**
   * How every transaction of this session begins; `session.begin(options)` overrides it for one
   * transaction. `{ isolationLevel: 'SERIALIZABLE', readOnly: true, deferrable: true }` is a report
   * on PostgreSQL that never fails with a serialization error.
   */
  readonly transaction?: TransactionOptions
  /** @internal the session factory's plugin hooks (set by sessionmaker). */
  readonly hooks?: OrmHooks
}

/** Options of one transaction: its isolation level, read-only, and (PostgreSQL) DEFERRABLE. */
export interface TransactionOptions {
  readonly isolationLevel?: IsolationLevel | undefined
  readonly readOnly?: boolean | undefined
  /** PostgreSQL only (`capabilities.deferrable`); elsewhere beginning fails with ArgumentError. */
  readonly deferrable?: boolean | undefined
  /**
   * A server-side limit for each statement of the transaction, in place of the engine's
   * statementTimeoutMs (a statement past it fails with StatementTimeoutError). PostgreSQL and
   * MariaDB bound every statement, MySQL only SELECTs; SQLite has none (ArgumentError).
   */
  readonly statementTimeoutMs?: number | undefined
}
