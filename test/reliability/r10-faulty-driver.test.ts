/**
 * R10: the fault matrix. Every driver call the engine makes — connect, BEGIN, a statement,
 * COMMIT, ROLLBACK, the pre-ping, close — fails in each way a driver can fail (lost connection,
 * ordinary error, deadlock, no answer at all), and each cell states what the caller sees, whether
 * the connection was discarded (exactly once) or kept, and that the pool is whole afterwards.
 */
import { expect } from 'chai'
import {
  AsyncSession, CommitOutcomeUnknownError, DatabaseError, DeadlockError, InvalidRequestError, OperationalError, PendingRollbackError,
  StatementTimeoutError, createAsyncEngine, text, type Connection, type Engine,
} from '@athanor/core'
import { libsql } from '@athanor/libsql'
import { rejects } from './support/rejects.js'
import { FaultyDriver, withDriver, type FaultKind, type FaultPoint } from './support/faulty-driver.js'

const SELECT_1 = text('SELECT 1')
/** Short deadlines so that "hang" cells settle quickly. */
const DEADLINE_MS = 150

type ErrorClass = abstract new (...args: never[]) => Error

interface Cell {
  readonly point: Extract<FaultPoint, 'begin' | 'execute' | 'commit' | 'rollback'>
  readonly kind: FaultKind
  /** What the call rejects with; undefined: it resolves. */
  readonly error: ErrorClass | undefined
  /** The connection is discarded (never returned to the pool). */
  readonly invalidated: boolean
}

const CELLS: readonly Cell[] = [
  { point: 'begin', kind: 'disconnect', error: OperationalError, invalidated: true },
  { point: 'begin', kind: 'error', error: DatabaseError, invalidated: false },
  { point: 'begin', kind: 'hang', error: StatementTimeoutError, invalidated: true },
  { point: 'execute', kind: 'disconnect', error: OperationalError, invalidated: true },
  { point: 'execute', kind: 'error', error: DatabaseError, invalidated: false },
  { point: 'execute', kind: 'deadlock', error: DeadlockError, invalidated: false },
  { point: 'execute', kind: 'hang', error: StatementTimeoutError, invalidated: true },
  { point: 'commit', kind: 'disconnect', error: CommitOutcomeUnknownError, invalidated: true },
  { point: 'commit', kind: 'error', error: DatabaseError, invalidated: false },
  { point: 'commit', kind: 'hang', error: CommitOutcomeUnknownError, invalidated: true },
  // A rollback that fails in any way is not reported: the connection is discarded instead.
  { point: 'rollback', kind: 'disconnect', error: undefined, invalidated: true },
  { point: 'rollback', kind: 'error', error: undefined, invalidated: true },
  { point: 'rollback', kind: 'hang', error: undefined, invalidated: true },
]

