import type { ClientStatement, ClientTransaction, ClientTransactionMode, LibsqlClient, StatementResult } from './client-api.js'
import { CommitOutcomeUnknownError, InvalidRequestError, LockTimeoutError } from '@athanor/core'
import type { BeginOptions, DriverConnection, DriverResult, ExecuteOptions } from '@athanor/core'
import { retryWhileBusy } from './busy-retry.js'
import { isBusy, isDisconnect, noteBusy } from './errors.js'
import { toDriverResult, toRowArrays } from './rows.js'
import type { LibsqlTargetKind } from './url.js'
import type { WriteLock, WriteLockHolder } from './write-lock.js'

/** How a connection behaves; built by `LibsqlDriver.connect` from the URL and driver options. */
export interface LibsqlConnectionSettings {
  readonly kind: LibsqlTargetKind
  /** How long a statement, BEGIN or COMMIT keeps retrying SQLITE_BUSY (asynchronously). */
  readonly busyTimeoutMs: number
  /**
   * When read-write transactions take the write lock: 'deferred' at their first write (a
   * transaction that only reads never takes it), 'write' at their first statement.
   */
  readonly transactionMode: 'write' | 'deferred'
  /** The process-wide write lock of a file database (none for `:memory:` and servers). */
  readonly writeLock?: WriteLock | undefined
  /** The database's name in messages (the file path). */
  readonly database?: string | undefined
  /** Opens a new client for the same database (used at first and to replace a poisoned one). */
  readonly openClient: () => LibsqlClient
  /** Statements run on every new client: PRAGMAs that belong to the native connection. */
  readonly initStatements: readonly string[]
}

/**
 * Transaction control written as SQL. Through `client.execute()` it would not do what it says:
 * the client's internal pool rolls back whatever the statement left open when it takes the
 * connection back (reliability.md F21), and inside `client.transaction()` a raw COMMIT or
 * ROLLBACK would end the transaction behind this object's back.
 */
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK(?!\s+(?:TRANSACTION\s+)?TO\b)|SAVEPOINT)\b/i

/**
 * One Athanor connection to a libSQL database: it owns its own `@libsql/client` Client. A file
 * database gets a pool of these (capability `concurrentConnections`); `:memory:` and servers
 * keep one per engine, so statements issued while a transaction is open wait in the pool's queue
 * instead of failing with the client's `TRANSACTION_ACTIVE`.
 *
 * - Transactions go through `client.transaction()` (a raw BEGIN does not hold); while one is
 *   open, `execute()` runs inside it, and savepoints are plain SQL run there.
 * - Locally, begin() sends nothing: the first statement decides how the transaction begins. A
 *   read begins it DEFERRED (a WAL snapshot, no lock: any number of readers run beside the one
 *   writer); a write first takes this process's write lock for the file (write-lock.ts, an
 *   asynchronous queue) and then BEGIN IMMEDIATE. A transaction that read first takes the lock
 *   at its first write; if another transaction committed after its snapshot, SQLite refuses the
 *   write (SQLITE_BUSY_SNAPSHOT) and it fails with SerializationError, which `session.run()`
 *   retries. `transactionMode: 'write'` takes the lock at the first statement instead.
 * - SQLITE_BUSY from another process is retried asynchronously up to `busyTimeoutMs`, for
 *   statements outside a transaction, BEGIN IMMEDIATE and COMMIT.
 * - After SQLITE_BUSY on anything but COMMIT, the native connection is replaced. libsql 0.5.29
 *   never resets a statement whose step failed, and SQLite keeps a BUSY statement in progress so
 *   it can be stepped again; until the garbage collector finalizes it, the connection's later
 *   autocommit writes are silently left uncommitted (and then lost, with the write lock held) and
 *   every COMMIT fails with "cannot commit transaction - SQL statements in progress"
 *   (tursodatabase/libsql-client-ts#352, libsql-js#237/#238, verified in this package's tests).
 *   A fresh client, opened before the poisoned one wrote anything, is unaffected.
 * - libsql has no cursor: `stream()` runs the statement and hands its rows out in batches.
 *
 * ```ts
 * const conn = await new LibsqlDriver().connect({ url: 'sqlite://:memory:', connectTimeoutMs: 5000 })
 * await conn.begin({})
 * await conn.execute('INSERT INTO t (x) VALUES (?)', [1])
 * await conn.commit()
 * ```
 */
