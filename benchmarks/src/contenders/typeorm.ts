/**
 * TypeORM 1.x with EntitySchemas, used the way its docs show: find options with `relations`
 * and `relationLoadStrategy` ('query' = select-in, 'join' = one joined query), `save()` with
 * cascades as its unit of work. Drivers: pg (node-postgres — TypeORM cannot use postgres.js),
 * mysql2, and for libSQL the `better-sqlite3` driver type fed the `libsql` package (libSQL's
 * better-sqlite3-compatible native binding) through TypeORM's `driver` option.
 */
import { DataSource, Like, type DataSourceOptions, type EntityManager, type Logger } from 'typeorm';
import Database from 'libsql';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { typeormEntities, type AuthorEntity, type PostEntity } from './typeorm-entities.js';
import type { Dialect } from '../types.js';
import { PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';

type Entities = ReturnType<typeof typeormEntities>;
const postsOf = (a: AuthorEntity): PostEntity[] => a.posts;

class TypeormSession implements ContenderSession {
  private readonly ds: DataSource;
  private readonly e: Entities;

  constructor(ds: DataSource, e: Entities) {
    this.ds = ds;
    this.e = e;
  }

  private get m(): EntityManager {
    return this.ds.manager;
  }

  private loadAuthors(strategy: 'query' | 'join', withTags: boolean): Promise<AuthorEntity[]> {
    return this.m.find(this.e.Author, {
      relations: withTags ? { posts: { tags: true } } : { posts: true },
      relationLoadStrategy: strategy,
      order: { id: 'ASC' },
    });
  }

  async nPlusOne(): Promise<Tally> {
    const authors = await this.m.find(this.e.Author, { order: { id: 'ASC' } });
    for (const a of authors) a.posts = await this.m.find(this.e.Post, { where: { authorId: a.id } });
    return tallyGraph(authors, postsOf);
  }

  async selectin(): Promise<Tally> {
    return tallyGraph(await this.loadAuthors('query', false), postsOf);
  }

  async joined(): Promise<Tally> {
    return tallyGraph(await this.loadAuthors('join', false), postsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    return tallyGraph(await this.loadAuthors('query', true), postsOf, (p) => p.tags);
  }

  async nestedJoined(): Promise<Tally> {
    return tallyGraph(await this.loadAuthors('join', true), postsOf, (p) => p.tags);
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      const page = await this.m.find(this.e.Author, {
        where: { name: Like(pattern) },
        relations: { posts: true },
        relationLoadStrategy: 'query',
        order: { id: 'ASC' },
        take: PAGE_SIZE,
      });
      addGraph(total, page, (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    const repo = this.m.getRepository(this.e.Post);
    for (const id of ids) {
      const p = (await repo.findOneBy({ id }))!;
      t.post(p.id, p.title, p.content, p.authorId);
    }
    return t;
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    await this.ds.transaction(async (m) => {
      const authors = batch.map((a) =>
        m.create(this.e.Author, {
          name: a.name,
          email: a.email,
          posts: a.posts.map((p) => m.create(this.e.Post, { title: p.title, content: p.content, createdAt: p.createdAt })),
        }),
      );
      await m.save(this.e.Author, authors);
    });
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await this.ds.transaction(async (m) => {
      const authors = await m.find(this.e.Author, { order: { id: 'ASC' }, take: count });
      for (const a of authors) a.name += suffix;
      await m.save(this.e.Author, authors);
      for (const a of authors) t.author(a.id, a.name);
    });
    return t;
  }

  async close(): Promise<void> {
    await this.ds.destroy();
  }
}

/** Counts every statement TypeORM's query runners send (they log START TRANSACTION/COMMIT too). */
function countingLogger(add: () => void): Logger {
  const noop = (): void => {};
  return { logQuery: add, logQueryError: noop, logQuerySlow: noop, logSchemaBuild: noop, logMigration: noop, log: noop };
}

function options(dialect: Dialect, url: string, filePath: string): DataSourceOptions {
  const common = { synchronize: false, logging: false } as const;
  if (dialect === 'pg') return { ...common, type: 'postgres', url, poolSize: 4 };
  if (dialect === 'mysql') return { ...common, type: 'mysql', url, poolSize: 4 };
  return { ...common, type: 'better-sqlite3', database: filePath, driver: Database };
}

export const typeorm: ContenderDefinition = {
  name: 'typeorm',
  library: 'typeorm 1.x (pg / mysql2 / libsql via better-sqlite3 driver)',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': 'find(Author), then find(Post, { where: { authorId } }) per author',
    selectin: "find(Author, { relations: { posts }, relationLoadStrategy: 'query' })",
    joined: "find(Author, { relations: { posts }, relationLoadStrategy: 'join' })",
    'nested-selectin': "relations: { posts: { tags } }, relationLoadStrategy: 'query'",
    'nested-joined': "relations: { posts: { tags } }, relationLoadStrategy: 'join'",
    'web-page': "find({ where: { name: Like() }, relations: { posts }, relationLoadStrategy: 'query', take: 20 })",
    'pk-lookups': 'repository.findOneBy({ id }) per lookup',
    'uow-insert': 'transaction: save(authors) with cascade-inserted posts',
    'update-dirty': 'transaction: find(take n), edit, save(authors)',
  },
  async connect(ctx) {
    const entities = typeormEntities(ctx.dialect);
    const ds = new DataSource({
      ...options(ctx.dialect, ctx.url, ctx.filePath),
      entities: [entities.Author, entities.Post, entities.Tag],
      logger: countingLogger(() => ctx.counter.add()),
    });
    await ds.initialize();
    return new TypeormSession(ds, entities);
  },
};
