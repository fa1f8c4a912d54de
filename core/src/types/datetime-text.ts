/**
 * The date-time text every bundled database prints for a timestamp without a zone,
 * `'YYYY-MM-DD HH:MM:SS[.f…]'`, read as UTC wall time without a regular expression, a substring
 * or a second string: a loaded row runs this once per date column, so the dialects' general
 * parsers (zones, BC, zero dates, other spellings) only see what this declines.
 */

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * Epoch milliseconds of `text[0, end)` when it is a canonical date-time of the years 1000–9999
 * (fractions past milliseconds truncated, `.5` read as 500 ms); undefined for anything else,
 * including an impossible date such as February 30, so that the caller's general parser decides.
 * ```ts
 * canonicalDateTimeMs('2024-01-02 03:04:05.678')        // 1704164645678
 * canonicalDateTimeMs('2024-01-02 03:04:05+00', 19)     // 1704164645000 (the caller strips the zone)
 * canonicalDateTimeMs('2024-01-02T03:04:05Z')           // undefined
 * ```
 */
export function canonicalDateTimeMs(text: string, end = text.length): number | undefined {
  if (end < 19 || end === 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 7)
  const day = digits(text, 8, 10)
  const hour = digits(text, 11, 13)
  const minute = digits(text, 14, 16)
  const second = digits(text, 17, 19)
  if (year < 1000 || hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59 || dayProblem(year, month, day) !== undefined) return undefined
  let ms = 0
  if (end > 19) {
    if (text.charCodeAt(19) !== 46) return undefined
    let scale = 100
    for (let i = 20; i < end; i++) {
      const d = text.charCodeAt(i) - 48
      if (d < 0 || d > 9) return undefined
      ms += d * scale
      scale = scale > 1 ? scale / 10 : 0
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms)
}

const ZERO = 48

/**
 * `d` as the canonical text {@link canonicalDateTimeMs} reads, `'YYYY-MM-DD HH:MM:SS.sss'` in UTC,
 * or undefined for a year outside 0000–9999 (or an Invalid Date), which the caller refuses or
 * writes its own way. One flat string made at once: a template of padded fields builds ~20
 * intermediate strings per date, 5 MB for the 10,000 dates of one flush, and the driver then
 * copies the chain into one string again (benchmarks/PROFILE.md pass 33).
 * ```ts
 * utcDateTimeText(new Date('2024-01-02T03:04:05.678Z'))   // '2024-01-02 03:04:05.678'
 * utcDateTimeText(new Date('0050-06-01T00:00:00Z'))       // '0050-06-01 00:00:00.000'
 * utcDateTimeText(new Date('+012345-01-01T00:00:00Z'))    // undefined
 * ```
 */
export function utcDateTimeText(d: Date): string | undefined {
  const y = d.getUTCFullYear()
  if (!(y >= 0 && y <= 9999)) return undefined
  const mo = d.getUTCMonth() + 1
  const day = d.getUTCDate()
  const h = d.getUTCHours()
  const mi = d.getUTCMinutes()
  const s = d.getUTCSeconds()
  const ms = d.getUTCMilliseconds()
  return String.fromCharCode(
    ZERO + ((y / 1000) | 0), ZERO + (((y / 100) | 0) % 10), ZERO + (((y / 10) | 0) % 10), ZERO + (y % 10), 45,
    ZERO + ((mo / 10) | 0), ZERO + (mo % 10), 45, ZERO + ((day / 10) | 0), ZERO + (day % 10), 32,
    ZERO + ((h / 10) | 0), ZERO + (h % 10), 58, ZERO + ((mi / 10) | 0), ZERO + (mi % 10), 58,
    ZERO + ((s / 10) | 0), ZERO + (s % 10), 46, ZERO + ((ms / 100) | 0), ZERO + (((ms / 10) | 0) % 10), ZERO + (ms % 10),
  )
}

/**
 * Why `year-month-day` is not a day of the (proleptic Gregorian) calendar — a month 0, a day 0,
 * February 30 — or undefined when it is one. Any year: a range of years is the caller's to check.
 * Databases can hold such text (SQLite any text, MariaDB under a lax sql_mode), and `Date.UTC`
 * would silently turn it into another day.
 * ```ts
 * dayProblem(2024, 2, 29)  // undefined
 * dayProblem(2023, 2, 29)  // '2023-02 has no day 29'
 * dayProblem(2024, 0, 10)  // 'there is no month 0'
 * ```
 */
export function dayProblem(year: number, month: number, day: number): string | undefined {
  // Negated ranges, so that NaN (text that was not digits) is a problem too.
  if (!(month >= 1 && month <= 12 && Number.isInteger(month))) return `there is no month ${month}`
  const days = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!
  if (!(day >= 1 && day <= days && Number.isInteger(day))) return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')} has no day ${day}`
  return undefined
}

/** A run of decimal digits as a number; -1 when a character in it is not a digit (every caller rejects negatives). */
function digits(s: string, from: number, to: number): number {
  let v = 0
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}
