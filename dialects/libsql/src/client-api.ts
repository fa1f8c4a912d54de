/**
 * The part of a libSQL client that LibsqlConnection uses. `@libsql/client`'s Client has this
 * shape (remote servers use it), and so does NativeClient (native-client.ts), which local files
 * and `:memory:` use.
 */

/** A statement and its positional arguments, already converted by values.ts. */
export interface ClientStatement {
  readonly sql: string
  readonly args: readonly unknown[]
  /** The statement returns at most one row (ExecuteOptions.atMostOneRow); `@libsql/client` ignores it. */
  readonly single?: boolean | undefined
  /** Whether the caller reads `columns` (default true); `@libsql/client` ignores it. */
  readonly names?: boolean | undefined
}

/** What a statement returned: rows are indexable (an array, or `@libsql/client`'s Row). */
export interface StatementResult {
  /** Empty for a statement that returns no rows, and when the caller did not ask for them (`names: false`). */
  readonly columns: readonly string[]
  /** Whether the statement returns rows; when absent, whether it reported columns. */
  readonly reader?: boolean | undefined
  readonly rows: readonly ArrayLike<unknown>[]
  readonly rowsAffected: number
  readonly lastInsertRowid: bigint | undefined
}

/** An open transaction on one of the client's connections. */
export interface ClientTransaction {
  execute(stmt: ClientStatement): Promise<StatementResult>
  commit(): Promise<void>
  rollback(): Promise<void>
  /** Rolls back if still open, and hands the connection back. */
  close(): void
  /** True once the transaction ended (committed, rolled back, or ended by the database). */
  readonly closed: boolean
}

/** `'write'`: BEGIN IMMEDIATE; `'deferred'`: BEGIN DEFERRED; `'read'`: a read-only transaction (servers). */
export type ClientTransactionMode = 'write' | 'deferred' | 'read'

export interface LibsqlClient {
  execute(stmt: ClientStatement): Promise<StatementResult>
  transaction(mode: ClientTransactionMode): Promise<ClientTransaction>
  close(): void
  readonly closed: boolean
}
