/**
 * R13: libSQL/SQLite specifics. Two engines (two connections) write to one database file; one
 * holds the write lock in a transaction for 200 ms. The other must wait for it asynchronously —
 * SQLite's own busy handler would freeze the event loop, so the lock holder could never commit —
 * and a busy local workload must still let timers run.
 */
import { expect } from 'chai'
import { AsyncSession, createAsyncEngine, text, type Engine } from '@athanor/core'
import { tempLibsqlUrl } from './support/backends.js'
import { maxEventLoopStallMs, sleep } from './support/timing.js'

/**
 * A busy handler that blocks the event loop stalls it for the whole busy timeout (seconds); a
 * loaded machine adds GC pauses and scheduling delays of tens of ms. The limit sits between.
 */
const STALL_LIMIT_MS = 250

describe('R13 libSQL busy handling', () => {
  let url: string
  let holder: Engine
  let writer: Engine

  beforeEach(async () => {
    url = tempLibsqlUrl('r13')
    holder = createAsyncEngine(url)
    writer = createAsyncEngine(url, { driverOptions: { busyTimeoutMs: 5000 } })
    await holder.begin(async (conn) => {
      await conn.execute(text('CREATE TABLE rel_busy (id INTEGER PRIMARY KEY, who TEXT NOT NULL)'))
    })
  })
  afterEach(async () => {
    await holder.dispose()
    await writer.dispose()
  })

  it('a writer waits for another connection\'s write lock without stalling the event loop', async () => {
    const { result, stallMs } = await maxEventLoopStallMs(async () => {
      const holding = holder.begin(async (conn) => {
        await conn.execute(text("INSERT INTO rel_busy (who) VALUES ('holder')"))
        await sleep(200) // the write lock is held across this pause
      })
      await sleep(20)
      const started = Date.now()
      await writer.begin(async (conn) => {
        await conn.execute(text("INSERT INTO rel_busy (who) VALUES ('writer')"))
      })
      const waited = Date.now() - started
      await holding
      return waited
    })
    expect(result, 'the writer waited for the lock').to.be.at.least(100)
    expect(stallMs, 'longest event-loop stall (ms)').to.be.below(STALL_LIMIT_MS)
    await using s = new AsyncSession(holder)
    const rows = (await s.execute(text('SELECT who FROM rel_busy ORDER BY id'))).all()
    expect(rows).to.deep.equal([['holder'], ['writer']])
  })

  it('64 sessions queued on the one connection still let timers fire', async () => {
    let ticks = 0
    const timer = setInterval(() => void ticks++, 5)
    try {
      const { stallMs } = await maxEventLoopStallMs(async () => {
        const end = Date.now() + 500
        await Promise.all(Array.from({ length: 64 }, async () => {
          while (Date.now() < end) {
            await using s = new AsyncSession(holder)
            await s.run(async (tx) => {
              await tx.execute(text("INSERT INTO rel_busy (who) VALUES ('load')"))
            })
          }
        }))
      })
      expect(stallMs, 'longest event-loop stall (ms)').to.be.below(STALL_LIMIT_MS)
      expect(ticks, 'a 5 ms interval kept firing during 500 ms of load').to.be.at.least(20)
    } finally {
      clearInterval(timer)
    }
  })

  it('refuses raw BEGIN, which the client would silently roll back', async () => {
    await using conn = await holder.connect()
    let error: unknown
    try {
      await conn.execute(text('BEGIN'))
    } catch (e) {
      error = e
    }
    expect((error as Error).message).to.match(/BEGIN was run as SQL/)
  })
})
