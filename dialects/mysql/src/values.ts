import mysql from 'mysql2/promise'
import { CompileError, ValueError, canonicalDateTimeMs, dayProblem, decimalFitProblem, integerResult, decimalParts, utcDateTimeText, type SqlType, type ValueProcessor } from '@athanor/core'

/**
 * Value conversion between core's portable JS values and what mysql2 sends and returns.
 *
 * Bind values arrive already normalised by `SqlType.validate` (bigint → bigint, numeric →
 * decimal string, datetime → Date, …). Result values arrive as mysql2 produces them under the
 * connection options `MysqlConnection` forces: BIGINT and DECIMAL as strings (bigNumberStrings),
 * DATE/DATETIME/TIMESTAMP as strings (dateStrings; compiled statements list them as
 * `CAST(… AS CHAR)`, compiler.ts, which arrives as the same text with all six fraction digits),
 * JSON as strings (jsonStrings), BLOB as Buffer.
 * Processors are `undefined` where nothing needs converting, so the engine skips them.
 */

type AnyType = SqlType<unknown>

// ---------------------------------------------------------------- date and time helpers

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

/**
 * Formats a Date as the UTC wall time MySQL stores in DATETIME(6): `'YYYY-MM-DD HH:MM:SS.mmm'`.
 *
 * ```ts
 * formatUtcDateTime(new Date('2024-01-02T03:04:05.678Z')) // '2024-01-02 03:04:05.678'
 * ```
 */
export function formatUtcDateTime(d: Date): string {
  // Outside 0000–9999 (which MySQL refuses) the fields are padded as they are: the server's error names the value.
  return utcDateTimeText(d) ?? (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  )
}

const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/

/**
 * Reads a DATETIME/TIMESTAMP string (UTC wall time) into a Date. Microseconds are cut to
 * milliseconds, the precision of a JS Date. The zero date `'0000-00-00 00:00:00'` (allowed when
 * sql_mode lacks NO_ZERO_DATE) becomes `null`, as in Python's MySQL drivers; a date that is no
 * day of the calendar (a zero month or day, February 30, kept under a lax sql_mode) is refused
 * with a ValueError rather than read as another day.
 *
 * ```ts
 * parseUtcDateTime('2024-01-02 03:04:05.678901') // Date 2024-01-02T03:04:05.678Z
 * ```
 */
export function parseUtcDateTime(text: string): Date | null {
  // What the server always sends for DATETIME(0–6), read by core without a regular expression
  // (this runs once per date in every loaded row); zero dates, date-only text and years below
  // 1000 take the general parser.
  const ms = canonicalDateTimeMs(text)
  return ms === undefined ? parseDateTimeText(text) : new Date(ms)
}

function parseDateTimeText(text: string): Date | null {
  const m = DATETIME_TEXT.exec(text)
  if (!m) throw new ValueError(`The server returned '${text}' for a DateTime column, which is not a DATETIME value.`)
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (year === 0 && month === 0 && day === 0) return null
  // A lax sql_mode (ALLOW_INVALID_DATES, or no NO_ZERO_IN_DATE: MariaDB's default) stores
  // '2024-02-30' and '2024-00-10'; Date.UTC would read another day without a word.
  const problem = dayProblem(year, month, day)
  if (problem !== undefined) {
    throw new ValueError(
      `The server returned '${text}' for a DateTime column, which is no date (${problem}): the server keeps such values when sql_mode allows them (ALLOW_INVALID_DATES, or no NO_ZERO_IN_DATE), and a Date cannot hold one. ` +
        'Correct the row, or select the column as text (CAST(col AS CHAR)) to read it as it is.',
    )
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3))
  const d = new Date(Date.UTC(2000, month - 1, day, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms))
  // Date.UTC maps years 0–99 to 1900–1999; set the year separately so year 0050 stays 0050.
  d.setUTCFullYear(year)
  return d
}

// ---------------------------------------------------------------- bind

const toBuffer = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength))