export class LibsqlConnection implements DriverConnection {
  #client: LibsqlClient
  readonly #settings: LibsqlConnectionSettings
  #tx: ClientTransaction | undefined = undefined
  /** begin() was called and no statement has run yet: the first one decides how to begin. */
  #pending: BeginOptions | undefined = undefined
  /** This connection holds its database's write lock (from its first write until the transaction ends). */
  #writer: WriteLockHolder | undefined = undefined
  /** A read-only transaction set PRAGMA query_only, which outlives it on the native connection. */
  #queryOnly = false
  /** A statement of the open transaction failed with SQLITE_BUSY: it can no longer commit. */
  #poisoned = false
  #closed = false

  private constructor(settings: LibsqlConnectionSettings) {
    this.#settings = settings
    this.#client = settings.openClient()
  }

  /**
   * Opens a client and runs the init statements on it.
   * ```ts
   * const conn = await LibsqlConnection.open({ kind: 'memory', busyTimeoutMs: 5000, transactionMode: 'write',
   *   openClient: () => createClient({ url: ':memory:', intMode: 'bigint' }), initStatements: ['PRAGMA foreign_keys = ON'] })
   * ```
   */
  static async open(settings: LibsqlConnectionSettings): Promise<LibsqlConnection> {
    const connection = new LibsqlConnection(settings)
    try {
      for (const sql of settings.initStatements) await connection.#client.execute({ sql, args: [] })
    } catch (e) {
      connection.destroy()
      throw e
    }
    return connection
  }

  /** True after close()/destroy(), or when the client was closed underneath. */
  get closed(): boolean {
    return this.#closed || this.#client.closed
  }

  /** Whether a transaction opened by begin() is still open. */
  get inTransaction(): boolean {
    return this.#tx !== undefined || this.#pending !== undefined
  }

  /** `Date.now()` when this connection took its database's write lock, while it holds it. */
  get writeLockSince(): number | undefined {
    return this.#writer?.since
  }

  /** What this connection points at: 'memory', 'file' or 'remote'. */
  get kind(): LibsqlTargetKind {
    return this.#settings.kind
  }

  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<DriverResult> {
    // Promise chains rather than async functions: this runs for every statement, and each async
    // layer costs a few microtask turns (about 1 µs per statement in the 10k-insert benchmark).
    return yieldWhenStarved(this.#run(sql, params, options?.signal, options).then((rs) => toDriverResult(sql, rs)))
  }

  /**
   * Streams rows in batches of `batchSize`. libsql has no server-side cursor (locally every row
   * is read in one native call; remotely the server sends the whole result), so the statement
   * runs to completion first and only the conversion to arrays is done batch by batch.
   */
  async *stream(
    sql: string,
    params: readonly unknown[],
    options: { batchSize: number; signal?: AbortSignal },
  ): AsyncIterable<readonly (readonly unknown[])[]> {
    const rs = await this.#run(sql, params, options.signal)
    const size = Math.max(1, Math.floor(options.batchSize))
    const rows = rs.rows
    for (let i = 0; i < rows.length; i += size) {
      options.signal?.throwIfAborted()
      yield toRowArrays(rows, i, Math.min(i + size, rows.length))
    }
  }

  /**
   * Opens a transaction. SQLite transactions are always SERIALIZABLE, so every isolation level
   * is honoured by running at that (strongest) level. Locally nothing is sent yet: the first
   * statement begins the transaction, DEFERRED for a read and IMMEDIATE (after this process's
   * write lock) for a write; see the class comment.
   * - `readOnly`: locally BEGIN DEFERRED plus PRAGMA query_only (libsql's own 'read' mode is not
   *   enforced by the local engine); remotely the client's 'read' mode.
   */
  async begin(options: BeginOptions = {}): Promise<void> {
    if (this.#tx !== undefined || this.#pending !== undefined) {
      throw new InvalidRequestError(
        'begin() was called while a transaction is already open on this libSQL connection. ' +
          'Commit or roll it back first, or use a savepoint for a nested transaction.',
        'transaction-open',
      )
    }
    if (this.#settings.kind !== 'remote') {
      this.#pending = options
      return
    }
    const mode: ClientTransactionMode = options.readOnly === true ? 'read' : this.#settings.transactionMode
    this.#tx = await this.#client.transaction(mode)
  }

  /** Sends the BEGIN that begin() put off, now that the first statement shows whether it writes. */
  async #beginLocally(options: BeginOptions, writes: boolean): Promise<ClientTransaction> {
    this.#pending = undefined
    if (options.readOnly === true) {
      const tx = await this.#client.transaction('deferred')
      this.#tx = tx
      this.#queryOnly = true
      try {
        await tx.execute({ sql: 'PRAGMA query_only = ON', args: [] })
      } catch (e) {
        await this.rollback().catch(() => undefined)
        throw e
      }
      return tx
    }
    if (!writes && options.writes !== true && this.#settings.transactionMode === 'deferred') {
      const tx = await this.#client.transaction('deferred')
      this.#tx = tx
      return tx
    }
    await this.#takeWriteLock()
    try {
      // Waiting for the lock here is safe: a BEGIN IMMEDIATE that fails with BUSY began nothing.
      const tx = await this.#retryOutsideTransaction(() => this.#client.transaction('write'), undefined)
      this.#tx = tx
      return tx
    } catch (e) {
      this.#releaseWriteLock()
      throw e
    }
  }

