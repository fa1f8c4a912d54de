/**
 * Parsing of PostgreSQL's ISO timestamp output (DateStyle ISO, which every connection sets).
 *
 * postgres.js 3.4.9 parses `timestamp` (no time zone) with `new Date(text)`, which V8 reads as
 * process-local time: under TZ=America/New_York `'2024-01-01 03:04:05'` became 08:04:05Z. Athanor
 * stores naive timestamps as UTC wall time, so both timestamp kinds are read here as UTC (plus
 * the offset PostgreSQL prints for `timestamptz`). Fractions past milliseconds are truncated,
 * as V8 does. `infinity` / `-infinity` have no Date and come back as an Invalid Date.
 */

/** `'YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]'` */
const PG_TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/

/**
 * Parses a `timestamp` or `timestamptz` text value to a Date; a value without an offset is UTC.
 *
 * ```ts
 * parsePgTimestamp('2024-01-01 03:04:05.678').toISOString()     // '2024-01-01T03:04:05.678Z'
 * parsePgTimestamp('2024-01-01 03:04:05+05:30').toISOString()   // '2023-12-31T21:34:05.000Z'
 * ```
 */
export function parsePgTimestamp(text: string): Date {
  const fast = parseCommon(text)
  return fast === undefined ? parseAny(text) : new Date(fast)
}

// The fast path covers what a UTC session prints for years 1000–9999: no regex, no allocation
// besides the Date. Anything else (offsets, BC, 5-digit years, infinity) takes the regex.
function parseCommon(s: string): number | undefined {
  const n = s.length
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(0) === 48) return undefined
  let end = n
  // A UTC session prints timestamptz with '+00'.
  if (s.charCodeAt(n - 3) === 43 && s.charCodeAt(n - 2) === 48 && s.charCodeAt(n - 1) === 48) end = n - 3
  let ms = 0
  if (end > 19) {
    if (s.charCodeAt(19) !== 46) return undefined
    let scale = 100
    for (let i = 20; i < end; i++) {
      const d = s.charCodeAt(i) - 48
      if (d < 0 || d > 9) return undefined
      if (scale >= 1) ms += d * scale
      scale /= 10
    }
  }
  const t = Date.UTC(digits(s, 0, 4), digits(s, 5, 7) - 1, digits(s, 8, 10), digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19), Math.floor(ms))
  return Number.isNaN(t) ? undefined : t
}

function digits(s: string, from: number, to: number): number {
  let v = 0
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return NaN
    v = v * 10 + d
  }
  return v
}

function parseAny(s: string): Date {
  const m = PG_TIMESTAMP.exec(s)
  if (m === null) return new Date(NaN)
  const year = Number(m[1])
  const d = new Date(0)
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are; BC 1 is year 0.
  d.setUTCFullYear(m[12] === undefined ? year : 1 - year, Number(m[2]) - 1, Number(m[3]))
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')))
  if (m[8] === undefined) return d
  const offset = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000
  return new Date(d.getTime() - (m[8] === '-' ? -offset : offset))
}
