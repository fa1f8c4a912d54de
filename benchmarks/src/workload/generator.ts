/**
 * The deterministic blog dataset: authors(id, name, email unique), posts(id, title, content,
 * created_at, author_id), tags(id, name unique), post_tag(post_id, tag_id).
 *
 * N authors × 10 posts, 50 tags, 3 tags per post. Every value is a pure function of the row id,
 * so the harness can seed any size and compute any scenario's expected result without keeping the
 * dataset in memory, and every run (and every machine) sees byte-identical data.
 */

export const POSTS_PER_AUTHOR = 10;
export const TAG_COUNT = 50;
export const TAGS_PER_POST = 3;

/**
 * 50 first names; the web-page scenario filters on `name LIKE '<first> %'`. None is a prefix of
 * another once the trailing space is added, and they differ case-insensitively (MariaDB and SQLite
 * compare LIKE case-insensitively, PostgreSQL does not — the data must not care).
 */
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Barbara', 'Brian', 'Claude', 'Dennis', 'Donald', 'Edsger', 'Frances', 'Grace',
  'Guido', 'Hedy', 'Ivan', 'John', 'Ken', 'Leslie', 'Linus', 'Margaret', 'Niklaus', 'Radia',
  'Richard', 'Robin', 'Shafi', 'Sophie', 'Tim', 'Tony', 'Vint', 'Whitfield', 'Yukihiro', 'Anders',
  'Bjarne', 'Carl', 'Dana', 'Elena', 'Fran', 'Gordon', 'Hal', 'Ingrid', 'Jean', 'Karen',
  'Lynn', 'Marvin', 'Noam', 'Olga', 'Peter', 'Quentin', 'Rosa', 'Seymour', 'Theo', 'Ursula',
];

const LAST_NAMES = [
  'Lovelace', 'Turing', 'Liskov', 'Kernighan', 'Shannon', 'Ritchie', 'Knuth', 'Dijkstra', 'Allen',
  'Hopper', 'Rossum', 'Lamarr', 'Sutherland', 'McCarthy', 'Thompson', 'Lamport', 'Torvalds',
  'Hamilton', 'Wirth', 'Perlman', 'Stallman', 'Milner', 'Goldwasser', 'Wilson', 'Berners-Lee',
  'Hoare', 'Cerf', 'Diffie', 'Matsumoto', 'Hejlsberg', 'Stroustrup', 'Hewitt', 'Scott', 'Moore',
  'Sparck', 'Bell', 'Abelson', 'Minsky', 'Chomsky', 'Naur',
];

const TOPICS = [
  'Query planning', 'Identity maps', 'Unit of work', 'Lazy loading', 'Connection pools', 'Indexes',
  'Transactions', 'Savepoints', 'Migrations', 'Prepared statements', 'Type mapping', 'Batching',
];

const WORDS = (
  'the quick brown fox jumps over lazy dog while databases hum along with rows columns keys ' +
  'joins indexes commits rollbacks cursors tuples pages buffers plans scans seeks locks latches'
).split(' ');

const TAG_WORDS = [
  'sql', 'orm', 'postgres', 'mysql', 'sqlite', 'typescript', 'node', 'async', 'performance',
  'testing', 'design', 'schema', 'migrations', 'indexes', 'joins', 'caching', 'pooling',
  'transactions', 'security', 'json', 'types', 'tooling', 'bench', 'profiling', 'memory', 'io',
  'network', 'latency', 'throughput', 'locks', 'mvcc', 'replication', 'backup', 'sharding',
  'queues', 'events', 'logging', 'tracing', 'errors', 'retries', 'timeouts', 'cursors', 'paging',
  'search', 'unicode', 'dates', 'money', 'uuids', 'enums', 'views',
];

export interface AuthorRow {
  id: number;
  name: string;
  email: string;
}
export interface PostRow {
  id: number;
  title: string;
  content: string;
  createdAt: Date;
  authorId: number;
}
export interface TagRow {
  id: number;
  name: string;
}

/** A tiny deterministic PRNG (mulberry32) so content differs per post without Math.random. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function author(id: number): AuthorRow {
  const first = FIRST_NAMES[(id - 1) % FIRST_NAMES.length]!;
  const last = LAST_NAMES[Math.floor((id - 1) / FIRST_NAMES.length) % LAST_NAMES.length]!;
  return { id, name: `${first} ${last} ${id}`, email: `author${id}@example.com` };
}

/** Post ids are dense: author a owns posts (a-1)*10+1 … a*10. */
export function post(id: number): PostRow {
  const authorId = Math.floor((id - 1) / POSTS_PER_AUTHOR) + 1;
  const n = ((id - 1) % POSTS_PER_AUTHOR) + 1;
  return {
    id,
    title: `${TOPICS[id % TOPICS.length]} in practice, part ${n}`,
    content: lorem(id),
    // Whole milliseconds, UTC, no time zone games: the benchmark is not testing date handling.
    createdAt: new Date(Date.UTC(2024, 0, 1) + id * 3_600_000),
    authorId,
  };
}

/** Content of 80–400 characters, a plausible blog excerpt. */
export function lorem(seed: number): string {
  const r = rng(seed);
  const target = 80 + Math.floor(r() * 320);
  let s = '';
  while (s.length < target) s += (s ? ' ' : '') + WORDS[Math.floor(r() * WORDS.length)];
  return s;
}

export function tag(id: number): TagRow {
  return { id, name: `${TAG_WORDS[(id - 1) % TAG_WORDS.length]}` };
}

/** The 3 distinct tag ids of a post (offsets 0, 13, 29 are distinct mod 50). */
export function tagIdsOfPost(postId: number): [number, number, number] {
  const base = (postId * 7) % TAG_COUNT;
  return [base + 1, ((base + 13) % TAG_COUNT) + 1, ((base + 29) % TAG_COUNT) + 1];
}

export function postCount(authors: number): number {
  return authors * POSTS_PER_AUTHOR;
}

/** Post ids of one author, ascending. */
export function postIdsOfAuthor(authorId: number): number[] {
  const first = (authorId - 1) * POSTS_PER_AUTHOR + 1;
  return Array.from({ length: POSTS_PER_AUTHOR }, (_, i) => first + i);
}

/** The seed's created_at value as SQLite text ("YYYY-MM-DD HH:MM:SS.sss", what CURRENT_TIMESTAMP-style readers parse). */
export function sqliteTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
