/**
 * The contenders of the file-database concurrency benchmark. Each serves two kinds of request,
 * the way a web handler would, with `io()` standing for the handler's other I/O (an upstream call,
 * a template) between its database work and its end:
 * - read: a page of ≤20 authors by name prefix with their posts (select-in), then io();
 * - write: a unit of work that reads one author, then io(), then renames it and commits.
 * Athanor runs each request in its own AsyncSession, which holds its connection until it ends.
 */
import { createClient, type Client, type Transaction } from '@libsql/client';
import { AsyncSession, createAsyncEngine, select, selectinload, type Engine } from '@athanor/core';
import '@athanor/libsql';
import { Author } from '../contenders/athanor-models.js';
import { PAGE_SIZE } from '../workload/scenarios.js';

export interface ConcurrencyContender {
  readonly name: string;
  readonly description: string;
  /** Returns the number of authors and posts read. */
  read(pattern: string, io: () => Promise<void>): Promise<number>;
  write(authorId: number, suffix: string, io: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Athanor with a pool of `size` connections (`size` 1 with transactionMode 'write' is how it ran before the file pool). */
export function athanor(filePath: string, size: number, mode: 'deferred' | 'write', name: string, description: string): ConcurrencyContender {
  const engine: Engine = createAsyncEngine(`sqlite:///${filePath}`, {
    pool: { size, maxOverflow: 0, checkoutTimeoutMs: 60_000 },
    driverOptions: { transactionMode: mode, busyTimeoutMs: 60_000 },
  });
  return {
    name,
    description,
    async read(pattern, io) {
      await using session = new AsyncSession(engine, { nPlusOne: { mode: 'off' } });
      const authors = (await session.scalars(select(Author).where(Author.c.name.like(pattern)).orderBy(Author.c.id).limit(PAGE_SIZE).options(selectinload(Author.posts)))).all();
      await io();
      return authors.reduce((n, a) => n + 1 + a.posts.length, 0);
    },
    async write(authorId, suffix, io) {
      await new AsyncSession(engine, { nPlusOne: { mode: 'off' } }).run(async (session) => {
        const author = await session.get(Author, authorId);
        await io();
        author!.name = author!.name.replace(/ #\d+$/, '') + suffix;
      }, { retries: 10 });
    },
    close: () => engine.dispose(),
  };
}

/** Retries `attempt` while SQLite says the database is locked (busy_timeout is 0 in @libsql/client). */
export async function whileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || i > 2000) throw e;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    }
  }
}

/** The raw client as a careful engineer uses it: autocommit reads, writes in BEGIN IMMEDIATE with a retry loop. */
export function raw(filePath: string): ConcurrencyContender {
  const client: Client = createClient({ url: `file:${filePath}`, intMode: 'number' });
  return {
    name: 'raw',
    description: '@libsql/client: one client; reads in autocommit, writes in transaction("write") retried on SQLITE_BUSY',
    async read(pattern, io) {
      const authors = (await client.execute({ sql: 'SELECT id, name, email FROM authors WHERE name LIKE ? ORDER BY id LIMIT ?', args: [pattern, PAGE_SIZE] })).rows;
      const ids = authors.map((a) => a.id as number);
      const posts = ids.length === 0 ? [] : (await client.execute({ sql: `SELECT id, title, content, created_at, author_id FROM posts WHERE author_id IN (${ids.map(() => '?').join(', ')})`, args: ids })).rows;
      await io();
      return authors.length + posts.length;
    },
    async write(authorId, suffix, io) {
      await whileBusy(async () => {
        const tx: Transaction = await client.transaction('write');
        try {
          const [row] = (await tx.execute({ sql: 'SELECT name FROM authors WHERE id = ?', args: [authorId] })).rows;
          await io();
          await tx.execute({ sql: 'UPDATE authors SET name = ? WHERE id = ?', args: [String(row!.name).replace(/ #\d+$/, '') + suffix, authorId] });
          await tx.commit();
        } finally {
          tx.close();
        }
      });
    },
    close: async () => client.close(),
  };
}
