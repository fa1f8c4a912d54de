/**
 * What each scenario does, how big it is, the input the harness hands a contender (built outside
 * the timed section), and the result it must return.
 */
import type { ScenarioId } from '../types.js';
import { FIRST_NAMES, POSTS_PER_AUTHOR, author, lorem, post, postCount, postIdsOfAuthor, tag, tagIdsOfPost } from './generator.js';
import { Tally, type TallySummary } from './tally.js';

/** Sizes that do not follow the seeded author count. */
export interface ScenarioSizes {
  /** Number of one-by-one primary-key lookups (posts). */
  pkLookups: number;
  /** Number of web-page requests (each: 20 authors by name prefix + their posts). */
  webPages: number;
  /** Authors inserted by uow-insert (each with 10 posts). Capped at the seeded size. */
  insertAuthors: number;
  /** Authors whose name update-dirty changes. Capped at the seeded size. */
  updateAuthors: number;
}

export const FULL_SIZES: ScenarioSizes = { pkLookups: 10_000, webPages: 50, insertAuthors: 1_000, updateAuthors: 1_000 };
export const QUICK_SIZES: ScenarioSizes = { pkLookups: 1_000, webPages: 10, insertAuthors: 100, updateAuthors: 100 };

export const PAGE_SIZE = 20;
/** Rows per batch of the stream scenario. */
export const STREAM_BATCH = 1000;
/** Max keys per IN list for select-in loading (SQLAlchemy's selectinload batch size). */
export const IN_BATCH = 500;

export const SCENARIO_DESCRIPTIONS: Record<ScenarioId, string> = {
  'n-plus-one': 'all authors, then each author’s posts one query at a time',
  selectin: 'all authors + their posts: 2 queries (IN list in batches of ≤500)',
  joined: 'all authors + their posts: 1 LEFT JOIN query, parents de-duplicated',
  'nested-selectin': 'authors → posts → tags with select-in loading (3 queries + batches)',
  'nested-joined': 'authors → posts → tags in one joined query',
  'web-page': '20 authors by name prefix with their posts, repeated per page',
  'pk-lookups': 'posts fetched by primary key, one query each',
  stream: 'every post, read in batches of 1,000 with one batch held at a time',
  'uow-insert': 'authors × 10 posts inserted in one transaction',
  'update-dirty': 'load authors, change one column, write them back in one transaction',
};

/** A new author (and its posts) for uow-insert; contenders turn these into their own objects. */
export interface NewAuthor {
  name: string;
  email: string;
  posts: NewPost[];
}
export interface NewPost {
  title: string;
  content: string;
  createdAt: Date;
}

/** Suffix update-dirty appends to each name; the harness strips it afterwards. */
export const EDIT_SUFFIX = ' (edited)';

/** `name LIKE` patterns, one per web page, cycling through the first names. */
export function webPagePatterns(pages: number): string[] {
  return Array.from({ length: pages }, (_, i) => `${FIRST_NAMES[i % FIRST_NAMES.length]} %`);
}

/** Post ids for pk-lookups: a fixed permutation-like walk over all posts (no two neighbours adjacent). */
export function pkLookupIds(count: number, authors: number): number[] {
  const posts = postCount(authors);
  const step = posts % 7919 === 0 ? 7907 : 7919; // a prime not dividing the post count
  return Array.from({ length: count }, (_, i) => ((i * step) % posts) + 1);
}

/**
 * The authors to insert in one uow-insert iteration. `stamp` makes emails unique per iteration
 * and lets the harness find (and delete) exactly these rows afterwards.
 */
export function newAuthors(count: number, stamp: string): NewAuthor[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `Inserted ${stamp} ${i}`;
    return {
      name,
      email: `ins-${stamp}-${i}@bench.invalid`,
      posts: Array.from({ length: POSTS_PER_AUTHOR }, (_, j) => ({
        title: `${name} / post ${j}`,
        content: lorem(i * 31 + j),
        createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000 + j * 1_000),
      })),
    };
  });
}

/** Expected result of a scenario for a seeded size; computed from the generator, never from a database. */
export function expectedTally(scenario: ScenarioId, authors: number, sizes: ScenarioSizes): TallySummary {
  const t = new Tally();
  const addAuthorWithPosts = (id: number, withTags: boolean): void => {
    const a = author(id);
    t.author(a.id, a.name);
    for (const pid of postIdsOfAuthor(id)) {
      const p = post(pid);
      t.post(p.id, p.title, p.content, a.id);
      if (withTags) for (const tid of tagIdsOfPost(pid)) t.tag(tid, tag(tid).name, pid);
    }
  };
  switch (scenario) {
    case 'n-plus-one':
    case 'selectin':
    case 'joined':
      for (let id = 1; id <= authors; id++) addAuthorWithPosts(id, false);
      break;
    case 'nested-selectin':
    case 'nested-joined':
      for (let id = 1; id <= authors; id++) addAuthorWithPosts(id, true);
      break;
    case 'web-page':
      for (let page = 0; page < sizes.webPages; page++) {
        const first = (page % FIRST_NAMES.length) + 1; // authors with this first name: first, first+50, …
        for (let k = 0, id = first; k < PAGE_SIZE && id <= authors; k++, id += FIRST_NAMES.length) addAuthorWithPosts(id, false);
      }
      break;
    case 'pk-lookups':
      for (const id of pkLookupIds(sizes.pkLookups, authors)) {
        const p = post(id);
        t.post(p.id, p.title, p.content, p.authorId);
      }
      break;
    case 'stream':
      for (let id = 1; id <= postCount(authors); id++) {
        const p = post(id);
        t.post(p.id, p.title, p.content, p.authorId);
      }
      break;
    case 'uow-insert':
      // The stamp's length is constant per run (see runner), so any stamp of that length gives the same sums.
      return insertTally(newAuthors(Math.min(sizes.insertAuthors, authors), 'r000c00')).summary();
    case 'update-dirty':
      for (let id = 1; id <= Math.min(sizes.updateAuthors, authors); id++) t.author(id, author(id).name + EDIT_SUFFIX);
      break;
  }
  return t.summary();
}

/** The tally a correct uow-insert returns for `batch`. */
export function insertTally(batch: NewAuthor[]): Tally {
  const t = new Tally();
  for (const a of batch) {
    t.insertedAuthor(a.name, a.email);
    for (const p of a.posts) t.insertedPost(p.title, p.content);
  }
  return t;
}

/** Unique per (round, contender) with a fixed length, e.g. r003c02. */
export function insertStamp(round: number, contenderIndex: number): string {
  return `r${String(round).padStart(3, '0')}c${String(contenderIndex).padStart(2, '0')}`;
}
