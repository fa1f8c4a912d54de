import type { DriverConnection, ServerInfo } from './core.js'
import { PostgresConnection } from './connection.js'

/**
 * The server's version and flavour, for `Dialect.initialize`. A `PostgresConnection` already
 * has `server_version` from startup (no round trip); any other connection runs
 * `SHOW server_version`. CockroachDB announces itself with the `crdb_version` parameter.
 *
 * ```ts
 * await serverInfo(conn)   // { version: '15.20', flavour: 'postgresql' }
 * ```
 */
export async function serverInfo(connection: DriverConnection): Promise<ServerInfo> {
  const params = connection instanceof PostgresConnection ? connection.serverParameters : undefined
  let version = params?.server_version
  if (version === undefined) {
    const result = await connection.execute('SHOW server_version', [])
    version = String(result.rows[0]?.[0] ?? '')
  }
  return {
    // '15.20 (Debian 15.20-0+deb12u1)' → '15.20'
    version: version.trim().split(/\s+/)[0] ?? version,
    flavour: params?.crdb_version !== undefined ? 'cockroachdb' : 'postgresql',
  }
}
