import { ArgumentError, redactUrl } from '@athanor/core'

/** Where a libSQL connection goes: an in-memory database, a local file, or a server. */
export type LibsqlTargetKind = 'memory' | 'file' | 'remote'

/** An Athanor URL translated for `@libsql/client`'s `createClient({ url })`. */
export interface LibsqlTarget {
  /** The URL to give the client. */
  readonly url: string
  readonly kind: LibsqlTargetKind
}

const REMOTE_SCHEMES = new Set(['libsql', 'ws', 'wss', 'http', 'https'])

/**
 * Maps an Athanor database URL to the URL `@libsql/client` understands. The `sqlite` forms follow
 * SQLAlchemy (three slashes: relative path, four: absolute path; no path: in memory):
 *
 * | Athanor URL                          | client URL                | kind   |
 * |--------------------------------------|---------------------------|--------|
 * | `sqlite://`, `sqlite://:memory:`, `sqlite:///:memory:` | `:memory:` (with a query: `file::memory:?cache=…`) | memory |
 * | `sqlite:///data/app.db`              | `file:data/app.db` (relative to the working directory) | file |
 * | `sqlite:////var/db/app.db`           | `file:/var/db/app.db`     | file   |
 * | `sqlite+libsql://…`                  | as `sqlite://…`, except that a host makes it remote: `libsql://host/…` | |
 * | `file:app.db`, `file:/abs.db`, `file:///abs.db`, `file::memory:` | unchanged | file / memory |
 * | `libsql://…`, `wss://…`, `ws://…`, `https://…`, `http://…` | unchanged (`?authToken=`, `?tls=0` are read by the client) | remote |
 *
 * The path stays percent-encoded: the client decodes it (a literal `%` in a file name is `%25`).
 * A query string is passed through for the client to check.
 * ```ts
 * parseLibsqlUrl('sqlite:///app.db')   // { url: 'file:app.db', kind: 'file' }
 * parseLibsqlUrl('sqlite://:memory:')  // { url: ':memory:', kind: 'memory' }
 * ```
 */
export function parseLibsqlUrl(url: string): LibsqlTarget {
  if (url === ':memory:') return { url, kind: 'memory' }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(url)
  if (!m) throw invalid(url, 'expected a URL such as sqlite:///app.db, sqlite://:memory: or libsql://host')
  const scheme = m[1]!.toLowerCase()
  const rest = m[2]!
  if (REMOTE_SCHEMES.has(scheme)) return { url, kind: 'remote' }
  if (scheme === 'file') {
    const path = rest.replace(/[?#].*$/s, '')
    return { url, kind: path === ':memory:' ? 'memory' : 'file' }
  }
  if (scheme !== 'sqlite' && scheme !== 'sqlite+libsql') {
    throw invalid(url, `the libSQL dialect reads sqlite:, sqlite+libsql:, file: and libsql: URLs, not ${scheme}:`)
  }
  if (!rest.startsWith('//')) throw invalid(url, `write ${scheme}:///relative/path.db, ${scheme}:////absolute/path.db or ${scheme}://:memory:`)
  const afterSlashes = rest.slice(2)
  const q = afterSlashes.search(/[?#]/)
  const query = q < 0 ? '' : afterSlashes.slice(q)
  const body = q < 0 ? afterSlashes : afterSlashes.slice(0, q)
  const slash = body.indexOf('/')
  const authority = slash < 0 ? body : body.slice(0, slash)
  const path = slash < 0 ? '' : body.slice(slash + 1)

  if (authority === ':memory:' || (authority === '' && (path === '' || path === ':memory:'))) {
    // The client only recognises a bare ':memory:'; with a query (?cache=shared) it needs file::memory:.
    return { url: query === '' ? ':memory:' : `file::memory:${query}`, kind: 'memory' }
  }
  if (authority === '') return { url: `file:${path}${query}`, kind: 'file' }
  if (scheme === 'sqlite+libsql') return { url: `libsql://${body}${query}`, kind: 'remote' }
  throw invalid(url, `sqlite: URLs name a local file, so '${authority}' cannot be a host; use libsql://${authority}/… for a server, or sqlite:///${authority}/… for a relative path`)
}

/**
 * The file path of a local database target (`file:data/app.db?mode=ro` → `data/app.db`), decoded
 * as the client decodes it; connections to one file share its write lock.
 */
export function filePath(target: LibsqlTarget): string {
  const rest = target.url.replace(/^file:/i, '').replace(/[?#].*$/s, '')
  // file:///abs.db and file://localhost/abs.db name /abs.db; file:rel.db and file:/abs.db are paths already.
  const path = rest.startsWith('//') ? rest.replace(/^\/\/[^/]*/, '') : rest
  return decodeURIComponent(path)
}

function invalid(url: string, fix: string): ArgumentError {
  return new ArgumentError(`'${redactUrl(url)}' is not a libSQL database URL: ${fix}.`, 'invalid-url')
}
