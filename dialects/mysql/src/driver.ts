import type { ConnectionOptions } from 'mysql2/promise'
import { statementTimeoutSetting } from './statement-timeout.js'
import type { ConnectOptions, Driver } from '@athanor/core'
import { ArgumentError, connectFirstReadyHost, type AthanorError, type StatementContext } from '@athanor/core'
import { FORCED_OPTIONS, MysqlConnection } from './connection.js'
import { isMysqlDisconnect, translateMysqlError } from './errors.js'
import type { MysqlFlavour } from './server-info.js'
import { parseMysqlUrl } from './url.js'

/** Prepared statements mysql2 keeps open per connection (overridable through driverOptions). */
export const DEFAULT_MAX_PREPARED_STATEMENTS = 256

export interface MysqlDriverOptions {
  /**
   * The server family, when known in advance. Otherwise the driver learns it from the first
   * connection's handshake; it decides errnos the two servers use differently (4025, 4031).
   */
  readonly flavour?: MysqlFlavour | undefined
}

/**
 * The driver side of the MySQL/MariaDB dialect: opens dedicated connections for Athanor's pool
 * and translates mysql2 errors.
 *
 * Each new connection gets `SET time_zone = '+00:00'` (so NOW(), CURRENT_TIMESTAMP defaults and
 * TIMESTAMP columns agree with the UTC wall time values.ts writes) and, with
 * `statementTimeoutMs`, the server's statement timeout: MariaDB `max_statement_time` (seconds,
 * every statement), MySQL `max_execution_time` (milliseconds, read-only SELECTs only).
 *
 * ```ts
 * const driver = new MysqlDriver()
 * const conn = await driver.connect({ url: 'mysql://root@127.0.0.1:3306/app', connectTimeoutMs: 5000 })
 * try { await conn.execute('INSERT INTO t (id) VALUES (?)', [1]) }
 * catch (e) { throw driver.translateError(e, { sql: 'INSERT …' }) }
 * ```
 */
export class MysqlDriver implements Driver {
  #flavour: MysqlFlavour | undefined

  constructor(options: MysqlDriverOptions = {}) {
    this.#flavour = options.flavour
  }

  /** The server family, once known. */
  get flavour(): MysqlFlavour | undefined {
    return this.#flavour
  }

  async connect(options: ConnectOptions): Promise<MysqlConnection> {
    const url = parseMysqlUrl(options.url)
    const extra = options.driverOptions ?? {}
    const forced = Object.keys(extra).filter((k) => k in FORCED_OPTIONS || k === 'connectTimeout')
    if (forced.length > 0) {
      throw new ArgumentError(
        `driverOptions may not set ${forced.join(', ')}: the MySQL dialect sets ${Object.keys(FORCED_OPTIONS).join(', ')} itself ` +
          'because its value conversion depends on them, and takes the connect timeout from connectTimeoutMs.',
      )
    }
    const timeout = options.statementTimeoutMs
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
      throw new ArgumentError(`statementTimeoutMs must be a number of milliseconds ≥ 0 (0 turns it off), not ${String(timeout)}.`)
    }
    const base: ConnectionOptions = {
      ...(url.user !== undefined && { user: url.user }),
      ...(url.password !== undefined && { password: url.password }),
      ...(url.database !== undefined && { database: url.database }),
      ...(url.socketPath !== undefined && { socketPath: url.socketPath }),
      ...(url.charset !== undefined && { charset: url.charset }),
      // mysql2 keeps up to 16000 prepared statements per connection by default, but the server's
      // max_prepared_stmt_count (16382) is global: a pool of a few connections could exhaust it
      // and fail every new statement with 1461. mysql2 closes the least recently used handle.
      maxPreparedStatements: DEFAULT_MAX_PREPARED_STATEMENTS,
      // driverOptions come last so secrets can stay out of the URL ({ password }).
      ...(extra as ConnectionOptions),
      connectTimeout: options.connectTimeoutMs,
    }
    if (url.hosts.length === 1) return this.#open({ ...base, host: url.host, port: url.port }, options, timeout)
    // A host list (a cluster's nodes): the first host that accepts the connection and is ready.
    return connectFirstReadyHost(url.hosts, {
      random: url.randomHosts,
      label: 'MySQL',
      hint: 'that the servers run and, on a Galera cluster, that they are synced members of the primary component.',
      open: (h) => this.#open({ ...base, host: h.host, port: h.port }, options, timeout),
      refuse: notReady,
      close: (conn) => conn.destroy(),
    })
  }

  async #open(config: ConnectionOptions, options: ConnectOptions, timeout: number | undefined): Promise<MysqlConnection> {
    const conn = await MysqlConnection.open({ config, connectTimeoutMs: options.connectTimeoutMs, statementTimeoutMs: timeout })
    this.#flavour = conn.flavour
    try {
      await conn.execute(sessionSetup(conn.flavour, timeout), [])
    } catch (err) {
      conn.destroy()
      throw err
    }
    return conn
  }

  isDisconnect(error: unknown): boolean {
    return isMysqlDisconnect(error, this.#flavour)
  }

  translateError(error: unknown, context: StatementContext): AthanorError {
    return translateMysqlError(error, context, this.#flavour)
  }
}

/**
 * The session settings every connection starts with, in one statement (one round trip).
 *
 * ```ts
 * sessionSetup('mariadb', 1500) // "SET time_zone = '+00:00', max_statement_time = 1.5"
 * ```
 */
export function sessionSetup(flavour: MysqlFlavour, statementTimeoutMs: number | undefined): string {
  // GROUP_CONCAT (func.stringAgg) cuts its result at group_concat_max_len (1024 bytes by default)
  // with only a warning: raised to max_allowed_packet's ceiling, it never cuts silently.
  const parts = ["time_zone = '+00:00'", 'group_concat_max_len = 1073741824']
  if (statementTimeoutMs !== undefined) parts.push(statementTimeoutSetting(flavour, statementTimeoutMs))
  return `SET ${parts.join(', ')}`
}

/**
 * Why a Galera node should not take work (not a synced member of the primary component, or not
 * ready), or undefined when it may — also for a server without Galera, which reports no wsrep status.
 */
async function notReady(conn: MysqlConnection): Promise<string | undefined> {
  // MariaDB has wsrep built in: only a server with it switched on is a cluster node.
  const on = await conn.execute("SHOW GLOBAL VARIABLES WHERE Variable_name = 'wsrep_on'", [])
  if (on.rows.length === 0 || String(on.rows[0]![1]).toUpperCase() !== 'ON') return undefined
  const { rows } = await conn.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status', 'wsrep_local_state_comment')", [])
  const status = new Map(rows.map((r) => [String(r[0]), String(r[1])]))
  if (status.size === 0 || status.get('wsrep_ready') === undefined) return undefined
  if (status.get('wsrep_ready') !== 'ON') return 'wsrep_ready is OFF'
  if (status.get('wsrep_cluster_status') !== 'Primary') return `in a ${status.get('wsrep_cluster_status') ?? 'unknown'} component, not the primary one`
  const state = status.get('wsrep_local_state_comment')
  return state === 'Synced' || state === undefined ? undefined : `its state is ${state}, not Synced`
}
