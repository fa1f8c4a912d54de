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

/**
 * The packages that provide dialects for the usual schemes, so a missing import is named. A
 * registered dialect always wins; this table only words the error.
 */
const PACKAGE_FOR_SCHEME: Readonly<Record<string, string>> = {
  postgres: '@athanor/postgres',
  postgresql: '@athanor/postgres',
  mysql: '@athanor/mysql',
  mysql2: '@athanor/mysql',
  mariadb: '@athanor/mysql',
  sqlite: '@athanor/libsql',
  libsql: '@athanor/libsql',
  file: '@athanor/libsql',
}

/** `scheme:` not followed by `//` is a URL only for `file:` (`file:app.db`). */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/)?/

/** The URL's scheme: `postgresql+postgresjs://…` → `postgresql+postgresjs`, and its base `postgresql`. */
export function urlScheme(url: string): { full: string; base: string } {
  const m = SCHEME.exec(url)
  const full = m?.[1]?.toLowerCase()
  if (m === null || full === undefined || (m[2] === undefined && full !== 'file')) {
    const shown = redactUrl(`//${url.replace(/^\/*/, '')}`).slice(2)
    throw new ArgumentError(
      `'${shown}' is not a database URL: it has no scheme. Put the database's scheme first, ` +
        `e.g. postgres://${shown}, mysql://user@host/db or sqlite:///app.db.`,
    )
  }
  return { full, base: full.split('+')[0]! }
}

/** Finds the dialect registered for the URL's scheme. */
export function dialectForUrl(url: string, options: Readonly<Record<string, unknown>> = {}): Dialect {
  const { full, base } = urlScheme(url)
  const factory = factories.get(full) ?? factories.get(base)
  if (!factory) {
    const known = [...factories.keys()].sort().join(', ') || 'none'
    const pkg = PACKAGE_FOR_SCHEME[base]
    const fix = pkg === undefined
      ? `No Athanor package provides '${base}://'; import a dialect package that registers it, or pass { dialect } to createAsyncEngine().`
      : `Install and import ${pkg} first (npm install ${pkg}; import '${pkg}'), or pass { dialect } to createAsyncEngine().`
    throw new ArgumentError(`No dialect is registered for '${full}://' URLs (registered: ${known}). ${fix}`)
  }
  return factory(url, options)
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')
}
