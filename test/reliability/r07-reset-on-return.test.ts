/**
 * R7, reset on return: a connection given back to the pool in the middle of a transaction comes
 * back to the next user clean. The pool has room for one connection, so the next checkout is
 * provably the same connection (the same driver object, the same server session id); then
 *
 * - the server shows no transaction open on that session (PostgreSQL: no xid assigned, not
 *   "idle in transaction"; MariaDB: `@@in_transaction = 0`, no `innodb_trx` row), and the next
 *   user's autocommit write is visible to another connection at once (on libSQL the only way to
 *   tell: a write inside a forgotten transaction would stay invisible);
 * - no uncommitted row of the abandoned transaction was committed;
 * - its locks are gone: another connection updates the same row without waiting (with a short
 *   lock timeout, so a leaked lock fails the test instead of hanging it);
 * - the transaction-scoped state the pool promises to reset is gone (a read-only transaction
 *   does not leave the connection read-only).
 *
 * The pool promises a rollback, nothing more: session variables set with SET SESSION and
 * temporary tables survive a return, as with SQLAlchemy's default reset_on_return='rollback'.
 */
import { expect } from 'chai'
import v8 from 'node:v8'
import vm from 'node:vm'
import {
  AsyncSession, IntegrityError, Integer, createAsyncEngine, declarativeBase, mappedColumn, select, text,
  type Capabilities, type Connection, type DriverConnection, type Engine,
} from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { serverKnobs, type ServerKnobs } from './support/server-knobs.js'
import { RESET_CYCLES } from './support/settings.js'
import { sleep } from './support/timing.js'

const Base = declarativeBase()
class Row extends Base.model('rel_reset_rows', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  v: mappedColumn(Integer),
}) {}

/** The row every scenario writes or locks; its committed value stays 0 unless a scenario commits. */
const HOT = 1

interface Abandoned {
  /** The server session the scenario ran on (undefined in process). */
  readonly sessionId: number | undefined
  /** The row it inserted without committing, if any. */
  readonly inserted: number | undefined
}

interface Scenario {
  readonly name: string
  /** Why the scenario cannot run on this backend, or undefined. */
  readonly unsupported?: (caps: Capabilities) => string | undefined
  /** Leaves a transaction behind on the engine's only connection and gives the connection back. */
  abandon(engine: Engine, knobs: ServerKnobs, id: number): Promise<Abandoned>
}

const writeHot = text(`UPDATE rel_reset_rows SET v = 99 WHERE id = ${HOT}`)
const insertRow = (id: number): ReturnType<typeof text> => text('INSERT INTO rel_reset_rows (id, v) VALUES (:id, 0)', { id })

async function sessionIdOf(conn: Connection | AsyncSession, knobs: ServerKnobs): Promise<number | undefined> {
  if (knobs.sessionId === undefined) return undefined
  return Number((await conn.execute(text(knobs.sessionId))).scalar())
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a Connection closed without commit or rollback',
    async abandon(engine, knobs, id) {
      const conn = await engine.connect()
      await conn.execute(writeHot)
      await conn.execute(insertRow(id))
      const sessionId = await sessionIdOf(conn, knobs)
      await conn.close()
      return { sessionId, inserted: id }
    },
  },
  {
    name: 'a session closed with flushed, uncommitted writes',
    async abandon(engine, knobs, id) {
      const session = new AsyncSession(engine)
      ;(await session.get(Row, HOT))!.v = 99
      session.add(new Row({ id, v: 0 }))
      await session.flush()
      const sessionId = await sessionIdOf(session, knobs)
      await session.close()
      return { sessionId, inserted: id }
    },
  },
  {
    name: 'a statement that failed inside the transaction',
    async abandon(engine, knobs, id) {
      const conn = await engine.connect()
      await conn.execute(writeHot)
      await conn.execute(insertRow(id))
      const sessionId = await sessionIdOf(conn, knobs)
      const failed = await conn.execute(insertRow(id)).then(() => undefined, (e: unknown) => e)
      expect(failed, 'the duplicate insert fails').to.be.instanceOf(IntegrityError)
      await conn.close()
      return { sessionId, inserted: id }
    },
  },
  {
    name: 'a savepoint left open',
    unsupported: (caps) => (caps.savepoints ? undefined : 'no savepoints'),
    async abandon(engine, knobs, id) {
      const conn = await engine.connect()
      await conn.begin()
      await conn.execute(writeHot)
      const savepoint = await conn.beginNested()
      await conn.execute(insertRow(id))
      expect(savepoint.active).to.equal(true)
      const sessionId = await sessionIdOf(conn, knobs)
      await conn.close()
      return { sessionId, inserted: id }
    },
  },
  {
    name: 'row locks taken with SELECT … FOR UPDATE',
    unsupported: (caps) => (caps.rowLocks ? undefined : 'no row locks'),
    async abandon(engine, knobs, id) {
      const conn = await engine.connect()
      await conn.execute(select(Row.c.v).where(Row.c.id.eq(HOT)).forUpdate())
      await conn.execute(insertRow(id))
      const sessionId = await sessionIdOf(conn, knobs)
      await conn.close()
      return { sessionId, inserted: id }
    },
  },
  {
    name: 'a read-only transaction',
    async abandon(engine, knobs) {
      const conn = await engine.connect({ readOnly: true })
      await conn.execute(select(Row.c.v).where(Row.c.id.eq(HOT)))
      const sessionId = await sessionIdOf(conn, knobs)
      await conn.close()
      return { sessionId, inserted: undefined }
    },
  },
]

