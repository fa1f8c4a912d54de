/**
 * Runs one scenario for every selected contender on one database, interleaved: in each round every
 * live contender runs one iteration, and the starting contender rotates per round
 * (A B C, B C A, C A B, …) so drift — a checkpoint, a neighbour's load, JIT tiers, thermal
 * throttling — hits everyone alike. Warm-up rounds run the same way and are discarded.
 *
 * Timed: only the contender's scenario method. Untimed: building inputs, the forced GC, the
 * result check, the database-side write check and cleanup.
 */
import type { Cell, Dialect, ScenarioId, ScenarioResult } from '../types.js';
import { SCENARIO_METHODS, type ContenderDefinition, type ContenderSession } from '../contenders/contender.js';
import type { SqlClient } from '../db/sql-client.js';
import type { ScenarioSizes } from '../workload/scenarios.js';
import { compareTally, type Tally } from '../workload/tally.js';
import { IterationPlanner } from './iteration-plan.js';
import { MemorySampler } from './memory-sampler.js';
import type { StatementCounter } from './statement-counter.js';
import { median, percentile } from './stats.js';
import { fmtMs, fmtRatio, progress } from './progress.js';

/** A contender connected to the current database. */
export interface LiveContender {
  def: ContenderDefinition;
  session: ContenderSession;
  counter: StatementCounter;
  /** Stable position in the selection (used to make write stamps unique). */
  index: number;
}

export interface RoundSettings {
  warmup: number;
  iterations: number;
  /** Stop early once this many measured rounds are done and the budget is spent. */
  minIterations: number;
  /** Soft time budget per scenario, in ms. */
  budgetMs: number;
  /**
   * A contender whose single iteration takes longer than this runs no further rounds of the
   * scenario; that iteration is kept as its (only) sample, even if it was a warm-up round.
   * Why: some libraries are quadratic in places (TypeORM's 'query' relation strategy took 42 s
   * per iteration at 1,000 authors) and would otherwise eat the whole run.
   */
  maxIterationMs: number;
}

interface Participant {
  live: LiveContender;
  cell: Cell;
  statements: number[];
  heap: number[];
  failed: boolean;
  /** Set once an iteration exceeded the per-iteration limit. */
  stopped: boolean;
}

type ScenarioMethod = (...args: unknown[]) => Promise<Tally>;

/** One line for the report: the error, its cause (drivers' messages hide there), long SQL elided. */
function describeError(e: unknown): string {
  const oneLine = (s: string, max: number): string => {
    const flat = s.replace(/\s+/g, ' ');
    return flat.length > max ? `${flat.slice(0, max)}…` : flat;
  };
  if (!(e instanceof Error)) return oneLine(String(e), 300);
  const cause = e.cause instanceof Error ? ` — cause: ${oneLine(e.cause.message, 250)}` : '';
  return `${e.name}: ${oneLine(e.message, cause ? 160 : 300)}${cause}`;
}

/** Why a contender cannot run a scenario on a dialect, or null if it can. */
export function unsupportedReason(def: ContenderDefinition, session: ContenderSession | undefined, dialect: Dialect, scenario: ScenarioId): string | null {
  const declared = def.unsupported?.[dialect]?.[scenario] ?? session?.unsupported?.[scenario];
  if (declared) return declared;
  if (session && typeof session[SCENARIO_METHODS[scenario]] !== 'function') return 'not implemented by this contender';
  return null;
}

