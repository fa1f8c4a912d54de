import { ArgumentError } from '../util/errors.js'
import type { Dialect, DialectFactory } from './contract.js'

const factories = new Map<string, DialectFactory>()

/**
 * Registers a dialect for URL schemes; dialect packages call this when imported.
 * ```ts
 * registerDialect(['sqlite', 'libsql', 'file'], (url, opts) => new LibsqlDialect(url, opts))
 * ```
 */
export function registerDialect(schemes: readonly string[], factory: DialectFactory): void {
  for (const s of schemes) factories.set(s.toLowerCase(), factory)
}

/** The URL's scheme: `postgresql+postgresjs://…` → `postgresql+postgresjs`, and its base `postgresql`. */
export function urlScheme(url: string): { full: string; base: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)
  if (!m) throw new ArgumentError(`'${redactUrl(url)}' is not a database URL: expected scheme://…, e.g. sqlite://:memory: or postgresql://user@host/db.`)
  const full = m[1]!.toLowerCase()
  return { full, base: full.split('+')[0]! }
}

/** Finds the dialect registered for the URL's scheme. */
export function dialectForUrl(url: string, options: Readonly<Record<string, unknown>> = {}): Dialect {
  const { full, base } = urlScheme(url)
  const factory = factories.get(full) ?? factories.get(base)
  if (!factory) {
    const known = [...factories.keys()].sort().join(', ') || 'none'
    throw new ArgumentError(
      `No dialect is registered for '${full}://' URLs (registered: ${known}). ` +
        `Import the dialect package first (e.g. import '@athanor/libsql'), or pass { dialect } to createAsyncEngine().`,
    )
  }
  return factory(url, options)
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')
}
