/**
 * What a request costs that opens its own session for one primary-key get, as a web handler
 * does, next to the raw driver's prepared SELECT, the same get in one long session, and a Core
 * connection per get. Interleaved rounds in one process; prints the median µs per get and the
 * ratio to raw. Runs against the seeded benchmark database (`npm run bench` seeds it; libSQL
 * uses bench:profile's file, seeded on first use).
 *
 *   npm run bench:request -- --dialect pg
 *   npm run bench:request -- --dialect mysql --gets 2000 --rounds 8
 */
import { parseArgs } from 'node:util';
import { bindparam, createAsyncEngine, select, sessionmaker } from '@athanor/core';
import '@athanor/postgres';
import '@athanor/mysql';
import '@athanor/libsql';
import { Post } from './contenders/athanor-models.js';
import { openSqlClient } from './db/sql-client.js';
import { profileTarget } from './profile/profile-target.js';
import type { Dialect } from './types.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'pg' },
    url: { type: 'string' },
    gets: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '7' },
  },
});
const dialect = values.dialect as Dialect;
const url = await profileTarget(dialect, values.url);
const gets = Number(values.gets);
const rounds = Number(values.rounds);

const raw = await openSqlClient(dialect, url);
const engine = createAsyncEngine(url, dialect === 'libsql' ? {} : { pool: { size: 2, maxOverflow: 0 } });
const Session = sessionmaker(engine, { nPlusOne: { mode: 'off' } });
const longSession = Session();
const byId = select(Post.c.id, Post.c.title, Post.c.content, Post.c.created_at, Post.c.author_id).where(Post.c.id.eq(bindparam('id')));
const postId = (i: number): number => 1 + ((i * 7919) % 10_000);
const found = (row: unknown, i: number): void => {
  if (row === undefined || row === null) throw new Error(`post ${postId(i)} not found: seed the benchmark database first (npm run bench)`);
};

const cases: Record<string, (i: number) => Promise<void>> = {
  'raw driver': async (i) => found((await raw.query('SELECT id, title, content, created_at, author_id FROM posts WHERE id = ?', [postId(i)]))[0], i),
  'session per get': async (i) => {
    await using session = Session();
    found(await session.get(Post, postId(i)), i);
  },
  'one session': async (i) => {
    const post = await longSession.get(Post, postId(i));
    found(post, i);
    longSession.expunge(post!); // every get a new object, as in a session per get
  },
  'Core connection per get': async (i) => {
    const conn = await engine.connect();
    try {
      found((await conn.execute(byId, { id: postId(i) })).first(), i);
    } finally {
      await conn.close();
    }
  },
};

const times = new Map<string, number[]>();
for (let round = -1; round < rounds; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const start = performance.now();
    for (let i = 0; i < gets; i++) await run(i);
    // Round -1 warms up (compiles, prepares statements, opens connections) and is not kept.
    if (round >= 0) times.set(name, [...(times.get(name) ?? []), ((performance.now() - start) * 1000) / gets]);
  }
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rawMedian = median(times.get('raw driver')!);
console.log(`${dialect}: ${gets} primary-key gets per round, ${rounds} rounds, median µs per get (ratio to raw)`);
for (const [name, xs] of times) console.log(`  ${name.padEnd(24)} ${median(xs).toFixed(1).padStart(7)} µs  ${(median(xs) / rawMedian).toFixed(2)}×`);

await longSession.close();
await engine.dispose();
await raw.close();
