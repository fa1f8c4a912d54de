/**
 * Command-line options of `npm run bench -- [options]`. Parsed with node:util parseArgs (no
 * dependency). Unknown options are an error, so a typo never silently runs the full suite.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIALECTS, SCENARIOS, type Dialect, type ScenarioId } from './types.js';
import { FULL_SIZES, QUICK_SIZES, type ScenarioSizes } from './workload/scenarios.js';

export interface BenchOptions {
  quick: boolean;
  dialects: Dialect[];
  scenarios: ScenarioId[];
  /** Contender names; empty = every registered contender. */
  contenders: string[];
  /** Seeded author counts to run (more than one = scaling sweep). */
  authors: number[];
  sizes: ScenarioSizes;
  warmup: number;
  iterations: number;
  minIterations: number;
  /** Soft time budget per scenario per database, in seconds. */
  budgetSec: number;
  /** Per-iteration limit in seconds (see RoundSettings.maxIterationMs). */
  maxIterationSec: number;
  /** Added delay per packet per direction, in ms (0 = direct connections). */
  latencyMs: number;
  outDir: string;
  pgUrl: string;
  mysqlUrl: string;
  list: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick                 smoke run (100 authors, 1 warm-up + 3 rounds, small sizes): a minute or two
  --dialects LIST         pg,mysql,libsql (default: all three; unreachable servers are skipped)
  --scenarios LIST        default: all — ${SCENARIOS.join(', ')}
  --contenders LIST       default: all registered (see --list); raw is always added as the baseline
  --authors LIST          seeded authors, e.g. 1000 or 100,1000 (default 1000; quick 100)
  --sweep                 scaling sweep: --authors 100,1000,10000
  --iterations N          measured rounds per scenario (default 10; quick 3)
  --warmup N              discarded warm-up rounds (default 2; quick 1)
  --min-iterations N      rounds kept even when over budget (default 3; quick 2)
  --budget SECONDS        soft time budget per scenario and database (default 60; quick 4)
  --max-iteration SECONDS a contender slower than this per iteration gets no more rounds of that
                          scenario, and is skipped for it at larger sweep sizes (default 10; quick 5)
  --latency MS            route pg/mysql through a loopback proxy adding MS per packet each way (e.g. 0.5)
  --pk-lookups N, --web-pages N, --insert-authors N, --update-authors N   override scenario sizes
  --out DIR               where results go (default benchmarks/out)
  --list                  print contenders and what they support, then exit
  --help

Env: ATHANOR_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/athanor_bench)
     ATHANOR_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/athanor_bench)
`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (known: ${allowed.join(', ')})`);
  return items as T[];
}

function int(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

function milliseconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of milliseconds ≥ 0 (e.g. 0.5), got "${value}"`);
  return n;
}

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function parseOptions(argv: string[]): BenchOptions {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      dialects: { type: 'string' },
      scenarios: { type: 'string' },
      contenders: { type: 'string' },
      authors: { type: 'string' },
      sweep: { type: 'boolean', default: false },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      'min-iterations': { type: 'string' },
      budget: { type: 'string' },
      'max-iteration': { type: 'string' },
      latency: { type: 'string' },
      'pk-lookups': { type: 'string' },
      'web-pages': { type: 'string' },
      'insert-authors': { type: 'string' },
      'update-authors': { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = v.quick === true;
  const base = quick ? QUICK_SIZES : FULL_SIZES;
  const authors = v.sweep
    ? [100, 1_000, 10_000]
    : v.authors !== undefined
      ? v.authors.split(',').map((s) => int(s.trim(), 'authors', 1)!)
      : [quick ? 100 : 1_000];
  return {
    quick,
    dialects: list(v.dialects, DIALECTS, 'dialect') ?? [...DIALECTS],
    scenarios: list(v.scenarios, SCENARIOS, 'scenario') ?? [...SCENARIOS],
    contenders: v.contenders?.split(',').map((s) => s.trim()).filter(Boolean) ?? [],
    authors,
    sizes: {
      pkLookups: int(v['pk-lookups'], 'pk-lookups', 1) ?? base.pkLookups,
      webPages: int(v['web-pages'], 'web-pages', 1) ?? base.webPages,
      insertAuthors: int(v['insert-authors'], 'insert-authors', 1) ?? base.insertAuthors,
      updateAuthors: int(v['update-authors'], 'update-authors', 1) ?? base.updateAuthors,
    },
    warmup: int(v.warmup, 'warmup') ?? (quick ? 1 : 2),
    iterations: int(v.iterations, 'iterations', 1) ?? (quick ? 3 : 10),
    minIterations: int(v['min-iterations'], 'min-iterations', 1) ?? (quick ? 2 : 3),
    budgetSec: int(v.budget, 'budget', 1) ?? (quick ? 4 : 60),
    maxIterationSec: int(v['max-iteration'], 'max-iteration', 1) ?? (quick ? 5 : 10),
    latencyMs: milliseconds(v.latency, 'latency') ?? 0,
    outDir: path.resolve(v.out ?? path.join(benchDir, 'out')),
    pgUrl: process.env.ATHANOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/athanor_bench',
    mysqlUrl: process.env.ATHANOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/athanor_bench',
    list: v.list === true,
    help: v.help === true,
  };
}

/** The package directory (benchmarks/), for caches and default output. */
export const BENCH_DIR = benchDir;
