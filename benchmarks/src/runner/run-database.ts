/**
 * One database at one data size: seed, connect every contender, run the scenarios in order,
 * disconnect. Contenders are connected per size (not reused across a sweep) because re-seeding
 * drops and recreates the tables under them.
 */
import type { BenchReport, Dialect, ScenarioResult } from '../types.js';
import type { ContenderDefinition } from '../contenders/contender.js';
import { openSqlClient } from '../db/sql-client.js';
import { seedDatabase } from '../db/database-setup.js';
import type { ScenarioSizes } from '../workload/scenarios.js';
import { StatementCounter } from './statement-counter.js';
import { runScenario, type LiveContender, type RoundSettings } from './run-scenario.js';
import { progress } from './progress.js';
import type { ScenarioId } from '../types.js';

export interface DatabaseTarget {
  dialect: Dialect;
  /** Direct URL for the harness's own admin connection. */
  adminUrl: string;
  /** URL the contenders use (through the latency proxy when enabled). */
  contenderUrl: string;
  /** libsql: the database file path. */
  filePath: string;
  cacheDir: string;
}

export async function runDatabase(opts: {
  target: DatabaseTarget;
  authors: number;
  contenders: ContenderDefinition[];
  scenarios: ScenarioId[];
  sizes: ScenarioSizes;
  rounds: RoundSettings;
  setupFailures: BenchReport['setupFailures'];
  /** Shared across the sweep; see runScenario. */
  tooSlow: Map<string, string>;
}): Promise<ScenarioResult[]> {
  const { target, authors } = opts;
  const { dialect } = target;
  const admin = await openSqlClient(dialect, target.adminUrl);
  const live: LiveContender[] = [];
  const results: ScenarioResult[] = [];
  try {
    const t0 = performance.now();
    await seedDatabase(admin, authors);
    progress(`${dialect}: seeded ${authors} authors, ${authors * 10} posts, ${authors * 30} post_tag rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    for (const [index, def] of opts.contenders.entries()) {
      if (!def.dialects.includes(dialect)) continue;
      const counter = new StatementCounter();
      const t1 = performance.now();
      try {
        const session = await def.connect({ dialect, url: target.contenderUrl, filePath: target.filePath, counter, cacheDir: target.cacheDir });
        live.push({ def, session, counter, index });
        progress(`${dialect}: connected ${def.name} (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
      } catch (e) {
        const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 400);
        opts.setupFailures.push({ dialect, contender: def.name, reason });
        progress(`${dialect}: ${def.name} could not be set up — ${reason}`);
      }
    }

    for (const [i, scenario] of opts.scenarios.entries()) {
      results.push(
        await runScenario({
          dialect,
          authors,
          scenario,
          stepLabel: `${dialect} ${authors}a ${i + 1}/${opts.scenarios.length} ${scenario}`,
          contenders: live,
          admin,
          sizes: opts.sizes,
          rounds: opts.rounds,
          tooSlow: opts.tooSlow,
        }),
      );
    }
  } finally {
    for (const c of live) {
      await c.session.close().catch((e: unknown) => progress(`${dialect}: closing ${c.def.name} failed: ${String(e)}`));
    }
    await admin.close();
  }
  return results;
}
