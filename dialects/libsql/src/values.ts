import { CompileError, ValueError, canonicalDateTimeMs, dayProblem, integerResult, utcDateTimeText } from '@athanor/core'
import type { SqlType, ValueProcessor } from '@athanor/core'

/**
 * Value conversion between Athanor's JS value contracts and what SQLite stores, plus the column
 * type DDL that makes those two agree. Bind processors receive values that core's
 * `SqlType.validate` has already checked and normalised; result processors receive what
 * `LibsqlConnection` returns, where every integer inside ±(2^53 − 1) is already a `number`
 * and only larger ones are `bigint` (see rows.ts).
 *
 * Storage decisions (one per type kind):
 *
 * | kind            | DDL                          | stored as                      | read back as                 |
 * |-----------------|------------------------------|--------------------------------|------------------------------|
 * | integer/smallint| INTEGER / SMALLINT           | INTEGER                        | number                       |
 * | bigint          | INTEGER (rowid alias for PKs)| INTEGER                        | bigint                       |
 * | float           | REAL                         | REAL                           | number                       |
 * | numeric(p ≤ 15) | NUMERIC(p, s)                | INTEGER or REAL (exact to p)   | decimal string with s places |
 * | numeric (other) | DECIMAL_TEXT[(p, s)]         | TEXT, exactly as bound         | decimal string as stored     |
 * | boolean         | BOOLEAN                      | INTEGER 0/1                    | boolean                      |
 * | date            | DATE                         | TEXT 'YYYY-MM-DD'              | string                       |
 * | datetime        | DATETIME                     | TEXT 'YYYY-MM-DD HH:MM:SS.sss' (UTC) | Date                   |
 * | time            | TIME                         | TEXT                           | string                       |
 * | json            | JSON                         | TEXT (JSON.stringify)          | parsed value                 |
 * | uuid            | CHAR(36)                     | TEXT                           | string                       |
 * | binary          | BLOB                         | BLOB                           | Buffer (a Uint8Array)        |
 * | enum            | VARCHAR(longest value)       | TEXT (CHECK added by compiler) | string                       |
 */

// ---- numeric -----------------------------------------------------------------------------------

/**
 * A REAL holds 15 significant decimal digits exactly (DBL_DIG), so a NUMERIC(p, s) with p ≤ 15
 * survives SQLite's NUMERIC affinity (which turns '12.50' into the REAL 12.5) and is restored
 * exactly by formatting with `s` places. Those columns also sort and compare as numbers.
 * Wider or unbounded numerics are stored as TEXT so no digit is lost; the price is that SQL
 * comparisons and ORDER BY on them are textual ('10.00' < '9.50').
 */
const MAX_EXACT_REAL_DIGITS = 15

/** Whether a numeric type is stored with NUMERIC affinity (true) or as TEXT (false). */
export function numericStoredAsNumber(type: SqlType<unknown>): boolean {
  const p = type.options.precision
  return p !== undefined && p <= MAX_EXACT_REAL_DIGITS
}

function numericResult(scale: number | undefined): ValueProcessor {
  // A REAL or INTEGER reaches us from NUMERIC-affinity columns and from aggregates such as avg();
  // text comes back from TEXT-stored columns and is returned untouched ("exactly as stored").
  if (scale === undefined) {
    // String() may use exponent notation for very large or small numbers ('1e+21'); core's
    // Numeric validation accepts that form back, so it stays a valid decimal string.
    return (v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : v)
  }
  return (v) => {
    if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) < 1e21 ? v.toFixed(scale) : String(v)
    if (typeof v === 'bigint') return scale > 0 ? `${v}.${'0'.repeat(scale)}` : v.toString()
    return v
  }
}

// ---- datetime ----------------------------------------------------------------------------------

/**
 * A Date as 'YYYY-MM-DD HH:MM:SS.sss' in UTC. Fixed width, so text order is time order, and the
 * same shape SQLite's own `strftime('%Y-%m-%d %H:%M:%f', 'now')` produces (CURRENT_TIMESTAMP has
 * no milliseconds, so an equality test against it only matches if the compiler renders now()
 * with strftime).
 */
function dateTimeToText(v: unknown): unknown {
  if (!(v instanceof Date)) return v
  // Years outside 0000–9999 print as '+012345-…'; SQLite's date functions cannot read them either.
  const text = utcDateTimeText(v)
  if (text === undefined) throw new ValueError(`DateTime values on SQLite must fall in the years 0000–9999; got ${Number.isNaN(v.getTime()) ? 'an Invalid Date' : v.toISOString()}.`)
  return text
}

const HAS_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/i

/**
 * Text from a DATETIME column → Date. Accepts what Athanor writes and what SQLite's functions and
 * other tools commonly write: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.fff]]', the 'T' form, and an
 * explicit zone (without one the text is UTC). A number is epoch milliseconds (what libsql stores
 * for a Date bound without a type). Unreadable values, and dates that are no day of the calendar
 * ('2024-02-30'), are returned unchanged rather than as an Invalid Date or another day, so the
 * data stays visible.
 */
