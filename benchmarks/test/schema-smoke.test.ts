/**
 * CI smoke test of the schema benchmark: a 30-table wide schema on libSQL reflects back to its
 * models (the run throws on any difference), with reflection's statement count independent of
 * the number of tables. No timing is asserted.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '@athanor/libsql';
import { runSchemaBench } from '../src/schema/run-schema-bench.js';

describe('benchmarks smoke: schema reflection and diff on libSQL', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'athanor-schema-smoke-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reflects a wide schema back to its models in four statements, whatever its size', async () => {
    const small = await runSchemaBench(`sqlite:///${path.join(dir, 'small.db')}`, 5, 1);
    const wide = await runSchemaBench(`sqlite:///${path.join(dir, 'wide.db')}`, 30, 1);
    expect(wide.tables).to.equal(30);
    expect(wide.columns).to.be.greaterThan(200);
    expect([small.reflectStatements, wide.reflectStatements]).to.deep.equal([4, 4]);
  });
});
