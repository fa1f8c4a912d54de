/** A database URL cut around its host list, to build multi-host URLs from a single-host one. */
export interface UrlHosts {
  /** `scheme://user:password@` */
  readonly prefix: string
  /** `host:port` (or the list), as written. */
  readonly hosts: string
  /** The first host's port, when written. */
  readonly port: number
  /** `/database?query` */
  readonly rest: string
  /** The same URL with another host list and, optionally, one more query parameter. */
  withHosts(hosts: string, query?: string): string
}

/**
 * ```ts
 * splitUrlHosts('mysql://root@127.0.0.1:3306/test').withHosts('127.0.0.1:1,127.0.0.1:3306')
 * // 'mysql://root@127.0.0.1:1,127.0.0.1:3306/test'
 * ```
 */
export function splitUrlHosts(url: string): UrlHosts {
  const m = /^([a-z0-9+]+:\/\/(?:[^@/]*@)?)([^/?]+)(.*)$/i.exec(url)
  if (m === null) throw new Error(`not a URL with a host: ${url}`)
  const [prefix, hosts, rest] = [m[1]!, m[2]!, m[3]!]
  return {
    prefix,
    hosts,
    port: Number(hosts.split(',')[0]!.split(':')[1]),
    rest,
    withHosts: (list, query = '') => `${prefix}${list}${rest}${query === '' ? '' : (rest.includes('?') ? '&' : '?') + query}`,
  }
}
