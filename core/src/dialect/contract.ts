import type { SqlType } from '../types/index.js'
import type { AthanorError, StatementContext } from '../util/errors.js'
import type { SchemaDialect } from './schema-contract.js'

/**
 * The dialect contract (DESIGN.md principle 2). A dialect package supplies both halves:
 * the compile side (a `SqlCompiler` subclass and capability flags) and the driver side
 * (`Driver` → `DriverConnection`). Core never names a database.
 */

/** What a database can do; tests and the ORM branch on these, never on names. */
export interface Capabilities {
  /** RETURNING per statement kind. */
  readonly returning: { readonly insert: boolean; readonly update: boolean; readonly delete: boolean }
  /** `INSERT … VALUES (…), (…)` */
  readonly multiRowInsert: boolean
  /** Multi-row INSERT … RETURNING returns rows in VALUES order. */
  readonly orderedReturning: boolean
  /**
   * After a multi-row INSERT, generated ids are provably `insertId + i × step`, and the driver
   * reports the step with each such result (DriverResult.insertIdStep). False makes the unit of
   * work insert rows needing a generated id one per statement.
   */
  readonly insertIdArithmetic: boolean
  /**
   * A multi-row INSERT assigns autoincrement keys in VALUES order (consecutive, ascending), so
   * RETURNING rows sorted by that key line up with the VALUES even where `orderedReturning` is
   * false. Lets the unit of work batch inserts there; absent = false.
   */
  readonly autoincrementInsertOrder?: boolean
  readonly savepoints: boolean
  /** CREATE/DROP run inside transactions and roll back with them. */
  readonly transactionalDdl: boolean
  /**
   * `ALTER TABLE … ADD/DROP` of a foreign key works, so `createAll`/`dropAll` break cycles
   * between tables with it. Absent = false: CREATE TABLE must accept references to tables that
   * do not exist yet (SQLite), and dropping such tables runs `deferForeignKeyChecks()` first.
   */
  readonly alterForeignKeys?: boolean
  readonly ilike: boolean
  readonly nullsOrdering: boolean
  readonly fullJoin: boolean
  readonly intersectExcept: boolean
  /** `SELECT … FOR UPDATE` */
  readonly rowLocks: boolean
  /** `(a, b) IN ((1, 2), …)` */
  readonly tupleIn: boolean
  /** `count(*) FILTER (WHERE …)`; absent: emulated as `count(CASE WHEN … THEN 1 END)`. */
  readonly aggregateFilter?: boolean
  /** PostgreSQL's `SELECT DISTINCT ON (…)`; absent: refused, naming the window-function alternative. */
  readonly distinctOn?: boolean
  /** `JOIN LATERAL (SELECT …)`; absent: refused. */
  readonly lateral?: boolean
  /** `GROUP BY ROLLUP (a, b)` ('standard') or MySQL's `GROUP BY a, b WITH ROLLUP`; absent: refused. */
  readonly rollup?: 'standard' | 'with-rollup'
  /** Max bound parameters per statement. */
  readonly maxParams: number
  /**
   * Rows per multi-row INSERT the unit of work sends at most (within `maxParams`); absent = as
   * many as `maxParams` allows. A dialect sets it where the database takes smaller pages faster:
   * a very large VALUES list costs more per row to parse and plan than several of one size,
   * which also repeat and so reuse the driver's prepared statement.
   */
  readonly insertPageRows?: number
  /** More than one connection may be open at once (false: the pool holds one and queues). */
  readonly concurrentConnections: boolean
  /** Why not, when concurrentConnections is false: ends the engine's error for a pool.size > 1. */
  readonly singleConnectionReason?: string | undefined
  /** Isolation levels `begin()` accepts. */
  readonly isolationLevels: readonly IsolationLevel[]
  /** A deadlock inside a savepoint ends the whole transaction (MariaDB/MySQL). */
  readonly deadlockEndsTransaction: boolean
  /**
   * Conflicting SERIALIZABLE transactions fail with a serialization error (PostgreSQL's SSI,
   * SQLite's busy snapshot); false where the engine serializes with locks instead (InnoDB:
   * the writer waits, then a lock timeout or deadlock). Absent means false.
   */
  readonly serializationFailures?: boolean
  /** Server-side statement timeout can be set per connection. */
  readonly statementTimeout: boolean
  /**
   * A correlated subquery can return its rows as one nested value (`NestedRowList`, sql/nested-rows.ts),
   * so joined eager loading sends one row per parent instead of one per member. Absent = false:
   * collections are joined row by row.
   */
  readonly nestedRows?: boolean
  /**
   * An upsert reacts to a conflict on any unique key and cannot name one (MySQL's ON DUPLICATE
   * KEY UPDATE); false where it names its conflict target (ON CONFLICT (…)). Absent means false.
   */
  readonly upsertAnyKey?: boolean
  /** Transactions can be DEFERRABLE (PostgreSQL). */
  readonly deferrable?: boolean
  /** `UPDATE … RETURNING` etc. may be used for server-default fetch after UPDATE. */
  readonly updateReturning?: boolean
  /**
   * Which `IntegrityError` fields the server's errors let the dialect fill, per violation; a
   * field not listed stays undefined. Absent means none.
   */
  readonly integrityErrorFields?: IntegrityErrorFields
}

