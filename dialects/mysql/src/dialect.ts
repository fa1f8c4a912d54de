import { registerDialect } from '@athanor/core'
import type { Capabilities, Dialect, DriverConnection } from '@athanor/core'
import { mysqlCapabilities } from './capabilities.js'
import { DEFAULT_COMPILE_TARGET, MysqlCompiler } from './compiler.js'
import { MysqlDriver, type MysqlDriverOptions } from './driver.js'
import { serverInfo, type MysqlServerInfo } from './server-info.js'
import { MYSQL_SCHEMES } from './url.js'
import { MysqlSchema } from './schema-dialect.js'

/**
 * The MySQL / MariaDB dialect on mysql2. Registered for `mysql://`, `mysql2://`, `mariadb://`
 * (and `mysql+mysql2://`, `mariadb+mysql2://`) URLs when the package is imported.
 *
 * Until the first connection the dialect assumes MySQL 8.0 (no RETURNING); `initialize()` then
 * reads the server's flavour, version, `@@auto_increment_increment` and `sql_mode` and returns
 * a dialect with the matching capabilities and compiler, which the engine uses from then on.
 * Passing `serverInfo` skips that detection (the dialect compiles for the server it was told).
 * ```ts
 * import '@athanor/mysql'
 * const engine = createAsyncEngine('mysql://app@localhost:3306/shop')
 * ```
 */
export class MysqlDialect implements Dialect {
  readonly name = 'mysql'
  readonly capabilities: Capabilities
  readonly compiler: MysqlCompiler
  readonly driver: MysqlDriver
  readonly serverInfo: MysqlServerInfo | undefined
  readonly schema: MysqlSchema

  readonly #connectedTo: MysqlServerInfo | undefined

  constructor(
    options: MysqlDriverOptions & {
      readonly driver?: MysqlDriver
      readonly serverInfo?: MysqlServerInfo
      /** The server actually reached, when `serverInfo` names another one (set by `initialize()`). */
      readonly connectedTo?: MysqlServerInfo
    } = {},
  ) {
    // One driver for the engine's whole life: it remembers the flavour for error translation.
    this.driver = options.driver ?? new MysqlDriver(options)
    this.serverInfo = options.serverInfo
    this.#connectedTo = options.connectedTo
    const told = mysqlCapabilities(options.serverInfo ?? DEFAULT_COMPILE_TARGET)
    // Errors come from the server reached, whatever the compiler was told, so their fields follow it.
    this.capabilities = options.connectedTo === undefined ? told : { ...told, integrityErrorFields: mysqlCapabilities(options.connectedTo).integrityErrorFields }
    this.compiler = new MysqlCompiler(this.capabilities, { target: options.serverInfo ?? DEFAULT_COMPILE_TARGET })
    this.schema = new MysqlSchema(this.compiler)
  }

  /**
   * Learns the server at first connect. A dialect made with `serverInfo` keeps compiling for what
   * it was told, but describes the integrity errors of the server it reached.
   */
  async initialize(connection: DriverConnection): Promise<Dialect> {
    if (this.serverInfo === undefined) return this.withServer(await serverInfo(connection))
    if (this.#connectedTo !== undefined) return this
    return new MysqlDialect({ driver: this.driver, serverInfo: this.serverInfo, connectedTo: await serverInfo(connection) })
  }

  /**
   * The dialect for a known server, sharing this one's driver. Tests use it to compile or run as
   * another flavour: `dialect.withServer({ ...info, flavour: 'mysql', versionNumbers: [8, 0, 36] })`.
   */
  withServer(info: MysqlServerInfo): MysqlDialect {
    return new MysqlDialect({ driver: this.driver, serverInfo: info })
  }
}

/** Creates the dialect explicitly: `createAsyncEngine(url, { dialect: mysql() })`. */
export function mysql(options?: MysqlDriverOptions): MysqlDialect {
  return new MysqlDialect(options)
}

registerDialect(MYSQL_SCHEMES, () => new MysqlDialect())
