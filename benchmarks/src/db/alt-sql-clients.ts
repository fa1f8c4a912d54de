/**
 * SqlClient implementations over the *other* drivers some ORMs are built on: node-postgres (pg:
 * TypeORM, MikroORM, Prisma), the mariadb connector (Prisma on MariaDB), and the native `libsql`
 * binding with its synchronous better-sqlite3-style API (TypeORM and MikroORM on SQLite).
 *
 * The `raw-alt` contender runs raw's exact SQL through these, so a report can tell a library's
 * own overhead apart from its driver's: an ORM on a faster driver can legitimately beat `raw`.
 */
import pg from 'pg';
import mariadb from 'mariadb';
import Database from 'libsql';
import type { Dialect } from '../types.js';
import type { StatementCounter } from '../runner/statement-counter.js';
import { runTransaction, toPgPlaceholders, type Row, type RunResult, type SqlClient } from './sql-client.js';

export async function openAltSqlClient(dialect: Dialect, url: string, filePath: string, counter: StatementCounter): Promise<SqlClient> {
  if (dialect === 'pg') return nodePgClient(url, counter);
  if (dialect === 'mysql') return mariadbClient(url, counter);
  return nativeLibsqlClient(filePath, counter);
}

function nodePgClient(url: string, counter: StatementCounter): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const wrap = (conn: pg.Pool | pg.PoolClient): SqlClient => ({
    dialect: 'pg',
    async query(text, params = []) {
      counter.add();
      return (await conn.query(toPgPlaceholders(text), params as unknown[])).rows as Row[];
    },
    async run(text, params = []) {
      counter.add();
      const res = await conn.query(toPgPlaceholders(text), params as unknown[]);
      return { affected: res.rowCount ?? 0, rows: res.rows as Row[] };
    },
    async transaction(fn) {
      const client = await pool.connect();
      const sql = (text: string) => () => client.query(text);
      return runTransaction({ handle: wrap(client), begin: sql('BEGIN'), commit: sql('COMMIT'), rollback: sql('ROLLBACK'), release: () => client.release() }, counter, fn);
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

function mariadbClient(url: string, counter: StatementCounter): SqlClient {
  const u = new URL(url);
  const pool = mariadb.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    connectionLimit: 4,
    multipleStatements: true,
  });
  const toResult = (res: unknown): RunResult => {
    if (Array.isArray(res)) return { affected: res.length, rows: res as Row[] };
    const ok = res as { affectedRows: number; insertId: bigint | number };
    return { affected: ok.affectedRows, insertId: Number(ok.insertId), rows: [] };
  };
  const wrap = (conn: mariadb.Pool | mariadb.PoolConnection): SqlClient => ({
    dialect: 'mysql',
    async query(text, params = []) {
      counter.add();
      return (await conn.execute(text, params as unknown[])) as Row[]; // binary protocol, prepared-statement cache
    },
    async run(text, params = []) {
      counter.add();
      return toResult(await conn.query(text, params as unknown[])); // text protocol for large one-off writes, like raw
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

/** One synchronous connection; statements are prepared once and cached by SQL text, as better-sqlite3 code usually does. */
function nativeLibsqlClient(filePath: string, counter: StatementCounter): SqlClient {
  const db = new Database(filePath);
  type Stmt = Database.Statement<unknown[]>;
  const cache = new Map<string, Stmt>();
  const stmt = (text: string): Stmt => {
    let s = cache.get(text);
    if (!s) cache.set(text, (s = db.prepare<unknown[]>(text)));
    return s;
  };
  const client: SqlClient = {
    dialect: 'libsql',
    async query(text, params = []) {
      counter.add();
      return stmt(text).all(...(params as unknown[])) as Row[];
    },
    async run(text, params = []) {
      counter.add();
      const s = stmt(text);
      if (/\breturning\b/i.test(text)) {
        const rows = s.all(...(params as unknown[])) as Row[];
        return { affected: rows.length, rows };
      }
      const info = s.run(...(params as unknown[])) as { changes: number };
      return { affected: info.changes, rows: [] };
    },
    async transaction(fn) {
      counter.add();
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(client);
        counter.add();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    async script(text) {
      db.exec(text);
    },
    async close() {
      db.close();
    },
  };
  return client;
}
