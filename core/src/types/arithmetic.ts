import { ArgumentError } from '../util/errors.js'
import type { SqlType } from './sql-type.js'

/** The type kinds SQL arithmetic promotes between. */
export const NUMERIC_KINDS: ReadonlySet<string> = new Set(['smallint', 'integer', 'bigint', 'float', 'numeric'])

/**
 * The type of `left op right` for numeric operands, as SQL promotes them, so that the value read
 * back has the JavaScript type the expression is typed with: an exact decimal with anything is an
 * exact decimal (`string`), a float with an integer is a float, a BigInteger with an Integer is a
 * BigInteger, and two integers stay integers. BigInteger with Float is refused: the databases
 * disagree on it and neither `bigint` nor `number` holds every result.
 * ```ts
 * arithmeticType(Integer, Numeric(10, 2), '*')  // Numeric(10, 2)
 * arithmeticType(Integer, Float, '/')           // Float
 * ```
 */
export function arithmeticType(left: SqlType<unknown>, right: SqlType<unknown>, op: string): SqlType<unknown> {
  if (!NUMERIC_KINDS.has(left.kind)) return left.kind === 'null' ? right : left
  if (!NUMERIC_KINDS.has(right.kind)) return left
  if (left.kind === 'numeric') return left
  if (right.kind === 'numeric') return right
  const kinds = new Set([left.kind, right.kind])
  if (kinds.has('float') && kinds.has('bigint')) {
    throw new ArgumentError(
      `A BigInteger ${op} a Float has no JavaScript type that holds every result; cast one side first, ` +
        `e.g. cast(expr, Float) or cast(expr, Numeric(20, 6)).`,
    )
  }
  if (left.kind === 'float') return left
  if (right.kind === 'float') return right
  if (left.kind === 'bigint') return left
  if (right.kind === 'bigint') return right
  return left.kind === 'smallint' ? right : left
}
