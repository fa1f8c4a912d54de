import { ArgumentError, type HostPort } from './core.js'

/**
 * Which server of a multi-host URL a connection may use, as libpq's `target_session_attrs`:
 * `'primary'` / `'standby'` by `pg_is_in_recovery()`, `'read-write'` / `'read-only'` also by
 * `transaction_read_only`, `'prefer-standby'` a standby when one is up and any server otherwise,
 * `'any'` the first that accepts.
 */
export type TargetSessionAttrs = 'any' | 'primary' | 'standby' | 'prefer-standby' | 'read-write' | 'read-only'

export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['any', 'primary', 'standby', 'prefer-standby', 'read-write', 'read-only']

/** The hosts of a PostgreSQL URL, and how to choose among them. */
export interface HostTargets {
  readonly hosts: readonly HostPort[]
  readonly random: boolean
  readonly targetSessionAttrs: TargetSessionAttrs
  /** The URL postgres.js gets for one host: that host alone, without the parameters read here. */
  urlFor(host: HostPort): string
}

/**
 * Reads the host list (`postgres://u@a:5432,b:5433/db`), `target_session_attrs` and
 * `load_balance_hosts` (`disable` | `random`) from a URL. We choose the host ourselves rather than
 * leave it to postgres.js: its check trusts `default_transaction_read_only`, which a hot standby
 * does not set, and its reconnects would reopen a connection Athanor has given up.
 *
 * ```ts
 * readHostTargets('postgres://u@a,b:5433/db?target_session_attrs=primary', undefined)
 * // → hosts a:5432, b:5433; 'primary'; urlFor({ host: 'b', port: 5433 }) === 'postgres://u@b:5433/db'
 * ```
 */
export function readHostTargets(url: string, option: TargetSessionAttrs | undefined): HostTargets {
  const m = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url)
  if (m === null) throw new ArgumentError(`'${url.replace(/:[^:@/]*@/, ':***@')}' is not a PostgreSQL URL: expected postgres://user@host:5432/database.`)
  const [, head, authority, path, query = ''] = m as unknown as [string, string, string, string, string | undefined]
  const params = new URLSearchParams(query.slice(1))
  const attrs = params.get('target_session_attrs') ?? option ?? 'any'
  if (!TARGET_SESSION_ATTRS.includes(attrs as TargetSessionAttrs)) {
    throw new ArgumentError(`target_session_attrs=${attrs} is not one of ${TARGET_SESSION_ATTRS.join(', ')} (the PostgreSQL URL parameter or the targetSessionAttrs driver option).`)
  }
  const balance = params.get('load_balance_hosts') ?? 'disable'
  if (balance !== 'disable' && balance !== 'random') {
    throw new ArgumentError(`load_balance_hosts=${balance} in the PostgreSQL URL: use random (a random order per connection) or disable (in order, the default).`)
  }
  params.delete('target_session_attrs')
  params.delete('load_balance_hosts')
  const rest = params.size > 0 ? `?${params.toString()}` : ''
  // No host in the URL (a socket directory in ?host=, or libpq defaults): one target, the URL as given.
  if (authority === '') return { hosts: [{ host: 'localhost', port: 5432 }], random: false, targetSessionAttrs: attrs as TargetSessionAttrs, urlFor: () => `${head}${path}${rest}` }
  return {
    hosts: authority.split(',').map(hostPort),
    random: balance === 'random',
    targetSessionAttrs: attrs as TargetSessionAttrs,
    urlFor: (h) => `${head}${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}${path}${rest}`,
  }
}

/**
 * Why a server does not match `attrs`, from its recovery state and `transaction_read_only`, or
 * undefined when it does.
 *
 * ```ts
 * mismatch('primary', { inRecovery: true, readOnly: true })   // 'a standby (in recovery)'
 * ```
 */
export function mismatch(attrs: TargetSessionAttrs, server: { readonly inRecovery: boolean; readonly readOnly: boolean }): string | undefined {
  const what = server.inRecovery ? 'a standby (in recovery)' : server.readOnly ? 'a primary whose sessions are read-only' : 'a read-write primary'
  const ok =
    attrs === 'any' ||
    (attrs === 'primary' && !server.inRecovery) ||
    ((attrs === 'standby' || attrs === 'prefer-standby') && server.inRecovery) ||
    (attrs === 'read-write' && !server.inRecovery && !server.readOnly) ||
    (attrs === 'read-only' && (server.inRecovery || server.readOnly))
  return ok ? undefined : `${what}, not ${attrs}`
}

function hostPort(entry: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(entry)
  if (m === null) throw new ArgumentError(`'${entry}' in the PostgreSQL URL's host list is not host or host:port.`)
  const host = decodeURIComponent(m[1]!.replace(/^\[|\]$/g, '')) || 'localhost'
  return { host, port: m[2] === undefined || m[2] === '' ? 5432 : Number(m[2]) }
}