/** A structured field of `IntegrityError`. */
export type IntegrityErrorField = 'constraint' | 'table' | 'columns' | 'referencedTable'

/**
 * Per violation (`foreign-key-parent`: deleting or updating a row that is still referenced),
 * the `IntegrityError` fields the dialect fills.
 */
export type IntegrityErrorFields = Readonly<
  Partial<Record<'unique' | 'foreign-key' | 'foreign-key-parent' | 'not-null' | 'check', readonly IntegrityErrorField[]>>
>

export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE'

/** Per-column result conversion, chosen once per compiled statement. */
export type ValueProcessor = (value: unknown) => unknown

/** A result column as the engine needs it to convert values. */
export interface ResultColumn {
  readonly name: string
  readonly type: SqlType<unknown>
  readonly process: ValueProcessor | undefined
}

/** A statement turned into SQL with its parameters converted for the driver. */
export interface CompiledStatement {
  readonly sql: string
  readonly params: readonly unknown[]
  readonly columns: readonly ResultColumn[]
  /** The names of `columns` (the same array for every compilation of one shape). */
  readonly columnNames?: readonly string[] | undefined
  /** Whether the statement yields rows (SELECT, … RETURNING, text() that returns rows). */
  readonly returnsRows: boolean
  /**
   * The statement's structure guarantees at most one row: a SELECT of one table whose WHERE pins
   * its primary key (compiler/row-bound.ts), as `session.get()` runs.
   */
  readonly atMostOneRow?: boolean | undefined
  readonly statementKind: 'select' | 'insert' | 'update' | 'delete' | 'text' | 'ddl' | 'other'
  /**
   * A SELECT that only reads: no locking clause, no function that is not known to be pure, no
   * SQL text the compiler cannot see into (compiler/plain-read.ts).
   */
  readonly plainRead?: boolean | undefined
  /** Whether this compilation came from the statement cache. */
  readonly cached: boolean
  /**
   * What is probably wrong with the statement though it compiles (a cartesian product); the
   * same array for every compilation of one cached shape, so it can be reported once.
   */
  readonly warnings?: readonly string[] | undefined
}

/** What a driver returns for one statement. Rows are positional arrays. */
export interface DriverResult {
  readonly rows: readonly (readonly unknown[])[]
  /** Column names, when the driver reports them (used for text() results). */
  readonly columnNames?: readonly string[] | undefined
  readonly rowsAffected: number
  /** The first generated id of an INSERT, for dialects without RETURNING. */
  readonly insertId?: number | bigint | undefined
  /**
   * The step between the ids one multi-row INSERT generated, when the driver knows it for the
   * connection the INSERT ran on (MySQL: that session's `@@auto_increment_increment`): the ids
   * are then `insertId + i × insertIdStep`. Dialects with `insertIdArithmetic` report it for every
   * multi-row INSERT; a flush that gets none fails (and rolls back) rather than guess ids.
   */
  readonly insertIdStep?: number | undefined
}

export interface ExecuteOptions {
  /** Abort signal from the engine's watchdog; drivers should cancel the statement when it fires. */
  readonly signal?: AbortSignal | undefined
  /** Whether the statement returns rows (drivers that must choose a protocol use it). */
  readonly returnsRows?: boolean | undefined
  /** A hint that the same SQL will run again (drivers may prepare it). */
  readonly prepare?: boolean | undefined
  /** The statement returns at most one row (CompiledStatement.atMostOneRow): a driver may fetch it as one. */
  readonly atMostOneRow?: boolean | undefined
  /**
   * Whether the caller reads DriverResult.columnNames (default true). The engine needs them only
   * for text() and statements it cannot describe; a driver that pays to learn them may skip it.
   */
  readonly columnNames?: boolean | undefined
  /**
   * The statement only reads (CompiledStatement.plainRead). Outside a transaction, at READ
   * COMMITTED, it sees what it would see inside one, so a driver that holds a transaction's
   * BEGIN until the first statement may run it on its own and keep the BEGIN pending for the next
   * statement — a read-only transaction then costs no BEGIN and no ROLLBACK (PostgreSQL).
   */
  readonly plainRead?: boolean | undefined
}

