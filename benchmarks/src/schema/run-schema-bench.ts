/**
 * Reflection and diff of a wide schema on one database: creates the schema, then times each of
 * `rounds` runs of reflectSchema, of the diff against the models, and of Migrator.check() (a
 * fresh engine each round, as the command line has), counting the statements reflection sends.
 * Every diff must be empty, or the run fails: a fast wrong answer is no result.
 */
import { createAsyncEngine, type Engine } from '@athanor/core';
import { Migrator, diffSchemas, modelSchema, reflectSchema, schemaDialectOf, type SchemaView } from '@athanor/migrate';
import { median } from '../runner/stats.js';
import { wideSchema } from './wide-schema.js';

export interface SchemaBenchResult {
  readonly dialect: string;
  readonly tables: number;
  readonly columns: number;
  readonly reflectStatements: number;
  /** Medians over the rounds, in milliseconds. */
  readonly reflectMs: number;
  readonly diffMs: number;
  readonly checkMs: number;
  readonly createMs: number;
}

export async function runSchemaBench(url: string, tables: number, rounds: number): Promise<SchemaBenchResult> {
  const md = wideSchema(tables);
  const only = md.tables.map((t) => t.name);
  const setup = createAsyncEngine(url);
  try {
    await md.dropAll(setup, { checkFirst: true });
    const created = performance.now();
    await md.createAll(setup);
    const createMs = performance.now() - created;
    const view: SchemaView = { schema: schemaDialectOf(setup), compiler: setup.dialect.compiler as SchemaView['compiler'] };
    const reflectMs: number[] = [];
    const diffMs: number[] = [];
    const checkMs: number[] = [];
    let reflectStatements = 0;
    let columns = 0;
    for (let r = 0; r < rounds; r++) {
      let statements = 0;
      const count = (): void => void statements++;
      setup.events.on('beforeExecute', count);
      const t0 = performance.now();
      const reflected = await reflectSchema(setup, { only });
      const t1 = performance.now();
      setup.events.off('beforeExecute', count);
      const changes = diffSchemas(modelSchema(md, view), reflected, { namedEnums: view.schema.namedEnums });
      const t2 = performance.now();
      if (changes.length > 0) throw new Error(`the ${tables}-table schema does not reflect back to its models: ${changes.slice(0, 5).map((c) => c.summary).join('; ')}`);
      reflectMs.push(t1 - t0);
      diffMs.push(t2 - t1);
      reflectStatements = statements;
      columns = reflected.tables.reduce((n, t) => n + t.columns.length, 0);
      checkMs.push(await timedCheck(url, md));
    }
    return {
      dialect: setup.dialect.name, tables, columns, reflectStatements,
      reflectMs: median(reflectMs) ?? NaN, diffMs: median(diffMs) ?? NaN, checkMs: median(checkMs) ?? NaN, createMs,
    };
  } finally {
    await md.dropAll(setup, { checkFirst: true }).catch(() => undefined);
    await setup.dispose();
  }
}

/** Migrator.check() from a new engine, as `athanor check` runs it: connect, reflect, diff. */
async function timedCheck(url: string, md: ReturnType<typeof wideSchema>): Promise<number> {
  const engine: Engine = createAsyncEngine(url, { watchdogMs: 0 });
  try {
    const t0 = performance.now();
    const changes = await new Migrator({ engine, migrations: '.', metadata: md }).check();
    const ms = performance.now() - t0;
    const foreign = changes.filter((c) => !c.summary.startsWith('- table '));
    if (foreign.length > 0) throw new Error(`check() found drift in a freshly created schema: ${foreign.slice(0, 5).map((c) => c.summary).join('; ')}`);
    return ms;
  } finally {
    await engine.dispose();
  }
}
