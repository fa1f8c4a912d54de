import type { MysqlFlavour } from './server-info.js'

/**
 * The session variable assignment that bounds statements: MariaDB `max_statement_time`
 * (seconds, every statement), MySQL `max_execution_time` (milliseconds, read-only SELECTs
 * only). 0 turns it off.
 *
 * ```ts
 * statementTimeoutSetting('mariadb', 1500)  // 'max_statement_time = 1.5'
 * statementTimeoutSetting('mysql', 1500)    // 'max_execution_time = 1500'
 * ```
 */
export function statementTimeoutSetting(flavour: MysqlFlavour, ms: number): string {
  const whole = Math.round(ms)
  return flavour === 'mariadb' ? `max_statement_time = ${whole / 1000}` : `max_execution_time = ${whole}`
}