/**
 * BIGINT goes over the wire as a typed LONGLONG. Verified on MariaDB 10.11: a bigint bound as a
 * string (which is also what mysql2 does with a raw BigInt) is exact in `col = ?` but turns
 * into a DOUBLE in arithmetic: `SELECT ? + 1` with 9007199254740993 gave 9007199254740992.
 * A LONGLONG parameter gave '9007199254740994'. Parameters always go through `execute()`
 * (the binary protocol), where typed parameters are honoured.
 */
// mysql2 exposes TypedParameter through a getter that runs require() on every access: take the
// factory once, not once per bound integer.
const LONGLONG = mysql.TypedParameter.LONGLONG
const bindBigint: ValueProcessor = (v) => (v === null || v === undefined ? null : LONGLONG(v as bigint))
// Integer and SmallInteger values (32-bit, exact as a double) go as plain numbers, which mysql2
// encodes cheaply; the one place MySQL refuses a DOUBLE, `OFFSET ?` (LIMIT is written into the
// SQL), is bound as BigInteger by the compiler (MysqlCompiler.visitPaging).
const bindBoolean: ValueProcessor = (v) => (v === null || v === undefined ? null : v ? 1 : 0)
const bindDateTime: ValueProcessor = (v) => (v instanceof Date ? formatUtcDateTime(v) : v)
// JSON is sent as text: MariaDB rejects mysql2's JSON parameter type, and both servers parse a
// string bound to a JSON column. Note that a JS string becomes a JSON string ('"x"'), as intended.
const bindJson: ValueProcessor = (v) => (v === null || v === undefined ? null : globalThis.JSON.stringify(v))
/**
 * `String()` and `Numeric()` without sizes are bounded on MySQL/MariaDB (VARCHAR(255),
 * DECIMAL(38,10)), where PostgreSQL and SQLite are not: what does not fit is refused here
 * rather than cut or rounded by the server.
 */
const checkDefaultVarchar: ValueProcessor = (v) => {
  if (typeof v === 'string' && v.length > DEFAULT_VARCHAR_LENGTH && [...v].length > DEFAULT_VARCHAR_LENGTH) {
    throw new ValueError(
      `String() without a length is VARCHAR(${DEFAULT_VARCHAR_LENGTH}) on MySQL/MariaDB and this string has ${[...v].length} characters: ` +
        'give the column a length (String(1000)), or make it Text.',
    )
  }
  return v
}
const checkDefaultDecimal: ValueProcessor = (v) => {
  const parts = typeof v === 'string' ? decimalParts(v) : undefined
  const problem = parts === undefined ? undefined : decimalFitProblem(parts, DEFAULT_DECIMAL.precision, DEFAULT_DECIMAL.scale)
  if (problem !== undefined) {
    throw new ValueError(`Numeric() without a precision is DECIMAL(${DEFAULT_DECIMAL.precision},${DEFAULT_DECIMAL.scale}) on MySQL/MariaDB, and ${problem.replace(/: .*$/, '')}: give the column a precision and scale, e.g. Numeric(60, 20).`)
  }
  return v
}
// mysql2 sends only real Buffers as binary (BLOB); any other Uint8Array would be coerced as text.
const bindBinary: ValueProcessor = (v) => (v instanceof Uint8Array ? toBuffer(v) : v)

/**
 * The conversion a value of `type` needs before mysql2 binds it, or `undefined` when none.
 *
 * ```ts
 * bindProcessor(DateTime())?.(new Date('2024-01-02T03:04:05.678Z')) // '2024-01-02 03:04:05.678'
 * bindProcessor(Integer)                                             // undefined
 * ```
 */
export function bindProcessor(type: AnyType): ValueProcessor | undefined {
  switch (type.kind) {
    case 'bigint': return bindBigint
    case 'boolean': return bindBoolean
    case 'datetime': return bindDateTime
    case 'json': return bindJson
    case 'binary': return bindBinary
    case 'string': return type.options.length === undefined ? checkDefaultVarchar : undefined
    case 'numeric': return type.options.precision === undefined ? checkDefaultDecimal : undefined
    // float: numbers (sent as DOUBLE; NaN is rejected upstream because mysql2 would send it
    // as 0). numeric: decimal strings, which the server converts exactly.
    // date/time/string/text/enum/uuid: strings as they are.
    default: return undefined
  }
}

