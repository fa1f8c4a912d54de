import { connectFirstReadyHost, type AthanorError, type ConnectOptions, type Driver, type StatementContext } from './core.js'
import { resolveConnectSettings, type PostgresDriverOptions } from './connect-settings.js'
import { PostgresConnection } from './connection.js'
import { isDisconnect, translateError } from './error-translation.js'
import { mismatch } from './host-targets.js'

/**
 * The driver side of the PostgreSQL dialect, on postgres.js. Each `connect()` opens one
 * dedicated connection for Athanor's pool.
 *
 * ```ts
 * const driver = new PostgresDriver({ applicationName: 'billing' })
 * const conn = await driver.connect({ url: 'postgres://app@db/app', connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 })
 * ```
 */
export class PostgresDriver implements Driver {
  readonly #defaults: PostgresDriverOptions

  /** `options` are defaults; `ConnectOptions.driverOptions` override them per connect. */
  constructor(options: PostgresDriverOptions = {}) {
    this.#defaults = options
  }

  /**
   * Opens a connection to the URL's host or, for a host list (`postgres://u@a,b:5433/db`), to the
   * first host that accepts it and matches `target_session_attrs`, checked on the connection
   * itself with `pg_is_in_recovery()` (a standby promoted a moment ago is a primary at once).
   */
  async connect(options: ConnectOptions): Promise<PostgresConnection> {
    const settings = resolveConnectSettings(options, this.#defaults)
    const { hosts, random, targetSessionAttrs: attrs, urlFor } = settings.targets
    if (hosts.length === 1 && attrs === 'any') return PostgresConnection.open(settings)
    return connectFirstReadyHost(hosts, {
      random,
      label: 'PostgreSQL',
      hint: `that the servers run and that one of them is ${attrs === 'any' ? 'up' : `a ${attrs} server (target_session_attrs)`}.`,
      open: (h) => PostgresConnection.open({ ...settings, url: urlFor(h) }),
      refuse: async (conn) => (attrs === 'any' ? undefined : mismatch(attrs, await conn.serverRole())),
      // prefer-standby: with no standby up, the first server that answered does.
      fallback: attrs === 'prefer-standby' ? () => true : undefined,
      close: (conn) => conn.destroy(),
    })
  }

  isDisconnect(error: unknown): boolean {
    return isDisconnect(error)
  }

  translateError(error: unknown, context: StatementContext): AthanorError {
    return translateError(error, context)
  }
}
