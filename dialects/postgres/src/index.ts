/**
 * `@athanor/postgres`: PostgreSQL for Athanor on postgres.js.
 *
 * ```ts
 * import { PostgresDriver, postgresCapabilities } from '@athanor/postgres'
 * ```
 *
 * @module @athanor/postgres
 */
export { PostgresDriver } from './driver.js'
export { PostgresConnection } from './connection.js'
export { resolveConnectSettings } from './connect-settings.js'
export type { ConnectSettings, PostgresDriverOptions, PostgresNotice } from './connect-settings.js'
export { isDisconnect, translateError } from './error-translation.js'
export { bindProcessor, resultProcessor } from './values.js'
export { typeDdl, autoincrementDdl } from './type-ddl.js'
export type { TypeDdlOptions } from './type-ddl.js'
export { postgresCapabilities } from './capabilities.js'
export { serverInfo } from './server-info.js'
export { JsonParam } from './wire-types.js'
export { parsePgTimestamp } from './timestamp-parse.js'
export { PostgresCompiler } from './compiler.js'
export { PostgresDialect, postgresql } from './dialect.js'
export { onConflictDoNothing, onConflictDoUpdate, excluded } from './upsert.js'
export { ARRAY, ArrayType } from './array-type.js'
export { any, arrayContainedBy, arrayContains, arrayOverlaps, AnyElement, ArrayComparison } from './array-operators.js'
export type { ArrayExpression } from './array-operators.js'
export { parseArrayLiteral, serializeArrayLiteral } from './array-literal.js'
export { castTypeName } from './param-casts.js'
export { PostgresSchema } from './schema-dialect.js'
export { canonicalDefault as postgresCanonicalDefault } from './schema-reflect.js'
