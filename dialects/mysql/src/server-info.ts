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
   * Whether a Galera cluster sets the auto-increment step (`wsrep_on` and
   * `wsrep_auto_increment_control`): it changes the step whenever the cluster changes size, so
   * the ids of a multi-row INSERT cannot be derived from the first; the unit of work then inserts
   * rows needing a generated id one per statement (capabilities.insertIdArithmetic is false).
   */
  readonly clusterAutoIncrement: boolean
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
 * info.flavour               // 'mariadb'
 * info.clusterAutoIncrement  // false (true on a Galera node that manages auto-increment)
 * ```
 */
export async function serverInfo(connection: DriverConnection): Promise<MysqlServerInfo> {
  // SHOW VARIABLES, not SELECT @@…: the wsrep variables exist only on servers built with Galera.
  const result = await connection.execute("SHOW VARIABLES WHERE Variable_name IN ('version', 'sql_mode', 'wsrep_on', 'wsrep_auto_increment_control')", [])
  const vars = new Map(result.rows.map((row) => [String(row[0]).toLowerCase(), String(row[1] ?? '')]))
  const version = vars.get('version') ?? ''
  const on = (name: string): boolean => /^(on|1)$/i.test(vars.get(name) ?? '')
  const clusterAutoIncrement = on('wsrep_on') && on('wsrep_auto_increment_control')
  const backslashEscapes = !/\bNO_BACKSLASH_ESCAPES\b/i.test(vars.get('sql_mode') ?? '')
  return { version, clusterAutoIncrement, backslashEscapes, ...parseServerVersion(version) }
}
