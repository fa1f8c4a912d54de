/**
 * The part of a libSQL client that LibsqlConnection uses. `@libsql/client`'s Client has this
 * shape (remote servers use it), and so does NativeClient (native-client.ts), which local files
 * and `:memory:` use.
 */

/** A statement and its positional arguments, already converted by values.ts. */
export interface ClientStatement {
  readonly sql: string
  readonly args: readonly unknown[]
}

/** What a statement returned: rows are indexable (an array, or `@libsql/client`'s Row). */
export interface StatementResult {
  readonly columns: readonly string[]
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