export interface BeginOptions {
  readonly isolationLevel?: IsolationLevel | undefined
  readonly readOnly?: boolean | undefined
  /**
   * A server-side limit for each statement of this transaction, replacing the engine's
   * `statementTimeoutMs` until it ends (PostgreSQL `SET LOCAL statement_timeout`; MariaDB
   * `max_statement_time`, MySQL `max_execution_time` — SELECTs only — set and reset around it).
   * Only where `capabilities.statementTimeout`.
   */
  readonly statementTimeoutMs?: number | undefined
  /**
   * The transaction is known to write: a database that locks for writing takes the lock at its
   * first statement (SQLite: BEGIN IMMEDIATE), so reading first cannot make its writes fail.
   */
  readonly writes?: boolean | undefined
  /**
   * PostgreSQL's DEFERRABLE: a SERIALIZABLE READ ONLY transaction waits for a snapshot that no
   * serialization failure can touch. Only where `capabilities.deferrable`.
   */
  readonly deferrable?: boolean | undefined
}

/** One dedicated driver connection, owned by Athanor's pool. */
export interface DriverConnection {
  execute(sql: string, params: readonly unknown[], options?: ExecuteOptions): Promise<DriverResult>
  /** Streams rows in batches, with a server-side cursor where the driver has one. */
  stream(sql: string, params: readonly unknown[], options: { batchSize: number; signal?: AbortSignal }): AsyncIterable<readonly (readonly unknown[])[]>
  begin(options: BeginOptions): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
  /** A cheap round trip that proves the connection is alive. */
  ping(): Promise<void>
  /** Closes gracefully. */
  close(): Promise<void>
  /** Drops the connection at once without waiting for the server (after a disconnect or a hang). */
  destroy(): void
  /** Set when the driver knows the connection is gone. */
  readonly closed: boolean
  /**
   * Optional. Ends what a transaction left on this connection when nothing needs sending (no
   * statement ran in it, or only plain reads ran ahead of its pending BEGIN) and returns true;
   * false when a rollback() is needed. The pool asks before it resets a returned connection, so
   * such a connection is idle again at once, without a round trip or a tick.
   */
  resetWithoutRoundTrip?(): boolean
  /**
   * `Date.now()` since when this connection holds a lock that every writer of the database needs
   * (SQLite's write lock), while it does; pool status and timeout messages name it.
   */
  readonly writeLockSince?: number | undefined
}

export interface ConnectOptions {
  readonly url: string
  readonly connectTimeoutMs: number
  /** Server-side statement timeout to set on each new connection, when the dialect can. */
  readonly statementTimeoutMs?: number | undefined
  /** Dialect-specific options passed through from `createAsyncEngine(url, { driverOptions })`. */
  readonly driverOptions?: Readonly<Record<string, unknown>> | undefined
}

/** Facts learned at first connect (server version and flavour). */
export interface ServerInfo {
  readonly version: string
  readonly flavour: string
}

/** The driver side of a dialect. */
export interface Driver {
  connect(options: ConnectOptions): Promise<DriverConnection>
  /** True when the error means the connection is unusable and must be discarded. */
  isDisconnect(error: unknown): boolean
  /** Turns a driver error into Athanor's hierarchy, keeping the original as `cause`. */
  translateError(error: unknown, context: StatementContext): AthanorError
}

export interface CreateTableOptions {
  readonly ifNotExists: boolean
  /** Foreign keys of the table to leave out, because `addForeignKey` adds them later. */
  readonly omitForeignKeys?: readonly unknown[]
}

