/**
 * Concurrency on an embedded libSQL file database (issue 21): 1, 4 and 16 requests at a time, each
 * a web request that reads a page (or, in the mixed load, one in ten writes) and then does other
 * I/O. Reports throughput (requests/s) and p50/p99 latency per contender, and errors.
 *
 *   npm run bench:concurrency -- [--authors 1000] [--requests 400] [--io-ms 2] [--levels 1,4,16]
 *
 * Contenders: Athanor with a pool (this release), Athanor as it ran before (one connection,
 * BEGIN IMMEDIATE for every unit of work), raw @libsql/client, and Drizzle and Kysely on it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seed } from './concurrency/seed-main.js';
import { athanor, raw, type ConcurrencyContender } from './concurrency/contenders.js';
import { MIXES, runCell, type Cell } from './concurrency/run-cell.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}
const AUTHORS = option('authors', 1000);
const REQUESTS = option('requests', 400);
const IO_MS = option('io-ms', 2);
const levelsArg = process.argv.indexOf('--levels');
const LEVELS = levelsArg < 0 ? [1, 4, 16] : process.argv[levelsArg + 1]!.split(',').map(Number);

/**
 * Each cell runs in a child process of its own. Besides isolating the measurements, this keeps
 * two copies of SQLite out of one process: the benchmark's @libsql/client and the one Athanor's
 * dialect resolves are separate native modules, and SQLite's POSIX locks break when two copies in
 * one process open the same file (one copy's close() drops the other's locks; sqlite.org/howtocorrupt.html §2.2).
 */
const CONTENDERS = ['athanor', 'athanor-before', 'raw', 'drizzle', 'kysely'] as const;

/** The peers are imported only by their own worker: the CI smoke test runs without the benchmarks' packages. */
async function makeContender(name: string, file: string, maxLevel: number): Promise<ConcurrencyContender> {
  switch (name) {
    case 'athanor':
      return athanor(file, maxLevel, 'deferred', 'athanor', `Athanor: a pool of ${maxLevel} connections, reads without the write lock (transactionMode 'deferred', the default)`);
    case 'athanor-before':
      return athanor(file, 1, 'write', 'athanor-before', 'Athanor as it ran before issue 21: one connection per engine, BEGIN IMMEDIATE for every unit of work');
    case 'raw':
      return raw(file);
    case 'kysely':
      return (await import('./concurrency/kysely-contender.js')).kyselyContender(file);
    default:
      return (await import('./concurrency/drizzle-contender.js')).drizzleContender(file);
  }
}

async function worker(): Promise<void> {
  const [name, file, mix, level, requests] = process.argv.slice(process.argv.indexOf('--worker') + 1);
  const every = MIXES.find(([m]) => m === mix)![1];
  const c = await makeContender(name!, file!, Math.max(...LEVELS));
  try {
    await runCell(c, { mix: 'warm-up', everyNthWrites: every, level: Number(level), requests: 200, authors: AUTHORS, ioMs: IO_MS });
    const cell = await runCell(c, { mix: mix!, everyNthWrites: every, level: Number(level), requests: Number(requests), authors: AUTHORS, ioMs: IO_MS });
    process.stdout.write(JSON.stringify({ cell, description: c.description }))
  } finally {
    await c.close();
  }
}

function spawnCell(name: string, file: string, mix: string, level: number): { cell: Cell; description: string } {
  const args = [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--worker', name, file, mix, String(level), String(REQUESTS)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out) as { cell: Cell; description: string };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-concurrency-'));
  const file = path.join(dir, 'bench.db');
  try {
    await seed(file, AUTHORS);
    const cells: Cell[] = [];
    const descriptions = new Map<string, string>();
    for (const [mix] of MIXES) {
      for (const level of LEVELS) {
        // Contenders take turns within a cell, so drift in machine load hits them alike.
        for (const name of CONTENDERS) {
          const { cell, description } = spawnCell(name, file, mix, level);
          descriptions.set(name, description);
          cells.push(cell);
          console.error(`${mix} ×${level} ${name}: ${cell.throughput.toFixed(0)} req/s, p99 ${cell.p99.toFixed(1)} ms, errors ${cell.errors} ${cell.firstError ?? ''}`);
        }
      }
    }
    console.log(report(CONTENDERS.map((name) => ({ name, description: descriptions.get(name)! })), cells));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(contenders: readonly { name: string; description: string }[], cells: readonly Cell[]): string {
  const lines = [
    `### libSQL file database under concurrency (${AUTHORS} authors, ${REQUESTS} requests per cell, ${IO_MS} ms of other I/O per request, Node ${process.version}, ${os.cpus().length} cores)`,
    '',
    ...contenders.map((c) => `- **${c.name}**: ${c.description}`),
    '',
    '| load | concurrent | ' + contenders.map((c) => `${c.name} req/s (p50 / p99 ms)`).join(' | ') + ' |',
    '|---|---|' + contenders.map(() => '---|').join(''),
  ];
  for (const [mix] of MIXES) {
    for (const level of LEVELS) {
      const row = contenders.map((c) => {
        const cell = cells.find((x) => x.contender === c.name && x.mix === mix && x.level === level)!;
        const errors = cell.errors === 0 ? '' : ` — ${cell.errors} errors (${cell.firstError})`;
        return `${cell.throughput.toFixed(0)} (${cell.p50.toFixed(1)} / ${cell.p99.toFixed(1)})${errors}`;
      });
      lines.push(`| ${mix} | ${level} | ${row.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

if (process.argv.includes('--worker')) await worker();
else await main();
