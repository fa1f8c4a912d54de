/**
 * A minimal Kysely dialect over @libsql/client 0.18 (the same client raw and Drizzle use).
 *
 * Why not @libsql/kysely-libsql: it pins @libsql/client ^0.8, which would install a second, much
 * older libSQL native binary and benchmark a different engine build than everyone else.
 * Transactions use client.transaction() because a raw BEGIN does not span calls on the client's
 * connection pool (research/toolchain.md §4, libsql gotcha 2).
 */
import { createClient, type Client, type InValue, type Transaction } from '@libsql/client';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

class LibsqlConnection implements DatabaseConnection {
  readonly client: Client;
  tx: Transaction | undefined;

  constructor(client: Client) {
    this.client = client;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const rs = await (this.tx ?? this.client).execute({ sql: compiled.sql, args: compiled.parameters as InValue[] });
    return {
      rows: rs.rows as unknown as R[],
      numAffectedRows: BigInt(rs.rowsAffected),
      ...(rs.lastInsertRowid !== undefined ? { insertId: rs.lastInsertRowid } : {}),
    };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used by the benchmark');
  }
}

class LibsqlDriver implements Driver {
  private readonly url: string;
  private readonly onTransactionStatement: () => void;
  private client: Client | undefined;

  constructor(url: string, onTransactionStatement: () => void) {
    this.url = url;
    this.onTransactionStatement = onTransactionStatement;
  }

  async init(): Promise<void> {
    this.client = createClient({ url: this.url });
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new LibsqlConnection(this.client!);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as LibsqlConnection;
    this.onTransactionStatement();
    c.tx = await c.client.transaction('write');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as LibsqlConnection;
    const tx = c.tx!;
    c.tx = undefined;
    this.onTransactionStatement();
    try {
      await tx.commit();
    } finally {
      tx.close();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as LibsqlConnection;
    this.onTransactionStatement();
    await c.tx?.rollback();
    c.tx?.close();
    c.tx = undefined;
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.client?.close();
  }
}

export class LibsqlDialect implements Dialect {
  private readonly url: string;
  private readonly onTransactionStatement: () => void;

  /**
   * `onTransactionStatement` is called for BEGIN, COMMIT and ROLLBACK: they go through the
   * client's transaction API, not through executeQuery, so Kysely's query log never sees them.
   */
  constructor(url: string, onTransactionStatement: () => void = () => {}) {
    this.url = url;
    this.onTransactionStatement = onTransactionStatement;
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new LibsqlDriver(this.url, this.onTransactionStatement);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
