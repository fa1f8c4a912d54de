import { integerResult } from './core.js'
import type { SqlType, ValueProcessor } from './core.js'
import { JsonParam } from './wire-types.js'
import { ArrayType } from './array-type.js'
import { arrayBindProcessor, arrayResultProcessor } from './array-values.js'

/**
 * Per-value conversion between Athanor's JS value contract and what postgres.js sends and
 * returns, given the connection's `wireTypes`. Most kinds need nothing: postgres.js already
 * returns int8 as bigint, numeric/time/uuid/date as text, both timestamps as UTC Dates, json
 * parsed and bytea as Buffer. These functions run once per value, so each is a plain
 * module-level function with a `typeof` test first.
 */

// A naive DateTime travels as its ISO text: postgres.js would declare a Date parameter
// `timestamptz`, and the server would convert it to `timestamp` in the *session* time zone.
// Untyped ISO text with 'Z' is taken by a timestamp column as UTC wall time whatever the session.
const bindNaiveDateTime: ValueProcessor = (v) => (v instanceof Date ? v.toISOString() : v)
const bindJson: ValueProcessor = (v) => (v === null || v instanceof JsonParam ? v : new JsonParam(v))

/**
 * The bind-side conversion for a type, or undefined when the validated value goes as it is.
 *
 * ```ts
 * bindProcessor(DateTime())?.(new Date('2024-01-01T03:04:05Z'))   // '2024-01-01T03:04:05.000Z'
 * bindProcessor(Integer)                                         // undefined
 * ```
 */
export function bindProcessor(type: SqlType<unknown>): ValueProcessor | undefined {
  switch (type.kind) {
    case 'datetime': return type.options.timezone ? undefined : bindNaiveDateTime
    case 'json': return bindJson
    case 'native': return type instanceof ArrayType ? arrayBindProcessor(type) : undefined
    default: return undefined
  }
}

// Result conversions exist for the numeric kinds only, because an expression's SQL type often
// differs from the Athanor type it is labelled with: count(*) and sum(int) are int8 (bigint),
// sum(bigint) and avg() are numeric (text), a literal is int4 (number).
const toNumber: ValueProcessor = (v) => (typeof v === 'bigint' || typeof v === 'string' ? Number(v) : v)
const toBigInt: ValueProcessor = (v) => {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v)
  return v
}
const toDecimalString: ValueProcessor = (v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : v)
// A timestamp expression labelled as a date (date_trunc('day', ts)) comes back as a Date.
const toDateString: ValueProcessor = (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v)

/**
 * The result-side conversion for a type, or undefined when postgres.js already returns the
 * contract's JS value.
 *
 * ```ts
 * resultProcessor(Integer)?.('5')     // 5 (count(*) is int8 in PostgreSQL)
 * resultProcessor(Text)               // undefined
 * ```
 */
export function resultProcessor(type: SqlType<unknown>): ValueProcessor | undefined {
  switch (type.kind) {
    case 'integer': case 'smallint': return integerResult
    case 'float': return toNumber
    case 'bigint': return toBigInt
    case 'numeric': return toDecimalString
    case 'date': return toDateString
    case 'native': return type instanceof ArrayType ? arrayResultProcessor(type, resultProcessor(type.element)) : undefined
    default: return undefined
  }
}