// ---------------------------------------------------------------- results

const INTEGER_TEXT = /^-?\d+$/
const WHOLE_DECIMAL_TEXT = /^(-?\d+)\.0*$/

function toBigint(v: unknown): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string') {
    if (INTEGER_TEXT.test(v)) return BigInt(v)
    // SUM() over BIGINT is a DECIMAL: '42' or '42.0000'.
    const m = WHOLE_DECIMAL_TEXT.exec(v)
    if (m) return BigInt(m[1]!)
  }
  throw new ValueError(`The server returned ${typeof v === 'string' ? `'${v}'` : String(v)} for a BigInteger column, which is not a whole number.`)
}

const nullable = (f: (v: unknown) => unknown): ValueProcessor => (v) => (v === null || v === undefined ? null : f(v))

// COUNT(*) and other BIGINT expressions arrive as strings (bigNumberStrings), DECIMAL
// expressions such as AVG() too; a column typed Integer/Float should still give a number.
const resultNumber = nullable((v) => (typeof v === 'number' ? v : Number(v)))
const resultBigint = nullable(toBigint)
const resultNumeric = nullable((v) => (typeof v === 'string' ? v : String(v)))
// BOOLEAN is TINYINT(1): 0/1 numbers; comparisons computed as BIGINT arrive as '0'/'1'.
const resultBoolean = nullable((v) => (typeof v === 'boolean' ? v : Number(v) !== 0))
const resultDate = nullable((v) => (v === '0000-00-00' ? null : v))
const resultDateTime = nullable((v) => (typeof v === 'string' ? parseUtcDateTime(v) : v))
// jsonStrings makes mysql2 return JSON as text on both servers (without it mysql2 parses
// MariaDB's JSON through extended metadata, and a parsed JSON string could not be told apart
// from unparsed text). A value that is not text was parsed elsewhere and is kept.
const resultJson = nullable((v) =>
  typeof v === 'string' ? globalThis.JSON.parse(v) : Buffer.isBuffer(v) ? globalThis.JSON.parse(v.toString('utf8')) : v,
)

/**
 * The conversion a result value of `type` needs after mysql2 read it, or `undefined` when none.
 *
 * ```ts
 * resultProcessor(BigInteger)?.('9007199254740993')       // 9007199254740993n
 * resultProcessor(DateTime())?.('2024-01-02 03:04:05.678') // Date 2024-01-02T03:04:05.678Z
 * resultProcessor(Text)                                    // undefined
 * ```
 */
/**
 * TIME(6) as `'HH:MM:SS[.ffffff]'` with the fraction's trailing zeros dropped. The text protocol
 * (a statement without parameters) sends all six digits, the binary one (mysql2's execute) only
 * what is there; PostgreSQL and SQLite return the short form too.
 *
 * ```ts
 * resultTime('23:59:59.500000') // '23:59:59.5'
 * resultTime('23:59:59.000000') // '23:59:59'
 * ```
 */
export const resultTime: ValueProcessor = (v) => (typeof v === 'string' && v.includes('.') ? v.replace(/\.?0+$/, '') : v)

export function resultProcessor(type: AnyType): ValueProcessor | undefined {
  switch (type.kind) {
    case 'integer': case 'smallint': return integerResult
    case 'float': return resultNumber
    case 'bigint': return resultBigint
    case 'numeric': return resultNumeric
    case 'boolean': return resultBoolean
    case 'date': return resultDate
    case 'datetime': return resultDateTime
    case 'json': return resultJson
    case 'time': return resultTime
    // binary: Buffer (a Uint8Array); uuid (CHAR(36)), string, text, enum: strings.
    default: return undefined
  }
}

// ---------------------------------------------------------------- DDL

