/**
 * CI smoke test of the concurrency benchmark: Athanor with a pool serves reads and a 90/10 load,
 * 4 requests at a time, on a small libSQL file, with no failed request and every write applied.
 * No timing is asserted. (Only Athanor: the other contenders would bring a second copy of SQLite
 * into this process when the benchmarks' own packages are installed.)
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { athanor } from '../src/concurrency/contenders.js';
import { MIXES, runCell } from '../src/concurrency/run-cell.js';
import { AsyncSession, createAsyncEngine, select } from '@athanor/core';
import { Author } from '../src/contenders/athanor-models.js';

describe('benchmarks smoke: concurrency on a libSQL file', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-bench-concurrency-'));
    file = path.join(dir, 'bench.db');
    // Seeded by another process: the harness's SQL client may be a second copy of SQLite (see above).
    const seeder = fileURLToPath(new URL('../src/concurrency/seed-main.ts', import.meta.url));
    execFileSync(process.execPath, ['--conditions=@athanor/source', '--import', 'tsx', seeder, file, '20'], { stdio: 'inherit' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [mix, every] of MIXES) {
    it(`${mix}: 40 requests, 4 at a time, none failing`, async () => {
      const c = athanor(file, 4, 'deferred', 'athanor', 'smoke');
      try {
        const cell = await runCell(c, { mix, everyNthWrites: every, level: 4, requests: 40, authors: 20, ioMs: 1 });
        expect({ errors: cell.errors, firstError: cell.firstError }).to.deep.equal({ errors: 0, firstError: undefined });
        expect(cell.throughput).to.be.greaterThan(0);
      } finally {
        await c.close();
      }
      if (every === 0) return;
      // Requests 9 and 29 rename author 12, requests 19 and 39 author 2 (1 + i × 7919 mod 20): " #<request>".
      const engine = createAsyncEngine(`sqlite:///${file}`);
      try {
        await using s = new AsyncSession(engine);
        const renamed = (await s.execute(select(Author.c.id, Author.c.name).orderBy(Author.c.id))).all().filter(([, n]) => / #\d+$/.test(n));
        expect(renamed.map(([id]) => id)).to.deep.equal([2, 12]);
        expect(renamed[0]![1]).to.match(/ #(19|39)$/);
        expect(renamed[1]![1]).to.match(/ #(9|29)$/);
      } finally {
        await engine.dispose();
      }
    });
  }
});
