/**
 * Names shared by every part of the benchmark: databases, scenarios, and the result shapes the
 * runner produces and the reporters consume.
 */

/** The three databases Athanor targets. `libsql` is embedded (a temp file), the others are servers. */
export type Dialect = 'pg' | 'mysql' | 'libsql';
export const DIALECTS: readonly Dialect[] = ['pg', 'mysql', 'libsql'];

export const DIALECT_LABELS: Record<Dialect, string> = {
  pg: 'PostgreSQL',
  mysql: 'MariaDB/MySQL',
  libsql: 'libSQL (embedded file)',
};

/** Every scenario, in the order they run. Write scenarios come last so reads see pristine seed data. */
export const SCENARIOS = [
  'n-plus-one',
  'selectin',
  'joined',
  'nested-selectin',
  'nested-joined',
  'web-page',
  'pk-lookups',
  'stream',
  'uow-insert',
  'update-dirty',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

/**
 * A cell's outcome. `unsupported` = the contender declares it cannot; `failed` = it threw or
 * returned wrong data; `skipped` = not run at this size because it already exceeded the
 * per-iteration limit at a smaller size in the same sweep.
 */
export type CellStatus = 'ok' | 'failed' | 'unsupported' | 'skipped';

/** Timings and counts for one contender on one scenario (one database, one data size). */
export interface Cell {
  contender: string;
  status: CellStatus;
  /** Why the cell failed, is unsupported or was skipped. */
  reason?: string;
  /** For ok cells measured under a limit, e.g. "stopped after 1 iteration: 42 s > 10 s limit". */
  note?: string;
  /** How the contender does this scenario (e.g. "populate, strategy select-in"). */
  strategy?: string;
  /** Per-iteration wall times in ms, warm-up excluded. */
  samples: number[];
  median?: number;
  p95?: number;
  /** median / raw median from the same run. */
  ratio?: number;
  /** SQL statements per iteration (median), when the contender can count them. */
  statements?: number;
  /** Median over iterations of the peak heapUsed growth during the iteration, in MB. */
  heapPeakMb?: number;
}

export interface ScenarioResult {
  dialect: Dialect;
  /** Number of seeded authors (posts = 10×, post_tag rows = 30×). */
  authors: number;
  scenario: ScenarioId;
  cells: Cell[];
}

/** Everything one `npm run bench` produced; written as JSON and rendered as markdown and SVG. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  environment: Record<string, string>;
  /** Dialects skipped entirely (server unreachable…) with the reason. */
  skippedDialects: { dialect: Dialect; reason: string }[];
  /** Contenders that could not even be set up on a dialect, with the reason. */
  setupFailures: { dialect: Dialect; contender: string; reason: string }[];
  results: ScenarioResult[];
}
