/**
 * Prisma 7 with the Rust-free query compiler and driver adapters (@prisma/adapter-pg on
 * node-postgres, @prisma/adapter-mariadb on the mariadb connector, @prisma/adapter-libsql on
 * @libsql/client). No engine is downloaded: see prisma-generate.ts for how the client is
 * generated offline. `include` + `relationLoadStrategy` ('query' = select-in, 'join' = one
 * statement with JSON aggregation; 'join' is PostgreSQL/MySQL-only).
 */
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { ensurePrismaClient } from './prisma-generate.js';
import { openSqlClient } from '../db/sql-client.js';
import type { Dialect, ScenarioId } from '../types.js';
import type { StatementCounter } from '../runner/statement-counter.js';
import { chunks } from '../util/chunks.js';
import { PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';

/** The slice of the generated client this file uses (the generated types are not imported statically). */
interface PTag {
  id: number;
  name: string;
}
interface PPost {
  id: number;
  title: string;
  content: string;
  createdAt: Date;
  authorId: number;
  tags: { tag: PTag }[];
}
interface PAuthor {
  id: number;
  name: string;
  email: string;
  posts: PPost[];
}
type Args = Record<string, unknown>;
interface Delegate<T> {
  findMany(args?: Args): Promise<T[]>;
  findUnique(args: Args): Promise<T | null>;
  createMany(args: Args): Promise<{ count: number }>;
  createManyAndReturn(args: Args): Promise<T[]>;
  update(args: Args): Promise<T>;
}
interface PrismaTx {
  author: Delegate<PAuthor>;
  post: Delegate<PPost>;
}
interface PrismaClientLike extends PrismaTx {
  $transaction<R>(fn: (tx: PrismaTx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $on(event: 'query', cb: () => void): void;
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
}
type PrismaClientCtor = new (options: Args) => PrismaClientLike;

const postsOf = (a: PAuthor): PPost[] => a.posts;
const tagsOf = (p: PPost): PTag[] => p.tags.map((pt) => pt.tag);
/** Interactive transactions default to a 5 s timeout; the write scenarios can legitimately exceed it under --latency. */
const TX_OPTIONS = { maxWait: 30_000, timeout: 600_000 };

class PrismaSession implements ContenderSession {
  private readonly db: PrismaClientLike;
  private readonly dialect: Dialect;
  private readonly counter: StatementCounter;
  unsupported?: Partial<Record<ScenarioId, string>>;

  constructor(db: PrismaClientLike, dialect: Dialect, counter: StatementCounter, unsupported?: Partial<Record<ScenarioId, string>>) {
    this.db = db;
    this.dialect = dialect;
    this.counter = counter;
    if (unsupported) this.unsupported = unsupported;
  }

  /** An interactive transaction. Prisma's query event reports COMMIT/ROLLBACK but not BEGIN, so BEGIN is counted here. */
  private transaction<R>(fn: (tx: PrismaTx) => Promise<R>): Promise<R> {
    this.counter.add();
    return this.db.$transaction(fn, TX_OPTIONS);
  }

  private load(strategy: 'query' | 'join', nested: boolean): Promise<PAuthor[]> {
    return this.db.author.findMany({
      include: nested ? { posts: { include: { tags: { include: { tag: true } } } } } : { posts: true },
      orderBy: { id: 'asc' },
      // SQLite has no relationJoins; 'query' is the default there anyway.
      ...(this.dialect === 'libsql' ? {} : { relationLoadStrategy: strategy }),
    });
  }

  async nPlusOne(): Promise<Tally> {
    const authors = await this.db.author.findMany({ orderBy: { id: 'asc' } });
    for (const a of authors) a.posts = await this.db.post.findMany({ where: { authorId: a.id } });
    return tallyGraph(authors, postsOf);
  }

  async selectin(): Promise<Tally> {
    return tallyGraph(await this.load('query', false), postsOf);
  }

  async joined(): Promise<Tally> {
    return tallyGraph(await this.load('join', false), postsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    return tallyGraph(await this.load('query', true), postsOf, tagsOf);
  }

  async nestedJoined(): Promise<Tally> {
    return tallyGraph(await this.load('join', true), postsOf, tagsOf);
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const page = await this.db.author.findMany({
        where: { name: { startsWith: pattern.replace(/%$/, '') } }, // LIKE 'Ada %' ≡ startsWith 'Ada '
        include: { posts: true },
        orderBy: { id: 'asc' },
        take: PAGE_SIZE,
        ...(this.dialect === 'libsql' ? {} : { relationLoadStrategy: 'query' }),
      });
      addGraph(total, page, (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    for (const id of ids) {
      const p = (await this.db.post.findUnique({ where: { id } }))!;
      t.post(p.id, p.title, p.content, p.authorId);
    }
    return t;
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    await this.transaction(async (tx) => {
      const idByEmail = new Map<string, number>();
      for (const part of chunks(batch, 1000)) {
        const data = part.map((a) => ({ name: a.name, email: a.email }));
        if (this.dialect === 'mysql') {
          // createManyAndReturn is not available on MySQL: insert, then read the ids back.
          await tx.author.createMany({ data });
          const rows = await tx.author.findMany({ where: { email: { in: part.map((a) => a.email) } }, select: { id: true, email: true } });
          for (const r of rows) idByEmail.set(r.email, r.id);
        } else {
          for (const r of await tx.author.createManyAndReturn({ data, select: { id: true, email: true } })) idByEmail.set(r.email, r.id);
        }
      }
      const posts = batch.flatMap((a) => a.posts.map((p) => ({ title: p.title, content: p.content, createdAt: p.createdAt, authorId: idByEmail.get(a.email)! })));
      for (const part of chunks(posts, 2000)) await tx.post.createMany({ data: part });
    });
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.transaction(async (tx) => {
      const authors = await tx.author.findMany({ orderBy: { id: 'asc' }, take: count });
      // No unit of work and no multi-value update: one UPDATE per changed row.
      for (const a of authors) await tx.author.update({ where: { id: a.id }, data: { name: a.name + suffix } });
      for (const a of authors) t.author(a.id, a.name + suffix);
    });
    return t;
  }

  async close(): Promise<void> {
    await this.db.$disconnect();
  }
}

function adapter(dialect: Dialect, url: string): unknown {
  if (dialect === 'pg') return new PrismaPg({ connectionString: url, max: 4 });
  if (dialect === 'mysql') {
    const u = new URL(url);
    u.protocol = 'mariadb:';
    u.searchParams.set('connectionLimit', '4');
    return new PrismaMariaDb(u.toString());
  }
  return new PrismaLibSql({ url });
}

/**
 * Prisma refuses relationLoadStrategy 'join' on MariaDB and MySQL < 8.0.14 ("Input error") —
 * a documented limit, so it is reported as unsupported rather than failed.
 */
async function mariadbJoinLimit(url: string): Promise<Partial<Record<ScenarioId, string>> | undefined> {
  const db = await openSqlClient('mysql', url);
  try {
    const [row] = await db.query('SELECT VERSION() AS v');
    const version = String(row?.v ?? '');
    const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
    const oldMysql = m !== null && (Number(m[1]) < 8 || (Number(m[1]) === 8 && Number(m[2]) === 0 && Number(m[3]) < 14));
    if (!/mariadb/i.test(version) && !oldMysql) return undefined;
    const reason = `Prisma: relationLoadStrategy 'join' is not available for MySQL < 8.0.14 and MariaDB (server ${version})`;
    return { joined: reason, 'nested-joined': reason };
  } finally {
    await db.close();
  }
}

const JOIN_UNSUPPORTED = "relationLoadStrategy 'join' (relationJoins) is PostgreSQL/MySQL-only in Prisma";

export const prisma: ContenderDefinition = {
  name: 'prisma',
  library: 'prisma 7 (query compiler + adapter-pg / adapter-mariadb / adapter-libsql)',
  dialects: ['pg', 'mysql', 'libsql'],
  unsupported: { libsql: { joined: JOIN_UNSUPPORTED, 'nested-joined': JOIN_UNSUPPORTED } },
  countsStatements: true,
  strategies: {
    'n-plus-one': 'author.findMany, then post.findMany({ where: { authorId } }) per author',
    selectin: "author.findMany({ include: { posts }, relationLoadStrategy: 'query' })",
    joined: "author.findMany({ include: { posts }, relationLoadStrategy: 'join' }) — JSON aggregation",
    'nested-selectin': "include posts → tags (explicit PostTag) → tag, 'query'",
    'nested-joined': "include posts → tags → tag, 'join'",
    'web-page': "findMany({ where: { name: { startsWith } }, include: { posts }, take: 20 })",
    'pk-lookups': 'post.findUnique({ where: { id } }) per lookup',
    'uow-insert': 'interactive $transaction: createManyAndReturn authors (MySQL: createMany + findMany ids), createMany posts',
    'update-dirty': 'interactive $transaction: findMany(take n), then update() per row',
  },
  async connect(ctx) {
    const entry = await ensurePrismaClient(ctx.dialect, ctx.cacheDir);
    // A computed path keeps the generated client (and its @ts-nocheck sources) out of the type-check.
    const mod = (await import(pathToFileURL(entry).href)) as { PrismaClient: PrismaClientCtor };
    const db = new mod.PrismaClient({ adapter: adapter(ctx.dialect, ctx.url), log: [{ emit: 'event', level: 'query' }] });
    db.$on('query', () => ctx.counter.add());
    await db.$connect();
    return new PrismaSession(db, ctx.dialect, ctx.counter, ctx.dialect === 'mysql' ? await mariadbJoinLimit(ctx.url) : undefined);
  },
};
