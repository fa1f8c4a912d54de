import type { DateField, DateUnit } from '@athanor/core'

/** SQLite: strftime() patterns and the ISO-week arithmetic it lacks (no %V before 3.46). */
export function sqliteExtract(field: DateField, x: string): string {
  const int = (fmt: string): string => `CAST(strftime('${fmt}', ${x}) AS INTEGER)`
  switch (field) {
    case 'year': return int('%Y')
    case 'quarter': return `((${int('%m')} + 2) / 3)`
    case 'month': return int('%m')
    // The ISO week holds the Thursday of its Monday–Sunday week: count from that Thursday's day of year.
    case 'week': return `((CAST(strftime('%j', ${x}, '-3 days', 'weekday 4') AS INTEGER) - 1) / 7 + 1)`
    case 'day': return int('%d')
    case 'dow': return int('%w')
    case 'doy': return int('%j')
    case 'hour': return int('%H')
    case 'minute': return int('%M')
    case 'second': return int('%S')
    case 'epoch': return `unixepoch(${x}, 'subsec')`
  }
}

/** SQLite: the start of the unit in the text shape timestamps (or dates) are stored in. */
export function sqliteDateTrunc(unit: DateUnit, x: string, dateOnly: boolean): string {
  const time = (hms: string): string => (dateOnly ? '' : ` ${hms}`)
  switch (unit) {
    case 'year': return `strftime('%Y-01-01${time('00:00:00.000')}', ${x})`
    case 'quarter': return `strftime('%Y-%m-01${time('00:00:00.000')}', ${x}, '-' || ((CAST(strftime('%m', ${x}) AS INTEGER) - 1) % 3) || ' months')`
    case 'month': return `strftime('%Y-%m-01${time('00:00:00.000')}', ${x})`
    // Forward to Sunday (or stay), then back six days: the Monday of the ISO week.
    case 'week': return `strftime('%Y-%m-%d${time('00:00:00.000')}', ${x}, 'weekday 0', '-6 days')`
    case 'day': return `strftime('%Y-%m-%d${time('00:00:00.000')}', ${x})`
    case 'hour': return dateOnly ? `strftime('%Y-%m-%d', ${x})` : `strftime('%Y-%m-%d %H:00:00.000', ${x})`
    case 'minute': return dateOnly ? `strftime('%Y-%m-%d', ${x})` : `strftime('%Y-%m-%d %H:%M:00.000', ${x})`
  }
}