forEachBackend('R7 reset on return', (backend) => {
  const knobs = serverKnobs(backend.name)
  let engine: Engine
  let observer: Engine
  /** Every driver connection the engine handed out, in order. */
  let checkouts: DriverConnection[]

  beforeEach(async () => {
    checkouts = []
    engine = createAsyncEngine(backend.url, {
      watchdogMs: 5000,
      pool: { size: 1, maxOverflow: 0, checkoutTimeoutMs: 5000, listeners: { onCheckout: (lease) => void checkouts.push(lease.connection) } },
    })
    // A second connection that looks from outside; its lock waits give up quickly.
    observer = createAsyncEngine(backend.url, {
      watchdogMs: 5000, driverOptions: knobs.shortLockWaitDriverOptions, pool: { size: 1, maxOverflow: 0, checkoutTimeoutMs: 5000 },
    })
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await engine.begin(async (conn) => void (await conn.execute(insertRow(HOT))))
  })
  afterEach(async () => {
    await observer.dispose()
    await Base.metadata.dropAll(engine, { checkFirst: true }).catch(() => undefined)
    await engine.dispose()
  })

  /** What the server still holds open for session `id`, as another connection sees it. */
  async function openOnServer(id: number | undefined): Promise<number> {
    if (knobs.openOnServer === undefined || id === undefined) return 0
    await using conn = await observer.connect()
    return Number((await conn.execute(text(knobs.openOnServer(id)))).scalar())
  }

  /**
   * The next checkout: the same connection, no transaction open on it, and its autocommit write
   * (row `marker`) committed at once.
   */
  async function checkNextCheckout(before: Abandoned, marker: number, sameConnection: boolean): Promise<void> {
    const previous = checkouts[checkouts.length - 1]
    const lease = await engine.pool.checkout()
    try {
      const driver = lease.connection
      if (sameConnection) expect(driver, 'the pool of one hands out the same connection').to.equal(previous)
      else expect(driver, 'the abandoned connection was replaced').to.not.equal(previous)
      if (knobs.sessionId !== undefined) {
        const [[id]] = (await driver.execute(knobs.sessionId, [])).rows as unknown[][] as [[unknown]]
        if (sameConnection) expect(Number(id), 'the same server session').to.equal(before.sessionId)
        else expect(Number(id)).to.not.equal(before.sessionId)
      }
      if (knobs.transactionOpen !== undefined) {
        const [[open]] = (await driver.execute(knobs.transactionOpen, [])).rows as unknown[][] as [[unknown]]
        expect(Number(open), 'a transaction is open on the returned connection').to.equal(0)
      }
      await driver.execute(`INSERT INTO rel_reset_rows (id, v) VALUES (${marker}, 0)`, [])
    } finally {
      await lease.release()
    }
  }

  /**
   * As another connection sees it: the next user's write is there, the abandoned writes are not,
   * and the hot row can be locked without waiting.
   */
  async function checkFromOutside(before: Abandoned, marker: number, hotValue = 0): Promise<void> {
    await using conn = await observer.connect()
    for (const sql of knobs.shortLockWait) await conn.execute(text(sql))
    await conn.execute(text(`UPDATE rel_reset_rows SET v = v WHERE id = ${HOT}`)) // fails on a leaked lock
    const ids = (await conn.execute(select(Row.c.id).where(Row.c.id.ne(HOT)))).scalars().all().map(Number)
    expect(ids, 'the next user\'s autocommit write is visible to others').to.include(marker)
    if (before.inserted !== undefined) expect(ids, 'an abandoned insert was committed').to.not.include(before.inserted)
    const hot = (await conn.execute(select(Row.c.v).where(Row.c.id.eq(HOT)))).scalar()
    expect(Number(hot), 'an abandoned update was committed').to.equal(hotValue)
    await conn.commit()
  }

  for (const scenario of SCENARIOS) {
    it(`after ${scenario.name}, the next user gets the same connection clean`, async function () {
      const reason = scenario.unsupported?.(engine.dialect.capabilities)
      if (reason !== undefined) this.skip()
      const abandoned = await scenario.abandon(engine, knobs, 2)
      expect(engine.poolStatus).to.include({ checkedOut: 0, idle: 1 })
      expect(await openOnServer(abandoned.sessionId), 'open transactions of the returned session on the server').to.equal(0)
      await checkNextCheckout(abandoned, 3, true)
      await checkFromOutside(abandoned, 3)
    })
  }

  it(`${RESET_CYCLES} borrow/return cycles, each abandoning a random kind of transaction or committing`, async function () {
    this.timeout(60_000)
    const caps = engine.dialect.capabilities
    const usable = SCENARIOS.filter((s) => s.unsupported?.(caps) === undefined)
    const committed: number[] = []
    for (let cycle = 0; cycle < RESET_CYCLES; cycle++) {
      const id = 1000 + cycle
      const pick = Math.floor(Math.random() * (usable.length + 1))
      if (pick === usable.length) {
        await engine.begin(async (conn) => {
          await conn.execute(text(`UPDATE rel_reset_rows SET v = v + 1 WHERE id = ${HOT}`))
          await conn.execute(insertRow(id))
        })
        committed.push(id)
        continue
      }
      const abandoned = await usable[pick]!.abandon(engine, knobs, id)
      await checkNextCheckout(abandoned, -id, true)
      // The outside view every tenth cycle and on the last: it costs an observer round trip each.
      if (cycle % 10 === 0 || cycle === RESET_CYCLES - 1) await checkFromOutside(abandoned, -id, committed.length)
    }
    await using session = new AsyncSession(observer)
    const rows = (await session.scalars(select(Row).where(Row.c.id.gt(HOT)))).all().map((r) => Number(r.id))
    expect(rows.sort((a, b) => a - b), 'exactly the committed rows persist').to.deep.equal(committed)
    expect(Number((await session.get(Row, HOT))!.v)).to.equal(committed.length)
    console.log(`[R7 ${backend.name}] ${RESET_CYCLES} cycles: ${committed.length} committed, ${RESET_CYCLES - committed.length} abandoned, ${checkouts.length} checkouts of ${new Set(checkouts).size} connection(s)`)
    expect(new Set(checkouts).size, 'one connection served every cycle').to.equal(1)
  })

  // Not on MySQL yet: under mocha a dropped MySQL session is never collected (see R11 in r04).
  if (backend.name !== 'mysql') it('after a session is garbage-collected with uncommitted writes, its connection is discarded and the next user starts clean', async () => {
    const leaks: unknown[] = []
    await engine.dispose()
    checkouts = []
    engine = createAsyncEngine(backend.url, {
      watchdogMs: 5000,
      pool: {
        size: 1, maxOverflow: 0, checkoutTimeoutMs: 5000, onLeak: (info) => void leaks.push(info),
        listeners: { onCheckout: (lease) => void checkouts.push(lease.connection) },
      },
    })
    let sessionId: number | undefined
    await (async function forgetfulRequestHandler() {
      const session = new AsyncSession(engine)
      ;(await session.get(Row, HOT))!.v = 99
      session.add(new Row({ id: 2, v: 0 }))
      await session.flush()
      sessionId = await sessionIdOf(session, knobs)
    })()
    const collect = gc()
    for (let i = 0; i < 300 && leaks.length === 0; i++) {
      collect()
      await sleep(10)
    }
    if (leaks.length === 0) {
      // Its uncommitted writes would otherwise hold locks that make the cleanup wait.
      checkouts[checkouts.length - 1]?.destroy()
      expect.fail('the dropped session was not garbage-collected within 3 s')
    }
    expect(engine.poolStatus.checkedOut).to.equal(0)
    // The server ends the transaction of a closed session on its own, a moment after the socket closes.
    for (let i = 0; i < 100 && (await openOnServer(sessionId)) > 0; i++) await sleep(20)
    expect(await openOnServer(sessionId), 'the discarded session still holds a transaction').to.equal(0)
    const abandoned = { sessionId, inserted: 2 }
    await checkNextCheckout(abandoned, 3, false)
    await checkFromOutside(abandoned, 3)
  })
})

function gc(): () => void {
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as () => void
}
