/**
 * What the cluster suites share: the URLs `tools/cluster/db-cluster.sh env` exports, URL surgery
 * for host lists, and bounded waits for a state the cluster reports (never a fixed sleep).
 */
import { createAsyncEngine, text } from '@athanor/core'
import type { Engine } from '@athanor/core'
import { waitFor } from '../../support/wait-for.js'

export { waitFor }

export interface ClusterUrls {
  /** The PostgreSQL primary and its hot standby, when both are set. */
  readonly pg: { readonly primary: string; readonly standby: string } | undefined
  /** The three Galera nodes' URLs, when all three are set. */
  readonly galera: readonly string[] | undefined
}

export function clusterUrls(): ClusterUrls {
  const primary = process.env['ATHANOR_PG_PRIMARY_URL']
  const standby = process.env['ATHANOR_PG_STANDBY_URL']
  const galera = process.env['ATHANOR_GALERA_URLS']?.split(',').filter((u) => u !== '') ?? []
  return {
    pg: primary !== undefined && standby !== undefined ? { primary, standby } : undefined,
    galera: galera.length === 3 ? galera : undefined,
  }
}

const HOW = '(npm run db:cluster, then eval "$(tools/cluster/db-cluster.sh env)")'

/** Skips the suite (one line saying why) unless the PostgreSQL primary and standby URLs are set. */
export function skipWithoutPg(ctx: Mocha.Context): void {
  if (clusterUrls().pg !== undefined) return
  console.log(`[athanor] cluster tests skipped: ATHANOR_PG_PRIMARY_URL/ATHANOR_PG_STANDBY_URL not set ${HOW}`)
  ctx.skip()
}

/** Skips the suite (one line saying why) unless the three Galera URLs are set. */
export function skipWithoutGalera(ctx: Mocha.Context): void {
  if (clusterUrls().galera !== undefined) return
  console.log(`[athanor] cluster tests skipped: ATHANOR_GALERA_URLS (three URLs) not set ${HOW}`)
  ctx.skip()
}

export async function scalar(engine: Engine, sql: string): Promise<unknown> {
  return engine.begin(async (c) => (await c.execute(text(sql))).scalar())
}

/** The PostgreSQL primary and standby engines of the cluster (skip first with {@link skipWithoutPg}). */
export function pgEngines(): { primary: Engine; standby: Engine } {
  const { primary, standby } = clusterUrls().pg!
  return { primary: createAsyncEngine(primary), standby: createAsyncEngine(standby) }
}

/** Waits until the standby has replayed everything the primary has written so far. */
export async function waitForReplay(primary: Engine, standby: Engine): Promise<void> {
  const lsn = String(await scalar(primary, 'SELECT pg_current_wal_lsn()'))
  await waitFor(`the standby to replay ${lsn}`, async () => (await scalar(standby, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`)) === true, 20_000)
}

/**
 * A plain mysql2 connection to one Galera node, for what an Athanor engine rightly refuses on a
 * node outside the primary component (its BEGIN fails with 1047): reading wsrep status and
 * setting provider options.
 */
export interface GaleraAdmin {
  status(name: string): Promise<string | undefined>
  run(sql: string): Promise<void>
  end(): Promise<void>
}

export async function galeraAdmin(url: string): Promise<GaleraAdmin> {
  const { createConnection } = await import('mysql2/promise')
  const u = new URL(url)
  const conn = await createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username) })
  return {
    status: async (name) => {
      const [rows] = await conn.query<import('mysql2').RowDataPacket[]>('SHOW STATUS LIKE ?', [name])
      return rows[0]?.['Value'] as string | undefined
    },
    run: async (sql) => {
      await conn.query(sql)
    },
    end: () => conn.end(),
  }
}
