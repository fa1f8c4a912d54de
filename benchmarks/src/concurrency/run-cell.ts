/** One cell of the concurrency benchmark: a contender serving a load at one level of concurrency. */
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../runner/stats.js';
import { webPagePatterns } from '../workload/scenarios.js';
import type { ConcurrencyContender } from './contenders.js';

/** The loads: all reads, and one write in ten. */
export const MIXES = [['reads', 0], ['90/10', 10]] as const;

export interface Cell {
  contender: string;
  mix: string;
  level: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}

/** Which cell to run: the load (every n-th request writes; 0: none), how many at a time, how many in all. */
export interface CellPlan {
  readonly mix: string;
  readonly everyNthWrites: number;
  readonly level: number;
  readonly requests: number;
  /** Authors in the database (writes pick one of 1…authors). */
  readonly authors: number;
  /** Other I/O per request, in ms. */
  readonly ioMs: number;
}

/** Runs `requests` requests, `level` at a time, and measures throughput and latency. */
export async function runCell(c: ConcurrencyContender, plan: CellPlan): Promise<Cell> {
  const { mix, everyNthWrites, level, requests } = plan;
  const patterns = webPagePatterns(50);
  const io = (): Promise<void> => sleep(plan.ioMs);
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  let rows = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: level }, async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = performance.now();
      try {
        if (everyNthWrites > 0 && i % everyNthWrites === everyNthWrites - 1) await c.write(1 + (i * 7919) % plan.authors, ` #${i}`, io);
        else rows += await c.read(patterns[i % patterns.length]!, io);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
      }
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  if (rows === 0) throw new Error(`${c.name} read nothing`);
  return { contender: c.name, mix, level, throughput: requests / elapsed, p50: percentile(latencies, 50)!, p99: percentile(latencies, 99)!, errors, ...(firstError ? { firstError } : {}) };
}
