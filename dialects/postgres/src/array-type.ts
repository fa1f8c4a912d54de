import { ArgumentError, DecoratedType, SqlType, ValueError, describeValue } from '@athanor/core'
import { typeDdl } from './type-ddl.js'

/**
 * A one-dimensional PostgreSQL array of `element` values (`INTEGER[]`). A dialect type: core
 * sees a 'native' type whose DDL name is the array's; this package converts its values.
 * Build it with {@link ARRAY}.
 */
export class ArrayType<T> extends SqlType<T[]> {
  /** The type of each element; its `validate` checks every element. */
  readonly element: SqlType<unknown>
  /** Whether elements may be null (`ARRAY(Text, { nullElements: true })`). */
  readonly nullElements: boolean
  constructor(element: SqlType<unknown>, options: { readonly nullElements?: boolean } = {}) {
    if (element instanceof ArrayType) {
      throw new ArgumentError(`ARRAY(${element.description}): arrays of arrays are multi-dimensional in PostgreSQL and not supported; use ARRAY of the element type, or a JSON column.`)
    }
    if (element.kind === 'null') throw new ArgumentError('ARRAY() needs an element type, e.g. ARRAY(Integer).')
    // typeDdl quotes a named enum with double quotes, as PostgresCompiler.quote does.
    super('native', { native: typeDdl(element) + '[]', extra: element })
    this.element = element
    this.nullElements = options.nullElements ?? false
  }

  override get description(): string {
    return `ARRAY(${this.element.description}${this.nullElements ? ', nullElements' : ''})`
  }

  override get cacheKey(): string {
    return `ARRAY(${this.element.cacheKey}${this.nullElements ? '?' : ''})`
  }

  /** Checks that the value is an array and each element with the element type (which normalises it). */
  override validate(value: unknown, where: string): unknown {
    if (value === null || value === undefined) return null
    if (!Array.isArray(value)) {
      throw new ValueError(`${where} (${this.description}) cannot take ${describeValue(value)}: pass an array.`)
    }
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      if (v === null || v === undefined) {
        if (!this.nullElements) {
          throw new ValueError(`${where}[${i}] (${this.description}) cannot take null: remove it, or allow null elements with ARRAY(${this.element.description}, { nullElements: true }).`)
        }
        out[i] = null
      } else out[i] = this.element.validate(v, `${where}[${i}]`)
    }
    return out
  }
}

/**
 * A PostgreSQL array column or value type. Values are JS arrays of the element's values;
 * `nullElements: true` allows SQL NULL elements and types them `T | null`.
 *
 * ```ts
 * const posts = new Table('posts', md, {
 *   id: column(Integer, { primaryKey: true }),
 *   tags: column(ARRAY(String(20))),                          // VARCHAR(20)[], string[]
 *   scores: column(ARRAY(Integer, { nullElements: true })),   // INTEGER[], (number | null)[]
 * })
 * select(posts.c.id).where(arrayContains(posts.c.tags, ['orm']))
 * ```
 */
export function ARRAY<T>(element: SqlType<T>, options: { readonly nullElements: true }): ArrayType<T | null>
export function ARRAY<T>(element: SqlType<T>, options?: { readonly nullElements?: false }): ArrayType<T>
export function ARRAY<T>(element: SqlType<T>, options: { readonly nullElements?: boolean } = {}): ArrayType<T> | ArrayType<T | null> {
  return new ArrayType<T>(element, options)
}

/**
 * The array type of a parameter that carries many values of `type` at once (select-in keys,
 * batched UPDATE rows): the underlying type of a decorated one, whose values are converted
 * already; undefined where an array cannot carry them — a type that is an array itself (unnest
 * and ANY would flatten it) or has none.
 *
 * ```ts
 * arrayParamType(Integer)?.description      // 'ARRAY(integer, nullElements)'
 * arrayParamType(ARRAY(Integer))            // undefined
 * ```
 */
export function arrayParamType(type: SqlType<unknown>): ArrayType<unknown> | undefined {
  let t = type
  while (t instanceof DecoratedType) t = t.impl as SqlType<unknown>
  if (t instanceof ArrayType || t.kind === 'null') return undefined
  return new ArrayType(t, { nullElements: true })
}
