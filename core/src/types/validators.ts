import { ValueError } from '../util/errors.js'
import type { SqlType, TypeKind } from './sql-type.js'
import { decimalFitProblem, decimalParts, decimalText } from './decimal.js'
import { jsonProblem, textProblem } from './json-value.js'
import { checkDateYear, parseDate, parseDateTime, parseTime, type Parsed } from './temporal.js'

/**
 * The checks every bound value passes before a driver sees it. Each either returns the value
 * in the form the dialects bind (a whole number, a decimal string, a Date, …) or throws a
 * ValueError naming the column, the kind of value and the fix. Nothing is coerced silently:
 * a value comes back from the database equal to what was given, or it is refused here.
 */
export type Validator = (value: unknown, type: SqlType<unknown>, where: string) => unknown

function fail(where: string, type: SqlType<unknown>, value: unknown, fix: string): never {
  throw new ValueError(`${where} (${type.description}) cannot take ${describeValue(value)}: ${fix}`)
}

/**
 * Describes a value for an error message without echoing user data.
 * ```ts
 * describeValue(NaN)        // 'NaN'
 * describeValue('secret')   // 'a string'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'a number' : String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Uint8Array) return 'binary data'
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'null prototype'})`
  return `a ${typeof value}`
}

function parsedOrFail<T>(parsed: Parsed<T>, where: string, type: SqlType<unknown>, value: unknown, example: string): T {
  if (parsed.ok) return parsed.value
  return fail(where, type, value, `${parsed.problem}; pass ${example}`)
}

const INT_RANGE: Partial<Record<TypeKind, [bigint, bigint]>> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
}

const integer: Validator = (v, type, where) => {
  let n: bigint
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(where, type, v, 'pass a finite whole number')
    if (!Number.isSafeInteger(v)) fail(where, type, v, 'numbers past 2^53 lose precision; pass a bigint')
    if (type.kind !== 'bigint') {
      // Safe integers compare exactly as numbers: the common case needs no BigInt per value.
      const range = INT_RANGE[type.kind]
      if (range && (v < Number(range[0]) || v > Number(range[1]))) fail(where, type, v, `the value is outside ${range[0]}..${range[1]}`)
      return v
    }
    n = BigInt(v)
  } else if (typeof v === 'bigint') n = v
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v)
  else return fail(where, type, v, 'pass a whole number or a bigint')
  const range = INT_RANGE[type.kind]
  if (range && (n < range[0] || n > range[1])) fail(where, type, v, `the value is outside ${range[0]}..${range[1]}`)
  return type.kind === 'bigint' ? n : Number(n)
}

const text: Validator = (v, type, where) => {
  if (typeof v !== 'string') return fail(where, type, v, 'pass a string')
  const problem = textProblem(v)
  if (problem !== undefined) fail(where, type, v, problem)
  const len = type.options.length
  // Characters are code points; a string no longer in UTF-16 units than the limit is within it,
  // so only longer ones are counted (spreading every string was a hot spot of bulk inserts).
  if (len !== undefined && v.length > len && [...v].length > len) fail(where, type, v, `the string is longer than ${len} characters`)
  return v
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/

const numeric: Validator = (v, type, where) => {
  let raw: string
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(where, type, v, 'pass a finite number or a decimal string')
    raw = String(v)
  } else if (typeof v === 'bigint') raw = v.toString()
  else if (typeof v === 'string') raw = v.trim()
  else return fail(where, type, v, "pass a decimal string such as '12.50'")
  const parts = decimalParts(raw)
  if (parts === undefined) return fail(where, type, v, "pass a decimal string such as '12.50'")
  const problem = decimalFitProblem(parts, type.options.precision, type.options.scale)
  if (problem !== undefined) fail(where, type, v, problem)
  // Plain text is bound as given ('12.50' stays '12.50'); exponents and '+' are written out.
  return PLAIN_DECIMAL.test(raw) ? raw : decimalText(parts)
}

const datetime: Validator = (v, type, where) => {
  const zoned = type.options.timezone === true
  const example = zoned ? "a Date or an ISO 8601 string with a zone ('2024-01-02T03:04:05Z')" : "a Date or an ISO 8601 string ('2024-01-02T03:04:05Z')"
  if (v instanceof Date) return parsedOrFail(checkDateYear(v), where, type, v, example)
  if (typeof v === 'string') return parsedOrFail(parseDateTime(v.trim(), zoned), where, type, v, example)
  // A number could be seconds or milliseconds since 1970: make the caller say which.
  return fail(where, type, v, `pass ${example}${typeof v === 'number' ? ' (for epoch milliseconds: new Date(ms))' : ''}`)
}

const date: Validator = (v, type, where) => {
  const example = "'YYYY-MM-DD' or a Date"
  if (v instanceof Date) return parsedOrFail(checkDateYear(v), where, type, v, example).toISOString().slice(0, 10)
  if (typeof v === 'string') return parsedOrFail(parseDate(v), where, type, v, example)
  return fail(where, type, v, `pass ${example}`)
}

/** The validator of each type kind. */
export const validators: Record<TypeKind, Validator> = {
  integer, bigint: integer, smallint: integer,
  float: (v, type, where) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, type, v, 'pass a finite number')
    return v
  },
  numeric,
  string: text, text,
  boolean: (v, type, where) => (typeof v === 'boolean' ? v : fail(where, type, v, 'pass true or false')),
  date,
  datetime,
  time: (v, type, where) =>
    typeof v === 'string' ? parsedOrFail(parseTime(v), where, type, v, "'HH:MM:SS' (fractions allowed)") : fail(where, type, v, "pass 'HH:MM:SS' (fractions allowed)"),
  json: (v, type, where) => {
    const problem = jsonProblem(v)
    if (problem !== undefined) fail(where, type, v, problem)
    return v
  },
  uuid: (v, type, where) =>
    typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)
      ? v.toLowerCase()
      : fail(where, type, v, 'pass a UUID string'),
  binary: (v, type, where) => {
    if (v instanceof Uint8Array) return v
    if (v instanceof ArrayBuffer) return new Uint8Array(v)
    return fail(where, type, v, 'pass a Uint8Array or Buffer')
  },
  enum: (v, type, where) => {
    if (typeof v !== 'string' || !(type.options.values ?? []).includes(v)) {
      fail(where, type, v, `pass one of ${(type.options.values ?? []).map((x) => `'${x}'`).join(', ')}`)
    }
    return v
  },
  null: (v) => v,
  native: (v, type, where) => {
    if (typeof v === 'function' || typeof v === 'symbol') fail(where, type, v, 'pass a plain value')
    return v
  },
}