describe('R10 fault-injecting driver matrix', () => {
  let faulty: FaultyDriver
  let engine: Engine
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown): void => void unhandled.push(e)

  before(() => process.on('unhandledRejection', onUnhandled))
  after(() => process.off('unhandledRejection', onUnhandled))
  beforeEach(() => {
    unhandled.length = 0
    faulty = new FaultyDriver(libsql().driver)
    engine = createAsyncEngine('sqlite://:memory:', {
      dialect: withDriver(libsql(), faulty), watchdogMs: DEADLINE_MS, connectTimeoutMs: DEADLINE_MS, pool: { checkoutTimeoutMs: 2000 },
    })
  })
  afterEach(async () => {
    await engine.dispose()
    // Let late rejections of hung calls surface before counting them.
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled, 'unhandled rejections').to.deep.equal([])
  })

  /** Runs the faulty call in its context and returns what it threw (undefined if it resolved). */
  async function provoke(conn: Connection, cell: Cell, savepoint: boolean): Promise<unknown> {
    if (cell.point !== 'begin') await conn.execute(SELECT_1) // autobegin
    if (savepoint && cell.point !== 'begin') await conn.beginNested()
    faulty.inject(cell.point, cell.kind)
    try {
      if (cell.point === 'begin' || cell.point === 'execute') await conn.execute(SELECT_1)
      else if (cell.point === 'commit') await conn.commit()
      else await conn.rollback()
    } catch (error) {
      return error
    }
    return undefined
  }

  for (const savepoint of [false, true]) {
    for (const cell of CELLS) {
      if (savepoint && cell.point === 'begin') continue
      const where = savepoint ? 'inside a savepoint' : 'in a transaction'
      const outcome = cell.error === undefined ? 'resolves' : `throws ${cell.error.name}`
      it(`${cell.point} × ${cell.kind} ${where}: ${outcome}, connection ${cell.invalidated ? 'discarded once' : 'kept'}`, async () => {
        const conn = await engine.connect()
        const thrown = await provoke(conn, cell, savepoint)
        if (cell.error === undefined) expect(thrown).to.equal(undefined)
        else expect(thrown).to.be.instanceOf(cell.error)
        expect(conn.invalidated).to.equal(cell.invalidated)
        if (cell.invalidated) {
          // The slot is free at once, before close(): a dead connection never waits for its holder.
          expect(engine.poolStatus.checkedOut).to.equal(0)
        }
        // Rolling back afterwards never throws, dead connection or not.
        await conn.rollback()
        await conn.close()
        expect(engine.poolStatus).to.include({ checkedOut: 0 })
        const [first] = faulty.connections
        expect(first!.destroyCalls).to.equal(cell.invalidated ? 1 : 0)
        // The next checkout works: on the same connection when it was kept, on a new one otherwise.
        await using next = await engine.connect()
        expect((await next.execute(SELECT_1)).rows).to.deep.equal([[1]])
        expect(faulty.connections).to.have.length(cell.invalidated ? 2 : 1)
      })
    }
  }

  it('a failed statement refuses COMMIT until rollback() (the transaction is failed, not silently continued)', async () => {
    await using conn = await engine.connect()
    faulty.inject('execute', 'error')
    await conn.execute(SELECT_1).catch(() => undefined)
    await rejects(conn.commit(), InvalidRequestError, /earlier statement failed.*rollback\(\)/s)
  })

  it('connect × disconnect: the checkout fails with a disconnect-class OperationalError and leaves no slot taken', async () => {
    faulty.inject('connect', 'disconnect')
    const error = await engine.connect().then(() => undefined, (e: unknown) => e)
    expect(error).to.be.instanceOf(OperationalError).and.to.have.property('disconnect', true)
    expect(engine.poolStatus).to.include({ checkedOut: 0, connecting: 0, total: 0 })
  })

  it('connect × hang: the checkout fails after connectTimeoutMs instead of waiting forever', async () => {
    faulty.inject('connect', 'hang')
    const error = await engine.connect().then(() => undefined, (e: unknown) => e)
    expect(error).to.be.instanceOf(OperationalError).and.to.have.property('code', 'connect-timeout')
    expect(engine.poolStatus).to.include({ checkedOut: 0, connecting: 0 })
  })

  it('ping × disconnect (pre-ping): the dead idle connection is replaced and the checkout succeeds', async () => {
    await engine.dispose()
    engine = createAsyncEngine('sqlite://:memory:', { dialect: withDriver(libsql(), faulty), connectTimeoutMs: DEADLINE_MS, pool: { prePing: true } })
    await (await engine.connect()).close()
    faulty.inject('ping', 'disconnect')
    await using conn = await engine.connect()
    expect((await conn.execute(SELECT_1)).rows).to.deep.equal([[1]])
    expect(faulty.connections.map((c) => c.destroyCalls)).to.deep.equal([1, 0])
  })

  it('ping × hang (pre-ping): the silent connection is replaced after connectTimeoutMs', async () => {
    await engine.dispose()
    engine = createAsyncEngine('sqlite://:memory:', { dialect: withDriver(libsql(), faulty), connectTimeoutMs: DEADLINE_MS, pool: { prePing: true } })
    await (await engine.connect()).close()
    faulty.inject('ping', 'hang')
    await using conn = await engine.connect()
    expect((await conn.execute(SELECT_1)).rows).to.deep.equal([[1]])
    expect(faulty.connections.map((c) => c.destroyCalls)).to.deep.equal([1, 0])
  })

  it('reset-on-return × error: a connection whose reset rollback fails is destroyed, not pooled', async () => {
    const conn = await engine.connect()
    await conn.execute(SELECT_1)
    faulty.inject('rollback', 'error')
    await conn.close()
    expect(engine.poolStatus).to.include({ checkedOut: 0, idle: 0 })
    expect(faulty.connections[0]!.destroyCalls).to.equal(1)
  })

  it('close × hang: dispose() still finishes, destroying the connection that would not close', async () => {
    await (await engine.connect()).close()
    faulty.inject('close', 'hang')
    await engine.dispose()
    expect(faulty.connections[0]!.destroyCalls).to.equal(1)
  })

  describe('through AsyncSession', () => {
    it('a lost connection fails the session transaction: one OperationalError, then PendingRollbackError until rollback()', async () => {
      await using session = new AsyncSession(engine)
      await session.execute(SELECT_1)
      faulty.inject('execute', 'disconnect')
      const lost = await session.execute(SELECT_1).then(() => undefined, (e: unknown) => e)
      expect(lost).to.be.instanceOf(OperationalError).and.to.have.property('disconnect', true)
      await rejects(session.execute(SELECT_1), PendingRollbackError, /connection was lost/)
      await session.rollback()
      expect((await session.execute(SELECT_1)).rows).to.deep.equal([[1]])
      expect(faulty.connections).to.have.length(2)
    })

    it('an interrupted COMMIT is reported as CommitOutcomeUnknownError and rollback() afterwards is a no-op', async () => {
      await using session = new AsyncSession(engine)
      await session.execute(SELECT_1)
      faulty.inject('commit', 'disconnect')
      await rejects(session.commit(), CommitOutcomeUnknownError, /outcome is unknown/)
      await session.rollback()
      expect(engine.poolStatus.checkedOut).to.equal(0)
    })

    it('run() retries the whole unit of work after a lost connection and after a deadlock', async () => {
      await using session = new AsyncSession(engine)
      const attempts: number[] = []
      const retried: string[] = []
      faulty.inject('execute', 'disconnect')
      const result = await session.run(async (s, attempt) => {
        attempts.push(attempt)
        if (attempt === 2) faulty.inject('execute', 'deadlock')
        return (await s.execute(SELECT_1)).rows
      }, { baseDelayMs: 1, onRetry: ({ error }) => retried.push((error as DatabaseError).code) })
      expect(result).to.deep.equal([[1]])
      expect(attempts).to.deep.equal([1, 2, 3])
      expect(retried).to.deep.equal(['connection-lost', 'deadlock'])
      expect(session.inTransaction).to.equal(false)
    })

    it('run() does not replay a COMMIT whose outcome is unknown, unless retryUnknownCommit is set', async () => {
      await using session = new AsyncSession(engine)
      let attempts = 0
      const work = async (s: AsyncSession): Promise<void> => {
        attempts++
        await s.execute(SELECT_1)
      }
      faulty.inject('commit', 'disconnect')
      await rejects(session.run(work, { baseDelayMs: 1 }), CommitOutcomeUnknownError)
      expect(attempts).to.equal(1)
      faulty.inject('commit', 'disconnect')
      await session.run(work, { baseDelayMs: 1, retryUnknownCommit: true })
      expect(attempts).to.equal(3)
    })

    it('run() gives up after `retries` more attempts and rethrows the last error; other errors are not retried', async () => {
      await using session = new AsyncSession(engine)
      let attempts = 0
      faulty.inject('execute', 'deadlock', 10)
      await rejects(session.run(async (s) => { attempts++; await s.execute(SELECT_1) }, { retries: 2, baseDelayMs: 1 }), DeadlockError)
      expect(attempts).to.equal(3)
      faulty.clear()
      attempts = 0
      faulty.inject('execute', 'error', 10)
      await rejects(session.run(async (s) => { attempts++; await s.execute(SELECT_1) }), DatabaseError)
      expect(attempts).to.equal(1)
    })

    it('run() refuses to start inside a transaction the session already has open', async () => {
      await using session = new AsyncSession(engine)
      await session.execute(SELECT_1)
      await rejects(session.run(async () => undefined), InvalidRequestError, /already has one open/)
    })
  })
})
