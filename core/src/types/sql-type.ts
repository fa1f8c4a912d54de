import { ValueError } from '../util/errors.js'

/** The portable type kinds core knows. Dialects map each to DDL and to driver values. */
export type TypeKind =
  | 'integer' | 'bigint' | 'smallint' | 'float' | 'numeric' | 'string' | 'text' | 'boolean'
  | 'date' | 'datetime' | 'time' | 'json' | 'uuid' | 'binary' | 'enum' | 'null'
  /** A dialect-specific type: `options.native` holds its DDL name and the dialect converts values. */
  | 'native'

export interface TypeOptions {
  readonly length?: number | undefined
  readonly precision?: number | undefined
  readonly scale?: number | undefined
  readonly timezone?: boolean | undefined
  readonly values?: readonly string[] | undefined
  readonly enumName?: string | undefined
  readonly native?: string | undefined
  /** Free-form extra data for dialect-specific types (for example an array's element type). */
  readonly extra?: unknown
}

declare const jsType: unique symbol

/**
 * A column or value type. `T` is the JavaScript type of its values.
 *
 * ```ts
 * const price = column(Numeric(10, 2))   // values are decimal strings: '12.50'
 * ```
 */
export class SqlType<T> {
  declare readonly [jsType]: T
  readonly kind: TypeKind
  readonly options: TypeOptions
  constructor(kind: TypeKind, options: TypeOptions = {}) {
    this.kind = kind
    this.options = options
  }

  #cacheKey: string | undefined
  /**
   * Tells apart types whose bound values validate, convert or compile differently (`String(5)`
   * and `String(10)`, naive and zoned `DateTime`, two named enums); a bound value's part of the
   * compiled-statement cache key. Dialect types that keep their details in `options.extra`
   * override it.
   */
  get cacheKey(): string {
    return (this.#cacheKey ??= typeCacheKey(this))
  }

  /** A readable name for messages and cache keys: `String(100)`, `Numeric(10, 2)`. */
  get description(): string {
    const o = this.options
    switch (this.kind) {
      case 'string': return o.length === undefined ? 'String' : `String(${o.length})`
      case 'numeric': return o.precision === undefined ? 'Numeric' : `Numeric(${o.precision}, ${o.scale ?? 0})`
      case 'datetime': return o.timezone ? 'DateTime(tz)' : 'DateTime'
      case 'enum': return `Enum(${(o.values ?? []).join('|')})`
      case 'native': return `Native(${o.native ?? '?'})`
      default: return this.kind
    }
  }

  /**
   * Checks and normalises a value before it is bound, so no driver coerces it silently
   * (mysql2 turns NaN into 0, libsql cuts text at NUL, postgres.js sends '[object Object]').
   */
  validate(value: unknown, where: string): unknown {
    if (value === null || value === undefined) return null
    return validators[this.kind](value, this, where)
  }
}

function typeCacheKey(t: SqlType<unknown>): string {
  const o = t.options
  // Option-less types (Integer, Text, naive DateTime: the common case) key by kind alone.
  if (o.length === undefined && o.precision === undefined && o.scale === undefined && !o.timezone && o.values === undefined && o.enumName === undefined && o.native === undefined) return t.kind
  return t.kind + JSON.stringify([o.length, o.precision, o.scale, o.timezone, o.values, o.enumName, o.native])
}

type Validator = (value: unknown, type: SqlType<unknown>, where: string) => unknown

function fail(where: string, type: SqlType<unknown>, value: unknown, fix: string): never {
  throw new ValueError(`${where} (${type.description}) cannot take ${describeValue(value)}: ${fix}`)
}

/** Describes a value for an error message without echoing user data. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'a number' : String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Uint8Array) return 'binary data'
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'null prototype'})`
  return `a ${typeof value}`
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
  if (v.includes('\u0000')) fail(where, type, v, 'text may not contain the NUL character (\\u0000); strip it or store the value as LargeBinary')
  const len = type.options.length
  // Characters are code points; a string no longer in UTF-16 units than the limit is within it,
  // so only longer ones are counted (spreading every string was a hot spot of bulk inserts).
  if (len !== undefined && v.length > len && [...v].length > len) fail(where, type, v, `the string is longer than ${len} characters`)
  return v
}

const validators: Record<TypeKind, Validator> = {
  integer, bigint: integer, smallint: integer,
  float: (v, type, where) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, type, v, 'pass a finite number')
    return v
  },
  numeric: (v, type, where) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(where, type, v, 'pass a finite number or a decimal string')
      return String(v)
    }
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return v.trim()
    return fail(where, type, v, "pass a decimal string such as '12.50'")
  },
  string: text, text,
  boolean: (v, type, where) => (typeof v === 'boolean' ? v : fail(where, type, v, 'pass true or false')),
  date: (v, type, where) => {
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) fail(where, type, v, 'pass a valid Date')
      return v.toISOString().slice(0, 10)
    }
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v + 'T00:00:00Z'))) return v
    return fail(where, type, v, "pass 'YYYY-MM-DD' or a Date")
  },
  datetime: (v, type, where) => {
    const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined
    if (d === undefined || Number.isNaN(d.getTime())) return fail(where, type, v, 'pass a valid Date')
    return d
  },
  time: (v, type, where) =>
    typeof v === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(v) ? v : fail(where, type, v, "pass 'HH:MM:SS' (fractions allowed)"),
  json: (v, type, where) => {
    try {
      JSON.stringify(v)
    } catch {
      fail(where, type, v, 'the value cannot be serialised to JSON')
    }
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') fail(where, type, v, 'pass a JSON value')
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
