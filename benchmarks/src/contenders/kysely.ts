/**
 * Kysely 0.28 (the last line supporting Node 20), a type-safe query builder with no relation
 * loading of its own: select-in and joined loading are written with the builder and folded by
 * hand, exactly like raw — so its ratio is the builder's own overhead (compile + driver glue).
 * Drivers: kysely-postgres-js (postgres.js), the built-in MysqlDialect (mysql2), and a small
 * in-repo dialect over @libsql/client (kysely-libsql-dialect.ts).
 */
import { Kysely, MysqlDialect, sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { createPool } from 'mysql2';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { LibsqlDialect } from './kysely-libsql-dialect.js';
import type { Dialect } from '../types.js';
import { chunks } from '../util/chunks.js';
import { sqliteTimestamp } from '../workload/generator.js';
import { IN_BATCH, PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';

interface DB {
  authors: { id: Generated<number>; name: string; email: string };
  posts: {
    id: Generated<number>;
    title: string;
    content: string;
    // Date on pg/mysql, "YYYY-MM-DD HH:MM:SS.sss" text on SQLite.
    created_at: ColumnType<Date | string, Date | string, Date | string>;
    author_id: number;
  };
  tags: { id: Generated<number>; name: string };
  post_tag: { post_id: number; tag_id: number };
}
type Author = Selectable<DB['authors']> & { posts: Post[] };
type Post = Selectable<DB['posts']> & { tags: { id: number; name: string }[] };

const POST_COLS = ['id', 'title', 'content', 'created_at', 'author_id'] as const;
const postsOf = (a: Author): Post[] => a.posts;

class KyselySession implements ContenderSession {
  private readonly db: Kysely<DB>;
  private readonly dialect: Dialect;
  private readonly idStep: number;

  constructor(db: Kysely<DB>, dialect: Dialect, idStep: number) {
    this.db = db;
    this.dialect = dialect;
    this.idStep = idStep;
  }

  private async authors(): Promise<Author[]> {
    const rows = await this.db.selectFrom('authors').selectAll().orderBy('id').execute();
    return rows.map((a) => ({ ...a, posts: [] }));
  }

  private async attachPosts(authors: Author[]): Promise<Post[]> {
    const byId = new Map(authors.map((a) => [a.id, a]));
    const all: Post[] = [];
    for (const ids of chunks(authors.map((a) => a.id), IN_BATCH)) {
      for (const r of await this.db.selectFrom('posts').select(POST_COLS).where('author_id', 'in', ids).execute()) {
        const p = { ...r, tags: [] };
        byId.get(p.author_id)!.posts.push(p);
        all.push(p);
      }
    }
    return all;
  }

  /** Folds joined rows (a_*, p_*, t_*) into authors → posts → tags by primary key. */
  private fold(rows: Record<string, unknown>[]): Author[] {
    const authors = new Map<number, Author>();
    const posts = new Map<number, Post>();
    for (const r of rows) {
      let a = authors.get(r.a_id as number);
      if (!a) authors.set(r.a_id as number, (a = { id: r.a_id as number, name: r.a_name as string, email: r.a_email as string, posts: [] }));
      if (r.p_id == null) continue;
      let p = posts.get(r.p_id as number);
      if (!p) {
        p = { id: r.p_id as number, title: r.p_title as string, content: r.p_content as string, created_at: r.p_created_at as Date, author_id: r.p_author_id as number, tags: [] };
        posts.set(p.id, p);
        a.posts.push(p);
      }
      if (r.t_id != null) p.tags.push({ id: r.t_id as number, name: r.t_name as string });
    }
    return [...authors.values()];
  }

  private joinedQuery() {
    return this.db
      .selectFrom('authors as a')
      .leftJoin('posts as p', 'p.author_id', 'a.id')
      .select(['a.id as a_id', 'a.name as a_name', 'a.email as a_email', 'p.id as p_id', 'p.title as p_title', 'p.content as p_content', 'p.created_at as p_created_at', 'p.author_id as p_author_id'])
      .orderBy('a.id')
      .orderBy('p.id');
  }

  async nPlusOne(): Promise<Tally> {
    const authors = await this.authors();
    for (const a of authors) {
      a.posts = (await this.db.selectFrom('posts').select(POST_COLS).where('author_id', '=', a.id).execute()).map((p) => ({ ...p, tags: [] }));
    }
    return tallyGraph(authors, postsOf);
  }

  async selectin(): Promise<Tally> {
    const authors = await this.authors();
    await this.attachPosts(authors);
    return tallyGraph(authors, postsOf);
  }

  async joined(): Promise<Tally> {
    return tallyGraph(this.fold(await this.joinedQuery().execute()), postsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    const authors = await this.authors();
    const posts = await this.attachPosts(authors);
    const byId = new Map(posts.map((p) => [p.id, p]));
    for (const ids of chunks(posts.map((p) => p.id), IN_BATCH)) {
      const rows = await this.db
        .selectFrom('post_tag as pt')
        .innerJoin('tags as t', 't.id', 'pt.tag_id')
        .select(['pt.post_id', 't.id', 't.name'])
        .where('pt.post_id', 'in', ids)
        .execute();
      for (const r of rows) byId.get(r.post_id)!.tags.push({ id: r.id, name: r.name });
    }
    return tallyGraph(authors, postsOf, (p) => p.tags);
  }

  async nestedJoined(): Promise<Tally> {
    const rows = await this.joinedQuery()
      .leftJoin('post_tag as pt', 'pt.post_id', 'p.id')
      .leftJoin('tags as t', 't.id', 'pt.tag_id')
      .select(['t.id as t_id', 't.name as t_name'])
      .orderBy('t.id')
      .execute();
    return tallyGraph(this.fold(rows), postsOf, (p) => p.tags);
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const page = (await this.db.selectFrom('authors').selectAll().where('name', 'like', pattern).orderBy('id').limit(PAGE_SIZE).execute()).map((a) => ({ ...a, posts: [] as Post[] }));
      await this.attachPosts(page);
      addGraph(total, page, (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    for (const id of ids) {
      const p = await this.db.selectFrom('posts').select(POST_COLS).where('id', '=', id).executeTakeFirstOrThrow();
      t.post(p.id, p.title, p.content, p.author_id);
    }
    return t;
  }

  async stream(batchSize: number): Promise<Tally> {
    const t = new Tally();
    for (let last = 0; ; ) {
      const rows = await this.db.selectFrom('posts').select(POST_COLS).where('id', '>', last).orderBy('id').limit(batchSize).execute();
      for (const p of rows) {
        t.post(p.id, p.title, p.content, p.author_id);
        last = p.id;
      }
      if (rows.length < batchSize) return t;
    }
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    const date = (d: Date): Date | string => (this.dialect === 'libsql' ? sqliteTimestamp(d) : d);
    await this.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const part of chunks(batch, 1000)) {
        const q = tx.insertInto('authors').values(part.map((a) => ({ name: a.name, email: a.email })));
        if (this.dialect === 'mysql') {
          // No RETURNING on MySQL: ids run from insertId in steps of auto_increment_increment.
          const first = Number((await q.executeTakeFirstOrThrow()).insertId);
          part.forEach((_, i) => ids.push(first + i * this.idStep));
        } else {
          for (const r of await q.returning('id').execute()) ids.push(r.id);
        }
      }
      const rows = batch.flatMap((a, i) => a.posts.map((p) => ({ title: p.title, content: p.content, created_at: date(p.createdAt), author_id: ids[i]! })));
      for (const part of chunks(rows, 2000)) await tx.insertInto('posts').values(part).execute();
    });
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.db.transaction().execute(async (tx) => {
      const authors = await tx.selectFrom('authors').selectAll().orderBy('id').limit(count).execute();
      for (const a of authors) a.name += suffix;
      for (const part of chunks(authors, 1000)) {
        const whens = sql.join(part.map((a) => sql`when ${a.id} then ${a.name}`), sql` `);
        await tx
          .updateTable('authors')
          .set({ name: sql<string>`case id ${whens} end` })
          .where('id', 'in', part.map((a) => a.id))
          .execute();
      }
      for (const a of authors) t.author(a.id, a.name);
    });
    return t;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

export const kysely: ContenderDefinition = {
  name: 'kysely',
  library: 'kysely 0.28 (kysely-postgres-js / mysql2 / libsql dialect)',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': 'builder, 1 + N selects',
    selectin: 'builder: authors, then where author_id in (≤500) — folded by hand',
    joined: 'builder: one leftJoin, folded by hand (Kysely has no relation loader)',
    'nested-selectin': 'builder: 3 selects + batches, folded by hand',
    'nested-joined': 'builder: one 3-way leftJoin, folded by hand',
    'web-page': "builder: where name like … limit 20, then posts in (…)",
    'pk-lookups': "selectFrom('posts').where('id', '=', id) per lookup",
    stream: "keyset pages: selectFrom('posts').where('id', '>', last).orderBy('id').limit(1000)",
    'uow-insert': 'transaction: multi-row insert … returning id (MySQL: insertId + i), posts in 2,000-row inserts',
    'update-dirty': 'transaction: select limit n, one update set name = case … end',
  },
  async connect(ctx) {
    const log = (e: { level: string }): void => {
      if (e.level === 'query') ctx.counter.add();
    };
    let idStep = 1;
    let dialect;
    if (ctx.dialect === 'pg') {
      dialect = new PostgresJSDialect({ postgres: postgres(ctx.url, { max: 4, onnotice: () => {} }) });
    } else if (ctx.dialect === 'mysql') {
      dialect = new MysqlDialect({ pool: createPool({ uri: ctx.url, connectionLimit: 4 }) });
    } else {
      dialect = new LibsqlDialect(ctx.url, () => ctx.counter.add());
    }
    const db = new Kysely<DB>({ dialect, log });
    if (ctx.dialect === 'mysql') {
      const { rows } = await sql<{ step: number }>`select @@auto_increment_increment as step`.execute(db);
      idStep = Number(rows[0]?.step ?? 1);
    }
    return new KyselySession(db, ctx.dialect, idStep);
  },
};
