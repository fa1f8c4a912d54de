/**
 * Strict parsing of dates, timestamps and times given as text. `new Date(text)` accepts almost
 * anything (`"42"` is the year 2042, `"' OR '1'='1"` is 2001-01-01, `2023-02-30` is March 2nd),
 * so bound values are parsed here instead and anything that is not exactly a valid ISO 8601
 * value is refused.
 */

import { dayProblem } from './datetime-text.js'

/** Years every backend stores and ISO 8601 writes with four digits. */
export const MIN_YEAR = 1
export const MAX_YEAR = 9999

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const TIME_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/

/** Why a year/month/day triple is not a calendar date, or undefined when it is one. */
function dateProblem(year: number, month: number, day: number): string | undefined {
  if (year < MIN_YEAR || year > MAX_YEAR) return `the year ${year} is outside ${MIN_YEAR}–${MAX_YEAR}`
  return dayProblem(year, month, day)
}

/** The outcome of a parse: the value, or what is wrong with the text. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string }

const bad = (problem: string): Parsed<never> => ({ ok: false, problem })

/**
 * A calendar date `'YYYY-MM-DD'` that exists (no February 30th), years 1–9999.
 * ```ts
 * parseDate('2024-02-29')   // { ok: true, value: '2024-02-29' }
 * parseDate('2023-02-29')   // { ok: false, problem: '2023-02 has no day 29' }
 * ```
 */
export function parseDate(text: string): Parsed<string> {
  const m = DATE_TEXT.exec(text)
  if (!m) return bad("it is not an ISO 8601 date 'YYYY-MM-DD'")
  const problem = dateProblem(Number(m[1]), Number(m[2]), Number(m[3]))
  return problem === undefined ? { ok: true, value: text } : bad(problem)
}

/**
 * An ISO 8601 timestamp (`T` or a space between date and time; seconds and fractions
 * optional) as a Date. Text without a zone is read as UTC wall time, the way a DateTime column
 * without a time zone stores it; `requireZone` refuses such text (for zoned columns, where it
 * would be ambiguous). Digits past milliseconds must be zeros: a Date cannot hold them.
 * ```ts
 * parseDateTime('2024-01-02T03:04:05.678Z', false)  // { ok: true, value: Date 2024-01-02T03:04:05.678Z }
 * parseDateTime('2024-01-02 03:04', false)          // UTC wall time 03:04
 * ```
 */
export function parseDateTime(text: string, requireZone: boolean): Parsed<Date> {
  const m = DATETIME_TEXT.exec(text)
  if (!m) return bad("it is not an ISO 8601 timestamp such as '2024-01-02T03:04:05Z'")
  const [year, month, day, hour, minute] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
  const second = m[6] === undefined ? 0 : Number(m[6])
  const problem = dateProblem(year, month, day) ?? timeProblem(hour, minute, second)
  if (problem !== undefined) return bad(problem)
  const fraction = m[7] ?? ''
  if (/[1-9]/.test(fraction.slice(3))) return bad('it has digits past milliseconds, which a JavaScript Date cannot hold')
  const zone = m[8]
  if (zone === undefined && requireZone) return bad("it has no time zone; add 'Z' or an offset such as '+02:00'")
  let offsetMinutes = 0
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '')
    const hours = Number(digits.slice(1, 3))
    const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0
    if (hours > 23 || minutes > 59) return bad(`the offset ${zone} does not exist`)
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3))
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms))
  // Date.UTC maps the years 0–99 to 1900–1999 (which have the same leap years): set it again.
  if (year < 100) wall.setUTCFullYear(year)
  return checkDateYear(new Date(wall.getTime() - offsetMinutes * 60_000))
}

/** A Date whose UTC year is within 1–9999 (and which is a valid Date at all). */
export function checkDateYear(d: Date): Parsed<Date> {
  const t = d.getTime()
  if (Number.isNaN(t)) return bad('its time is NaN (new Date() of text it could not parse?)')
  const year = d.getUTCFullYear()
  if (year < MIN_YEAR || year > MAX_YEAR) return bad(`its year ${year} is outside ${MIN_YEAR}–${MAX_YEAR}`)
  return { ok: true, value: d }
}

function timeProblem(hour: number, minute: number, second: number): string | undefined {
  if (hour > 23) return `there is no hour ${hour}`
  if (minute > 59) return `there is no minute ${minute}`
  if (second > 59) return `there is no second ${second}`
  return undefined
}

/**
 * A time of day `'HH:MM[:SS[.ffffff]]'`, 00:00 to 23:59:59.999999.
 * ```ts
 * parseTime('23:59:59.5')   // { ok: true, value: '23:59:59.5' }
 * parseTime('24:00')        // { ok: false, problem: 'there is no hour 24' }
 * ```
 */
export function parseTime(text: string): Parsed<string> {
  const m = TIME_TEXT.exec(text)
  if (!m) return bad("it is not a time 'HH:MM:SS' (fractions allowed)")
  const problem = timeProblem(Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3]))
  return problem === undefined ? { ok: true, value: text } : bad(problem)
}
