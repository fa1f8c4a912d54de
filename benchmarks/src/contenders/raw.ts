/**
 * The floor: each database's own driver with hand-written SQL and hand-written object building
 * (postgres.js, mysql2/promise, @libsql/client). Every other contender's time is reported as a
 * ratio to this one from the same run. It does what a careful engineer would write by hand —
 * batched IN lists, multi-row INSERTs, one CASE UPDATE — and nothing cleverer (no caching).
 */
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { openSqlClient, type Row, type SqlClient } from '../db/sql-client.js';
import { sqliteTimestamp } from '../workload/generator.js';
import { IN_BATCH, PAGE_SIZE, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';
import { chunks } from '../util/chunks.js';

interface TagObj {
  id: number;
  name: string;
}
interface PostObj {
  id: number;
  title: string;
  content: string;
  createdAt: unknown;
  authorId: number;
  tags: TagObj[];
}
interface AuthorObj {
  id: number;
  name: string;
  email: string;
  posts: PostObj[];
}

const AUTHOR_SQL = 'SELECT id, name, email FROM authors';
const POST_COLS = 'id, title, content, created_at, author_id';

const qs = (n: number): string => Array(n).fill('?').join(', ');
const toAuthor = (r: Row): AuthorObj => ({ id: r.id as number, name: r.name as string, email: r.email as string, posts: [] });
const toPost = (r: Row): PostObj => ({
  id: r.id as number,
  title: r.title as string,
  content: r.content as string,
  createdAt: r.created_at,
  authorId: r.author_id as number,
  tags: [],
});
const postsOf = (a: AuthorObj): PostObj[] => a.posts;
const tagsOf = (p: PostObj): TagObj[] => p.tags;

/** Loads every author's posts with `WHERE author_id IN (…)`, ≤500 keys per statement. */
async function attachPosts(db: SqlClient, authors: AuthorObj[]): Promise<PostObj[]> {
  const byId = new Map(authors.map((a) => [a.id, a]));
  const all: PostObj[] = [];
  for (const ids of chunks(authors.map((a) => a.id), IN_BATCH)) {
    for (const r of await db.query(`SELECT ${POST_COLS} FROM posts WHERE author_id IN (${qs(ids.length)})`, ids)) {
      const p = toPost(r);
      byId.get(p.authorId)!.posts.push(p);
      all.push(p);
    }
  }
  return all;
}

/** Loads the posts' tags through post_tag, ≤500 post ids per statement, one object per tag. */
async function attachTags(db: SqlClient, posts: PostObj[]): Promise<void> {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const tags = new Map<number, TagObj>();
  for (const ids of chunks(posts.map((p) => p.id), IN_BATCH)) {
    const sql = `SELECT pt.post_id, t.id, t.name FROM post_tag pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (${qs(ids.length)})`;
    for (const r of await db.query(sql, ids)) {
      let t = tags.get(r.id as number);
      if (!t) tags.set(r.id as number, (t = { id: r.id as number, name: r.name as string }));
      byId.get(r.post_id as number)!.tags.push(t);
    }
  }
}

/** Every author as a plain object with its posts (and their tags), by select-in: raw's selectin and nested-selectin. */
export async function loadGraph(db: SqlClient, withTags: boolean): Promise<AuthorObj[]> {
  const authors = (await db.query(`${AUTHOR_SQL} ORDER BY id`)).map(toAuthor);
  const posts = await attachPosts(db, authors);
  if (withTags) await attachTags(db, posts);
  return authors;
}

/** De-duplicates joined rows into authors → posts (→ tags) using maps keyed by primary key. */
function foldJoined(rows: Row[], withTags: boolean): AuthorObj[] {
  const authors = new Map<number, AuthorObj>();
  const posts = new Map<number, PostObj>();
  const tags = new Map<number, TagObj>();
  for (const r of rows) {
    let a = authors.get(r.a_id as number);
    if (!a) authors.set(r.a_id as number, (a = { id: r.a_id as number, name: r.a_name as string, email: r.a_email as string, posts: [] }));
    if (r.p_id == null) continue;
    let p = posts.get(r.p_id as number);
    if (!p) {
      p = { id: r.p_id as number, title: r.p_title as string, content: r.p_content as string, createdAt: r.p_created_at, authorId: r.p_author_id as number, tags: [] };
      posts.set(p.id, p);
      a.posts.push(p);
    }
    if (!withTags || r.t_id == null) continue;
    let t = tags.get(r.t_id as number);
    if (!t) tags.set(r.t_id as number, (t = { id: r.t_id as number, name: r.t_name as string }));
    p.tags.push(t);
  }
  return [...authors.values()];
}

const JOIN_COLS =
  'a.id AS a_id, a.name AS a_name, a.email AS a_email, p.id AS p_id, p.title AS p_title, p.content AS p_content, p.created_at AS p_created_at, p.author_id AS p_author_id';

/** Raw's scenarios over any SqlClient (raw-alt reuses it with other drivers). */
export class RawSession implements ContenderSession {
  private readonly db: SqlClient;
  /** MySQL's auto_increment_increment: consecutive ids of one multi-row INSERT are this far apart. */
  private readonly idStep: number;

  constructor(db: SqlClient, idStep: number) {
    this.db = db;
    this.idStep = idStep;
  }

  private async authors(where = '', params: unknown[] = [], limit = ''): Promise<AuthorObj[]> {
    return (await this.db.query(`${AUTHOR_SQL}${where} ORDER BY id${limit}`, params)).map(toAuthor);
  }

  async nPlusOne(): Promise<Tally> {
    const authors = await this.authors();
    for (const a of authors) {
      a.posts = (await this.db.query(`SELECT ${POST_COLS} FROM posts WHERE author_id = ?`, [a.id])).map(toPost);
    }
    return tallyGraph(authors, postsOf);
  }

  async selectin(): Promise<Tally> {
    return tallyGraph(await loadGraph(this.db, false), postsOf);
  }

  async joined(): Promise<Tally> {
    const rows = await this.db.query(`SELECT ${JOIN_COLS} FROM authors a LEFT JOIN posts p ON p.author_id = a.id ORDER BY a.id, p.id`);
    return tallyGraph(foldJoined(rows, false), postsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    return tallyGraph(await loadGraph(this.db, true), postsOf, tagsOf);
  }

  async nestedJoined(): Promise<Tally> {
    const rows = await this.db.query(
      `SELECT ${JOIN_COLS}, t.id AS t_id, t.name AS t_name FROM authors a LEFT JOIN posts p ON p.author_id = a.id
       LEFT JOIN post_tag pt ON pt.post_id = p.id LEFT JOIN tags t ON t.id = pt.tag_id ORDER BY a.id, p.id, t.id`,
    );
    return tallyGraph(foldJoined(rows, true), postsOf, tagsOf);
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const authors = await this.authors(' WHERE name LIKE ?', [pattern], ` LIMIT ${PAGE_SIZE}`);
      await attachPosts(this.db, authors);
      addGraph(total, authors, (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    for (const id of ids) {
      const [r] = await this.db.query(`SELECT ${POST_COLS} FROM posts WHERE id = ?`, [id]);
      const p = toPost(r!);
      t.post(p.id, p.title, p.content, p.authorId);
    }
    return t;
  }

  async stream(batchSize: number): Promise<Tally> {
    // Keyset pages: each batch is the next `batchSize` posts after the last id seen.
    const t = new Tally();
    for (let last = 0; ; ) {
      const rows = await this.db.query(`SELECT ${POST_COLS} FROM posts WHERE id > ? ORDER BY id LIMIT ${batchSize}`, [last]);
      for (const r of rows) {
        const p = toPost(r);
        t.post(p.id, p.title, p.content, p.authorId);
        last = p.id;
      }
      if (rows.length < batchSize) return t;
    }
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    const dialect = this.db.dialect;
    const date = (d: Date): unknown => (dialect === 'libsql' ? sqliteTimestamp(d) : d);
    await this.db.transaction(async (tx) => {
      const ids: number[] = [];
      for (const part of chunks(batch, 1000)) {
        const params = part.flatMap((a) => [a.name, a.email]);
        const values = Array(part.length).fill('(?, ?)').join(', ');
        if (dialect === 'mysql') {
          // No RETURNING on MySQL: a multi-row INSERT's ids are consecutive from insertId.
          const res = await tx.run(`INSERT INTO authors (name, email) VALUES ${values}`, params);
          part.forEach((_, i) => ids.push(res.insertId! + i * this.idStep));
        } else {
          const res = await tx.run(`INSERT INTO authors (name, email) VALUES ${values} RETURNING id`, params);
          for (const r of res.rows) ids.push(r.id as number);
        }
      }
      const rows = batch.flatMap((a, i) => a.posts.map((p) => [p.title, p.content, date(p.createdAt), ids[i]]));
      for (const part of chunks(rows, 2000)) {
        await tx.run(`INSERT INTO posts (title, content, created_at, author_id) VALUES ${Array(part.length).fill('(?, ?, ?, ?)').join(', ')}`, part.flat());
      }
    });
    const t = new Tally();
    for (const a of batch) {
      t.insertedAuthor(a.name, a.email);
      for (const p of a.posts) t.insertedPost(p.title, p.content);
    }
    return t;
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.db.transaction(async (tx) => {
      const authors = (await tx.query(`${AUTHOR_SQL} ORDER BY id LIMIT ${Number(count)}`)).map(toAuthor);
      for (const a of authors) a.name += suffix;
      for (const part of chunks(authors, 1000)) {
        const params: unknown[] = [];
        for (const a of part) params.push(a.id, a.name);
        for (const a of part) params.push(a.id);
        await tx.run(`UPDATE authors SET name = CASE id ${Array(part.length).fill('WHEN ? THEN ?').join(' ')} END WHERE id IN (${qs(part.length)})`, params);
      }
      for (const a of authors) t.author(a.id, a.name);
    });
    return t;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

export const raw: ContenderDefinition = {
  name: 'raw',
  library: 'postgres.js / mysql2 / @libsql/client, hand-written SQL',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': '1 + N SELECTs',
    selectin: 'authors, then posts WHERE author_id IN (≤500 ids)',
    joined: 'one LEFT JOIN, folded with Maps',
    'nested-selectin': 'authors; posts IN (…); post_tag JOIN tags IN (…)',
    'nested-joined': 'one 3-way LEFT JOIN, folded with Maps',
    'web-page': 'LIKE … ORDER BY id LIMIT 20, then posts IN (…)',
    'pk-lookups': 'SELECT … WHERE id = ? per lookup (prepared)',
    stream: 'keyset pages: SELECT … WHERE id > ? ORDER BY id LIMIT 1000 until a short page',
    'uow-insert': 'multi-row INSERT … RETURNING id (MySQL: insertId + i), posts in 2,000-row INSERTs',
    'update-dirty': 'SELECT … LIMIT n, then one UPDATE … SET name = CASE id … END',
  },
  async connect(ctx) {
    return rawSession(await openSqlClient(ctx.dialect, ctx.url, ctx.counter));
  },
};

/** Wraps a connected client, reading MySQL's auto_increment_increment once. */
export async function rawSession(db: SqlClient): Promise<RawSession> {
  let idStep = 1;
  if (db.dialect === 'mysql') {
    const [r] = await db.query('SELECT @@auto_increment_increment AS step');
    idStep = Number(r?.step ?? 1);
  }
  return new RawSession(db, idStep);
}
