import { registerDialect } from '@athanor/core'
import type { Capabilities, Dialect, DriverConnection, ServerInfo } from '@athanor/core'
import { postgresCapabilities } from './capabilities.js'
import { PostgresCompiler } from './compiler.js'
import { PostgresDriver } from './driver.js'
import type { PostgresDriverOptions } from './connect-settings.js'
import { serverInfo } from './server-info.js'
import { PostgresSchema } from './schema-dialect.js'

/**
 * The PostgreSQL dialect on postgres.js. Registered for `postgres://`, `postgresql://` and
 * `postgresql+postgresjs://` URLs when the package is imported.
 * ```ts
 * import '@athanor/postgres'
 * const engine = createAsyncEngine('postgresql://user@localhost/app')
 * ```
 */
export class PostgresDialect implements Dialect {
  readonly name = 'postgresql'
  readonly capabilities: Capabilities = postgresCapabilities
  readonly compiler = new PostgresCompiler(postgresCapabilities)
  readonly schema = new PostgresSchema(this.compiler)
  readonly driver: PostgresDriver
  serverInfo: ServerInfo | undefined
  constructor(options: PostgresDriverOptions = {}) {
    this.driver = new PostgresDriver(options)
  }
  async initialize(connection: DriverConnection): Promise<Dialect> {
    this.serverInfo = await serverInfo(connection)
    return this
  }
}

/** Creates the dialect explicitly: `createAsyncEngine(url, { dialect: postgresql() })`. */
export function postgresql(options?: PostgresDriverOptions): PostgresDialect {
  return new PostgresDialect(options)
}

registerDialect(['postgres', 'postgresql', 'postgresql+postgresjs'], () => new PostgresDialect())
