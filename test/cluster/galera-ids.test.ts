/**
 * Ids on a Galera node without RETURNING (issue 19 item 5). A Galera node manages
 * `auto_increment_increment` itself (`wsrep_auto_increment_control`): it is the cluster size, and
 * it changes when the cluster does. Ids of a multi-row INSERT derived from LAST_INSERT_ID() and a
 * step read earlier went wrong for 80 of 100 objects when the cluster shrank; so on such a node
 * the unit of work inserts one row per statement and takes each id from its own statement.
 * The server here is MariaDB (which has RETURNING); the dialect poses as MySQL 8.0 — Percona
 * XtraDB Cluster's case — so that the INSERT path without RETURNING runs for real.
 */
import { expect } from 'chai'
import { AsyncSession, Integer, String as Str, countStatements, createAsyncEngine, declarativeBase, mappedColumn, select, type DriverConnection, type Engine } from '@athanor/core'
import { MysqlDialect } from '@athanor/mysql'
import { clusterUrls, galeraAdmin, skipWithoutGalera, waitFor, type GaleraAdmin } from './support/cluster.js'

const Base = declarativeBase()
class Ticket extends Base.model('cluster_galera_tickets', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(Str(20)),
}) {}

/** The node's real server info (Galera's auto-increment control included), with MySQL 8.0's capabilities. */
class AsMysql80 extends MysqlDialect {
  override async initialize(connection: DriverConnection): Promise<MysqlDialect> {
    const found = (await new MysqlDialect({ driver: this.driver }).initialize(connection)) as MysqlDialect
    return new AsMysql80({ driver: this.driver, serverInfo: { ...found.serverInfo!, flavour: 'mysql', versionNumbers: [8, 0, 0] } })
  }
}

describe('cluster: ids of inserted objects on a Galera node without RETURNING', function () {
  this.timeout(120_000)
  const urls = clusterUrls()
  let engine: Engine
  let admin: GaleraAdmin[] = []
  before(async function () {
    skipWithoutGalera(this)
    admin = await Promise.all(urls.galera!.map(galeraAdmin))
    engine = createAsyncEngine(urls.galera![1]!, { dialect: new AsMysql80(), pool: { size: 1 } })
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
  })
  after(async () => {
    if (admin.length === 0) return
    await admin[0]!.run("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
    await waitFor('node 1 to rejoin (cluster size 3)', async () => (await admin[1]!.status('wsrep_cluster_size')) === '3' && (await admin[0]!.status('wsrep_local_state_comment')) === 'Synced', 60_000)
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await engine.dispose()
    for (const a of admin) await a.end()
  })

  /** Adds `n` tickets in one flush; returns how many INSERTs it took. Every object's id must be its row's. */
  async function addAndCheck(prefix: string, n: number): Promise<number> {
    await using s = new AsyncSession(engine)
    const tickets = Array.from({ length: n }, (_, i) => new Ticket({ label: `${prefix}${i}` }))
    s.addAll(tickets)
    using counter = countStatements(engine)
    await s.commit()
    const inserts = counter.statements.filter((c) => c.sql.startsWith('INSERT')).length
    await using check = new AsyncSession(engine)
    const stored = new Map((await check.execute(select(Ticket.c.label, Ticket.c.id).where(Ticket.c.label.startsWith(prefix)))).all().map(([label, id]) => [label, id]))
    expect(stored.size).to.equal(n)
    expect(tickets.filter((t) => stored.get(t.label) !== t.id).map((t) => `${t.label}: object ${t.id}, row ${String(stored.get(t.label))}`), 'objects whose id is not their row\'s').to.deep.equal([])
    return inserts
  }

  it('gives every object its own row\'s id, one INSERT each, before and after the cluster shrinks', async () => {
    expect(await admin[1]!.status('wsrep_cluster_size')).to.equal('3')
    expect(await addAndCheck('three nodes ', 50)).to.equal(50)
    // Node 1 cut off: the others form a cluster of two, and their auto-increment step becomes 2.
    await admin[0]!.run("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
    await waitFor('the cluster to shrink to two nodes', async () => (await admin[1]!.status('wsrep_cluster_size')) === '2', 30_000)
    expect(await addAndCheck('two nodes ', 50)).to.equal(50)
  })
})
