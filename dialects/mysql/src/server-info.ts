import type { DriverConnection, ServerInfo } from '@athanor/core'

/** The two server families this package speaks to; they share a protocol but not every feature or errno. */
export type MysqlFlavour = 'mariadb' | 'mysql'

/** What the dialect learns from the first connection. */
export interface MysqlServerInfo extends ServerInfo {
  /** The full `VERSION()` string, e.g. `'10.11.19-MariaDB-0+deb12u1'`. */
  readonly version: string
  readonly flavour: MysqlFlavour
  /** Numeric `[major, minor, patch]`, e.g. `[10, 11, 19]`. */
  readonly versionNumbers: readonly [number, number, number]
  /**
   * `@@auto_increment_increment`: the step between ids a multi-row INSERT generates
   * (ids are `insertId + i * autoIncrementIncrement`; Galera and multi-primary setups use steps > 1).
   */
  readonly autoIncrementIncrement: number
  /**
   * Whether backslash escapes characters in string literals (true unless `@@sql_mode` has
   * NO_BACKSLASH_ESCAPES); the compiler writes literals such as `ESCAPE '\\'` accordingly.
   */
  readonly backslashEscapes: boolean
}

/**
 * Splits a version string into flavour and numbers.
 * MariaDB 10.x prefixes the handshake version with `5.5.5-` for old replication clients; it is skipped.
 *
 * ```ts
 * parseServerVersion('5.5.5-10.11.19-MariaDB-0+deb12u1') // → { flavour: 'mariadb', versionNumbers: [10, 11, 19] }
 * parseServerVersion('8.0.36')                           // → { flavour: 'mysql', versionNumbers: [8, 0, 36] }
 * ```
 */
export function parseServerVersion(version: string): { flavour: MysqlFlavour; versionNumbers: [number, number, number] } {
  const flavour: MysqlFlavour = /mariadb/i.test(version) ? 'mariadb' : 'mysql'
  const stripped = flavour === 'mariadb' ? version.replace(/^5\.5\.5-/, '') : version
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(stripped)
  const versionNumbers: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0]
  return { flavour, versionNumbers }
}

/** True when `numbers` is at least `[major, minor, patch]`. */
export function versionAtLeast(numbers: readonly [number, number, number], major: number, minor = 0, patch = 0): boolean {
  const want = [major, minor, patch]
  for (let i = 0; i < 3; i++) {
    if (numbers[i]! !== want[i]!) return numbers[i]! > want[i]!
  }
  return true
}

/**
 * Asks the server who it is (one round trip).
 *
 * ```ts
 * const info = await serverInfo(connection)
 * info.flavour                 // 'mariadb'
 * info.autoIncrementIncrement  // 1
 * ```
 */
export async function serverInfo(connection: DriverConnection): Promise<MysqlServerInfo> {
  const result = await connection.execute('SELECT VERSION(), @@auto_increment_increment, @@sql_mode', [])
  const row = result.rows[0]
  const version = String(row?.[0] ?? '')
  // @@auto_increment_increment is a BIGINT UNSIGNED, which bigNumberStrings hands over as a string.
  const autoIncrementIncrement = Number(row?.[1] ?? 1) || 1
  const backslashEscapes = !/\bNO_BACKSLASH_ESCAPES\b/i.test(String(row?.[2] ?? ''))
  return { version, autoIncrementIncrement, backslashEscapes, ...parseServerVersion(version) }
}
