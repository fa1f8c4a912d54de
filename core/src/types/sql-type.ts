import { validators } from './validators.js'

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

