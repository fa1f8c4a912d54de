/**
 * `@athanor/mysql`: MySQL and MariaDB through mysql2.
 *
 * This file exports the driver side and value conversion; the compile side (SqlCompiler
 * subclass, dialect object, registerDialect) is added next to it.
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
