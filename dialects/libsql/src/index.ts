/**
 * @athanor/libsql — the SQLite / libSQL dialect on `@libsql/client`.
 * ```ts
 * import { createAsyncEngine } from '@athanor/core'
 * import '@athanor/libsql'
 * const engine = createAsyncEngine('sqlite:///app.db')
 * ```
 *
 * @module @athanor/libsql
 */
export { LibsqlDriver, readDriverOptions } from './driver.js'
export type { LibsqlDriverOptions } from './driver.js'
export { LibsqlConnection } from './connection.js'
export type { LibsqlConnectionSettings } from './connection.js'
export { parseLibsqlUrl } from './url.js'
export type { LibsqlTarget, LibsqlTargetKind } from './url.js'
export { translateError, isDisconnect } from './errors.js'
export { bindProcessor, resultProcessor, typeDdl, numericStoredAsNumber } from './values.js'
export { libsqlCapabilities, connectionCapabilities } from './capabilities.js'
export { LibsqlCompiler } from './compiler.js'
export { LibsqlDialect, libsql } from './dialect.js'
export { onConflictDoNothing, onConflictDoUpdate, excluded } from './upsert.js'
export { LibsqlSchema } from './schema-dialect.js'
