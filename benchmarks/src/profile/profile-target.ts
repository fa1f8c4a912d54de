/**
 * The databases `bench:profile` and `bench:heap` run against: the servers' benchmark databases
 * (seeded by `npm run bench`) and a libSQL file in the temp directory, seeded here on first use
 * with `npm run bench`'s 1,000 authors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlClient } from '../db/sql-client.js';
import { prepareLibsqlFile, seedDatabase } from '../db/database-setup.js';
import type { Dialect } from '../types.js';

const LIBSQL_FILE = path.join(os.tmpdir(), 'athanor-profile.db');

export const PROFILE_URLS: Readonly<Record<Dialect, string>> = {
  pg: process.env.ATHANOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/athanor_bench',
  mysql: process.env.ATHANOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/athanor_bench',
  libsql: `file:${LIBSQL_FILE}`,
};

/** The URL for `dialect` (or `url` when given), the default libSQL file seeded if it is new. */
export async function profileTarget(dialect: string, url?: string): Promise<string> {
  const target = url ?? PROFILE_URLS[dialect as Dialect];
  if (target === undefined) throw new Error(`--dialect ${dialect}: unknown; use pg, mysql or libsql.`);
  if (dialect === 'libsql' && target === PROFILE_URLS.libsql && !fs.existsSync(LIBSQL_FILE)) {
    await prepareLibsqlFile(LIBSQL_FILE);
    const db = await openSqlClient('libsql', target);
    await seedDatabase(db, 1000);
    await db.close();
  }
  return target;
}
