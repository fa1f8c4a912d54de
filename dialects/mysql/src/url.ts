import { ArgumentError, redactUrl } from '@athanor/core'

/** The URL schemes this dialect answers to (`mysql+mysql2://` etc. select the driver explicitly). */
export const MYSQL_SCHEMES: readonly string[] = ['mysql', 'mysql2', 'mysql+mysql2', 'mariadb', 'mariadb+mysql2']

/** Where to connect, as read from a database URL. */
export interface MysqlUrlParts {
  /** The first host of the URL's list. */
  readonly host: string
  readonly port: number
  /**
   * Every host of the URL, in order: `mysql://u@a:3317,b:3318,c/db` lists three (a cluster's
   * nodes); a connection goes to the first that accepts it and is ready (see MysqlDriver).
   */
  readonly hosts: readonly { readonly host: string; readonly port: number }[]
  /** `loadBalanceHosts=random`: try the hosts in a random order per connection instead of in order. */
  readonly randomHosts: boolean
  readonly user: string | undefined
  readonly password: string | undefined
  readonly database: string | undefined
  readonly socketPath: string | undefined
  readonly charset: string | undefined
}

/** Query parameters a URL may carry; anything else belongs in `driverOptions`. */
const URL_PARAMS = new Set(['socketPath', 'charset', 'loadBalanceHosts'])

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
  // A host list (`a:1,b:2`) is not a valid URL authority: read it apart, parse the rest with the first host.
  const list = /^([a-z0-9+]+:\/\/(?:[^@/?#]*@)?)([^/?#]*,[^/?#]*)(.*)$/i.exec(url)
  const extraHosts = list === null ? [] : list[2]!.split(',').slice(1)
  if (list !== null) url = list[1]! + list[2]!.split(',')[0]! + list[3]!
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
  const first = { host: decodeURIComponent(host) || 'localhost', port: parsed.port === '' ? 3306 : Number(parsed.port) }
  const hosts = [first, ...extraHosts.map((h) => hostPort(h, url))]
  const balance = parsed.searchParams.get('loadBalanceHosts')
  if (balance !== null && balance !== 'random' && balance !== 'disable') {
    throw new ArgumentError(`loadBalanceHosts=${balance} in the MySQL URL: use random (a random order per connection) or disable (in order, the default).`)
  }
  return {
    host: first.host,
    port: first.port,
    hosts,
    randomHosts: balance === 'random',
    user: decode(parsed.username),
    password: decode(parsed.password),
    database: decode(parsed.pathname.replace(/^\//, '')),
    socketPath: parsed.searchParams.get('socketPath') ?? undefined,
    charset: parsed.searchParams.get('charset') ?? undefined,
  }
}

/** One `host[:port]` of a URL's host list. */
function hostPort(text: string, url: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text.trim())
  if (m === null) throw new ArgumentError(`'${redactUrl(url)}' lists the host '${text}', which is not host or host:port.`)
  return { host: m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : decodeURIComponent(m[1]!), port: m[2] === undefined ? 3306 : Number(m[2]) }
}