/** DECIMAL without a precision is DECIMAL(10,0) in MySQL, which silently drops fractions. */
export const DEFAULT_DECIMAL = { precision: 38, scale: 10 } as const
/** VARCHAR needs a length in MySQL. */
export const DEFAULT_VARCHAR_LENGTH = 255

/** Quotes a string literal for DDL (ENUM values); doubles quotes and, for the default sql_mode, backslashes. */
function literal(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
}

/**
 * The column type in CREATE TABLE.
 *
 * | kind | DDL |
 * |---|---|
 * | integer / bigint / smallint | INT / BIGINT / SMALLINT (`AUTO_INCREMENT` with `{ autoincrement: true }`) |
 * | float | DOUBLE |
 * | numeric | DECIMAL(p,s); without a precision DECIMAL(38,10) (28 integer and 10 fraction digits) |
 * | string | VARCHAR(n), VARCHAR(255) without a length |
 * | text | TEXT (up to 64 KiB) |
 * | boolean | BOOLEAN (= TINYINT(1)) |
 * | date / time | DATE / TIME(6) |
 * | datetime | DATETIME(6), UTC wall time, with or without `timezone` (TIMESTAMP would end in 2038) |
 * | json | JSON (LONGTEXT with a JSON_VALID check on MariaDB) |
 * | uuid | CHAR(36) |
 * | binary | LONGBLOB |
 * | enum | ENUM('a','b') |
 * | native | `options.native` as written |
 *
 * ```ts
 * typeDdl(Numeric(12, 2))                          // 'DECIMAL(12,2)'
 * typeDdl(BigInteger, { autoincrement: true })     // 'BIGINT AUTO_INCREMENT'
 * ```
 */
export function typeDdl(type: AnyType, options: { autoincrement?: boolean } = {}): string {
  const o = type.options
  let ddl: string
  switch (type.kind) {
    case 'integer': ddl = 'INT'; break
    case 'bigint': ddl = 'BIGINT'; break
    case 'smallint': ddl = 'SMALLINT'; break
    case 'float': ddl = 'DOUBLE'; break
    case 'numeric':
      ddl = o.precision === undefined ? `DECIMAL(${DEFAULT_DECIMAL.precision},${DEFAULT_DECIMAL.scale})` : `DECIMAL(${o.precision},${o.scale ?? 0})`
      break
    case 'string': ddl = `VARCHAR(${o.length ?? DEFAULT_VARCHAR_LENGTH})`; break
    // Text is unbounded text: TEXT stops at 64 KB (then strict mode refuses and other modes cut it).
    case 'text': ddl = 'LONGTEXT'; break
    case 'boolean': ddl = 'BOOLEAN'; break
    case 'date': ddl = 'DATE'; break
    // Precision 6 so values written by other clients keep their microseconds; JS Dates carry milliseconds.
    case 'datetime': ddl = 'DATETIME(6)'; break
    case 'time': ddl = 'TIME(6)'; break
    case 'json': ddl = 'JSON'; break
    case 'uuid': ddl = 'CHAR(36)'; break
    case 'binary': ddl = 'LONGBLOB'; break
    case 'enum': {
      const values = o.values ?? []
      if (values.length === 0) throw new CompileError('An Enum column needs at least one value for MySQL ENUM(…).')
      ddl = `ENUM(${values.map(literal).join(',')})`
      break
    }
    case 'native':
      if (!o.native) throw new CompileError('A NativeType needs its DDL name, e.g. NativeType<string>(\'MEDIUMTEXT\').')
      ddl = o.native
      break
    case 'null':
      throw new CompileError('A column needs a type; NullType has no MySQL column type.')
  }
  if (options.autoincrement) {
    if (type.kind !== 'integer' && type.kind !== 'bigint' && type.kind !== 'smallint') {
      throw new CompileError(`AUTO_INCREMENT needs an integer column, not ${type.description}.`)
    }
    ddl += ' AUTO_INCREMENT'
  }
  return ddl
}
