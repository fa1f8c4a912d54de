/**
 * Replica health (issue 19 item 6): a replica that cannot be connected to costs no failed read.
 * The replica here is the test server behind a fault proxy; `refuse()` makes it a stopped replica
 * (connections refused), `restore()` brings it back. The clock is the plugin's `now` option, so
 * "after retryAfterMs" needs no waiting.
 */
import { expect } from 'chai'
import { AsyncSession, createAsyncEngine, literal, select, usePlugin, type DriverConnection, type Engine } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { readReplicas, replicasDown } from '@athanor/plugin-read-replicas'
import { FaultProxy, targetOf } from '../../../test/reliability/support/fault-proxy.js'
import { waitFor } from '../../../test/support/wait-for.js'

const servers = [
  ['postgres', process.env['ATHANOR_PG_URL']],
  ['mysql', process.env['ATHANOR_MYSQL_URL']],
] as const

for (const [name, url] of servers) {
  describe(`read-replicas: a replica that cannot be reached, on ${name}`, function () {
    let proxy: FaultProxy
    let primary: Engine
    let replica: Engine
    let clock = 0
    const ran = new Map<Engine, number>()
    const opened: DriverConnection[] = []
    before(async function () {
      if (url === undefined) {
        console.log(`[athanor] replica health tests on ${name} skipped: ${name === 'postgres' ? 'ATHANOR_PG_URL' : 'ATHANOR_MYSQL_URL'} not set`)
        this.skip()
      }
      proxy = await FaultProxy.start(targetOf(url!))
      primary = createAsyncEngine(url!, { pool: { size: 2 } })
      replica = createAsyncEngine(proxy.rewrite(url!), { pool: { size: 2, listeners: { onConnect: (c) => void opened.push(c) } }, connectTimeoutMs: 2000 })
      for (const e of [primary, replica]) {
        ran.set(e, 0)
        e.events.on('afterExecute', () => void ran.set(e, ran.get(e)! + 1))
      }
      usePlugin(primary, readReplicas([replica], { retryAfterMs: 5000, now: () => clock }))
    })
    after(async () => {
      if (url === undefined) return
      await primary.dispose()
      await replica.dispose()
      await proxy.stop()
    })

    async function read(): Promise<number> {
      await using s = new AsyncSession(primary)
      return Number((await s.execute(select(literal(1).label('one')))).scalar())
    }

    it('reads on the primary while the replica refuses, leaves it out for retryAfterMs, and takes it back once it answers', async () => {
      expect(await read()).to.equal(1)
      expect([ran.get(replica), ran.get(primary)]).to.deep.equal([1, 0])
      // The replica stops: its pooled connection is cut and new ones are refused. Once the driver
      // has seen the cut, the pool drops that connection at checkout and opens a new one, which fails.
      await proxy.refuse()
      await waitFor('the driver to see its connection cut', async () => opened.every((c) => c.closed), 10_000)
      expect(await read()).to.equal(1)
      expect(ran.get(primary), 'the read ran on the primary').to.equal(1)
      expect(replicasDown(primary)).to.deep.equal([replica])
      // Left out: the next read goes straight to the primary, without trying the replica.
      const accepted = proxy.accepted
      expect(await read()).to.equal(1)
      expect([ran.get(primary), proxy.accepted]).to.deep.equal([2, accepted])
      // Back up, but still inside retryAfterMs: the primary.
      await proxy.restore()
      clock += 4999
      await read()
      expect(ran.get(primary)).to.equal(3)
      // retryAfterMs later the next read tries the replica again, and it answers.
      clock += 1
      await read()
      expect([ran.get(replica), ran.get(primary)]).to.deep.equal([2, 3])
      expect(replicasDown(primary)).to.deep.equal([])
    })
  })
}
