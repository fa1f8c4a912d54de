import { SqlType } from './sql-type.js'

export { SqlType } from './sql-type.js'
export { DecoratedType, typeDecorator } from './type-decorator.js'
export type { TypeDecoratorOptions } from './type-decorator.js'
export { describeValue } from './validators.js'
export { integerResult } from './result-values.js'
export { canonicalDateTimeMs, dayProblem, utcDateTimeText } from './datetime-text.js'
export { decimalFitProblem, decimalParts, decimalText } from './decimal.js'
export type { DecimalParts } from './decimal.js'
export type { TypeKind, TypeOptions } from './sql-type.js'

/** The JavaScript type of a SqlType's values. */
export type JsTypeOf<S> = S extends SqlType<infer T> ? T : never

/** 32-bit integer; values are `number`. */
export const Integer: SqlType<number> = new SqlType('integer')
/** 64-bit integer; values are `bigint` so nothing past 2^53 is lost. */
export const BigInteger: SqlType<bigint> = new SqlType('bigint')
/** 16-bit integer; values are `number`. */
export const SmallInteger: SqlType<number> = new SqlType('smallint')
/** Double-precision float; values are `number`. */
export const Float: SqlType<number> = new SqlType('float')
/** Unbounded text; values are `string`. */
export const Text: SqlType<string> = new SqlType('text')
/** true / false. */
export const Boolean: SqlType<boolean> = new SqlType('boolean')
/** A calendar date; values are `'YYYY-MM-DD'` strings (a Date is accepted when binding). */
export const DateType: SqlType<string> = new SqlType('date')
/** A time of day; values are `'HH:MM:SS[.ffffff]'` strings. */
export const Time: SqlType<string> = new SqlType('time')
/** A UUID; values are lower-case strings. */
export const UUID: SqlType<string> = new SqlType('uuid')
/** Binary data; values are `Uint8Array` (Buffer on Node). */
export const LargeBinary: SqlType<Uint8Array> = new SqlType('binary')

/** Exact decimal; values are decimal strings (`'12.50'`) so no precision is lost. */
export function Numeric(precision?: number, scale?: number): SqlType<string> {
  return new SqlType('numeric', { precision, scale })
}

/** Variable-length string; `String(100)` limits it to 100 characters. */
export function String(length?: number): SqlType<string> {
  return new SqlType('string', { length })
}

/**
 * A timestamp; values are `Date`. Without a time zone the value is stored as UTC wall time.
 * ```ts
 * created: column(DateTime({ timezone: true }))
 * ```
 */
export function DateTime(options: { timezone?: boolean } = {}): SqlType<Date> {
  return new SqlType('datetime', { timezone: options.timezone ?? false })
}

/** A JSON document; `JSON<{ tags: string[] }>()` types its values. */
export function JSON<T = unknown>(): SqlType<T> {
  return new SqlType('json')
}

/**
 * One of a fixed set of strings.
 * ```ts
 * status: column(Enum(['draft', 'published'] as const, { name: 'post_status' }))
 * ```
 */
export function Enum<const V extends readonly string[]>(values: V, options: { name?: string } = {}): SqlType<V[number]> {
  return new SqlType('enum', { values, enumName: options.name })
}

/**
 * A dialect-specific type by its DDL name, for types core has no portable name for.
 * ```ts
 * tsv: column(NativeType<string>('tsvector'))
 * ```
 */
export function NativeType<T>(ddl: string, extra?: unknown): SqlType<T> {
  return new SqlType('native', { native: ddl, extra })
}

/** The type of literal `null` and of values whose type is not known. */
export const NullType: SqlType<unknown> = new SqlType('null')

/** The type a plain JavaScript value is bound as when no column gives it one. */
export function typeOfValue(value: unknown): SqlType<unknown> {
  switch (typeof value) {
    case 'number': return Float
    case 'bigint': return BigInteger
    case 'string': return Text
    case 'boolean': return Boolean
    default:
      if (value instanceof Date) return DateTime()
      if (value instanceof Uint8Array) return LargeBinary
      return NullType
  }
}
