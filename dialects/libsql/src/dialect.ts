import { registerDialect } from '@athanor/core'
import type { Capabilities, Dialect } from '@athanor/core'
import { connectionCapabilities, libsqlCapabilities } from './capabilities.js'
import { parseLibsqlUrl } from './url.js'
import type { LibsqlTargetKind } from './url.js'
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
  readonly capabilities: Capabilities
  readonly compiler = new LibsqlCompiler(libsqlCapabilities)
  readonly schema = new LibsqlSchema(this.compiler)
  readonly driver = new LibsqlDriver()
  /** What the URL points at (undefined: not known yet); a file database gets a pool of connections, the others one. */
  readonly kind: LibsqlTargetKind | undefined

  constructor(kind?: LibsqlTargetKind) {
    this.kind = kind
    this.capabilities = { ...libsqlCapabilities, ...connectionCapabilities(kind) }
  }

  /**
   * This dialect with the capabilities of the URL's kind of target. Derived with Object.create,
   * so a dialect wrapped or adjusted the same way (another driver, in tests) keeps its changes.
   */
  forUrl(url: string): LibsqlDialect {
    const kind = kindOf(url)
    if (kind === this.kind) return this
    return Object.create(this, { kind: { value: kind }, capabilities: { value: { ...this.capabilities, ...connectionCapabilities(kind) } } }) as LibsqlDialect
  }
}

/** Creates the dialect explicitly: `createAsyncEngine(url, { dialect: libsql() })`. */
export function libsql(): LibsqlDialect {
  return new LibsqlDialect()
}

/** The target kind of a URL; undefined for a URL the driver will refuse at connect (with its message). */
function kindOf(url: string): LibsqlTargetKind | undefined {
  try {
    return parseLibsqlUrl(url).kind
  } catch {
    return undefined
  }
}

registerDialect(['sqlite', 'sqlite+libsql', 'libsql', 'file'], (url) => new LibsqlDialect(kindOf(url)))
