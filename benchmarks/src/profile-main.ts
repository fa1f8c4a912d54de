/**
 * Profiles one contender on one read scenario against an already seeded benchmark database
 * (run `npm run bench -- --quick` once to create it): runs the scenario in a loop under the V8
 * CPU profiler and prints the time per iteration and the top self-time functions; with
 * `--alloc`, under the sampling heap profiler instead (garbage included), and prints the bytes
 * allocated per iteration and the functions that allocate them.
 *
 *   npm run bench:profile -- --dialect mysql --scenario nested-selectin --iterations 150
 *   npm run bench:profile -- --dialect pg --contender raw --scenario joined
 *   npm run bench:profile -- --dialect pg --scenario joined --alloc
 *   npm run bench:profile -- --dialect pg --scenario pk-lookups   (1,000 gets per iteration)
 *   npm run bench:profile -- --dialect pg --scenario web-page     (50 pages, a session each)
 *   npm run bench:profile -- --dialect pg --scenario stream       (every post, 1,000 at a time)
 *   npm run bench:profile -- --dialect pg --scenario uow-insert   (1,000 authors × 10 posts, removed after each)
 *   npm run bench:profile -- --dialect libsql --scenario selectin (seeds /tmp/athanor-profile.db once)
 *   npm run bench:profile -- --dialect pg --scenario joined --total  (total time per function, not self time)
 *   npm run bench:profile -- --dialect libsql --scenario uow-insert --gc  (a full GC before each iteration, as npm run bench does)
 *   npm run bench:profile -- --dialect pg --scenario web-page --window --gc  (only the timed calls profiled, ms per
 *     iteration per function, (idle) = waiting for the database, and the GC inside them)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { CONTENDERS } from './contenders/registry.js';
import { SCENARIO_METHODS } from './contenders/contender.js';
import { StatementCounter } from './runner/statement-counter.js';
import { forceGc } from './runner/memory-sampler.js';
import { topSelfTime, topTotalTime } from './profile/top-functions.js';
import { topAllocations } from './profile/top-allocations.js';
import { profileWindows } from './profile/window-profile.js';
import type { WindowStep } from './profile/window-profile.js';
import { EDIT_SUFFIX, FULL_SIZES, STREAM_BATCH, insertStamp, newAuthors, pkLookupIds, webPagePatterns } from './workload/scenarios.js';
import { openSqlClient } from './db/sql-client.js';
import { profileTarget } from './profile/profile-target.js';
import { cleanupInsert, restoreUpdate } from './db/write-checks.js';
import type { Dialect } from './types.js';

const SCENARIOS = ['n-plus-one', 'selectin', 'joined', 'nested-selectin', 'nested-joined', 'pk-lookups', 'web-page', 'stream', 'uow-insert', 'update-dirty'] as const;
const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'mysql' },
    url: { type: 'string' },
    contender: { type: 'string', default: 'athanor' },
    gc: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'nested-selectin' },
    iterations: { type: 'string', default: '100' },
    top: { type: 'string', default: '20' },
    alloc: { type: 'boolean', default: false },
    total: { type: 'boolean', default: false },
    window: { type: 'boolean', default: false },
  },
});
const dialect = values.dialect as Dialect;
const url = await profileTarget(dialect, values.url);
const scenario = values.scenario as (typeof SCENARIOS)[number];
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, not ${scenario}.`);
const contender = CONTENDERS.find((c) => c.name === values.contender);
if (contender === undefined) throw new Error(`No contender ${values.contender}; see npm run bench -- --list.`);

// The harness's own connection puts back what write scenarios changed, after each iteration.
const admin = await openSqlClient(dialect, url);
await cleanupInsert(admin, '%') // rows an interrupted run left behind
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-profile-'));
const session = await contender.connect({ dialect, url, filePath: url.replace(/^file:/, ''), counter: new StatementCounter(), cacheDir });
const method = session[SCENARIO_METHODS[scenario]]?.bind(session) as ((...args: unknown[]) => Promise<unknown>) | undefined;
if (method === undefined) throw new Error(`${contender.name} does not do ${scenario}.`);
if (values.gc && forceGc === undefined) throw new Error('--gc needs node --expose-gc (npm run bench:profile passes it).');
// pk-lookups takes its ids (1,000 posts of the seeded 1,000 authors per iteration), web-page its
// name patterns (50 pages per iteration, as a full run).
const input = scenario === 'pk-lookups' ? pkLookupIds(1000, 1000) : scenario === 'web-page' ? webPagePatterns(FULL_SIZES.webPages) : scenario === 'stream' ? STREAM_BATCH : undefined;
let round = 0;
// One iteration: the scenario's call and, for write scenarios, the harness's cleanup after it.
const step = (): WindowStep => {
  if (scenario === 'uow-insert') {
    const stamp = insertStamp(++round, 99);
    const batch = newAuthors(FULL_SIZES.insertAuthors, stamp);
    return { call: () => method(batch), after: () => cleanupInsert(admin, stamp) };
  }
  if (scenario === 'update-dirty') return { call: () => method(FULL_SIZES.updateAuthors, EDIT_SUFFIX), after: () => restoreUpdate(admin) };
  return { call: () => (input === undefined ? method() : method(input)) };
};
const run = async (): Promise<unknown> => {
  const s = step();
  await s.call();
  return s.after?.();
};
await run(); // warm-up: compile, prepare statements

const inspector = new Session();
inspector.connect();
const iterations = Number(values.iterations);
if (values.alloc) {
  await inspector.post('HeapProfiler.enable');
  // One sample per 4 KiB allocated on average; collected objects count, or only survivors would.
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await run();
  const ms = (performance.now() - t0) / iterations;
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  if (process.env.ALLOC_DUMP) fs.writeFileSync(process.env.ALLOC_DUMP, JSON.stringify(profile));
  await session.close();
  const rows = topAllocations(profile.head as never, Number(values.top));
  const total = rows.reduce((sum, [, pct, bytes]) => (pct > 0 ? Math.max(sum, (bytes * 100) / pct) : sum), 0);
  console.log(`${contender.name} ${scenario} on ${dialect}: ${ms.toFixed(2)} ms and ${(total / iterations / 1e6).toFixed(1)} MB allocated per iteration (${iterations} iterations, sampled)`);
  for (const [label, pct, bytes] of rows) console.log(`${pct.toFixed(1).padStart(5)} %  ${(bytes / iterations / 1e3).toFixed(0).padStart(7)} kB/it  ${label}`);
  process.exit(0);
}
if (values.window) {
  const report = await profileWindows(inspector, iterations, step, values.gc ? forceGc : undefined);
  await session.close();
  console.log(`${contender.name} ${scenario} on ${dialect}: ${report.ms.toFixed(2)} ms per iteration, ${report.gcMs.toFixed(2)} ms of it GC (${iterations} iterations, each profiled alone)`);
  for (const [label, ms] of report.self.slice(0, Number(values.top))) console.log(`${ms.toFixed(2).padStart(8)} ms  ${label}`);
  process.exit(0);
}
await inspector.post('Profiler.enable');
await inspector.post('Profiler.start');
let timed = 0;
for (let i = 0; i < iterations; i++) {
  // --gc: a full collection before each iteration, as `npm run bench` forces (to measure peak
  // heap), outside the timed part; the profile's GC share then includes these collections.
  if (values.gc) forceGc!();
  const t0 = performance.now();
  await run();
  timed += performance.now() - t0;
}
const ms = timed / iterations;
const { profile } = await inspector.post('Profiler.stop');
const file = path.join(cacheDir, `${contender.name}-${dialect}-${scenario}.cpuprofile`);
fs.writeFileSync(file, JSON.stringify(profile));
await session.close();

console.log(`${contender.name} ${scenario} on ${dialect}: ${ms.toFixed(2)} ms per iteration (${iterations} iterations, profiled)`);
console.log(`profile: ${file}`);
for (const [label, pct] of (values.total ? topTotalTime : topSelfTime)(file, Number(values.top))) console.log(`${pct.toFixed(1).padStart(5)} %  ${label}`);
process.exit(0);
