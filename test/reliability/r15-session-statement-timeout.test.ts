/**
 * R15, statement timeouts per session: `transaction: { statementTimeoutMs }` (or `begin({ … })`)
 * bounds each statement of that session's transactions on the server, and the next transaction
 * on the same connection has the engine's limit again. The pool holds one connection, so the
 * session after is provably on the connection the limited one used. Each slow statement is a
 * server-side sleep of at most 2 s; nothing here depends on how fast the machine is: a limit
 * must fire (300 ms against 2 s), or must not (none against 0.6 s).
 */
import { expect } from 'chai'
import { ArgumentError, AsyncSession, StatementTimeoutError, createAsyncEngine, text, type Engine } from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { serverKnobs } from './support/server-knobs.js'

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

forEachBackend('R15 statement timeouts per session', (backend) => {
  const sleep = serverKnobs(backend.name).sleep
  const engines: Engine[] = []
  const open = (statementTimeoutMs?: number): Engine => {
    const e = createAsyncEngine(backend.url, { pool: { size: 1, maxOverflow: 0 }, ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }) })
    engines.push(e)
    return e
  }
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.dispose()
  })

  it("a session's limit stops its slow statement, and the next session on the same connection has none", async function () {
    this.timeout(20_000)
    const engine = open()
    const slow = sleep(2)
    if (slow === undefined) {
      await using s = new AsyncSession(engine, { transaction: { statementTimeoutMs: 300 } })
      const e = await failure(s.execute(text('SELECT 1')))
      expect(e).to.be.instanceOf(ArgumentError)
      expect((e as Error).message).to.match(/has no server-side statement timeout .*leave statementTimeoutMs out/)
      return
    }
    {
      await using limited = new AsyncSession(engine, { transaction: { statementTimeoutMs: 300 } })
      expect(await failure(limited.execute(text(slow)))).to.be.instanceOf(StatementTimeoutError)
    }
    await using after = new AsyncSession(engine)
    await after.execute(text(sleep(0.6)!))
    await after.commit()
    // begin() takes it for one transaction only.
    await after.begin({ statementTimeoutMs: 300 })
    expect(await failure(after.execute(text(slow)))).to.be.instanceOf(StatementTimeoutError)
    await after.rollback()
    await after.execute(text(sleep(0.6)!))
  })

  it("a session's own limit replaces the engine's, and the engine's is back for the next session", async function () {
    this.timeout(20_000)
    const slow = sleep(2)
    if (slow === undefined) this.skip()
    const engine = open(300)
    {
      await using patient = new AsyncSession(engine, { transaction: { statementTimeoutMs: 0 } })
      await patient.execute(text(sleep(0.6)!))
      await patient.commit()
    }
    await using plain = new AsyncSession(engine)
    expect(await failure(plain.execute(text(slow)))).to.be.instanceOf(StatementTimeoutError)
  })
})
