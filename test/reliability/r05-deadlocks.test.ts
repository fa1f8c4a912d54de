/**
 * R5 and R6: deadlocks and serialization failures. They are mapped to DeadlockError /
 * SerializationError, `session.run()` retries the whole unit of work through a storm of them,
 * and a deadlock inside a savepoint never lets the transaction continue in autocommit (MariaDB
 * ends the whole transaction, PostgreSQL only the savepoint).
 */
import { expect } from 'chai'
import {
  AsyncSession, DeadlockError, InvalidRequestError, Integer, createAsyncEngine, declarativeBase, mappedColumn, select, text, type Engine,
} from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { rejects } from './support/rejects.js'
import { FULL, STORM_SECONDS } from './support/settings.js'
import { sleep } from './support/timing.js'

const Base = declarativeBase()
class Slot extends Base.model('rel_dl_slots', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  value: mappedColumn(Integer),
}) {}

forEachBackend('R5 deadlocks and serialization failures', (backend) => {
  let engine: Engine

  beforeEach(async function () {
    // Lock waits behind a queue of deadlock victims (PostgreSQL detects each after deadlock_timeout,
    // 1 s) are legitimate and long on a loaded machine: the watchdog only has to catch hangs. About
    // 1.3 units of work finish per second there, so with 32 workers a unit waited ~25 s on average
    // and the tail passed a 30 s watchdog in full runs: the deadline sits well above the storm's waits.
    engine = createAsyncEngine(backend.url, { pool: { size: 10, maxOverflow: 30, checkoutTimeoutMs: 30_000 }, watchdogMs: 90_000 })
    if (!engine.dialect.capabilities.rowLocks || !engine.dialect.capabilities.concurrentConnections) {
      await engine.dispose()
      this.skip() // one connection at a time: two transactions can never wait for each other
    }
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    for (let id = 1; id <= 10; id++) s.add(new Slot({ id, value: 100 }))
    await s.commit()
  })
  afterEach(async () => {
    await Base.metadata.dropAll(engine, { checkFirst: true }).catch(() => undefined)
    await engine.dispose()
  })

  it('a storm of deadlocks: run() retries every victim and the total stays conserved', async function () {
    this.timeout(STORM_SECONDS * 1000 + 240_000)
    // PostgreSQL detects a deadlock only after deadlock_timeout (1 s) of waiting, so its storm is
    // a queue: more workers only lengthen every wait. MariaDB detects them at once.
    const workers = FULL && backend.name !== 'postgres' ? 32 : 12
    const histogram = new Map<number, number>()
    const errors = new Map<string, number>()
    let succeeded = 0
    let failed = 0
    const failures: string[] = []
    const end = Date.now() + STORM_SECONDS * 1000
    await Promise.all(Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        // Two of four hot rows, locked in random order: deadlock-prone by design.
        const a = 1 + Math.floor(Math.random() * 4)
        const b = 1 + ((a + Math.floor(Math.random() * 3)) % 4)
        let attempts = 0
        await using s = new AsyncSession(engine)
        try {
          await s.run(async (tx, attempt) => {
            attempts = attempt
            const first = (await tx.scalars(select(Slot).where(Slot.c.id.eq(a)).forUpdate())).one()
            const second = (await tx.scalars(select(Slot).where(Slot.c.id.eq(b)).forUpdate())).one()
            first.value -= 1
            second.value += 1
            // Victims are chosen by the server: on a loaded machine one unit of work can lose ten
            // times in a row. The property is that retrying settles every one, so the budget is
            // large enough that running out of it is not a matter of luck (p^100).
          }, { retries: 100, baseDelayMs: 5, maxDelayMs: 100, onRetry: ({ error }) => errors.set(errorName(error), (errors.get(errorName(error)) ?? 0) + 1) })
          succeeded++
        } catch (e) {
          failed++
          failures.push(`${errorName(e)}: ${(e as Error).message.split('\n')[0]}`)
        }
        histogram.set(attempts, (histogram.get(attempts) ?? 0) + 1)
      }
    }))
    const retries = [...errors].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
    const hist = [...histogram].sort((x, y) => x[0] - y[0]).map(([k, v]) => `${k}:${v}`).join(' ')
    console.log(`[R5 ${backend.name}] ${succeeded} units of work succeeded, ${failed} failed; retried errors: ${retries}; attempts histogram ${hist}`)
    expect(failures, 'units of work that failed after retries').to.deep.equal([])
    expect(succeeded / (succeeded + failed)).to.be.at.least(0.999)
    await using check = new AsyncSession(engine)
    const values = (await check.scalars(select(Slot))).all().map((s) => s.value)
    expect(values.reduce((x, y) => x + y, 0)).to.equal(1000)
  })

  it('R6 write skew: concurrent SERIALIZABLE units of work with retries never break the invariant', async function () {
    this.timeout(60_000)
    if (!engine.dialect.capabilities.isolationLevels.includes('SERIALIZABLE')) this.skip()
    const serializable = createAsyncEngine(backend.url, { isolationLevel: 'SERIALIZABLE', pool: { size: 4, maxOverflow: 0 } })
    const retried: string[] = []
    try {
      for (let round = 0; round < (FULL ? 200 : 20); round++) {
        // Two "doctors" (slots 1 and 2) are on call (value 100); each goes off call (0) only when
        // the other is still on call. Serially, at least one always stays on call.
        await using reset = new AsyncSession(serializable)
        await reset.run(async (s) => {
          for (const slot of (await s.scalars(select(Slot).where(Slot.c.id.in([1, 2])))).all()) slot.value = 100
        })
        await Promise.all([1, 2].map(async (me) => {
          await using s = new AsyncSession(serializable)
          await s.run(async (tx) => {
            const onCall = (await tx.scalars(select(Slot).where(Slot.c.id.in([1, 2]).and(Slot.c.value.gt(0))))).all()
            await sleep(5)
            if (onCall.length === 2) (await tx.get(Slot, me))!.value = 0
          }, { retries: 10, baseDelayMs: 5, onRetry: ({ error }) => retried.push(errorName(error)) })
        }))
        await using check = new AsyncSession(serializable)
        const stillOnCall = (await check.scalars(select(Slot).where(Slot.c.id.in([1, 2]).and(Slot.c.value.gt(0))))).all()
        expect(stillOnCall.length, `round ${round}: someone must stay on call`).to.be.at.least(1)
      }
    } finally {
      await serializable.dispose()
    }
    console.log(`[R6 ${backend.name}] write-skew retries: ${retried.length} (${[...new Set(retried)].join(', ') || 'none'})`)
    // Each conflict surfaced as a retryable error class, never as a generic database error.
    for (const name of retried) expect(['DeadlockError', 'SerializationError', 'LockTimeoutError']).to.include(name)
  })

  it('a deadlock inside a savepoint never lets the transaction go on in autocommit', async function () {
    this.timeout(30_000)
    const sql = (s: string): ReturnType<typeof text> => text(s.replace(/"(\w+)"/g, (_, n: string) => engine.dialect.compiler.quote(n)))
    const a = await engine.connect()
    const b = await engine.connect()
    try {
      await a.execute(sql('UPDATE "rel_dl_slots" SET "value" = 1 WHERE "id" = 1')) // A's outer write
      const savepoint = await a.beginNested()
      await a.execute(sql('UPDATE "rel_dl_slots" SET "value" = 1 WHERE "id" = 2'))
      // B does more work, so that the server picks the lighter A as the deadlock victim.
      // One row per statement: on a table this small, an IN list is a scan that would lock A's rows too.
      for (const id of [5, 6, 7, 8, 9]) await b.execute(sql(`UPDATE "rel_dl_slots" SET "value" = 2 WHERE "id" = ${id}`))
      await b.execute(sql('UPDATE "rel_dl_slots" SET "value" = 2 WHERE "id" = 3'))
      const aWaits = a.execute(sql('UPDATE "rel_dl_slots" SET "value" = 1 WHERE "id" = 3')).then(() => undefined, (e: unknown) => e)
      await sleep(100)
      const bWaits = b.execute(sql('UPDATE "rel_dl_slots" SET "value" = 2 WHERE "id" = 2')).then(() => undefined, (e: unknown) => e)
      const [aError, bError] = await Promise.all([aWaits, bWaits])
      // A is the victim on both servers: PostgreSQL's detector runs in the session that waited
      // longest (A), InnoDB rolls back the transaction that changed less (A).
      expect(aError, 'A is the deadlock victim').to.be.instanceOf(DeadlockError)
      expect(bError).to.equal(undefined)
      await b.commit()
      if (engine.dialect.capabilities.deadlockEndsTransaction) {
        // The whole transaction is gone: its savepoint too, and any statement would autocommit.
        expect(savepoint.active).to.equal(false)
        await rejects(a.execute(sql('UPDATE "rel_dl_slots" SET "value" = 99 WHERE "id" = 10')), InvalidRequestError, /deadlock victim.*rollback\(\)/s)
        await rejects(a.commit(), InvalidRequestError, /rollback\(\)/)
        await a.rollback()
        expect(await valueOf(engine, 10)).to.equal(100) // nothing ran in autocommit
        expect(await valueOf(engine, 1)).to.equal(100) // the outer write was rolled back by the server
      } else {
        // Only the savepoint failed: rolling back to it recovers, and the outer write survives.
        await savepoint.rollback()
        await a.commit()
        expect(await valueOf(engine, 1)).to.equal(1)
      }
    } finally {
      await a.close()
      await b.close()
    }
  })
}, ['postgres', 'mysql'])

function errorName(error: unknown): string {
  return error instanceof Error ? error.constructor.name : typeof error
}

async function valueOf(engine: Engine, id: number): Promise<number> {
  await using s = new AsyncSession(engine)
  return (await s.get(Slot, id))!.value
}