function textToDateTime(v: unknown): unknown {
  if (typeof v === 'string') {
    // What Athanor writes, read without building the ISO form and parsing it again (once per
    // date in every loaded row).
    const ms = canonicalDateTimeMs(v)
    if (ms !== undefined) return new Date(ms)
    // SQLite keeps any text: '2024-02-30' is not a day, and new Date() would read March 1.
    if (v.length >= 10 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45 && dayProblem(Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))) !== undefined) return v
    let s = v.length > 10 && v.charCodeAt(10) === 32 /* ' ' */ ? `${v.slice(0, 10)}T${v.slice(11)}` : v
    if (s.length > 10 && !HAS_ZONE.test(s)) s += 'Z'
    const d = new Date(s)
    return Number.isNaN(d.getTime()) ? v : d
  }
  if (typeof v === 'number') return new Date(v)
  return v
}

// ---- the rest ----------------------------------------------------------------------------------

function jsonToText(v: unknown): unknown {
  return v === null ? null : JSON.stringify(v)
}

function textToJson(v: unknown): unknown {
  // A JSON column has NUMERIC affinity, so a top-level JSON number is stored as a number ('12'
  // becomes 12). Integers past 2^53 arrive as bigint; JSON.parse of the stored text would give
  // the nearest double, which Number() gives too. Foreign non-JSON text is returned as it is
  // rather than failing the whole row.
  if (typeof v === 'bigint') return Number(v)
  if (typeof v !== 'string') return v
  try {
    return JSON.parse(v) as unknown
  } catch {
    return v
  }
}

function toBoolean(v: unknown): unknown {
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'bigint') return v !== 0n
  return v
}

function toBigInt(v: unknown): unknown {
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v
}

function toBuffer(v: unknown): unknown {
  // libsql returns BLOBs as an ArrayBuffer of exactly the value's length; Buffer.from(ab) wraps
  // it without copying and is what the other dialects' drivers return.
  return v instanceof ArrayBuffer ? Buffer.from(v) : v
}

/**
 * The conversion applied to a validated value before it is bound, or undefined when the client
 * takes it as it is (numbers, bigints, strings, booleans → 0/1, Uint8Array → BLOB).
 * ```ts
 * bindProcessor(DateTime())!(new Date('2024-01-02T03:04:05.678Z'))  // '2024-01-02 03:04:05.678'
 * bindProcessor(Integer)                                              // undefined
 * ```
 */
export function bindProcessor(type: SqlType<unknown>): ValueProcessor | undefined {
  switch (type.kind) {
    case 'datetime': return dateTimeToText
    case 'json': return jsonToText
    default: return undefined
  }
}

/**
 * The conversion from a value the connection returned to the type's JS contract, or undefined
 * when the stored value already is one. Every processor passes null through.
 *
 * Integers past ±2^53 read through an Integer/SmallInteger expression fail (`integerResult`)
 * instead of being rounded or typed wrong; through a Float one they stay `bigint` (validation
 * keeps them out of those columns, so only foreign data and wide sums have them).
 * ```ts
 * resultProcessor(Boolean)!(1)           // true
 * resultProcessor(Numeric(10, 2))!(12.5) // '12.50'
 * resultProcessor(Text)                  // undefined
 * ```
 */
export function resultProcessor(type: SqlType<unknown>): ValueProcessor | undefined {
  switch (type.kind) {
    case 'bigint': return toBigInt
    case 'integer': case 'smallint': return integerResult
    case 'boolean': return toBoolean
    case 'numeric': return numericResult(type.options.scale)
    case 'datetime': return textToDateTime
    case 'json': return textToJson
    case 'binary': return toBuffer
    default: return undefined
  }
}

/**
 * The SQLite column type for a type kind. The names are chosen for the affinity they give
 * (see the table at the top of this module): for example BIGINT maps to INTEGER so an
 * autoincrement primary key is a rowid alias, and wide numerics get a TEXT-affinity name.
 * ```ts
 * typeDdl(Numeric(10, 2))   // 'NUMERIC(10, 2)'
 * typeDdl(Numeric(30, 10))  // 'DECIMAL_TEXT(30, 10)'
 * typeDdl(String(100))      // 'VARCHAR(100)'
 * ```
 */
export function typeDdl(type: SqlType<unknown>): string {
  const o = type.options
  switch (type.kind) {
    case 'integer': return 'INTEGER'
    case 'bigint': return 'INTEGER'
    case 'smallint': return 'SMALLINT'
    case 'float': return 'REAL'
    case 'numeric': {
      const args = o.precision === undefined ? '' : `(${o.precision}, ${o.scale ?? 0})`
      // 'DECIMAL_TEXT' contains TEXT and no INT, so SQLite gives it TEXT affinity.
      return numericStoredAsNumber(type) ? `NUMERIC${args}` : `DECIMAL_TEXT${args}`
    }
    case 'string': return o.length === undefined ? 'VARCHAR' : `VARCHAR(${o.length})`
    case 'text': return 'TEXT'
    case 'boolean': return 'BOOLEAN'
    case 'date': return 'DATE'
    case 'datetime': return 'DATETIME'
    case 'time': return 'TIME'
    case 'json': return 'JSON'
    case 'uuid': return 'CHAR(36)'
    case 'binary': return 'BLOB'
    case 'enum': return `VARCHAR(${Math.max(1, ...(o.values ?? []).map((v) => v.length))})`
    case 'native':
      if (o.native === undefined) throw new CompileError('NativeType() needs a DDL name, e.g. NativeType<string>(\'TEXT\').')
      return o.native
    case 'null': throw new CompileError('A column needs a type: pass one to column(), e.g. column(Integer).')
  }
}