  /** Queues for this process's write lock of the file (no-op without one, or when held). */
  async #takeWriteLock(signal?: AbortSignal): Promise<void> {
    const lock = this.#settings.writeLock
    if (lock === undefined || this.#writer !== undefined) return
    const holder = await lock.acquire(this.#settings.busyTimeoutMs, this.#settings.database ?? 'the database', signal)
    if (this.#closed) {
      // Destroyed while queued (a watchdog, a pool shutdown): a lock kept now would never be released.
      lock.release(holder)
      throw new InvalidRequestError('This libSQL connection was closed while it waited for the write lock.', 'connection-closed')
    }
    this.#writer = holder
  }

  #releaseWriteLock(): void {
    const holder = this.#writer
    if (holder === undefined) return
    this.#writer = undefined
    this.#settings.writeLock?.release(holder)
  }

  /**
   * Commits. Locally COMMIT runs as a statement inside the transaction rather than through
   * `tx.commit()`: the latter hands the connection back to the client's pool even when COMMIT
   * failed with SQLITE_BUSY, and the pool then rolls the transaction back, silently losing it
   * (toolchain.md, libsql gotcha 3). As a statement, a busy COMMIT leaves the transaction open
   * and is retried. Any COMMIT that still fails rolls the transaction back before the error is
   * thrown, so the connection is clean.
   */
  async commit(): Promise<void> {
    if (this.#pending !== undefined) {
      this.#pending = undefined // no statement ran: there is nothing to commit
      return
    }
    const tx = this.#tx
    if (tx === undefined) {
      throw new InvalidRequestError('commit() was called with no open transaction on this libSQL connection; call begin() first.', 'no-transaction')
    }
    if (this.#settings.kind === 'remote') {
      this.#tx = undefined
      try {
        await tx.commit()
      } catch (e) {
        // The server may have committed before the connection broke.
        if (isDisconnect(e)) throw new CommitOutcomeUnknownError(e)
        throw e
      }
      return
    }
    if (this.#poisoned) {
      await this.rollback().catch(() => undefined)
      throw new LockTimeoutError(
        'The transaction cannot commit: one of its statements failed with SQLITE_BUSY (database is locked), after which ' +
          'libsql refuses COMMIT on that connection. It was rolled back; run the whole transaction again.',
        undefined, {}, 'SQLITE_BUSY',
      )
    }
    try {
      // A BUSY COMMIT is the one BUSY that leaves the connection healthy, so it is retried in place.
      await retryWhileBusy(() => tx.execute({ sql: 'COMMIT', args: [] }), { timeoutMs: this.#settings.busyTimeoutMs })
    } catch (e) {
      await this.rollback().catch(() => undefined) // the COMMIT error is the one worth reporting
      throw e
    }
    this.#tx = undefined
    this.#releaseWriteLock()
    tx.close() // the transaction has ended; this only returns the native connection to the client's pool
    await this.#resetQueryOnly()
  }

  /**
   * Rolls back. With no open transaction this is a no-op that touches nothing (the pool calls it
   * on every check-in); a transaction the database already ended is just released.
   */
  async rollback(): Promise<void> {
    this.#pending = undefined
    const tx = this.#tx
    if (tx === undefined) return
    this.#tx = undefined
    try {
      if (tx.closed) tx.close()
      else await tx.rollback()
    } finally {
      this.#releaseWriteLock()
      if (this.#poisoned) await this.#replaceClient()
      else await this.#resetQueryOnly()
    }
  }

  async ping(): Promise<void> {
    await this.#run('SELECT 1', [], undefined)
  }

  async close(): Promise<void> {
    this.destroy()
  }

  /** Rolls back an open transaction and closes the client; safe to call more than once. */
  destroy(): void {
    if (this.#closed) return
    this.#closed = true
    const tx = this.#tx
    this.#tx = undefined
    this.#pending = undefined
    if (tx !== undefined) closeQuietly(tx)
    this.#client.close()
    // After the client: closing it ended the transaction, so the next writer cannot find the file locked.
    this.#releaseWriteLock()
  }

  #run(sql: string, params: readonly unknown[], signal: AbortSignal | undefined, hints?: ExecuteOptions): Promise<StatementResult> {
    try {
      this.#checkTransactionControl(sql)
      signal?.throwIfAborted()
    } catch (e) {
      return Promise.reject(e)
    }
    // The params were validated and converted by core and values.ts; the client takes InValue.
    const stmt: ClientStatement = { sql, args: params, single: hints?.atMostOneRow === true, names: hints?.columnNames !== false }
    const tx = this.#tx
    if (tx !== undefined) {
      // The first write of a transaction that began by reading queues for the write lock first.
      if (this.#writer === undefined && this.#settings.writeLock !== undefined && isWrite(sql)) {
        return this.#takeWriteLock(signal).then(() => this.#runIn(tx, stmt))
      }
      return this.#runIn(tx, stmt)
    }
    const pending = this.#pending
    if (pending !== undefined) return this.#beginLocally(pending, isWrite(sql)).then((begun) => this.#runIn(begun, stmt))
    if (this.#settings.writeLock !== undefined && isWrite(sql)) return this.#autocommitWrite(stmt, signal)
    return this.#retryOutsideTransaction(() => this.#client.execute(stmt), signal)
  }

  #runIn(tx: ClientTransaction, stmt: ClientStatement): Promise<StatementResult> {
    return tx.execute(stmt).catch((e: unknown) => {
      // Not retried: the retry would succeed, but the failed statement stays in progress and the
      // transaction could then never commit. The error (LockTimeoutError, or SerializationError
      // for BUSY_SNAPSHOT) tells the caller to roll back and run the transaction again.
      if (isBusy(e) && this.#settings.kind === 'file') {
        this.#poisoned = true
        noteBusy(e, { inTransaction: true })
      }
      throw e
    })
  }

  /** A write outside a transaction (autocommit) holds the write lock for its one statement. */
  async #autocommitWrite(stmt: ClientStatement, signal: AbortSignal | undefined): Promise<StatementResult> {
    await this.#takeWriteLock(signal)
    try {
      return await this.#retryOutsideTransaction(() => this.#client.execute(stmt), signal)
    } finally {
      this.#releaseWriteLock()
    }
  }

  /** Runs a statement or BEGIN outside a transaction, retrying SQLITE_BUSY on a fresh client. */
  #retryOutsideTransaction<T>(attempt: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    // Only a local file can be busy because of another connection. A remote server answers
    // SQLITE_BUSY after its own wait, and `:memory:` has a single connection (and replacing its
    // client would replace the database).
    if (this.#settings.kind !== 'file') return attempt()
    return retryWhileBusy(attempt, {
      timeoutMs: this.#settings.busyTimeoutMs,
      signal,
      afterBusy: () => this.#replaceClient(),
    })
  }

  /**
   * Swaps in a fresh client after SQLITE_BUSY left the current native connection unusable (see
   * the class comment). Only called with no transaction open.
   */
  async #replaceClient(): Promise<void> {
    if (this.#closed) return
    this.#poisoned = false
    this.#queryOnly = false // the PRAGMA went with the old native connection
    const old = this.#client
    this.#client = this.#settings.openClient()
    old.close()
    for (const sql of this.#settings.initStatements) await this.#client.execute({ sql, args: [] })
  }

  #checkTransactionControl(sql: string): void {
    const m = TRANSACTION_CONTROL.exec(sql)
    if (m === null) return
    const word = m[1]!.toUpperCase()
    if (word === 'SAVEPOINT') {
      if (this.#tx !== undefined || this.#pending !== undefined) return
      throw new InvalidRequestError(
        'SAVEPOINT was run outside a transaction. On libSQL it would open a transaction that the client rolls back ' +
          'as soon as the statement ends; call begin() first and use savepoints inside it.',
        'transaction-control-sql',
      )
    }
    throw new InvalidRequestError(
      `${word} was run as SQL. On libSQL, transactions must go through the connection's begin(), commit() and rollback() ` +
        '(session.begin() / connection.begin() in Athanor): the client rolls back a raw BEGIN as soon as the statement ends, ' +
        'and a raw COMMIT or ROLLBACK would end a transaction behind the connection\'s back.',
      'transaction-control-sql',
    )
  }

  async #resetQueryOnly(): Promise<void> {
    if (!this.#queryOnly) return
    this.#queryOnly = false
    // PRAGMA query_only belongs to the native connection, which outlives the transaction.
    if (!this.#client.closed) await this.#client.execute({ sql: 'PRAGMA query_only = OFF', args: [] })
  }
}

/*
 * A local statement runs synchronously in native code and its promise settles as a microtask, so
 * a busy workload (many sessions queued on the one connection) never lets the event loop turn:
 * no timer fires (checkout timeouts, watchdogs, anything the application scheduled) and no I/O
 * is served. A setImmediate probe notices when the loop has not turned for STARVED_MS, and the
 * next result then waits for it once.
 */
const STARVED_MS = 10
let lastTurn = performance.now()
let probing = false

function noteTurn(): void {
  probing = false
  lastTurn = performance.now()
}

function yieldWhenStarved<T>(result: Promise<T>): Promise<T> {
  if (!probing) {
    probing = true
    setImmediate(noteTurn)
    return result
  }
  if (performance.now() - lastTurn < STARVED_MS) return result
  lastTurn = performance.now()
  return result.then((value) => new Promise<T>((resolve) => setImmediate(resolve, value)))
}

/**
 * Statements that cannot write: they begin a transaction DEFERRED and need no write lock.
 * Anything else (DML, DDL, a PRAGMA that assigns, text SQL not recognised) counts as a write:
 * taking the lock when it was not needed only makes a reader wait, never fail.
 */
const READ_ONLY = /^\s*(?:SELECT|VALUES|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK\s+(?:TRANSACTION\s+)?TO)\b|^\s*PRAGMA\s+[\w.]+\s*(?:\([^)]*\))?\s*;?\s*$/i
/**
 * PRAGMAs that set a property of the connection, not of the database file: they need no write
 * lock (a new connection sets them while another holds it). `journal_mode` changes the file, but
 * SQLite locks for that itself, and it is only ever run outside a transaction, where BUSY is waited out.
 */
const CONNECTION_PRAGMA = /^\s*PRAGMA\s+(?:\w+\.)?(?:foreign_keys|defer_foreign_keys|query_only|journal_mode|busy_timeout|synchronous|cache_size|cache_spill|temp_store|mmap_size|recursive_triggers|case_sensitive_like|legacy_alter_table|ignore_check_constraints|automatic_index|trusted_schema|wal_autocheckpoint|reverse_unordered_selects)\b/i
const CTE_DML = /\b(?:INSERT|UPDATE|DELETE|REPLACE)\b/i

/** Whether a statement may write (see READ_ONLY). */
export function isWrite(sql: string): boolean {
  if (READ_ONLY.test(sql) || CONNECTION_PRAGMA.test(sql)) return false
  // WITH … SELECT reads; WITH … INSERT/UPDATE/DELETE writes.
  return !/^\s*WITH\b/i.test(sql) || CTE_DML.test(sql)
}

function closeQuietly(tx: ClientTransaction): void {
  try {
    tx.close()
  } catch {
    // the connection is being discarded or already gone; nothing useful to do
  }
}
