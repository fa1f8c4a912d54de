/**
 * Drizzle ORM on the same drivers as raw (postgres.js, mysql2, @libsql/client).
 *
 * Select-in loading is written with the query builder (Drizzle has no select-in loader: its
 * relational queries always build one statement); "joined" uses the relational query builder
 * (`db.query.authors.findMany({ with })`), Drizzle's own one-statement relation loading
 * (LATERAL + JSON aggregation on PostgreSQL, JSON subqueries elsewhere).
 */
import { asc, eq, inArray, like, sql, type Logger } from 'drizzle-orm';
import { drizzle as drizzlePg, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { drizzle as drizzleMysql, type MySql2Database } from 'drizzle-orm/mysql2';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import { createClient } from '@libsql/client';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { mysqlSchema, pgSchema, sqliteSchema } from './drizzle-schema.js';
import type { Dialect } from '../types.js';
import { chunks } from '../util/chunks.js';
import { sqliteTimestamp } from '../workload/generator.js';
import { IN_BATCH, PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';

type Db = PostgresJsDatabase<typeof pgSchema>;
type Author = typeof pgSchema.authors.$inferSelect;
type Post = typeof pgSchema.posts.$inferSelect;
interface AuthorWithPosts extends Author {
  posts: Post[];
}

class DrizzleSession implements ContenderSession {
  private readonly db: Db;
  /** This dialect's tables, typed as the PostgreSQL ones (see drizzle-schema.ts for why). */
  private readonly t: typeof pgSchema;
  private readonly dialect: Dialect;
  private readonly addStatements: (n: number) => void;
  private readonly closeClient: () => Promise<void>;

  constructor(db: Db, dialect: Dialect, addStatements: (n: number) => void, closeClient: () => Promise<void>) {
    this.db = db;
    this.dialect = dialect;
    this.t = (dialect === 'pg' ? pgSchema : dialect === 'mysql' ? mysqlSchema : sqliteSchema) as unknown as typeof pgSchema;
    this.addStatements = addStatements;
    this.closeClient = closeClient;
  }

  /** Drizzle logs BEGIN/COMMIT on mysql2 but not on postgres.js/libsql (driver-level transactions). */
  private async transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R> {
    if (this.dialect !== 'mysql') this.addStatements(2);
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }

  private async withPosts(authors: Author[]): Promise<AuthorWithPosts[]> {
    const out = authors.map((a) => ({ ...a, posts: [] as Post[] }));
    const byId = new Map(out.map((a) => [a.id, a]));
    for (const ids of chunks(out.map((a) => a.id), IN_BATCH)) {
      for (const p of await this.db.select().from(this.t.posts).where(inArray(this.t.posts.authorId, ids))) byId.get(p.authorId)!.posts.push(p);
    }
    return out;
  }

  async nPlusOne(): Promise<Tally> {
    const authors = await this.db.select().from(this.t.authors).orderBy(asc(this.t.authors.id));
    const out: AuthorWithPosts[] = [];
    for (const a of authors) out.push({ ...a, posts: await this.db.select().from(this.t.posts).where(eq(this.t.posts.authorId, a.id)) });
    return tallyGraph(out, (a) => a.posts);
  }

  async selectin(): Promise<Tally> {
    const authors = await this.withPosts(await this.db.select().from(this.t.authors).orderBy(asc(this.t.authors.id)));
    return tallyGraph(authors, (a) => a.posts);
  }

  async joined(): Promise<Tally> {
    const authors = await this.db.query.authors.findMany({ with: { posts: true }, orderBy: (a, { asc: up }) => [up(a.id)] });
    return tallyGraph(authors, (a) => a.posts);
  }

  async nestedSelectin(): Promise<Tally> {
    const authors = await this.withPosts(await this.db.select().from(this.t.authors).orderBy(asc(this.t.authors.id)));
    const posts = authors.flatMap((a) => a.posts);
    const tagsByPost = new Map<number, { id: number; name: string }[]>(posts.map((p) => [p.id, []]));
    for (const ids of chunks(posts.map((p) => p.id), IN_BATCH)) {
      const rows = await this.db
        .select({ postId: this.t.postTag.postId, id: this.t.tags.id, name: this.t.tags.name })
        .from(this.t.postTag)
        .innerJoin(this.t.tags, eq(this.t.tags.id, this.t.postTag.tagId))
        .where(inArray(this.t.postTag.postId, ids));
      for (const r of rows) tagsByPost.get(r.postId)!.push({ id: r.id, name: r.name });
    }
    return tallyGraph(authors, (a) => a.posts, (p) => tagsByPost.get(p.id)!);
  }

  async nestedJoined(): Promise<Tally> {
    const authors = await this.db.query.authors.findMany({
      with: { posts: { with: { postTags: { with: { tag: true } } } } },
      orderBy: (a, { asc: up }) => [up(a.id)],
    });
    return tallyGraph(authors, (a) => a.posts, (p) => p.postTags.map((pt) => pt.tag));
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const page = await this.db.select().from(this.t.authors).where(like(this.t.authors.name, pattern)).orderBy(asc(this.t.authors.id)).limit(PAGE_SIZE);
      addGraph(total, await this.withPosts(page), (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    for (const id of ids) {
      const [p] = await this.db.select().from(this.t.posts).where(eq(this.t.posts.id, id));
      t.post(p!.id, p!.title, p!.content, p!.authorId);
    }
    return t;
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    const date = (d: Date): Date => (this.dialect === 'libsql' ? (sqliteTimestamp(d) as unknown as Date) : d);
    await this.transaction(async (tx) => {
      const ids: number[] = [];
      for (const part of chunks(batch, 1000)) {
        const values = part.map((a) => ({ name: a.name, email: a.email }));
        if (this.dialect === 'mysql') {
          // No RETURNING on MySQL: $returningId() derives the ids from insertId.
          const my = tx as unknown as MySql2Database<typeof mysqlSchema>;
          for (const r of await my.insert(mysqlSchema.authors).values(values).$returningId()) ids.push(r.id);
        } else {
          for (const r of await tx.insert(this.t.authors).values(values).returning({ id: this.t.authors.id })) ids.push(r.id);
        }
      }
      const posts = batch.flatMap((a, i) => a.posts.map((p) => ({ title: p.title, content: p.content, createdAt: date(p.createdAt), authorId: ids[i]! })));
      for (const part of chunks(posts, 2000)) await tx.insert(this.t.posts).values(part);
    });
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.transaction(async (tx) => {
      const authors = await tx.select().from(this.t.authors).orderBy(asc(this.t.authors.id)).limit(count);
      for (const a of authors) a.name += suffix;
      for (const part of chunks(authors, 1000)) {
        const whens = part.map((a) => sql`when ${a.id} then ${a.name}`);
        await tx
          .update(this.t.authors)
          .set({ name: sql`case ${this.t.authors.id} ${sql.join(whens, sql` `)} end` })
          .where(inArray(this.t.authors.id, part.map((a) => a.id)));
      }
      for (const a of authors) t.author(a.id, a.name);
    });
    return t;
  }

  async close(): Promise<void> {
    await this.closeClient();
  }
}

export const drizzle: ContenderDefinition = {
  name: 'drizzle',
  library: 'drizzle-orm 0.45 (postgres.js / mysql2 / @libsql/client)',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': 'query builder, 1 + N selects',
    selectin: 'query builder: authors, then inArray(author_id) batches of 500',
    joined: 'relational query db.query.authors.findMany({ with: { posts } }) — one statement',
    'nested-selectin': 'query builder: 3 selects + batches (post_tag ⋈ tags)',
    'nested-joined': 'relational query with posts → postTags → tag — one statement',
    'web-page': 'query builder: like() + limit 20, then inArray posts',
    'pk-lookups': 'select().where(eq(id)) per lookup (unprepared builder)',
    'uow-insert': 'transaction: insert().values([...]).returning() ($returningId on MySQL), posts in 2,000-row inserts',
    'update-dirty': 'transaction: select limit n, one update().set({ name: sql`case … end` })',
  },
  async connect(ctx) {
    const logger: Logger = { logQuery: () => ctx.counter.add() };
    const add = (n: number): void => ctx.counter.add(n);
    if (ctx.dialect === 'pg') {
      const client = postgres(ctx.url, { max: 4, onnotice: () => {} });
      return new DrizzleSession(drizzlePg({ client, schema: pgSchema, logger }), 'pg', add, () => client.end({ timeout: 5 }));
    }
    if (ctx.dialect === 'mysql') {
      const pool = mysql.createPool({ uri: ctx.url, connectionLimit: 4 });
      // mode 'default' uses LATERAL joins for relational queries, which MariaDB does not have;
      // 'planetscale' uses correlated subqueries instead.
      const db = drizzleMysql({ client: pool, schema: mysqlSchema, mode: 'planetscale', logger });
      return new DrizzleSession(db as unknown as Db, 'mysql', add, () => pool.end());
    }
    const client = createClient({ url: ctx.url });
    const db = drizzleLibsql({ client, schema: sqliteSchema, logger });
    return new DrizzleSession(db as unknown as Db, 'libsql', add, async () => client.close());
  },
};
