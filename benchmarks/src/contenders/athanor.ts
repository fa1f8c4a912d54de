/**
 * Athanor (this repository) on its own dialect packages: @athanor/postgres (postgres.js),
 * @athanor/mysql (mysql2) and @athanor/libsql (@libsql/client) — the same drivers as raw, so the
 * ratio to raw is the ORM's own cost.
 *
 * Written the way the docs teach it: mapped classes (athanor-models.ts), a fresh AsyncSession per
 * iteration (one unit of work per request), `select()` with loader options, `session.get` for
 * primary keys, `session.addAll` + `commit()` for inserts, and changed attributes + `commit()` for
 * updates. N+1 is what lazy code looks like in Athanor: there is no hidden lazy load (reading an
 * unloaded relationship throws), so a user who loads per object writes
 * `await session.load(author, 'posts')` in the loop.
 */
import { createAsyncEngine, joinedload, select, selectinload, sessionmaker, type AsyncSession, type Engine } from '@athanor/core';
import '@athanor/postgres';
import '@athanor/mysql';
import '@athanor/libsql';
import type { ContenderDefinition, ContenderSession } from './contender.js';
import { Author, Post, type Tag } from './athanor-models.js';
import { PAGE_SIZE, insertTally, type NewAuthor } from '../workload/scenarios.js';
import { Tally, addGraph, tallyGraph } from '../workload/tally.js';

const postsOf = (a: Author): Post[] => a.posts;
const tagsOf = (p: Post): Tag[] => p.tags;

class AthanorSession implements ContenderSession {
  readonly #engine: Engine;
  /**
   * Sessions as configured in production: the N+1 detector is off there (NODE_ENV=production)
   * and would only warn about the n-plus-one scenario, which does N+1 on purpose.
   */
  readonly #session: () => AsyncSession;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#session = sessionmaker(engine, { nPlusOne: { mode: 'off' } });
  }

  async nPlusOne(): Promise<Tally> {
    await using session = this.#session();
    const authors = (await session.scalars(select(Author).orderBy(Author.c.id))).all();
    for (const author of authors) await session.load(author, 'posts');
    return tallyGraph(authors, postsOf);
  }

  async selectin(): Promise<Tally> {
    await using session = this.#session();
    const authors = await session.scalars(select(Author).options(selectinload(Author.posts)).orderBy(Author.c.id));
    return tallyGraph(authors, postsOf);
  }

  async joined(): Promise<Tally> {
    await using session = this.#session();
    const authors = await session.scalars(select(Author).options(joinedload(Author.posts)).orderBy(Author.c.id));
    return tallyGraph(authors, postsOf);
  }

  async nestedJoined(): Promise<Tally> {
    await using session = this.#session();
    const authors = await session.scalars(select(Author).options(joinedload(Author.posts).joinedload(Post.tags)).orderBy(Author.c.id));
    return tallyGraph(authors, postsOf, tagsOf);
  }

  async nestedSelectin(): Promise<Tally> {
    await using session = this.#session();
    const authors = await session.scalars(select(Author).options(selectinload(Author.posts).selectinload(Post.tags)).orderBy(Author.c.id));
    return tallyGraph(authors, postsOf, tagsOf);
  }

  async webPage(patterns: readonly string[]): Promise<Tally> {
    const total = new Tally();
    for (const pattern of patterns) {
      // One request per page: its own session, as a web handler would have.
      await using session = this.#session();
      const stmt = select(Author).where(Author.c.name.like(pattern)).orderBy(Author.c.id).limit(PAGE_SIZE).options(selectinload(Author.posts));
      addGraph(total, await session.scalars(stmt), (a) => a.posts);
    }
    return total;
  }

  async pkLookups(ids: readonly number[]): Promise<Tally> {
    const t = new Tally();
    await using session = this.#session();
    for (const id of ids) {
      const p = await session.get(Post, id);
      if (!p) throw new Error(`athanor: post ${id} not found`);
      t.post(p.id, p.title, p.content, p.author_id);
    }
    return t;
  }

  async stream(batchSize: number): Promise<Tally> {
    const t = new Tally();
    await using session = this.#session();
    for await (const p of session.streamScalars(select(Post).orderBy(Post.c.id), { batchSize })) t.post(p.id, p.title, p.content, p.author_id);
    return t;
  }

  async uowInsert(batch: readonly NewAuthor[]): Promise<Tally> {
    await using session = this.#session();
    session.addAll(
      batch.map(
        (a) =>
          new Author({
            name: a.name,
            email: a.email,
            posts: a.posts.map((p) => new Post({ title: p.title, content: p.content, created_at: p.createdAt })),
          }),
      ),
    );
    await session.commit();
    return insertTally([...batch]);
  }

  async updateDirty(count: number, suffix: string): Promise<Tally> {
    const t = new Tally();
    await using session = this.#session();
    const authors = await session.scalars(select(Author).orderBy(Author.c.id).limit(count));
    for (const a of authors) a.name += suffix;
    await session.commit();
    for (const a of authors) t.author(a.id, a.name);
    return t;
  }

  async close(): Promise<void> {
    await this.#engine.dispose();
  }
}

export const athanor: ContenderDefinition = {
  name: 'athanor',
  library: 'athanor (workspace) on postgres.js / mysql2 / @libsql/client',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: {
    'n-plus-one': 'select(Author), then await session.load(author, "posts") per author',
    selectin: 'select(Author).options(selectinload(Author.posts))',
    joined: 'select(Author).options(joinedload(Author.posts)): one LEFT OUTER JOIN',
    'nested-selectin': 'selectinload(Author.posts).selectinload(Post.tags)',
    'nested-joined': 'joinedload(Author.posts).joinedload(Post.tags): one statement',
    'web-page': 'select(Author).where(name.like(…)).limit(20).options(selectinload(Author.posts)), a session per page',
    'pk-lookups': 'session.get(Post, id) per lookup (identity map empty: every id is new)',
    stream: 'session.streamScalars(select(Post).orderBy(Post.c.id), { batchSize: 1000 }): keyset pages, one batch held',
    'uow-insert': 'session.addAll(new Author({ …, posts: [new Post(…)] })) + commit() (unit of work)',
    'update-dirty': 'select(Author).limit(n), a.name += suffix, commit() (dirty check → UPDATEs)',
  },
  async connect(ctx) {
    // The harness's URLs are Athanor URLs already (postgres://, mysql://, libSQL's file:). One
    // session runs at a time: two connections are plenty (the PostgreSQL server is shared).
    const engine = createAsyncEngine(ctx.url, ctx.dialect === 'libsql' ? {} : { pool: { size: 2, maxOverflow: 0 } });
    const count = (): void => ctx.counter.add();
    engine.events.on('afterExecute', count);
    engine.events.on('begin', count);
    engine.events.on('commit', count);
    engine.events.on('rollback', count);
    await engine.connect().then((c) => c.close()); // fail here, not in the first timed iteration
    return new AthanorSession(engine);
  },
};
