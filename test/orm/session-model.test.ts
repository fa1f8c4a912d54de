/**
 * A model-based (stateful property) test of AsyncSession: fast-check generates programs of two
 * to four sessions interleaving adds, changes, deletes, flushes, commits, rollbacks, savepoints
 * and their rollbacks, expiry, refresh, locking reads, `session.run` retries and other
 * connections' writes, and after every step the sessions and the database must be exactly what
 * test/orm/session-model/model.ts says: no acknowledged write lost, every refreshed or locked
 * object equal to its row, one object per row. `npm test` runs a few hundred programs per
 * backend; `npm run test:reliability` many thousands (ATHANOR_MODEL_RUNS to choose).
 */
import fc from 'fast-check'
import { createAsyncEngine, type Engine } from '@athanor/core'
import { forEachBackend } from '../reliability/support/backends.js'
import { FULL } from '../reliability/support/settings.js'
import { executed, steps } from './session-model/commands.js'
import { Model } from './session-model/model.js'
import { RealSystem, SEED, metadata } from './session-model/system.js'

const RUNS = Number(process.env['ATHANOR_MODEL_RUNS'] ?? (FULL ? 3000 : 150))
const SEED_VALUE = process.env['ATHANOR_MODEL_SEED'] === undefined ? undefined : Number(process.env['ATHANOR_MODEL_SEED'])
const PATH = process.env['ATHANOR_MODEL_PATH']

/**
 * The model lets no step run that would wait for another session's lock. Should one wait all the
 * same (a gap in the model), it fails within seconds with the step and the seed, instead of
 * stalling the run on the server's own limit (50 s a wait on MariaDB, none on PostgreSQL) once
 * per program fast-check tries while shrinking.
 */
const LOCK_WAIT: Readonly<Record<string, string>> = {
  postgresql: "SET lock_timeout = '10s'",
  mysql: 'SET SESSION innodb_lock_wait_timeout = 10',
}

forEachBackend('session model', (backend) => {
  let engine: Engine

  before(async () => {
    const probe = createAsyncEngine(backend.url)
    const levels = probe.dialect.capabilities.isolationLevels
    const lockWait = LOCK_WAIT[probe.dialect.name]
    await probe.dispose()
    // READ COMMITTED everywhere it exists (MariaDB defaults to REPEATABLE READ): the model's rule for reads.
    engine = createAsyncEngine(backend.url, {
      ...(levels.includes('READ COMMITTED') ? { isolationLevel: 'READ COMMITTED' as const } : {}),
      ...(lockWait === undefined ? {} : { initStatements: [lockWait] }),
      pool: { checkoutTimeoutMs: 10_000, ...(probe.dialect.capabilities.concurrentConnections ? { size: 6, maxOverflow: 2 } : {}) },
    })
    await metadata.dropAll(engine, { checkFirst: true })
    await metadata.createAll(engine)
  })
  after(async () => {
    if ((engine as Engine | undefined) === undefined) return
    await metadata.dropAll(engine, { checkFirst: true })
    await engine.dispose()
  })

  it(`${RUNS} random programs of 2–4 concurrent sessions keep the sessions and the database as the model says`, async function () {
    this.timeout(RUNS * 2000 + 60_000)
    // The model knows row locks and READ COMMITTED reads. SQLite's file pool (snapshot reads, one
    // writer for the whole file) is run the one-transaction-at-a-time way the model also knows.
    const concurrent = engine.dialect.capabilities.concurrentConnections && engine.dialect.capabilities.rowLocks
    const deletesScan = engine.dialect.name === 'mysql'
    let programs = 0
    executed.count = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.commands(steps, { maxCommands: 40, size: 'max' }), async (sessions, program) => {
        programs++
        const real = await RealSystem.start(engine, sessions)
        try {
          await fc.asyncModelRun(() => ({ model: new Model(sessions, concurrent, SEED, deletesScan), real }), program)
        } finally {
          await real.close()
        }
      }),
      // A failure is reported at once, with its seed and path; replaying it (ATHANOR_MODEL_SEED,
      // ATHANOR_MODEL_PATH) shrinks it to the shortest program that still fails.
      SEED_VALUE === undefined ? { numRuns: RUNS, endOnFailure: true } : { numRuns: RUNS, seed: SEED_VALUE, ...(PATH === undefined ? {} : { path: PATH }) },
    )
    console.log(`[session model ${backend.name}] ${programs} programs, ${executed.count} steps run and verified, 0 counterexamples`)
  })
})
