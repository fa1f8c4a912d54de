/**
 * Failover drills (issue 19 item 7) on the cluster of `npm run db:cluster`, under the bank-transfer
 * load of R1 (test/reliability/support/bank-soak.ts): every transfer is a `session.run()` unit of
 * work with an idempotency key, and a COMMIT whose outcome is unknown is settled by looking the key
 * up. The fault is a server crash in the middle of the load:
 * - PostgreSQL: the primary is stopped with `-m immediate` (a crash: no shutdown checkpoint, every
 *   connection cut) and the standby promoted; the engine's URL lists both hosts with
 *   `target_session_attrs=read-write`, so new connections find the new primary (and, before the
 *   promotion, never the standby). Replication is
 *   synchronous (`synchronous_standby_names = '*'`), so no acknowledged commit may be lost.
 * - Galera: one node of three is killed with SIGKILL; the URL lists all three in a random order.
 * Afterwards nothing acknowledged is lost, nothing is applied twice or without acknowledgement,
 * nothing hangs, nothing escapes as an uncaught error, the unknown outcomes are no more than the
 * commits that were in flight, and the work resumed. The topology is repaired afterwards.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { createAsyncEngine } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { formatSoakReport, runBankSoak, type SoakFault, type SoakReport } from '../reliability/support/bank-soak.js'
import { sleep } from '../reliability/support/timing.js'
import { galeraAdmin, clusterUrls, scalar, waitFor, skipWithoutGalera, skipWithoutPg } from './support/cluster.js'
import { splitUrlHosts } from '../support/urls.js'

const SCRIPT = fileURLToPath(new URL('../../tools/cluster/db-cluster.sh', import.meta.url))
const WORKERS = 16
const POOL = 8

async function cluster(...args: string[]): Promise<void> {
  await promisify(execFile)('bash', [SCRIPT, ...args], { timeout: 120_000 })
}

/** A crash two seconds into the chaos phase, then whatever brings the service back. */
function crashAfter(label: string, crash: () => Promise<void>, repair: () => Promise<void> = async () => undefined): SoakFault {
  return {
    label,
    async run({ struck }) {
      await sleep(2000)
      await crash()
      struck()
      await repair()
      return 1
    },
  }
}

function expectSurvived(report: SoakReport): void {
  console.log(formatSoakReport(report))
  expect(report.uncaught, 'uncaught exceptions / unhandled rejections').to.deep.equal([])
  expect(report.hung, 'hung transfers').to.equal(0)
  expect(report.invariants).to.deep.include({ lost: 0, duplicated: 0, committedUnacked: 0, accountMismatches: 0 })
  expect(report.invariants.totalBalance).to.equal(report.invariants.expectedTotal)
  expect(report.kills).to.equal(1)
  // No write was sent to a server that cannot take it (postgres.js's own read-write check let the standby through).
  expect(report.gaveUp, 'transfers given up').to.not.have.property('read-only')
  expect(report.ackedAfterFault, 'transfers acknowledged after the crash').to.be.greaterThan(0)
  // Only commits in flight at the crash can have an unknown outcome: not a stream of them.
  const unknown = report.unknownOutcome.committed + report.unknownOutcome.rolledBack
  expect(unknown, 'COMMITs with an unknown outcome').to.be.at.most(POOL)
}

describe('cluster: failover drills under the bank-transfer load', function () {
  this.timeout(240_000)
  const urls = clusterUrls()

  describe('PostgreSQL: the primary crashes and the standby is promoted', function () {
    before(function () {
      skipWithoutPg(this)
    })
    after(async function () {
      if (urls.pg !== undefined) await cluster('pg-reset')
    })

    it('loses no acknowledged transfer, and new connections find the promoted primary', async () => {
      const [p, s] = [splitUrlHosts(urls.pg!.primary), splitUrlHosts(urls.pg!.standby)]
      const url = p.withHosts(`${p.hosts},${s.hosts}`, 'target_session_attrs=read-write')
      const report = await runBankSoak({
        backend: 'postgres', url, seconds: 10, baselineSeconds: 2, workers: WORKERS, poolSize: POOL,
        fault: crashAfter('primary crashed (pg_ctl stop -m immediate) 2 s in, standby promoted (pg_ctl promote)', () => cluster('pg-kill-primary'), () => cluster('pg-promote')),
      })
      expectSurvived(report)
      const engine = createAsyncEngine(url)
      try {
        expect(Number(await scalar(engine, 'SELECT inet_server_port()'))).to.equal(s.port)
      } finally {
        await engine.dispose()
      }
    })
  })

  describe('Galera: one node of three is killed', function () {
    before(function () {
      skipWithoutGalera(this)
    })
    after(async function () {
      if (urls.galera === undefined) return
      await cluster('up')
      const admin = await galeraAdmin(urls.galera[0]!)
      try {
        await waitFor('the killed node to rejoin (cluster size 3)', async () => (await admin.status('wsrep_cluster_size')) === '3', 90_000)
      } finally {
        await admin.end()
      }
    })

    it('loses no acknowledged transfer while the other two nodes carry the load', async () => {
      const list = urls.galera!.map(splitUrlHosts)
      // Causal reads: the idempotency-key lookup after an unknown COMMIT sees what the cluster committed.
      const url = list[0]!.withHosts(list.map((h) => h.hosts).join(','), `loadBalanceHosts=random&init=${encodeURIComponent('SET SESSION wsrep_sync_wait = 1')}`)
      const report = await runBankSoak({
        backend: 'mysql', url, seconds: 10, baselineSeconds: 2, workers: WORKERS, poolSize: POOL,
        fault: crashAfter('node 2 of 3 killed (SIGKILL) 2 s in', () => cluster('galera-kill', '1')),
      })
      expectSurvived(report)
    })
  })
})
