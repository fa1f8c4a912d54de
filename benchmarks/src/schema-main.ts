/**
 * `npm run bench:schema -- [--tables 200] [--rounds 5] [--dialects libsql,pg,mysql]`: how long
 * reflection, the diff against the models and `athanor check` take on a wide schema, per
 * database, as a markdown table on stdout (progress on stderr). PostgreSQL and MySQL/MariaDB use
 * their own database, athanor_schema_bench, next to the one in ATHANOR_BENCH_PG_URL /
 * ATHANOR_BENCH_MYSQL_URL; libSQL a temporary file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import '@athanor/libsql';
import '@athanor/mysql';
import '@athanor/postgres';
import { ensureDatabase } from './db/database-setup.js';
import { fmtMs, progress } from './runner/progress.js';
import { runSchemaBench, type SchemaBenchResult } from './schema/run-schema-bench.js';

const { values } = parseArgs({
  options: { tables: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' }, dialects: { type: 'string', default: 'libsql,pg,mysql' } },
});
const tables = Number(values.tables);
const rounds = Number(values.rounds);
if (!Number.isInteger(tables) || tables < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--tables and --rounds take positive integers');

function siblingDatabase(url: string): string {
  const u = new URL(url);
  u.pathname = '/athanor_schema_bench';
  return u.toString();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-schema-bench-'));
const results: SchemaBenchResult[] = [];
try {
  for (const dialect of values.dialects.split(',')) {
    let url: string;
    if (dialect === 'libsql') url = `sqlite:///${path.join(dir, 'schema.db')}`;
    else if (dialect === 'pg' || dialect === 'mysql') {
      url = siblingDatabase(dialect === 'pg'
        ? (process.env.ATHANOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/athanor_bench')
        : (process.env.ATHANOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/athanor_bench'));
      await ensureDatabase(dialect, url);
    } else throw new Error(`unknown dialect '${dialect}' (libsql, pg, mysql)`);
    progress(`${dialect}: ${tables} tables, ${rounds} rounds`);
    results.push(await runSchemaBench(url, tables, rounds));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

process.stdout.write(
  [
    `Reflection and diff of a ${tables}-table schema (median of ${rounds}; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'})`,
    '',
    '| database | tables | columns | reflect statements | reflect | diff | `athanor check` (new engine) | createAll (once) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.dialect} | ${r.tables} | ${r.columns} | ${r.reflectStatements} | ${fmtMs(r.reflectMs)} | ${fmtMs(r.diffMs)} | ${fmtMs(r.checkMs)} | ${fmtMs(r.createMs)} |`),
    '',
  ].join('\n'),
);