/** Turns statements into SQL for one database; implemented by `SqlCompiler` subclasses. */
export interface StatementCompiler {
  /** `values`: the statement's bind parameters by name (bindparam()). */
  compile(statement: unknown, values?: Readonly<Record<string, unknown>>): CompiledStatement
  /** DDL for one table: CREATE TABLE plus its indexes (and types it needs first). */
  createTable(table: unknown, options: CreateTableOptions): string[]
  dropTable(table: unknown, options: { ifExists: boolean }): string[]
  /** `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` for a key `createTable` was told to omit. */
  addForeignKey(foreignKey: unknown, options: { ifNotExists: boolean }): string[]
  /** `ALTER TABLE … DROP CONSTRAINT` (or the dialect's spelling) for a key added by `addForeignKey`. */
  dropForeignKey(foreignKey: unknown, options: { ifExists: boolean }): string[]
  /**
   * Statements that postpone foreign-key checks to COMMIT in the open transaction; run before
   * dropping tables whose keys form a cycle where `alterForeignKeys` is false. Empty when none
   * are needed.
   */
  deferForeignKeyChecks(): string[]
  savepoint(name: string): string
  releaseSavepoint(name: string): string
  rollbackToSavepoint(name: string): string
  /** Quotes an identifier (throws on ones that cannot be quoted safely). */
  quote(identifier: string): string
  /** The placeholder for the i-th (0-based) bound parameter (`?`, `$1`, …). */
  placeholder(index: number): string
  /**
   * Optional. A statement of the dialect's own that writes `update`'s rows in one go, or
   * undefined to leave it to the unit of work's `UPDATE … SET col = CASE WHEN key = ? THEN ? …
   * END WHERE key IN (…)`, whose SQL (and the server's parse and plan) grows with every row.
   * Must report the matched rows as `rowsAffected`, as an UPDATE does.
   */
  updateByKey?(update: KeyedUpdate): unknown
  /**
   * Optional. The dialect's own condition for `column IN (keys)` (an `Expression<boolean>`), for
   * keys the ORM read from that column's attribute (select-in loading; not validated yet), or
   * undefined for the IN list, whose SQL grows with every key.
   */
  keyIn?(column: unknown, keys: readonly unknown[]): unknown
  /**
   * Optional. A statement of the dialect's own that inserts `insert`'s rows in one go and returns
   * its `returning` columns for each row in the order of the rows, or undefined for the unit of
   * work's multi-row `INSERT … VALUES (?, ?), (?, ?) …`, whose SQL grows with every row.
   */
  insertRows?(insert: RowsInsert): unknown
}

/**
 * Rows for one table that give the same `columns`: row i's value of column j is `values[j][i]`
 * (validated against its column already); `returning`: the columns to read back per row.
 */
export interface RowsInsert {
  /** The table (a `Table`). */
  readonly table: unknown
  /** The columns given (`Column`s). */
  readonly columns: readonly unknown[]
  /** Per column, one value per row. */
  readonly values: readonly (readonly unknown[])[]
  /** Columns to return per row (`Column`s), in row order; empty for none. */
  readonly returning: readonly unknown[]
}

/**
 * Rows of one table to update by a one-column key: `columns` set to `values[j][i]` where `key`
 * is `keys[i]`. The values are validated against their columns already; the keys are as the
 * objects hold them (validate them with the key column's type, as a bound key would be).
 */
export interface KeyedUpdate {
  /** The table (a `Table`). */
  readonly table: unknown
  /** Its one key column (a `Column`). */
  readonly key: unknown
  /** The columns to set (`Column`s). */
  readonly columns: readonly unknown[]
  /** One key per row. */
  readonly keys: readonly unknown[]
  /** Per column, one value per row. */
  readonly values: readonly (readonly unknown[])[]
}

/**
 * A dialect: both halves together. Dialect packages build one from the URL and register a
 * factory for their URL schemes with `registerDialect`.
 */
export interface Dialect {
  readonly name: string
  readonly capabilities: Capabilities
  readonly compiler: StatementCompiler
  readonly driver: Driver
  /**
   * Called with the first connection the pool opens, to learn the server's version and flavour.
   * Returns a dialect adjusted to that server (or `this`).
   */
  initialize?(connection: DriverConnection): Promise<Dialect>
  /** Run on every new connection (session settings). */
  onConnect?(connection: DriverConnection): Promise<void>
  /**
   * The dialect for one database URL, when capabilities depend on it (SQLite: a file database
   * allows several connections, `:memory:` one). The engine calls it once; returns `this` or a copy.
   */
  forUrl?(url: string): Dialect
  readonly serverInfo?: ServerInfo | undefined
  /** Reflection and schema changes (migrations); see schema-contract.ts. */
  readonly schema?: SchemaDialect | undefined
}

/** Builds a dialect for a URL; registered per scheme by dialect packages. */
export type DialectFactory = (url: string, options: Readonly<Record<string, unknown>>) => Dialect
