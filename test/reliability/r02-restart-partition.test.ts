/**
 * R2 and R3: server restarts, outages and network partitions, simulated by a fault-injecting
 * proxy in front of the real server (the shared servers are never touched). Every operation
 * must settle within its deadlines, the pool must recover on its own, and no error may escape
 * as an uncaught exception.
 */
import { expect } from 'chai'
import {
  AsyncSession, CommitOutcomeUnknownError, DEFAULT_WATCHDOG_MS, OperationalError, StatementTimeoutError, createAsyncEngine, text, type Engine,
} from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { FaultProxy, targetOf } from './support/fault-proxy.js'
import { FULL } from './support/settings.js'
import { percentile, settleWithin, sleep } from './support/timing.js'

const CONNECT_MS = 1000
const CHECKOUT_MS = 2000
const WATCHDOG_MS = 1500
/** The longest any one operation may take: checkout (which includes connecting) plus one statement, plus slack. */
const OPERATION_BUDGET_MS = CHECKOUT_MS + WATCHDOG_MS + 1000
const SELECT_1 = text('SELECT 1')

forEachBackend('R2/R3 restart and partition through a proxy', (backend) => {
  let proxy: FaultProxy
  let engine: Engine
  const uncaught: unknown[] = []
  const onUncaught = (e: unknown): void => void uncaught.push(e)

  beforeEach(async () => {
    uncaught.length = 0
    process.on('uncaughtException', onUncaught)
    process.on('unhandledRejection', onUncaught)
    proxy = await FaultProxy.start(targetOf(backend.url))
    engine = createAsyncEngine(proxy.rewrite(backend.url), {
      connectTimeoutMs: CONNECT_MS, watchdogMs: WATCHDOG_MS, pool: { size: 5, maxOverflow: 5, checkoutTimeoutMs: CHECKOUT_MS },
    })
  })
  afterEach(async () => {
    await engine.dispose()
    await proxy.stop()
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    expect(uncaught, 'uncaught exceptions / unhandled rejections').to.deep.equal([])
  })

  /** One autocommit round trip through the pool; resolves to whether it succeeded. */
  async function operation(): Promise<boolean> {
    try {
      await using conn = await engine.connect()
      await conn.execute(SELECT_1)
      await conn.commit()
      return true
    } catch (error) {
      expect(error, 'operations fail only with deadline or connection errors').to.satisfy(
        (e: unknown) => e instanceof OperationalError || (e as Error).name === 'PoolTimeoutError',
      )
      return false
    }
  }

  it('R2: under open-loop load, every operation settles within its deadlines across restarts and outages', async function () {
    const cycles = FULL ? 20 : 3
    const downMs = FULL ? 2000 : 600
    const upMs = FULL ? 3000 : 800
    this.timeout(cycles * (downMs + upMs) + 60_000)
    const settledIn: number[] = []
    let stuck = 0
    let failed = 0
    const running: Promise<void>[] = []
    let loading = true
    const load = (async () => {
      while (loading) {
        const started = Date.now()
        running.push(
          settleWithin(operation(), OPERATION_BUDGET_MS, 'an operation').then(
            (ok) => {
              settledIn.push(Date.now() - started)
              if (!ok) failed++
            },
            () => void stuck++,
          ),
        )
        await sleep(20) // 50 operations per second, whether or not earlier ones finished
      }
    })()
    const firstSuccessAfterRestore: number[] = []
    for (let cycle = 0; cycle < cycles; cycle++) {
      await sleep(upMs / 2)
      // Alternate a crash (every connection reset, the server accepts again at once) and an
      // outage (reset, then nothing listens for downMs).
      if (cycle % 2 === 0) {
        proxy.crash()
      } else {
        await proxy.refuse()
        await sleep(downMs)
        await proxy.restore()
      }
      const restoredAt = Date.now()
      while (!(await operation())) {
        if (Date.now() - restoredAt > OPERATION_BUDGET_MS * 2) break
      }
      firstSuccessAfterRestore.push(Date.now() - restoredAt)
      await sleep(upMs / 2)
    }
    loading = false
    await load
    await Promise.all(running)
    console.log(
      `[R2 ${backend.name}] ${running.length} operations over ${cycles} restarts/outages: ${failed} failed fast, ${stuck} stuck; ` +
        `settle time p99 ${percentile(settledIn, 99)} ms, max ${percentile(settledIn, 100)} ms; ` +
        `first success after restore max ${Math.max(...firstSuccessAfterRestore)} ms; ${proxy.accepted} connections opened`,
    )
    expect(stuck, 'operations that did not settle within their deadlines').to.equal(0)
    for (let i = 0; i < 20; i++) expect(await operation(), 'operations after the last restore').to.equal(true)
    const status = engine.poolStatus
    expect(status.total).to.be.at.most(status.size + status.maxOverflow)
    expect(status.checkedOut).to.equal(0)
  })

  it('R3: a statement cut off by a partition fails with StatementTimeoutError and its connection is never reused', async function () {
    this.timeout(30_000)
    const conn = await engine.connect()
    await conn.execute(SELECT_1)
    proxy.partition()
    const started = Date.now()
    const error = await settleWithin(conn.execute(SELECT_1).then(() => undefined, (e: unknown) => e), WATCHDOG_MS + 2000, 'the partitioned statement')
    const tookMs = Date.now() - started
    expect(error).to.be.instanceOf(StatementTimeoutError)
    expect(tookMs).to.be.at.least(WATCHDOG_MS - 50)
    expect(conn.invalidated).to.equal(true)
    await conn.rollback() // a no-op on the discarded connection
    await conn.close()
    proxy.heal()
    for (let i = 0; i < 100; i++) expect(await operation(), 'operations after the partition healed').to.equal(true)
    expect(engine.poolStatus.checkedOut).to.equal(0)
  })

  it('R3: a COMMIT cut off by a partition settles by the deadline as CommitOutcomeUnknownError, and the session recovers', async function () {
    this.timeout(30_000)
    await using session = new AsyncSession(engine)
    await session.execute(SELECT_1) // the transaction is open, its connection checked out
    proxy.partition()
    const started = Date.now()
    const error = await settleWithin(session.commit().then(() => undefined, (e: unknown) => e), WATCHDOG_MS + 2000, 'the partitioned COMMIT')
    expect(error).to.be.instanceOf(CommitOutcomeUnknownError)
    expect(Date.now() - started).to.be.at.least(WATCHDOG_MS - 50)
    await session.rollback()
    proxy.heal()
    await session.execute(SELECT_1)
    await session.commit()
    expect(engine.poolStatus.checkedOut).to.equal(0)
  })

  it('R3: with no deadline configured, the default watchdog bounds every driver call (the full run waits it out)', async function () {
    const plain = createAsyncEngine(proxy.rewrite(backend.url))
    try {
      expect(plain.watchdogMs, 'the default deadline').to.equal(DEFAULT_WATCHDOG_MS)
      if (!FULL) return // waiting a whole minute is for `npm run test:reliability`
      this.timeout(DEFAULT_WATCHDOG_MS + 30_000)
      await using session = new AsyncSession(plain)
      await session.execute(SELECT_1)
      proxy.partition()
      const started = Date.now()
      const error = await settleWithin(session.commit().then(() => undefined, (e: unknown) => e), DEFAULT_WATCHDOG_MS + 10_000, 'the partitioned COMMIT')
      const tookMs = Date.now() - started
      console.log(`[R3 ${backend.name}] a COMMIT cut off by a partition settled after ${tookMs} ms with the default deadline (${DEFAULT_WATCHDOG_MS} ms)`)
      expect(error).to.be.instanceOf(CommitOutcomeUnknownError)
      expect(tookMs).to.be.within(DEFAULT_WATCHDOG_MS - 50, DEFAULT_WATCHDOG_MS + 10_000)
      await session.rollback()
      proxy.heal()
    } finally {
      await plain.dispose()
    }
  })

  it('R3: connecting to a black hole fails after connectTimeoutMs and leaves no connect pending', async function () {
    this.timeout(30_000)
    proxy.blackhole()
    const started = Date.now()
    const error = await settleWithin(engine.connect().then(() => undefined, (e: unknown) => e), CHECKOUT_MS + 2000, 'the black-holed connect')
    expect(error).to.be.instanceOf(OperationalError).and.to.have.property('disconnect', true)
    expect(Date.now() - started).to.be.at.least(CONNECT_MS - 50)
    expect(engine.poolStatus).to.include({ connecting: 0, checkedOut: 0 })
    proxy.heal()
    expect(await operation()).to.equal(true)
  })
}, ['postgres', 'mysql'])
