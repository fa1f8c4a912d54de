/**
 * R14: the shop of examples/shop_orders.ts under concurrent load (issue 13): 50 orders at once,
 * one session each, a savepoint per line, stock locked with FOR UPDATE, deadlocks retried by
 * session.run(). Stock left plus units sold must equal the initial stock for every product,
 * exactly, on every backend (libSQL runs the same orders one writer at a time).
 */
import { expect } from 'chai'
import { createAsyncEngine, type Engine } from '@athanor/core'
import { closeShop, openShop, placeOrder, randomRequests, stockLedger } from '../../examples/shop_orders.js'
import { forEachBackend } from './support/backends.js'
import { FULL } from './support/settings.js'

forEachBackend('R14 concurrent shop orders', (backend) => {
  let engine: Engine
  beforeEach(async () => {
    const probe = createAsyncEngine(backend.url)
    const concurrent = probe.dialect.capabilities.concurrentConnections
    await probe.dispose()
    // 50 requests at once, four transactions at a time (each request waits its turn for a
    // connection; on libSQL for the one writer): enough to deadlock, few enough that PostgreSQL's
    // one-second deadlock detection does not turn the test into a storm of waits.
    engine = createAsyncEngine(backend.url, { pool: { checkoutTimeoutMs: 60_000, ...(concurrent ? { size: 4, maxOverflow: 0 } : {}) } })
  })
  afterEach(async () => {
    if ((engine as Engine | undefined) === undefined) return
    await closeShop(engine)
    await engine.dispose()
  })

  it('conserves stock exactly: 50 concurrent orders with a savepoint per line and retried deadlocks', async function () {
    this.timeout(FULL ? 600_000 : 120_000)
    for (let round = 1; round <= (FULL ? 10 : 1); round++) {
      await openShop(engine)
      let retries = 0
      // Lines locked in request order: concurrent orders deadlock, and run() must retry them.
      const sold = await Promise.all(randomRequests(50, round).map((request) => placeOrder(engine, request, { sortLines: false, onRetry: () => void retries++ })))
      const ledger = await stockLedger(engine)
      console.log(`[R14 ${backend.name}] round ${round}: ${sold.reduce((a, b) => a + b, 0)} lines sold, ${retries} retries; ${ledger.map((p) => `${p.name} ${p.stock}+${p.sold}`).join(', ')}`)
      for (const p of ledger) expect(p.stock + p.sold, `${p.name}: stock left + units sold`).to.equal(100)
      expect(sold.reduce((a, b) => a + b, 0), 'lines sold').to.be.greaterThan(0)
    }
  })
})
