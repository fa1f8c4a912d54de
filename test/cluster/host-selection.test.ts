/**
 * Choosing a server from a multi-host URL on the cluster of `npm run db:cluster` (issue 19 item 3):
 * PostgreSQL `target_session_attrs` judged by `pg_is_in_recovery()` whichever order the hosts are
 * listed in, and a Galera node cut off from the cluster (`gmcast.isolate`) skipped by the MySQL
 * dialect. Skipped, with one line, without the cluster's URLs.
 */
import { expect } from 'chai'
import { OperationalError, createAsyncEngine, text } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { clusterUrls, galeraAdmin, scalar, waitFor, type GaleraAdmin, skipWithoutGalera, skipWithoutPg } from './support/cluster.js'
import { splitUrlHosts, type UrlHosts } from '../support/urls.js'

describe('cluster: PostgreSQL target_session_attrs on a primary and a hot standby', function () {
  this.timeout(60_000)
  const urls = clusterUrls()
  before(function () {
    skipWithoutPg(this)
  })

  async function recoveryVia(attrs: string, order: 'standby first' | 'primary first'): Promise<unknown> {
    const { primary, standby } = urls.pg!
    const [a, b] = (order === 'standby first' ? [standby, primary] : [primary, standby]).map(splitUrlHosts) as [UrlHosts, UrlHosts]
    const engine = createAsyncEngine(a.withHosts(`${a.hosts},${b.hosts}`, `target_session_attrs=${attrs}`))
    try {
      return await scalar(engine, 'SELECT pg_is_in_recovery()')
    } finally {
      await engine.dispose()
    }
  }

  it('primary and read-write take the primary, standby and read-only the standby, in either order', async () => {
    for (const order of ['standby first', 'primary first'] as const) {
      expect(await recoveryVia('primary', order), `primary, ${order}`).to.equal(false)
      expect(await recoveryVia('read-write', order), `read-write, ${order}`).to.equal(false)
      expect(await recoveryVia('standby', order), `standby, ${order}`).to.equal(true)
      expect(await recoveryVia('prefer-standby', order), `prefer-standby, ${order}`).to.equal(true)
      expect(await recoveryVia('read-only', order), `read-only, ${order}`).to.equal(true)
    }
  })

  it('a URL of standbys only, asked for the primary, fails naming the standby', async () => {
    const s = splitUrlHosts(urls.pg!.standby)
    const engine = createAsyncEngine(s.withHosts(s.hosts, 'target_session_attrs=primary'), { connectTimeoutMs: 3000 })
    try {
      const err = await scalar(engine, 'SELECT 1').then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(OperationalError)
      expect((err as Error).message).to.include(`${s.hosts} (a standby (in recovery), not primary)`)
    } finally {
      await engine.dispose()
    }
  })
})

describe('cluster: a Galera node outside the primary component is skipped', function () {
  this.timeout(120_000)
  const urls = clusterUrls()
  let admin: GaleraAdmin[] = []
  before(async function () {
    skipWithoutGalera(this)
    admin = await Promise.all(urls.galera!.map(galeraAdmin))
  })
  after(async () => {
    // Whatever happened, node 1 rejoins: the other cluster suites need three synced members.
    if (admin.length === 0) return
    await admin[0]!.run("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
    await waitFor('node 1 to rejoin the cluster as a synced member', async () => (await admin[0]!.status('wsrep_local_state_comment')) === 'Synced' && (await admin[1]!.status('wsrep_cluster_size')) === '3', 60_000)
    for (const a of admin) await a.end()
  })

  it('isolated from its peers, node 1 is non-Primary and refuses work (node-not-ready); a URL listing it first connects to node 2, and back to node 1 once it has rejoined', async () => {
    const list = urls.galera!.map(splitUrlHosts)
    const multi = list[0]!.withHosts(list.map((h) => h.hosts).join(','))
    await admin[0]!.run("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
    await waitFor('node 1 to leave the primary component', async () => (await admin[0]!.status('wsrep_cluster_status')) !== 'Primary', 30_000)
    // Asked directly, the node refuses work with 1047: a lost connection that session.run() retries.
    const direct = createAsyncEngine(urls.galera![0]!, { pool: { size: 1 } })
    try {
      const err = await scalar(direct, 'SELECT 1').then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(OperationalError)
      expect([(err as OperationalError).code, (err as OperationalError).disconnect]).to.deep.equal(['node-not-ready', true])
    } finally {
      await direct.dispose()
    }
    const engine = createAsyncEngine(multi, { pool: { size: 1 } })
    try {
      expect(Number(await scalar(engine, 'SELECT @@port'))).to.equal(list[1]!.port)
    } finally {
      await engine.dispose()
    }
    await admin[0]!.run("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
    await waitFor('node 1 to rejoin as a synced member', async () => (await admin[0]!.status('wsrep_local_state_comment')) === 'Synced' && (await admin[0]!.status('wsrep_cluster_status')) === 'Primary', 60_000)
    const again = createAsyncEngine(multi, { pool: { size: 1 } })
    try {
      expect(Number(await scalar(again, 'SELECT @@port'))).to.equal(list[0]!.port)
    } finally {
      await again.dispose()
    }
  })
})
