/**
 * Recovery conflicts on the PostgreSQL hot standby of `npm run db:cluster` (issue 19 item 4). When
 * replaying the primary's changes needs a lock a standby session holds (here: the primary
 * TRUNCATEs a table the standby is reading), the standby waits `max_standby_streaming_delay`
 * (set to 100 ms here), then cancels a running statement (ERROR 40001: SerializationError) or
 * ends a session idle in its transaction (FATAL 40001: a lost connection). Both are retryable:
 * `session.run()` runs the read again and gets the replayed state.
 */
import { expect } from 'chai'
import { AsyncSession, OperationalError, SerializationError, text, type Engine } from '@athanor/core'
import '@athanor/postgres'
import { clusterUrls, scalar, waitFor, skipWithoutPg, pgEngines, waitForReplay } from './support/cluster.js'

describe('cluster: recovery conflicts on the PostgreSQL hot standby', function () {
  this.timeout(120_000)
  const urls = clusterUrls()
  let primary: Engine
  let standby: Engine
  before(async function () {
    skipWithoutPg(this)
    ;({ primary, standby } = pgEngines());
    {
      // ALTER SYSTEM writes the standby's own postgresql.auto.conf (nothing goes through the WAL).
      await using conn = await standby.connect()
      await conn.executeOutsideTransaction(text("ALTER SYSTEM SET max_standby_streaming_delay = '100ms'"))
      await conn.executeOutsideTransaction(text('SELECT pg_reload_conf()'))
    }
    await waitFor('the standby to apply max_standby_streaming_delay', async () => (await scalar(standby, 'SHOW max_standby_streaming_delay')) === '100ms', 10_000)
  })
  after(async () => {
    if (urls.pg === undefined) return
    {
      await using conn = await standby.connect()
      await conn.executeOutsideTransaction(text('ALTER SYSTEM RESET max_standby_streaming_delay'))
      await conn.executeOutsideTransaction(text('SELECT pg_reload_conf()'))
    }
    await primary.begin((c) => c.execute(text('DROP TABLE IF EXISTS conflict_rows')))
    await primary.dispose()
    await standby.dispose()
  })

  /** Puts rows on the primary and waits until the standby has replayed them. */
  async function seed(): Promise<void> {
    await primary.begin(async (c) => {
      await c.execute(text('DROP TABLE IF EXISTS conflict_rows'))
      await c.execute(text('CREATE TABLE conflict_rows (id int PRIMARY KEY)'))
      await c.execute(text('INSERT INTO conflict_rows SELECT generate_series(1, 100)'))
    })
    await waitForReplay(primary, standby)
  }

  /** TRUNCATEs on the primary once the standby session with backend `pid` is in the state asked for. */
  async function truncateWhen(pid: number, state: 'active' | 'idle in transaction'): Promise<void> {
    await waitFor(`standby backend ${pid} to be ${state}`, async () => (await scalar(standby, `SELECT state FROM pg_stat_activity WHERE pid = ${pid}`)) === state, 20_000)
    await primary.begin((c) => c.execute(text('TRUNCATE conflict_rows')))
  }

  it('a statement cancelled by replay is a SerializationError, and session.run() reads again', async () => {
    await seed()
    const errors: unknown[] = []
    await using s = new AsyncSession(standby)
    const count = await s.run(async (tx, attempt) => {
      const pid = Number((await tx.execute(text('SELECT pg_backend_pid()'))).scalar())
      if (attempt === 1) {
        const truncating = truncateWhen(pid, 'active')
        // Long enough to be cancelled; bounded, so a missing conflict fails on the attempt count.
        const sleeping = tx.execute(text('SELECT count(*) FROM conflict_rows, pg_sleep(20)'))
        await truncating
        return Number((await sleeping).scalar())
      }
      return Number((await tx.execute(text('SELECT count(*) FROM conflict_rows'))).scalar())
    }, { onRetry: ({ error }) => void errors.push(error) })
    expect(errors).to.have.length(1)
    expect(errors[0]).to.be.instanceOf(SerializationError)
    expect(String(errors[0])).to.include('conflict with recovery')
    expect(count).to.equal(0)
  })

  it('a transaction idle in its way is ended (a lost connection), and session.run() reads again on a new one', async () => {
    await seed()
    const errors: unknown[] = []
    await using s = new AsyncSession(standby)
    const count = await s.run(async (tx, attempt) => {
      const pid = Number((await tx.execute(text('SELECT pg_backend_pid()'))).scalar())
      const rows = Number((await tx.execute(text('SELECT count(*) FROM conflict_rows'))).scalar())
      if (attempt === 1) {
        await truncateWhen(pid, 'idle in transaction')
        await waitFor(`standby backend ${pid} to be ended`, async () => Number(await scalar(standby, `SELECT count(*) FROM pg_stat_activity WHERE pid = ${pid}`)) === 0, 20_000)
        await tx.execute(text('SELECT 1'))
      }
      return rows
    }, { onRetry: ({ error }) => void errors.push(error) })
    expect(errors).to.have.length(1)
    expect(errors[0]).to.be.instanceOf(OperationalError)
    expect((errors[0] as OperationalError).disconnect).to.equal(true)
    expect(count).to.equal(0)
  })
})
