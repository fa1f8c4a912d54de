import { ValueError } from '../util/errors.js'

/**
 * The read-side rule for Integer and SmallInteger expressions: the value is a JavaScript
 * `number`, as their type says, on every dialect. Drivers hand back wider integers as `bigint`
 * (libSQL) or text (`count(*)`/`sum()` on PostgreSQL, DECIMAL sums on MySQL); those become numbers
 * when they are whole and within ±2^53−1, and fail loudly otherwise instead of being rounded.
 * ```ts
 * integerResult('42')    // 42
 * integerResult(2n ** 60n) // ValueError: … read it as BigInteger …
 * ```
 */
export function integerResult(v: unknown): unknown {
  if (typeof v === 'number' || v === null || v === undefined) return v
  const n = typeof v === 'bigint' || typeof v === 'string' ? Number(v) : Number.NaN
  if (Number.isSafeInteger(n)) return n
  throw new ValueError(
    `The database returned ${typeof v === 'string' ? `'${v}'` : String(v)} for an expression typed Integer, which is not a whole number ` +
      `within JavaScript's safe integers (±2^53−1). Read it as BigInteger: map the column with BigInteger, or wrap the expression in cast(expr, BigInteger).`,
  )
}
