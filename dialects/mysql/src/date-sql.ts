import type { DateField, DateUnit } from '@athanor/core'

/** MySQL/MariaDB: EXTRACT where it matches, the day functions where it does not. */
export function mysqlExtract(field: DateField, x: string): string {
  switch (field) {
    case 'week': return `WEEK(${x}, 3)`
    case 'dow': return `(DAYOFWEEK(${x}) - 1)`
    case 'doy': return `DAYOFYEAR(${x})`
    case 'epoch': return `UNIX_TIMESTAMP(${x})`
    default: return `EXTRACT(${field.toUpperCase()} FROM ${x})`
  }
}

/** MySQL/MariaDB: the start of the unit, as DATETIME (or DATE for a date). */
export function mysqlDateTrunc(unit: DateUnit, x: string, dateOnly: boolean): string {
  const as = (sql: string): string => `CAST(${sql} AS ${dateOnly ? 'DATE' : 'DATETIME(6)'})`
  switch (unit) {
    case 'year': return as(`DATE_FORMAT(${x}, '%Y-01-01')`)
    case 'quarter': return as(`MAKEDATE(YEAR(${x}), 1) + INTERVAL (QUARTER(${x}) - 1) QUARTER`)
    case 'month': return as(`DATE_FORMAT(${x}, '%Y-%m-01')`)
    case 'week': return as(`DATE(${x}) - INTERVAL WEEKDAY(${x}) DAY`)
    case 'day': return as(`DATE(${x})`)
    case 'hour': return as(`DATE_FORMAT(${x}, '%Y-%m-%d %H:00:00')`)
    case 'minute': return as(`DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:00')`)
  }
}
