/**
 * The read-replicas plugin on a real hot standby (issue 19 item 6). Replay on the standby is
 * paused (`pg_wal_replay_pause()`), so the standby is certainly behind — a deterministic stand-in
 * for replication lag: a row committed on the primary is not on the replica. Read-your-writes must
 * still show it to the session that wrote it and to every session of the same request scope.
 */
import { expect } from 'chai'
import { AsyncSession, Integer, String as Str, declarativeBase, mappedColumn, text, usePlugin, type Engine } from '@athanor/core'
import '@athanor/postgres'
import { readReplicas, readYourWritesScope } from '@athanor/plugin-read-replicas'
import { clusterUrls, scalar, waitFor, skipWithoutPg, pgEngines, waitForReplay } from './support/cluster.js'

const Base = declarativeBase()
class Order extends Base.model('cluster_replica_orders', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  item: mappedColumn(Str(40)),
}) {}

describe('cluster: read replicas on a lagging PostgreSQL hot standby', function () {
  this.timeout(60_000)
  const urls = clusterUrls()
  let primary: Engine
  let standby: Engine
  before(async function () {
    skipWithoutPg(this)
    ;({ primary, standby } = pgEngines());
    await Base.metadata.dropAll(primary, { checkFirst: true })
    await Base.metadata.createAll(primary)
    await waitForReplay(primary, standby)
    await scalar(standby, 'SELECT pg_wal_replay_pause()')
    await waitFor('replay to pause', async () => (await scalar(standby, 'SELECT pg_get_wal_replay_pause_state()')) === 'paused', 20_000)
    usePlugin(primary, readReplicas([standby]))
  })
  after(async () => {
    if (urls.pg === undefined) return
    await scalar(standby, 'SELECT pg_wal_replay_resume()').catch(() => undefined)
    await Base.metadata.dropAll(primary, { checkFirst: true })
    await primary.dispose()
    await standby.dispose()
  })

  async function write(id: number): Promise<void> {
    await using s = new AsyncSession(primary)
    s.add(new Order({ id, item: `order ${id}` }))
    await s.commit()
  }

  it('without read-your-writes a new session reads the replica and misses the row just committed', async () => {
    await write(1)
    await using later = new AsyncSession(primary)
    expect(await later.get(Order, 1)).to.equal(undefined)
    expect(Number(await scalar(primary, 'SELECT count(*) FROM cluster_replica_orders'))).to.equal(1)
  })

  it('the session that committed a write reads it back (its reads stay on the primary)', async () => {
    await using s = new AsyncSession(primary)
    const order = new Order({ id: 2, item: 'order 2' })
    s.add(order)
    await s.commit()
    s.expunge(order)
    expect((await s.get(Order, 2))?.item).to.equal('order 2')
  })

  it('inside readYourWritesScope() every later session reads the row a session in the scope committed', async () => {
    await readYourWritesScope(async () => {
      await write(3)
      await using later = new AsyncSession(primary)
      expect((await later.get(Order, 3))?.item).to.equal('order 3')
    })
    // Another request, outside the scope: the lagging replica again.
    await using other = new AsyncSession(primary)
    expect(await other.get(Order, 3)).to.equal(undefined)
    await other.rollback()
    expect(await standby.begin(async (c) => (await c.execute(text('SELECT pg_is_in_recovery()'))).scalar())).to.equal(true)
  })
})
