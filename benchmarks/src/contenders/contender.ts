/**
 * The one interface every contender implements. A contender is a library (or the raw driver) doing
 * the benchmark's scenarios its own idiomatic way; adding one is one file plus a registry line
 * (see benchmarks/README.md).
 */
import type { Dialect, ScenarioId } from '../types.js';
import type { NewAuthor } from '../workload/scenarios.js';
import type { Tally } from '../workload/tally.js';
import type { StatementCounter } from '../runner/statement-counter.js';

/** What a contender gets to connect with. */
export interface ContenderContext {
  dialect: Dialect;
  /**
   * pg / mysql: a connection URL (it points at the latency proxy when `--latency` is set).
   * libsql: a `file:` URL of the shared temp database.
   */
  url: string;
  /** libsql only: the plain filesystem path of that database (for native better-sqlite3-style drivers). */
  filePath: string;
  /** Count one SQL statement per call; the runner resets and reads it around each iteration. */
  counter: StatementCounter;
  /** A directory the contender may use for generated artefacts (e.g. a generated Prisma client). */
  cacheDir: string;
}

/**
 * One connected contender on one database. Each method is one scenario iteration and must start
 * from a clean slate (a fresh session / entity manager / unit of work), do all of the work,
 * and return a Tally of what it produced (see workload/tally.ts). A missing method = unsupported.
 */
export interface ContenderSession {
  /** All authors ordered by id, then each author's posts with one query per author. */
  nPlusOne?(): Promise<Tally>;
  /** All authors with their posts, select-in style (parents, then children by IN list). */
  selectin?(): Promise<Tally>;
  /** All authors with their posts in a single joined statement. */
  joined?(): Promise<Tally>;
  /** Authors → posts → tags, select-in style. */
  nestedSelectin?(): Promise<Tally>;
  /** Authors → posts → tags in a single statement. */
  nestedJoined?(): Promise<Tally>;
  /** For each pattern: ≤20 authors `WHERE name LIKE pattern ORDER BY id` with their posts (select-in). */
  webPage?(patterns: readonly string[]): Promise<Tally>;
  /** Fetch each post by primary key, one statement each, in this order. */
  pkLookups?(ids: readonly number[]): Promise<Tally>;
  /** Every post, read in batches of `batchSize` with at most a batch held at a time (a large export). */
  stream?(batchSize: number): Promise<Tally>;
  /** Insert these authors and their posts (FKs set from generated ids) in one transaction. */
  uowInsert?(authors: readonly NewAuthor[]): Promise<Tally>;
  /** In one transaction: load the first `count` authors by id, append `suffix` to each name, save. */
  updateDirty?(count: number, suffix: string): Promise<Tally>;
  /**
   * Scenarios this connected database cannot do, with the reason — for limits only known after
   * connecting (e.g. the server turned out to be MariaDB). Static limits go in the definition.
   */
  unsupported?: Partial<Record<ScenarioId, string>>;
  /** Release every connection (unclosed pools keep Node alive). */
  close(): Promise<void>;
}

/** The static description of a contender, registered in contenders/registry.ts. */
export interface ContenderDefinition {
  /** CLI name, e.g. `drizzle`. */
  name: string;
  /** Library and version shown in reports, e.g. `drizzle-orm 0.45.4`. */
  library: string;
  dialects: readonly Dialect[];
  /** Scenarios that cannot work on a dialect, with the reason (shown as "unsupported" in reports). */
  unsupported?: Partial<Record<Dialect, Partial<Record<ScenarioId, string>>>>;
  /** One line per scenario saying how the contender does it (goes into the report). */
  strategies: Partial<Record<ScenarioId, string>>;
  /** Whether the contender counts statements (all of ours do; a library with no hook may not). */
  countsStatements: boolean;
  /** Connect (and generate/validate whatever the library needs) for one database. */
  connect(ctx: ContenderContext): Promise<ContenderSession>;
}

/** Scenario id → session method name. */
export const SCENARIO_METHODS = {
  'n-plus-one': 'nPlusOne',
  selectin: 'selectin',
  joined: 'joined',
  'nested-selectin': 'nestedSelectin',
  'nested-joined': 'nestedJoined',
  'web-page': 'webPage',
  'pk-lookups': 'pkLookups',
  stream: 'stream',
  'uow-insert': 'uowInsert',
  'update-dirty': 'updateDirty',
} as const satisfies Record<ScenarioId, keyof ContenderSession>;
