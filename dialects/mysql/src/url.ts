import { ArgumentError, redactUrl } from '@athanor/core'

/** The URL schemes this dialect answers to (`mysql+mysql2://` etc. select the driver explicitly). */
export const MYSQL_SCHEMES: readonly string[] = ['mysql', 'mysql2', 'mysql+mysql2', 'mariadb', 'mariadb+mysql2']

/** Where to connect, as read from a database URL. */
export interface MysqlUrlParts {
  readonly host: string
  readonly port: number
  readonly user: string | undefined
  readonly password: string | undefined
  readonly database: string | undefined
  readonly socketPath: string | undefined
  readonly charset: string | undefined
}

/** Query parameters a URL may carry; anything else belongs in `driverOptions`. */
const URL_PARAMS = new Set(['socketPath', 'charset'])

/**
 * Reads a MySQL/MariaDB URL. We parse it ourselves instead of handing it to mysql2's `uri`
 * option because mysql2 JSON-parses every query parameter into a connection option, which
 * would let a URL switch off the options this dialect depends on (rowsAsArray, dateStrings…).
 *
 * ```ts
 * parseMysqlUrl('mysql://app:s%40cret@db:3307/shop?charset=utf8mb4')
 * // → { host: 'db', port: 3307, user: 'app', password: 's@cret', database: 'shop', charset: 'utf8mb4', … }
 * ```
 */
export function parseMysqlUrl(url: string): MysqlUrlParts {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ArgumentError(`'${redactUrl(url)}' is not a valid MySQL URL: expected mysql://user:password@host:3306/database.`)
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase()
  if (!MYSQL_SCHEMES.includes(scheme)) {
    throw new ArgumentError(`'${redactUrl(url)}' is not a MySQL URL: the scheme must be one of ${MYSQL_SCHEMES.map((s) => s + '://').join(', ')}.`)
  }
  const unknown = [...parsed.searchParams.keys()].filter((k) => !URL_PARAMS.has(k))
  if (unknown.length > 0) {
    throw new ArgumentError(
      `The MySQL URL has query parameters this dialect does not read (${unknown.join(', ')}). ` +
        `Only ${[...URL_PARAMS].join(', ')} are read from the URL; pass other mysql2 options as driverOptions.`,
    )
  }
  const decode = (s: string): string | undefined => (s === '' ? undefined : decodeURIComponent(s))
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname
  return {
    host: decodeURIComponent(host) || 'localhost',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decode(parsed.username),
    password: decode(parsed.password),
    database: decode(parsed.pathname.replace(/^\//, '')),
    socketPath: parsed.searchParams.get('socketPath') ?? undefined,
    charset: parsed.searchParams.get('charset') ?? undefined,
  }
}
