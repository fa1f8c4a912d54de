/**
 * The scaling-out topology (issue 19 item 1), started by `npm run db:cluster` (tools/cluster/
 * db-cluster.sh up): a PostgreSQL primary with a streaming hot standby and a 3-node Galera
 * cluster, reached through Athanor's own engines. Skipped, with one line, when its URLs are not
 * set: `eval "$(tools/cluster/db-cluster.sh env)"`. Waits are for replication to reach a
 * position the primary reported (never a fixed sleep), bounded so that a broken standby fails.
 */
import { expect } from 'chai'
import { DatabaseError, createAsyncEngine, text } from '@athanor/core'
import type { Engine } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { scalar, skipWithoutGalera, skipWithoutPg } from './support/cluster.js'

const primaryUrl = process.env['ATHANOR_PG_PRIMARY_URL']
const standbyUrl = process.env['ATHANOR_PG_STANDBY_URL']
const galeraUrls = process.env['ATHANOR_GALERA_URLS']?.split(',').filter((u) => u !== '') ?? []


describe('cluster topology: PostgreSQL primary and hot standby', function () {
  this.timeout(60_000)
  let primary: Engine
  let standby: Engine
  before(function () {
    skipWithoutPg(this)
    primary = createAsyncEngine(primaryUrl!)
    standby = createAsyncEngine(standbyUrl!)
  })
  after(async () => {
    await primary?.dispose()
    await standby?.dispose()
  })

  it('the standby is in recovery, the primary is not, and the standby refuses writes as read-only', async () => {
    expect(await scalar(primary, 'SELECT pg_is_in_recovery()')).to.equal(false)
    expect(await scalar(standby, 'SELECT pg_is_in_recovery()')).to.equal(true)
    const refused = await standby.begin((c) => c.execute(text('CREATE TABLE cluster_nope (id int)'))).then(() => undefined, (e: unknown) => e)
    expect(refused).to.be.instanceOf(DatabaseError)
    expect((refused as DatabaseError).code).to.equal('read-only')
    expect(String(refused)).to.match(/read-only transaction/)
  })

  it('a row committed on the primary is on the standby once it has replayed the primary\'s position', async () => {
    await primary.begin(async (c) => {
      await c.execute(text('DROP TABLE IF EXISTS cluster_rows'))
      await c.execute(text('CREATE TABLE cluster_rows (id int PRIMARY KEY, note text)'))
      await c.execute(text("INSERT INTO cluster_rows VALUES (1, 'written on the primary')"))
    })
    const lsn = String(await scalar(primary, 'SELECT pg_current_wal_lsn()'))
    let replayed = false
    for (let i = 0; i < 200 && !replayed; i++) {
      replayed = (await scalar(standby, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`)) === true
      if (!replayed) await new Promise((r) => setTimeout(r, 50))
    }
    expect(replayed, `the standby replayed ${lsn} within 10 s`).to.equal(true)
    expect(await scalar(standby, 'SELECT note FROM cluster_rows WHERE id = 1')).to.equal('written on the primary')
    await primary.begin((c) => c.execute(text('DROP TABLE cluster_rows')))
  })
})

describe('cluster topology: a 3-node Galera cluster', function () {
  this.timeout(60_000)
  let nodes: Engine[] = []
  before(function () {
    skipWithoutGalera(this)
    // Causal reads: each connection waits until it has applied what the cluster committed before.
    nodes = galeraUrls.map((u) => createAsyncEngine(u, { initStatements: ['SET SESSION wsrep_sync_wait = 1'] }))
  })
  after(async () => {
    for (const n of nodes) await n.dispose()
  })

  it('every node sees three members and is ready', async () => {
    for (const n of nodes) {
      expect(Number(await n.begin(async (c) => (await c.execute(text("SHOW STATUS LIKE 'wsrep_cluster_size'"))).all()[0]![1]))).to.equal(3)
      expect(await n.begin(async (c) => (await c.execute(text("SHOW STATUS LIKE 'wsrep_ready'"))).all()[0]![1])).to.equal('ON')
    }
  })

  it('a row committed on one node is read on the others (wsrep_sync_wait set by the engine\'s init statements)', async () => {
    const [a, b, c] = nodes as [Engine, Engine, Engine]
    await a.begin(async (x) => {
      await x.execute(text('DROP TABLE IF EXISTS cluster_rows'))
      await x.execute(text('CREATE TABLE cluster_rows (id INT PRIMARY KEY, note VARCHAR(40))'))
      await x.execute(text("INSERT INTO cluster_rows VALUES (1, 'written on node 1')"))
    })
    expect(await scalar(b, 'SELECT note FROM cluster_rows WHERE id = 1')).to.equal('written on node 1')
    await c.begin((x) => x.execute(text("UPDATE cluster_rows SET note = 'changed on node 3' WHERE id = 1")))
    expect(await scalar(a, 'SELECT note FROM cluster_rows WHERE id = 1')).to.equal('changed on node 3')
    await a.begin((x) => x.execute(text('DROP TABLE cluster_rows')))
  })
})
