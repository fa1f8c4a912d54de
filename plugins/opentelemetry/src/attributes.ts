import type { Dialect } from '@athanor/core'

const SYSTEMS: Readonly<Record<string, string>> = { postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql', mariadb: 'mariadb', libsql: 'sqlite', sqlite: 'sqlite' }

/** The semantic-convention `db.system` value: the server's flavour when known, else the dialect's. */
export function dbSystem(dialect: Dialect): string {
  const flavour = dialect.serverInfo?.flavour
  return (flavour && SYSTEMS[flavour]) || SYSTEMS[dialect.name] || dialect.name
}

/** The database name (`db.namespace`) and server address of an engine URL. */
export function urlAttributes(url: string): { namespace?: string; address?: string; port?: number } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return {}
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  const out: { namespace?: string; address?: string; port?: number } = {}
  if (path) out.namespace = path
  if (parsed.hostname && parsed.hostname !== ':memory:') out.address = parsed.hostname
  if (parsed.port) out.port = Number(parsed.port)
  return out
}

/** `db.operation.name`: the statement's leading keyword (SELECT, INSERT, WITH …). */
export function operationName(sql: string): string {
  return /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL'
}
