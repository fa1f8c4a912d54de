/**
 * `@athanor/mysql`: MySQL and MariaDB through mysql2.
 *
 * Importing the package registers the dialect for `mysql://`, `mysql2://` and `mariadb://` URLs.
 * ```ts
 * import { createAsyncEngine } from '@athanor/core'
 * import { inserted, onDuplicateKeyUpdate } from '@athanor/mysql'
 * const engine = createAsyncEngine('mysql://root@127.0.0.1:3306/app')
 * ```
 *
 * @module @athanor/mysql
 */
export { MysqlDriver, sessionSetup, DEFAULT_MAX_PREPARED_STATEMENTS, type MysqlDriverOptions } from './driver.js'
export { MysqlConnection, FORCED_OPTIONS, type MysqlConnectionOptions } from './connection.js'
export { serverInfo, parseServerVersion, versionAtLeast, type MysqlFlavour, type MysqlServerInfo } from './server-info.js'
export { mysqlCapabilities } from './capabilities.js'
export { translateMysqlError, isMysqlDisconnect, MysqlErrno, CONNECTION_CLOSED_CODE, STATEMENT_ABORTED_CODE } from './errors.js'
export {
  bindProcessor,
  resultProcessor,
  typeDdl,
  formatUtcDateTime,
  parseUtcDateTime,
  DEFAULT_DECIMAL,
  DEFAULT_VARCHAR_LENGTH,
} from './values.js'
export { parseMysqlUrl, MYSQL_SCHEMES, type MysqlUrlParts } from './url.js'
export { MysqlCompiler, DEFAULT_COMPILE_TARGET, ROW_ALIAS, type MysqlCompileTarget } from './compiler.js'
export { MysqlDialect, mysql } from './dialect.js'
export { onDuplicateKeyUpdate, inserted } from './upsert.js'
export { MysqlSchema } from './schema-dialect.js'
