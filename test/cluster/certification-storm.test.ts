/**
 * A hot-row certification storm on the Galera cluster (issue 19 item 4): writers on all three
 * nodes update the same row at once. Galera certifies each commit against the others, and all
 * but one of a conflicting set fail (as deadlocks, 1213) and must be run again. `session.run()`
 * with its default retry policy must get every increment through: none lost, none given up.
 */
import { expect } from 'chai'
import { AsyncSession, Integer, createAsyncEngine, declarativeBase, mappedColumn, type Engine, type RetryInfo } from '@athanor/core'
import '@athanor/mysql'
import { clusterUrls, skipWithoutGalera } from './support/cluster.js'

const Base = declarativeBase()
class Counter extends Base.model('cluster_storm_counters', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  hits: mappedColumn(Integer),
  // Read-modify-write needs one: two writers on the same node would otherwise both write hits + 1
  // over the same value (a lost update no database reports); a stale version is retried too.
  version: mappedColumn(Integer, { versionId: true }),
}) {}

const WRITERS_PER_NODE = 6
const INCREMENTS = 10

describe('cluster: a hot-row certification storm on Galera', function () {
  this.timeout(180_000)
  const urls = clusterUrls()
  let nodes: Engine[] = []
  before(async function () {
    skipWithoutGalera(this)
    nodes = urls.galera!.map((u) => createAsyncEngine(u, { initStatements: ['SET SESSION wsrep_sync_wait = 1'], pool: { size: WRITERS_PER_NODE } }))
    await Base.metadata.dropAll(nodes[0]!, { checkFirst: true })
    await Base.metadata.createAll(nodes[0]!)
    await using s = new AsyncSession(nodes[0]!)
    s.add(new Counter({ id: 1, hits: 0 }))
    await s.commit()
  })
  after(async () => {
    if (nodes.length === 0) return
    await Base.metadata.dropAll(nodes[0]!, { checkFirst: true })
    for (const n of nodes) await n.dispose()
  })

  it('session.run() with its default retry policy gets every increment through', async () => {
    const retries: RetryInfo[] = []
    const failures: unknown[] = []
    await Promise.all(nodes.flatMap((engine) => Array.from({ length: WRITERS_PER_NODE }, async () => {
      for (let i = 0; i < INCREMENTS; i++) {
        await using s = new AsyncSession(engine)
        await s.run(async (tx) => {
          ;(await tx.get(Counter, 1))!.hits += 1
        }, { onRetry: (info) => void retries.push(info) }).catch((e: unknown) => void failures.push(e))
      }
    })))
    const total = nodes.length * WRITERS_PER_NODE * INCREMENTS
    const attempts = Math.max(0, ...retries.map((r) => r.attempt))
    console.log(`[storm] ${total} increments from ${nodes.length * WRITERS_PER_NODE} writers on ${nodes.length} nodes: ${retries.length} retries (${retries.filter((r) => (r.error as { code?: string }).code === 'deadlock').length} certification conflicts, ${retries.filter((r) => (r.error as { code?: string }).code === 'stale-version').length} stale versions), most attempts by one increment ${attempts + 1}, ${failures.length} failed`)
    expect(failures.map(String)).to.deep.equal([])
    await using check = new AsyncSession(nodes[2]!)
    expect((await check.get(Counter, 1))!.hits).to.equal(total)
    expect(retries.length, 'the storm really happened').to.be.greaterThan(0)
  })
})
