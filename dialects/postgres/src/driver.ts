import type { AthanorError, ConnectOptions, Driver, StatementContext } from './core.js'
import { resolveConnectSettings, type PostgresDriverOptions } from './connect-settings.js'
import { PostgresConnection } from './connection.js'
import { isDisconnect, translateError } from './error-translation.js'

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

  async connect(options: ConnectOptions): Promise<PostgresConnection> {
    return PostgresConnection.open(resolveConnectSettings(options, this.#defaults))
  }

  isDisconnect(error: unknown): boolean {
    return isDisconnect(error)
  }

  translateError(error: unknown, context: StatementContext): AthanorError {
    return translateError(error, context)
  }
}
