import { ArgumentError, Binary, Bind, Boolean as BooleanType, Expression, NullType } from '@athanor/core'
import type { BinaryOp, KeyBuilder, Operand, SqlType } from '@athanor/core'
import { ArrayType } from './array-type.js'

/** An expression whose values are arrays of `T` (an `ARRAY(…)` column, a bound array, …). */
export type ArrayExpression<T> = Expression<T[]> | Expression<T[] | null>

/** `left @> right`, `left <@ right` or `left && right` between two arrays. */
export class ArrayComparison extends Expression<boolean> {
  readonly kind = 'pg-array-comparison'
  readonly type: SqlType<unknown> = BooleanType
  readonly left: Expression<unknown>
  readonly op: '@>' | '<@' | '&&'
  readonly right: Expression<unknown>
  constructor(left: Expression<unknown>, op: ArrayComparison['op'], right: Expression<unknown>) {
    super()
    this.left = left
    this.op = op
    this.right = right
  }
  key(k: KeyBuilder): void {
    k.s += 'pgarr('
    this.left.key(k)
    k.s += this.op
    this.right.key(k)
    k.s += ')'
  }
}

// `x < ANY(a)` reads "x is less than some element", so `any(a).gt(x)` is written `x < ANY(a)`.
const MIRROR: Readonly<Record<string, BinaryOp>> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }

/**
 * `ANY(array)`: some element of the array. Use it as the right operand of a comparison, or call
 * its comparison methods, which put the value on the left where SQL wants it.
 */
export class AnyElement<T = unknown> extends Expression<T> {
  readonly kind = 'pg-any'
  readonly array: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(array: Expression<unknown>) {
    super()
    this.array = array
    this.type = array.type instanceof ArrayType ? array.type.element : NullType
  }
  key(k: KeyBuilder): void {
    k.s += 'pgany('
    this.array.key(k)
    k.s += ')'
  }
  #compare(op: string, other: unknown): Expression<boolean> {
    return new Binary(this.bind(other), MIRROR[op]!, this, BooleanType)
  }
  /** `value = ANY(array)`: the array holds the value. */
  override eq(other: Operand<T> | null): Expression<boolean> {
    return this.#compare('=', other)
  }
  /** `value <> ANY(array)`: some element differs from the value. */
  override ne(other: Operand<T> | null): Expression<boolean> {
    return this.#compare('<>', other)
  }
  /** Some element is less than the value (`value > ANY(array)`). */
  override lt(other: Operand<T>): Expression<boolean> {
    return this.#compare('<', other)
  }
  override le(other: Operand<T>): Expression<boolean> {
    return this.#compare('<=', other)
  }
  /** Some element is greater than the value (`value < ANY(array)`). */
  override gt(other: Operand<T>): Expression<boolean> {
    return this.#compare('>', other)
  }
  override ge(other: Operand<T>): Expression<boolean> {
    return this.#compare('>=', other)
  }
}

function arrayOperand<T>(array: ArrayExpression<T>, values: readonly T[] | ArrayExpression<T>, helper: string): Expression<unknown> {
  if (values instanceof Expression) return values
  if (!(array.type instanceof ArrayType)) {
    throw new ArgumentError(`${helper}() cannot bind plain values against ${array.type.description}: the first argument must be typed ARRAY(…) (a column(ARRAY(Integer)), or literal([…], ARRAY(Integer))).`)
  }
  return new Bind(values, array.type)
}

function arrayComparison<T>(array: ArrayExpression<T>, op: ArrayComparison['op'], values: readonly T[] | ArrayExpression<T>, helper: string): Expression<boolean> {
  if (!(array instanceof Expression)) throw new ArgumentError(`${helper}() takes an array expression first, e.g. ${helper}(posts.c.tags, ['orm']).`)
  return new ArrayComparison(array, op, arrayOperand(array, values, helper))
}

/**
 * `array @> values`: the array holds every one of the values (GIN indexes serve it).
 *
 * ```ts
 * select(posts.c.id).where(arrayContains(posts.c.tags, ['orm', 'sql']))
 * ```
 */
export function arrayContains<T>(array: ArrayExpression<T>, values: readonly T[] | ArrayExpression<T>): Expression<boolean> {
  return arrayComparison(array, '@>', values, 'arrayContains')
}

/**
 * `array <@ values`: every element of the array is among the values.
 *
 * ```ts
 * select(posts.c.id).where(arrayContainedBy(posts.c.tags, ['orm', 'sql', 'ts']))
 * ```
 */
export function arrayContainedBy<T>(array: ArrayExpression<T>, values: readonly T[] | ArrayExpression<T>): Expression<boolean> {
  return arrayComparison(array, '<@', values, 'arrayContainedBy')
}

/**
 * `array && values`: the array and the values have an element in common.
 *
 * ```ts
 * select(posts.c.id).where(arrayOverlaps(posts.c.tags, ['orm', 'sql']))
 * ```
 */
export function arrayOverlaps<T>(array: ArrayExpression<T>, values: readonly T[] | ArrayExpression<T>): Expression<boolean> {
  return arrayComparison(array, '&&', values, 'arrayOverlaps')
}

/**
 * `ANY(array)`, for `value = ANY(array)`: typed as one element, so it fits any comparison.
 *
 * ```ts
 * select(posts.c.id).where(any(posts.c.tags).eq('orm'))        // $1 = ANY("posts"."tags")
 * select(users.c.name).where(users.c.id.eq(any(team.c.member_ids)))
 * ```
 */
export function any<T>(array: ArrayExpression<T>): AnyElement<T> {
  if (!(array instanceof Expression)) throw new ArgumentError('any() takes an array expression, e.g. any(posts.c.tags).')
  return new AnyElement<T>(array)
}
