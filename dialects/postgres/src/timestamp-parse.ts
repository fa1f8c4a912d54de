/**
 * Parsing of PostgreSQL's ISO timestamp output (DateStyle ISO, which every connection sets).
 *
 * postgres.js 3.4.9 parses `timestamp` (no time zone) with `new Date(text)`, which V8 reads as
 * process-local time: under TZ=America/New_York `'2024-01-01 03:04:05'` became 08:04:05Z. Athanor
 * stores naive timestamps as UTC wall time, so both timestamp kinds are read here as UTC (plus
 * the offset PostgreSQL prints for `timestamptz`). Fractions past milliseconds are truncated,
 * as V8 does. `infinity` / `-infinity` have no Date and come back as an Invalid Date.
 */
import { canonicalDateTimeMs } from '@athanor/core'

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

// The fast path covers what a UTC session prints for years 1000–9999 (core's canonical text, with
// timestamptz's '+00'): no regex, no allocation besides the Date. Anything else (other offsets,
// BC, 5-digit years, infinity) takes the regex.
function parseCommon(s: string): number | undefined {
  const n = s.length
  const utc = n > 19 && s.charCodeAt(n - 3) === 43 && s.charCodeAt(n - 2) === 48 && s.charCodeAt(n - 1) === 48
  return canonicalDateTimeMs(s, utc ? n - 3 : n)
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