export async function runScenario(opts: {
  dialect: Dialect;
  authors: number;
  scenario: ScenarioId;
  stepLabel: string;
  contenders: LiveContender[];
  admin: SqlClient;
  sizes: ScenarioSizes;
  rounds: RoundSettings;
  /**
   * Across a sweep: "dialect/contender/scenario" → why it is skipped at larger sizes. Read to skip,
   * written when a contender exceeds the per-iteration limit.
   */
  tooSlow: Map<string, string>;
}): Promise<ScenarioResult> {
  const { dialect, scenario, contenders, admin, rounds } = opts;
  const planner = new IterationPlanner(scenario, opts.authors, opts.sizes);
  const method = SCENARIO_METHODS[scenario];
  const cells: Cell[] = [];
  const participants: Participant[] = [];
  for (const live of contenders) {
    const cell: Cell = { contender: live.def.name, status: 'ok', samples: [] };
    const strategy = live.def.strategies[scenario];
    if (strategy) cell.strategy = strategy;
    cells.push(cell);
    const reason = unsupportedReason(live.def, live.session, dialect, scenario);
    const slowKey = `${dialect}/${live.def.name}/${scenario}`;
    if (reason) {
      cell.status = 'unsupported';
      cell.reason = reason;
    } else if (opts.tooSlow.has(slowKey)) {
      cell.status = 'skipped';
      cell.reason = opts.tooSlow.get(slowKey)!;
    } else {
      participants.push({ live, cell, statements: [], heap: [], failed: false, stopped: false });
    }
  }

  const sampler = new MemorySampler();
  const started = performance.now();
  const totalRounds = rounds.warmup + rounds.iterations;
  for (let round = 0; round < totalRounds; round++) {
    const alive = participants.filter((p) => !p.failed && !p.stopped);
    if (alive.length === 0) break;
    const roundStart = performance.now();
    for (let k = 0; k < alive.length; k++) {
      const p = alive[(round + k) % alive.length]!;
      const plan = planner.plan(round, p.live.index);
      const fn = p.live.session[method] as unknown as ScenarioMethod;
      p.live.counter.reset();
      sampler.start();
      const t0 = performance.now();
      let problem: string | null = null;
      let tally: Tally | undefined;
      try {
        tally = await fn.apply(p.live.session, plan.args);
      } catch (e) {
        problem = describeError(e);
      }
      const ms = performance.now() - t0;
      const heapMb = sampler.stop();
      const statements = p.live.counter.value;
      if (!problem) problem = tally ? compareTally(tally.summary(), plan.expected) : 'returned no result';
      if (plan.after) {
        try {
          const afterProblem = await plan.after(admin);
          problem ??= afterProblem;
        } catch (e) {
          problem ??= `write check failed: ${describeError(e)}`;
        }
      }
      if (problem) {
        p.failed = true;
        p.cell.status = 'failed';
        p.cell.reason = problem;
        p.cell.samples = [];
        progress(`  ${dialect} ${scenario}: ${p.live.def.name} FAILED — ${problem}`);
        continue;
      }
      const tooSlow = ms > rounds.maxIterationMs;
      if (round >= rounds.warmup || tooSlow) {
        p.cell.samples.push(ms);
        p.statements.push(statements);
        p.heap.push(heapMb);
      }
      if (tooSlow) {
        p.stopped = true;
        const secs = (x: number): string => `${(x / 1000).toFixed(1)} s`;
        p.cell.note = `stopped after ${p.cell.samples.length} measured iteration(s): one took ${secs(ms)} (limit ${secs(rounds.maxIterationMs)})`;
        opts.tooSlow.set(`${dialect}/${p.live.def.name}/${scenario}`, `took ${secs(ms)} per iteration at ${opts.authors.toLocaleString('en-US')} authors (limit ${secs(rounds.maxIterationMs)})`);
        progress(`  ${dialect} ${scenario}: ${p.live.def.name} ${p.cell.note}; no more rounds`);
      }
    }
    const measured = round + 1 - rounds.warmup;
    const elapsed = performance.now() - started;
    const roundMs = performance.now() - roundStart;
    if (roundMs > 10_000 && round + 1 < totalRounds) progress(`  … ${opts.stepLabel} round ${round + 1}/${totalRounds} took ${(roundMs / 1000).toFixed(1)} s`);
    // Budget: stop after the minimum measured rounds once the budget is spent; give up after one
    // measured round if a very slow contender has burnt three budgets.
    if ((measured >= rounds.minIterations && elapsed > rounds.budgetMs) || (measured >= 1 && elapsed > 3 * rounds.budgetMs)) break;
  }

  for (const p of participants) {
    if (p.failed) continue;
    const m = median(p.cell.samples);
    if (m !== undefined) p.cell.median = m;
    const p95 = percentile(p.cell.samples, 95);
    if (p95 !== undefined) p.cell.p95 = p95;
    const st = median(p.statements);
    if (st !== undefined && p.live.def.countsStatements) p.cell.statements = st;
    const heap = median(p.heap);
    if (heap !== undefined) p.cell.heapPeakMb = heap;
  }
  const rawMedian = cells.find((c) => c.contender === 'raw' && c.status === 'ok')?.median;
  if (rawMedian) for (const c of cells) if (c.median !== undefined) c.ratio = c.median / rawMedian;

  const summary = cells
    .map((c) => (c.status === 'ok' ? `${c.contender} ${fmtMs(c.median)}${c.contender === 'raw' ? '' : ` (${fmtRatio(c.ratio)})`}${c.note ? '†' : ''}` : `${c.contender} ${c.status}`))
    .join(' · ');
  progress(`${opts.stepLabel}: ${summary}`);
  return { dialect, authors: opts.authors, scenario, cells };
}
