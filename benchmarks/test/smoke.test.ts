/**
 * CI smoke test of the benchmark harness: the raw baseline and the Athanor contender run every
 * scenario once on a tiny libSQL database, and each result must match the workload's checksum
 * (and, for the write scenarios, the harness's database-side check). No timing is asserted.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { raw } from '../src/contenders/raw.js';
import { athanor } from '../src/contenders/athanor.js';
import { prepareLibsqlFile } from '../src/db/database-setup.js';
import { runDatabase } from '../src/runner/run-database.js';
import { SCENARIOS, type BenchReport, type ScenarioResult } from '../src/types.js';

describe('benchmarks smoke: raw and athanor on libSQL', function () {
  this.timeout(30_000);
  let dir: string;
  let results: ScenarioResult[];
  const setupFailures: BenchReport['setupFailures'] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-bench-smoke-'));
    const filePath = path.join(dir, 'bench.db');
    await prepareLibsqlFile(filePath);
    const url = `file:${filePath}`;
    results = await runDatabase({
      target: { dialect: 'libsql', adminUrl: url, contenderUrl: url, filePath, cacheDir: dir },
      authors: 20,
      contenders: [raw, athanor],
      scenarios: [...SCENARIOS],
      sizes: { pkLookups: 30, webPages: 2, insertAuthors: 5, updateAuthors: 5 },
      rounds: { warmup: 0, iterations: 1, minIterations: 1, budgetMs: 10_000, maxIterationMs: 10_000 },
      setupFailures,
      tooSlow: new Map(),
    });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('connects both contenders', () => {
    expect(setupFailures).to.deep.equal([]);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario}: both return the expected checksum and count their statements`, () => {
      const result = results.find((r) => r.scenario === scenario);
      expect(result, `no result for ${scenario}`).to.not.equal(undefined);
      for (const contender of ['raw', 'athanor']) {
        const cell = result!.cells.find((c) => c.contender === contender)!;
        expect({ contender, status: cell.status, reason: cell.reason }).to.deep.equal({ contender, status: 'ok', reason: undefined });
        expect(cell.samples).to.have.length(1);
        expect(cell.statements).to.be.greaterThan(0);
      }
    });
  }
});
