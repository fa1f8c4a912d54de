/**
 * MikroORM 6 (the last line supporting Node 20; v7 needs Node ≥ 22.17) — the closest existing
 * analogue to Athanor: unit of work, identity map, and both select-in and joined loading
 * strategies. Each iteration works in a fresh `em.fork()`, as a request would. Drivers: pg
 * (knex + node-postgres), mysql2, and for libSQL the native `libsql` binding.
 */
import { LoadStrategy, type EntityManager, type LogContext, type Logger, type Options } from '@mikro-orm/core';
import { MikroORM as PgMikroORM } from '@mikro-orm/postgresql';
import { MikroORM as MysqlMikroORM } from '@mikro-orm/mysql';
import { MikroORM as LibsqlMikroORM } from '@mikro-orm/libsql';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { AuthorSchema, PostSchema, TagSchema, type MikroAuthor } from './mikroorm-entities.js';
import { PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';
import type { StatementCounter } from '../runner/statement-counter.js';

interface Orm {
  em: EntityManager;
  close(force?: boolean): Promise<void>;
}

const postsOf = (a: MikroAuthor) => a.posts.getItems();

/**
 * Counts queries and stays silent. MikroORM's Connection calls logQuery for every statement
 * (BEGIN/COMMIT included) whether or not debug logging is on; this does no formatting.
 */
class CountingLogger implements Logger {
  private readonly counter: StatementCounter;
  constructor(counter: StatementCounter) {
    this.counter = counter;
  }
  log(): void {}
  error(_ns: string, message: string): void {
    process.stderr.write(`[mikro-orm] ${message}\n`);
  }
  warn(): void {}
  logQuery(_context: LogContext): void {
    this.counter.add();
  }
  setDebugMode(): void {}
  isEnabled(): boolean {
    return false;
  }
}

class MikroSession implements ContenderSession {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  private load(strategy: LoadStrategy, nested: boolean): Promise<MikroAuthor[]> {
    const em = this.orm.em.fork();
    return em.find(AuthorSchema, {}, { populate: nested ? ['posts.tags'] : ['posts'], strategy, orderBy: { id: 'asc' } }) as Promise<MikroAuthor[]>;
  }

  async nPlusOne(): Promise<Tally> {
    const em = this.orm.em.fork();
    const authors = await em.find(AuthorSchema, {}, { orderBy: { id: 'asc' } });
    const t = new Tally();
    for (const a of authors) {
      t.author(a.id, a.name);
      for (const p of await em.find(PostSchema, { author: a.id })) t.post(p.id, p.title, p.content, a.id);
    }
    return t;
  }

  async selectin(): Promise<Tally> {
    return tallyGraph(await this.load(LoadStrategy.SELECT_IN, false), postsOf);
  }

  async joined(): Promise<Tally> {
    return tallyGraph(await this.load(LoadStrategy.JOINED, false), postsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    return tallyGraph(await this.load(LoadStrategy.SELECT_IN, true), postsOf, (p) => p.tags.getItems());
  }

  async nestedJoined(): Promise<Tally> {
    return tallyGraph(await this.load(LoadStrategy.JOINED, true), postsOf, (p) => p.tags.getItems());
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const em = this.orm.em.fork(); // one request = one unit of work
      const page = await em.find(
        AuthorSchema,
        { name: { $like: pattern } },
        { populate: ['posts'], strategy: LoadStrategy.SELECT_IN, orderBy: { id: 'asc' }, limit: PAGE_SIZE },
      );
      addGraph(total, page, (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const em = this.orm.em.fork();
    const t = new Tally();
    for (const id of ids) {
      const p = await em.findOneOrFail(PostSchema, id);
      t.post(p.id, p.title, p.content, p.author.id);
    }
    return t;
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    const em = this.orm.em.fork();
    for (const a of batch) {
      const author = em.create(AuthorSchema, { name: a.name, email: a.email });
      for (const p of a.posts) em.create(PostSchema, { title: p.title, content: p.content, createdAt: p.createdAt, author });
    }
    await em.flush(); // one implicit transaction, batched INSERTs
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.orm.em.fork().transactional(async (em) => {
      const authors = await em.find(AuthorSchema, {}, { orderBy: { id: 'asc' }, limit: count });
      for (const a of authors) a.name += suffix;
      for (const a of authors) t.author(a.id, a.name);
      // transactional() flushes the dirty entities before COMMIT.
    });
    return t;
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

export const mikroorm: ContenderDefinition = {
  name: 'mikroorm',
  library: '@mikro-orm 6.6 (postgresql / mysql / libsql drivers)',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': 'em.find(Author), then em.find(Post, { author }) per author',
    selectin: "em.find(Author, {}, { populate: ['posts'], strategy: 'select-in' })",
    joined: "em.find(Author, {}, { populate: ['posts'], strategy: 'joined' })",
    'nested-selectin': "populate: ['posts.tags'], strategy: 'select-in'",
    'nested-joined': "populate: ['posts.tags'], strategy: 'joined'",
    'web-page': "fresh fork per page; $like + limit 20, populate posts select-in",
    'pk-lookups': 'em.findOneOrFail(Post, id) per lookup (one fork: identity map grows)',
    'uow-insert': 'em.create() per author and post, one em.flush() (batched INSERTs)',
    'update-dirty': 'em.transactional(): find(limit n), edit; flush on commit (batched CASE UPDATE)',
  },
  async connect(ctx) {
    const common: Options = {
      entities: [AuthorSchema, PostSchema, TagSchema],
      loggerFactory: () => new CountingLogger(ctx.counter),
      allowGlobalContext: false,
      discovery: { warnWhenNoEntities: false },
      pool: { min: 0, max: 4 },
    };
    let orm: Orm;
    if (ctx.dialect === 'pg') orm = await PgMikroORM.init({ ...common, clientUrl: ctx.url } as Parameters<typeof PgMikroORM.init>[0]);
    else if (ctx.dialect === 'mysql') orm = await MysqlMikroORM.init({ ...common, clientUrl: ctx.url } as Parameters<typeof MysqlMikroORM.init>[0]);
    else orm = await LibsqlMikroORM.init({ ...common, dbName: ctx.filePath } as Parameters<typeof LibsqlMikroORM.init>[0]);
    return new MikroSession(orm);
  },
};
