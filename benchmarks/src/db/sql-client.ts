/**
 * A deliberately thin, uniform wrapper over the three raw drivers (postgres.js, mysql2/promise,
 * @libsql/client). The raw contender (the floor) and the harness's admin connection both use it,
 * so it must add no per-row work: it returns each driver's own row objects untouched.
 *
 * SQL is written with `?` placeholders; for PostgreSQL they are rewritten to `$n` once per
 * distinct statement text and cached.
 */
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { createClient, type Client as LibsqlClient, type InValue, type Transaction as LibsqlTransaction } from '@libsql/client';
import type { Dialect } from '../types.js';
import type { StatementCounter } from '../runner/statement-counter.js';

export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows changed (as the driver reports them). */
  affected: number;
  /** MySQL: the first generated id of an INSERT. */
  insertId?: number;
  /** Rows returned by `RETURNING`. */
  rows: Row[];
}

export interface SqlClient {
  readonly dialect: Dialect;
  /** A statement that returns rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A statement that writes (multi-row INSERT, UPDATE…); may return RETURNING rows. */
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Runs `fn` in one transaction on one connection; commits, or rolls back on throw. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Several `;`-separated statements without parameters (DDL). */
  script(sql: string): Promise<void>;
  close(): Promise<void>;
}

const pgTextCache = new Map<string, string>();
/** `?` → `$1…$n`. Our SQL never has `?` inside literals, so a plain scan is correct. */
export function toPgPlaceholders(sql: string): string {
  let cached = pgTextCache.get(sql);
  if (cached === undefined) {
    let n = 0;
    cached = sql.replace(/\?/g, () => `$${++n}`);
    if (pgTextCache.size > 10_000) pgTextCache.clear();
    pgTextCache.set(sql, cached);
  }
  return cached;
}

/** A dedicated connection's transaction verbs, as each driver spells them. */
export interface TransactionHandle<H> {
  readonly handle: H;
  begin(): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
  release(): unknown;
}

/**
 * Runs `fn` between BEGIN and COMMIT on a dedicated connection (both counted as statements),
 * rolls back if it throws, and always releases the connection.
 */
export async function runTransaction<H, T>(tx: TransactionHandle<H>, counter: StatementCounter | undefined, fn: (handle: H) => Promise<T>): Promise<T> {
  try {
    counter?.add();
    await tx.begin();
    const result = await fn(tx.handle);
    counter?.add();
    await tx.commit();
    return result;
  } catch (e) {
    await tx.rollback().catch(() => {});
    throw e;
  } finally {
    await tx.release();
  }
}

/** Opens a client. `counter`, when given, is bumped once per statement (BEGIN and COMMIT included). */
export async function openSqlClient(dialect: Dialect, url: string, counter?: StatementCounter): Promise<SqlClient> {
  switch (dialect) {
    case 'pg':
      return pgClient(url, counter);
    case 'mysql':
      return mysqlClient(url, counter);
    case 'libsql':
      return libsqlClient(url, counter);
  }
}

type PgSql = postgres.Sql | postgres.TransactionSql;

function pgClient(url: string, counter?: StatementCounter): SqlClient {
  // max 4: the scenarios are sequential; a small pool is what a web process would have per worker.
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const wrap = (conn: PgSql): SqlClient => ({
    dialect: 'pg',
    async query(text, params = []) {
      counter?.add();
      // prepare: true = one round trip per call after the first (see research/toolchain.md §6).
      return (await conn.unsafe(toPgPlaceholders(text), params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as Row[];
    },
    async run(text, params = []) {
      counter?.add();
      const res = await conn.unsafe(toPgPlaceholders(text), params as postgres.ParameterOrJSON<never>[], { prepare: true });
      return { affected: res.count, rows: res as unknown as Row[] };
    },
    async transaction(fn) {
      counter?.add(2);
      return (await sql.begin((tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>;
    },
    async script(text) {
      await conn.unsafe(text);
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  });
  return wrap(sql);
}

type MysqlConn = mysql.Pool | mysql.PoolConnection;

function mysqlClient(url: string, counter?: StatementCounter): SqlClient {
  const pool = mysql.createPool({ uri: url, connectionLimit: 4, multipleStatements: true });
  const wrap = (conn: MysqlConn): SqlClient => ({
    dialect: 'mysql',
    async query(text, params = []) {
      counter?.add();
      // execute = server-side prepared statement, cached per connection by mysql2.
      const [rows] = await conn.execute(text, params as unknown[] as string[]);
      return rows as Row[];
    },
    async run(text, params = []) {
      counter?.add();
      // query = text protocol with client-side escaping: the fastest path for large one-off writes
      // (30k-parameter inserts: 31–35 ms vs 83–107 ms prepared, research/toolchain.md §4).
      const [res] = await conn.query(text, params as unknown[]);
      if (Array.isArray(res)) return { affected: res.length, rows: res as Row[] };
      const header = res as mysql.ResultSetHeader;
      return { affected: header.affectedRows, insertId: header.insertId, rows: [] };
    },
    async transaction(fn) {
      const c = await pool.getConnection();
      return runTransaction({ handle: wrap(c), begin: () => c.beginTransaction(), commit: () => c.commit(), rollback: () => c.rollback(), release: () => c.release() }, counter, fn);
    },
    async script(text) {
      await conn.query(text);
    },
    async close() {
      await pool.end();
    },
  });
  return wrap(pool);
}

function libsqlClient(url: string, counter?: StatementCounter): SqlClient {
  const client = createClient({ url });
  const wrap = (conn: LibsqlClient | LibsqlTransaction): SqlClient => ({
    dialect: 'libsql',
    async query(text, params = []) {
      counter?.add();
      const rs = await conn.execute({ sql: text, args: params as InValue[] });
      return rs.rows as unknown as Row[];
    },
    async run(text, params = []) {
      counter?.add();
      const rs = await conn.execute({ sql: text, args: params as InValue[] });
      return { affected: rs.rowsAffected, rows: rs.rows as unknown as Row[] };
    },
    async transaction(fn) {
      // client.transaction(), not a raw BEGIN: the client's pool would roll a raw BEGIN back
      // between calls (research/toolchain.md §4, libsql gotcha 2).
      // The BEGIN itself is sent by client.transaction(), so begin() has nothing left to do.
      const tx = await client.transaction('write');
      return runTransaction({ handle: wrap(tx), begin: async () => {}, commit: () => tx.commit(), rollback: () => tx.rollback(), release: () => tx.close() }, counter, fn);
    },
    async script(text) {
      await conn.executeMultiple(text);
    },
    async close() {
      client.close();
    },
  });
  return wrap(client);
}
