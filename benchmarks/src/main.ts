/**
 * `npm run bench -- [options]`: seeds each selected database, runs the scenarios with every
 * selected contender interleaved, and writes results as markdown (also printed to stdout), JSON
 * and an SVG chart. Progress goes to stderr.
 */
import 'reflect-metadata'; // TypeORM and MikroORM expect it loaded once, before their metadata is built.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, USAGE, parseOptions, type BenchOptions } from './cli-options.js';
import { CONTENDERS } from './contenders/registry.js';
import type { ContenderDefinition } from './contenders/contender.js';
import { ensureDatabase, prepareLibsqlFile } from './db/database-setup.js';
import { openSqlClient } from './db/sql-client.js';
import { proxiedUrl, startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import { renderMarkdown } from './report/markdown.js';
import { renderSvg } from './report/svg-chart.js';
import { forceGc } from './runner/memory-sampler.js';
import { progress } from './runner/progress.js';
import { runDatabase, type DatabaseTarget } from './runner/run-database.js';
import { DIALECTS, SCENARIOS, type BenchReport, type Dialect } from './types.js';
import { packageVersion } from './util/package-version.js';

function selectContenders(opts: BenchOptions): ContenderDefinition[] {
  if (opts.contenders.length === 0) return [...CONTENDERS];
  const known = new Map(CONTENDERS.map((c) => [c.name, c]));
  for (const n of opts.contenders) if (!known.has(n)) throw new Error(`unknown contender "${n}" (known: ${[...known.keys()].join(', ')})`);
  // raw is the baseline of every ratio, so it always runs.
  return CONTENDERS.filter((c) => c.name === 'raw' || opts.contenders.includes(c.name));
}

function printList(): void {
  for (const c of CONTENDERS) {
    process.stdout.write(`${c.name}  (${c.library})\n  dialects: ${c.dialects.join(', ')}\n`);
    for (const d of DIALECTS) {
      const un = c.unsupported?.[d];
      if (un) for (const [s, why] of Object.entries(un)) process.stdout.write(`  ${d} ${s}: unsupported — ${why}\n`);
    }
    for (const s of SCENARIOS) process.stdout.write(`  ${s}: ${c.strategies[s] ?? '(not implemented)'}\n`);
  }
}

/** Connects (creating the database if needed) or returns why the dialect must be skipped. */
async function probe(dialect: Dialect, url: string): Promise<string | null> {
  try {
    await ensureDatabase(dialect, url);
    const db = await openSqlClient(dialect, url);
    try {
      await db.query('SELECT 1 AS ok');
    } finally {
      await db.close();
    }
    return null;
  } catch (e) {
    return `cannot connect to ${url.replace(/\/\/[^@]*@/, '//…@')}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) return void process.stdout.write(USAGE);
  if (opts.list) return printList();
  const contenders = selectContenders(opts);
  if (!forceGc) progress('note: run without --expose-gc; heap figures include garbage from earlier iterations');

  const startedAt = new Date();
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-bench-'));
  const cacheDir = path.join(BENCH_DIR, '.cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  const proxies: LatencyProxy[] = [];
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    options: { ...opts, pgUrl: undefined, mysqlUrl: undefined, contenders: contenders.map((c) => c.name) },
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
      ...Object.fromEntries(
        ['postgres', 'mysql2', '@libsql/client', 'drizzle-orm', 'kysely', 'typeorm', '@mikro-orm/core', 'prisma'].map((p) => [p, packageVersion(p)]),
      ),
    },
    skippedDialects: [],
    setupFailures: [],
    results: [],
  };

  try {
    const targets: DatabaseTarget[] = [];
    for (const dialect of opts.dialects) {
      if (dialect === 'libsql') {
        const filePath = path.join(tmpDir, 'bench.db');
        await prepareLibsqlFile(filePath);
        if (opts.latencyMs) progress('libsql: embedded, no network — latency n/a');
        targets.push({ dialect, adminUrl: `file:${filePath}`, contenderUrl: `file:${filePath}`, filePath, cacheDir });
        continue;
      }
      const url = dialect === 'pg' ? opts.pgUrl : opts.mysqlUrl;
      const problem = await probe(dialect, url);
      if (problem) {
        report.skippedDialects.push({ dialect, reason: problem });
        progress(`${dialect}: skipped — ${problem}`);
        continue;
      }
      let contenderUrl = url;
      if (opts.latencyMs > 0) {
        const u = new URL(url);
        const proxy = await startLatencyProxy(u.hostname, Number(u.port || (dialect === 'pg' ? 5432 : 3306)), opts.latencyMs);
        proxies.push(proxy);
        contenderUrl = proxiedUrl(url, proxy.port);
        progress(`${dialect}: contenders go through 127.0.0.1:${proxy.port} (+${opts.latencyMs} ms each way)`);
      }
      targets.push({ dialect, adminUrl: url, contenderUrl, filePath: '', cacheDir });
    }

    progress(`contenders: ${contenders.map((c) => c.name).join(', ')}; scenarios: ${opts.scenarios.length}; sizes: ${opts.authors.join(', ')} authors`);
    const tooSlow = new Map<string, string>();
    // Ascending sizes, so a contender too slow at one size is skipped at the larger ones.
    for (const authors of [...opts.authors].sort((a, b) => a - b)) {
      for (const target of targets) {
        report.results.push(
          ...(await runDatabase({
            target,
            authors,
            contenders,
            scenarios: opts.scenarios,
            sizes: opts.sizes,
            rounds: {
              warmup: opts.warmup,
              iterations: opts.iterations,
              minIterations: opts.minIterations,
              budgetMs: opts.budgetSec * 1000,
              maxIterationMs: opts.maxIterationSec * 1000,
            },
            setupFailures: report.setupFailures,
            tooSlow,
          })),
        );
      }
    }
  } finally {
    for (const p of proxies) await p.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  report.finishedAt = new Date().toISOString();
  fs.mkdirSync(opts.outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const base = path.join(opts.outDir, `bench-${opts.quick ? 'quick-' : ''}${stamp}`);
  const markdown = renderMarkdown(report);
  fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
  fs.writeFileSync(`${base}.md`, markdown);
  fs.writeFileSync(`${base}.svg`, renderSvg(report));
  // Stable names for the latest run, handy to link from docs.
  for (const ext of ['json', 'md', 'svg']) fs.copyFileSync(`${base}.${ext}`, path.join(opts.outDir, `latest.${ext}`));
  process.stdout.write(markdown);
  progress(`wrote ${base}.{md,json,svg} (and latest.*)`);
}

main().then(
  // Exit explicitly: a library that leaves a handle open must not keep the process alive.
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
