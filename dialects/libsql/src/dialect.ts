import { registerDialect } from '@athanor/core'
import type { Capabilities, Dialect } from '@athanor/core'
import { libsqlCapabilities } from './capabilities.js'
import { LibsqlCompiler } from './compiler.js'
import { LibsqlDriver } from './driver.js'
import { LibsqlSchema } from './schema-dialect.js'

/**
 * The SQLite / libSQL dialect. Registered for `sqlite://`, `sqlite+libsql://`, `libsql://` and
 * `file:` URLs when the package is imported.
 * ```ts
 * import '@athanor/libsql'
 * const engine = createAsyncEngine('sqlite://:memory:')
 * ```
 */
export class LibsqlDialect implements Dialect {
  readonly name = 'libsql'
  readonly capabilities: Capabilities = libsqlCapabilities
  readonly compiler = new LibsqlCompiler(libsqlCapabilities)
  readonly schema = new LibsqlSchema(this.compiler)
  readonly driver = new LibsqlDriver()
}

/** Creates the dialect explicitly: `createAsyncEngine(url, { dialect: libsql() })`. */
export function libsql(): LibsqlDialect {
  return new LibsqlDialect()
}

registerDialect(['sqlite', 'sqlite+libsql', 'libsql', 'file'], () => new LibsqlDialect())
