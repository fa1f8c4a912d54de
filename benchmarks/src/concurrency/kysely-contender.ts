/** Kysely in the concurrency benchmark, on the harness's libSQL dialect (one @libsql/client). */
import { Kysely, type Generated } from 'kysely';
import { LibsqlDialect } from '../contenders/kysely-libsql-dialect.js';
import { PAGE_SIZE } from '../workload/scenarios.js';
import { whileBusy, type ConcurrencyContender } from './contenders.js';

interface DB {
  authors: { id: Generated<number>; name: string; email: string };
  posts: { id: Generated<number>; title: string; content: string; created_at: string; author_id: number };
}

/** The builder for reads; writes in db.transaction() (BEGIN IMMEDIATE in the dialect) retried on SQLITE_BUSY. */
export function kyselyContender(filePath: string): ConcurrencyContender {
  const db = new Kysely<DB>({ dialect: new LibsqlDialect(`file:${filePath}`) });
  return {
    name: 'kysely',
    description: 'kysely on one @libsql/client; writes in db.transaction() (transaction("write")) retried on SQLITE_BUSY',
    async read(pattern, io) {
      const page = await db.selectFrom('authors').selectAll().where('name', 'like', pattern).orderBy('id').limit(PAGE_SIZE).execute();
      const ids = page.map((a) => a.id);
      const posts = ids.length === 0 ? [] : await db.selectFrom('posts').selectAll().where('author_id', 'in', ids).execute();
      await io();
      return page.length + posts.length;
    },
    async write(authorId, suffix, io) {
      await whileBusy(() => db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('authors').select('name').where('id', '=', authorId).executeTakeFirstOrThrow();
        await io();
        await tx.updateTable('authors').set({ name: row.name.replace(/ #\d+$/, '') + suffix }).where('id', '=', authorId).execute();
      }));
    },
    close: () => db.destroy(),
  };
}
