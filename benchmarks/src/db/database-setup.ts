/**
 * Creates the benchmark database if missing, (re)creates the schema and seeds the deterministic
 * dataset. Runs on a direct admin connection (never through the latency proxy).
 */
import type { Dialect } from '../types.js';
import { openSqlClient, type SqlClient } from './sql-client.js';
import { SCHEMA_DDL } from './schema-ddl.js';
import { TAG_COUNT, author, post, postCount, sqliteTimestamp, tag, tagIdsOfPost } from '../workload/generator.js';

/** Makes sure the database named in `url` exists (PostgreSQL / MariaDB), connecting to a maintenance DB. */
export async function ensureDatabase(dialect: Dialect, url: string): Promise<void> {
  if (dialect === 'libsql') return;
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name in ${dialect} URL: ${JSON.stringify(name)}`);
  u.pathname = dialect === 'pg' ? '/postgres' : '/';
  const admin = await openSqlClient(dialect, u.toString());
  try {
    if (dialect === 'pg') {
      const rows = await admin.query('SELECT 1 AS ok FROM pg_database WHERE datname = ?', [name]);
      if (rows.length === 0) await admin.script(`CREATE DATABASE "${name}"`);
    } else {
      await admin.script(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4`);
    }
  } finally {
    await admin.close();
  }
}

/** Bind-parameter budget per statement: below SQLite's 32,766 and PostgreSQL/MySQL's 65,535. */
const MAX_PARAMS = 30_000;

async function insertRows(db: SqlClient, table: string, columns: string[], count: number, row: (i: number) => unknown[]): Promise<void> {
  const perChunk = Math.floor(MAX_PARAMS / columns.length);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < count; start += perChunk) {
    const n = Math.min(perChunk, count - start);
    const params: unknown[] = [];
    for (let i = start; i < start + n; i++) params.push(...row(i));
    await db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`, params);
  }
}

/**
 * Drops and recreates the four tables and seeds `authors` authors with explicit ids
 * (1…N, posts 1…10N, tags 1…50), so primary keys are predictable for every contender.
 */
export async function seedDatabase(db: SqlClient, authors: number): Promise<void> {
  const dialect = db.dialect;
  await db.script(SCHEMA_DDL[dialect]);
  const date = (d: Date): unknown => (dialect === 'libsql' ? sqliteTimestamp(d) : d);
  await db.transaction(async (tx) => {
    await insertRows(tx, 'authors', ['id', 'name', 'email'], authors, (i) => {
      const a = author(i + 1);
      return [a.id, a.name, a.email];
    });
    await insertRows(tx, 'tags', ['id', 'name'], TAG_COUNT, (i) => {
      const t = tag(i + 1);
      return [t.id, t.name];
    });
    await insertRows(tx, 'posts', ['id', 'title', 'content', 'created_at', 'author_id'], postCount(authors), (i) => {
      const p = post(i + 1);
      return [p.id, p.title, p.content, date(p.createdAt), p.authorId];
    });
    await insertRows(tx, 'post_tag', ['post_id', 'tag_id'], postCount(authors) * 3, (i) => {
      const postId = Math.floor(i / 3) + 1;
      return [postId, tagIdsOfPost(postId)[i % 3]];
    });
  });
  if (dialect === 'pg') {
    // Explicit ids do not advance serial sequences; uow-insert needs them past the seed.
    for (const t of ['authors', 'posts', 'tags']) {
      await db.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT MAX(id) FROM ${t}))`);
    }
    await db.script('ANALYZE');
  } else if (dialect === 'mysql') {
    await db.script('ANALYZE TABLE authors, posts, tags, post_tag');
  } else {
    await db.script('ANALYZE');
  }
  const [counts] = await db.query('SELECT (SELECT COUNT(*) FROM authors) AS a, (SELECT COUNT(*) FROM posts) AS p, (SELECT COUNT(*) FROM post_tag) AS pt');
  const got = [Number(counts?.a), Number(counts?.p), Number(counts?.pt)];
  const want = [authors, postCount(authors), postCount(authors) * 3];
  if (got.join() !== want.join()) throw new Error(`seed check failed: got ${got.join('/')} rows, want ${want.join('/')}`);
}

/** libSQL runs from a temp file so every library (several drivers, several connections) sees one database. */
export async function prepareLibsqlFile(path: string): Promise<void> {
  const db = await openSqlClient('libsql', `file:${path}`);
  try {
    // WAL: readers never block the writer and a commit does not fsync the whole journal; with
    // several libraries holding connections to one file, rollback-journal mode risks SQLITE_BUSY.
    await db.query('PRAGMA journal_mode = WAL');
  } finally {
    await db.close();
  }
}
