/** Drizzle in the concurrency benchmark (its own module: drizzle-orm is installed only with the benchmarks). */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { asc, eq, inArray, like } from 'drizzle-orm';
import { sqliteSchema } from '../contenders/drizzle-schema.js';
import { PAGE_SIZE } from '../workload/scenarios.js';
import { whileBusy, type ConcurrencyContender } from './contenders.js';

/** Drizzle on the same client: the query builder for reads, db.transaction({ behavior: 'immediate' }) retried on SQLITE_BUSY for writes. */
export function drizzleContender(filePath: string): ConcurrencyContender {
  const client = createClient({ url: `file:${filePath}`, intMode: 'number' });
  const db = drizzle(client, { schema: sqliteSchema });
  const { authors, posts } = sqliteSchema;
  return {
    name: 'drizzle',
    description: 'drizzle-orm on one @libsql/client; writes in transaction({ behavior: "immediate" }) retried on SQLITE_BUSY',
    async read(pattern, io) {
      const page = await db.select().from(authors).where(like(authors.name, pattern)).orderBy(asc(authors.id)).limit(PAGE_SIZE);
      const ids = page.map((a) => a.id);
      const found = ids.length === 0 ? [] : await db.select().from(posts).where(inArray(posts.authorId, ids));
      await io();
      return page.length + found.length;
    },
    async write(authorId, suffix, io) {
      await whileBusy(() => db.transaction(async (tx) => {
        const [row] = await tx.select({ name: authors.name }).from(authors).where(eq(authors.id, authorId));
        await io();
        await tx.update(authors).set({ name: row!.name.replace(/ #\d+$/, '') + suffix }).where(eq(authors.id, authorId));
      }, { behavior: 'immediate' }));
    },
    close: async () => client.close(),
  };
}
