/**
 * Retained heap of a loaded graph (issue 20's target: Athanor's identity map and snapshots at
 * most 2× raw's plain objects for the same rows). For each database and graph, the heap that
 * stays reachable after a full GC while the graph is held — for Athanor with its session still
 * open (identity map, instance states, committed snapshots, collections), loaded by select-in
 * and by join, for raw the plain objects its selectin scenario builds. One warm-up round (compiled statements, prepared
 * statements and shapes are not the graph's), then the median of `--rounds`.
 *
 *   npm run bench:heap                          (pg, mysql and libsql; the bench databases)
 *   npm run bench:heap -- --dialects libsql --rounds 7
 */
import { parseArgs } from 'node:util';
import { AsyncSession, createAsyncEngine, joinedload, select, selectinload } from '@athanor/core';
import '@athanor/postgres';
import '@athanor/mysql';
import '@athanor/libsql';
import { Author, Post } from './contenders/athanor-models.js';
import { loadGraph } from './contenders/raw.js';
import { openSqlClient } from './db/sql-client.js';
import { forceGc } from './runner/memory-sampler.js';
import { profileTarget } from './profile/profile-target.js';
import type { Dialect } from './types.js';

const { values } = parseArgs({ options: { dialects: { type: 'string', default: 'pg,mysql,libsql' }, rounds: { type: 'string', default: '5' } } });
if (forceGc === undefined) throw new Error('bench:heap needs node --expose-gc (npm run bench:heap passes it).');
const gc = forceGc;
const rounds = Number(values.rounds);

/** Bytes still reachable after a full GC while `load`'s result is held. */
interface Held {
  /** The loaded graph, referenced until release(). */
  graph: unknown;
  release(): Promise<void>;
}

async function retained(load: () => Promise<Held>): Promise<number> {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = await load();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  held.graph = undefined;
  await held.release();
  return after - before;
}

async function median(load: () => Promise<Held>): Promise<number> {
  await retained(load);
  const sizes: number[] = [];
  for (let i = 0; i < rounds; i++) sizes.push(await retained(load));
  sizes.sort((a, b) => a - b);
  return sizes[Math.floor(sizes.length / 2)]!;
}

const GRAPHS = [
  { name: 'authors + posts (selectin)', tags: false, options: () => selectinload(Author.posts) },
  { name: 'authors + posts + tags (nested selectin)', tags: true, options: () => selectinload(Author.posts).selectinload(Post.tags) },
  { name: 'authors + posts (joined)', tags: false, options: () => joinedload(Author.posts) },
  { name: 'authors + posts + tags (nested joined)', tags: true, options: () => joinedload(Author.posts).joinedload(Post.tags) },
] as const;

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
console.log('| database | graph | raw | athanor | athanor ÷ raw |');
console.log('|---|---|---:|---:|---:|');
for (const dialect of values.dialects.split(',') as Dialect[]) {
  const url = await profileTarget(dialect);
  const db = await openSqlClient(dialect, url);
  const engine = createAsyncEngine(url);
  try {
    for (const graph of GRAPHS) {
      const raw = await median(async () => ({ graph: await loadGraph(db, graph.tags), release: async () => undefined }));
      const athanor = await median(async () => {
        const session = new AsyncSession(engine, { nPlusOne: { mode: 'off' } });
        const authors = (await session.scalars(select(Author).options(graph.options()).orderBy(Author.c.id))).all();
        return { graph: authors, release: () => session.close() };
      });
      console.log(`| ${dialect} | ${graph.name} | ${mb(raw)} | ${mb(athanor)} | ${(athanor / raw).toFixed(2)}× |`);
    }
  } finally {
    await db.close();
    await engine.dispose();
  }
}
