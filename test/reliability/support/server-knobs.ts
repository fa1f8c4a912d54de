import type { BackendName } from './backends.js'

/**
 * The instruments a reliability test needs to look into, or steer, one server's session where
 * the SQL for it differs between servers (there is no portable way to ask "is a transaction
 * open on this session?" or "give up on lock waits after a moment"). Only the instruments are
 * per server: what a test expects is decided by `engine.dialect.capabilities`.
 *
 * Every SQL text here runs on connections the test opened itself, and every `id` it takes is
 * the id of such a connection, so nothing here can touch another tenant's session.
 */
export interface ServerKnobs {
  /** SQL that returns this session's server-side id (PostgreSQL backend pid, MySQL thread id); undefined in process. */
  readonly sessionId: string | undefined
  /**
   * SQL that returns 1 when the session has a transaction open, run in autocommit straight on a
   * driver connection (an Athanor Connection would begin a transaction of its own first).
   */
  readonly transactionOpen: string | undefined
  /** SQL an observer runs to count what session `id` still holds open on the server (transactions, locks). */
  readonly openOnServer: ((id: number) => string) | undefined
  /** Statements that make lock waits of the current transaction give up within about a second. */
  readonly shortLockWait: readonly string[]
  /** Driver options for the same, where it is a connection setting. */
  readonly shortLockWaitDriverOptions: Readonly<Record<string, unknown>> | undefined
  /** Driver options under which a transaction reads a snapshot instead of locking at begin (for write skew). */
  readonly snapshotDriverOptions: Readonly<Record<string, unknown>> | undefined
  /** A statement that runs for `seconds` (bounded: a timeout that fails to fire cannot hog a shared server); undefined where there is none. */
  sleep(seconds: number): string | undefined
}

const KNOBS: Readonly<Record<BackendName, ServerKnobs>> = {
  postgres: {
    sessionId: 'SELECT pg_backend_pid()',
    // An xid is assigned by the first write or row lock; "idle in transaction" is checked by openOnServer.
    transactionOpen: 'SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN 0 ELSE 1 END',
    openOnServer: (id) =>
      `SELECT count(*) FROM pg_stat_activity WHERE pid = ${safeId(id)} AND (state LIKE 'idle in transaction%' OR backend_xid IS NOT NULL)`,
    shortLockWait: ["SET LOCAL lock_timeout = '300ms'"],
    shortLockWaitDriverOptions: undefined,
    snapshotDriverOptions: undefined,
    sleep: (seconds) => `SELECT pg_sleep(${seconds})`,
  },
  mysql: {
    sessionId: 'SELECT CONNECTION_ID()',
    transactionOpen: 'SELECT @@in_transaction',
    openOnServer: (id) => `SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ${safeId(id)}`,
    // Session-wide (InnoDB has no per-transaction form); only ever run on the tests' own engines.
    shortLockWait: ['SET SESSION innodb_lock_wait_timeout = 1'],
    shortLockWaitDriverOptions: undefined,
    snapshotDriverOptions: undefined,
    sleep: (seconds) => `SELECT SLEEP(${seconds})`,
  },
  libsql: {
    sessionId: undefined,
    transactionOpen: undefined,
    openOnServer: undefined,
    shortLockWait: [],
    shortLockWaitDriverOptions: { busyTimeoutMs: 300 },
    // BEGIN DEFERRED: the transaction takes a read snapshot and asks for the write lock only when it writes.
    snapshotDriverOptions: { transactionMode: 'deferred' },
    sleep: () => undefined,
  },
}

/** The knobs of one backend. */
export function serverKnobs(backend: BackendName): ServerKnobs {
  return KNOBS[backend]
}

function safeId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a session id: ${String(id)}`)
  return id
}
