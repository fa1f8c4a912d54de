import { ArgumentError } from '../util/errors.js'
import type { Expression } from '../sql/elements.js'
import { BindParam, parameterValue } from '../sql/bind-param.js'
import type { BindParams } from '../sql/bind-param.js'
import type { Mapper } from './mapper.js'

/** A WHERE clause or SET value evaluated against an object's attributes; SQL's NULL is `null`. */
export type Evaluator = (obj: Readonly<Record<string, unknown>>) => unknown

/** Why `synchronizeSession: 'evaluate'` cannot be used for an expression. */
export class UnevaluableError extends ArgumentError {
  constructor(what: string, why: string) {
    super(`${what} cannot use synchronizeSession: 'evaluate': ${why}. Use synchronizeSession: 'fetch' (the default), which asks the database which rows changed.`, 'unevaluable')
  }
}

const isNull = (v: unknown): boolean => v === null || v === undefined

/** Comparable form: Dates by their time, everything else as it is. */
const plain = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v)

const numeric = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint'

/**
 * SQL's three-valued comparison by JavaScript's rules: NULL on either side is NULL; values of
 * different kinds (a string against a number, where MySQL would convert) cannot be evaluated.
 */
function compare(what: string, a: unknown, b: unknown): number | null {
  if (isNull(a) || isNull(b)) return null
  const x = plain(a)
  const y = plain(b)
  if (typeof x !== typeof y && !(numeric(x) && numeric(y))) {
    throw new UnevaluableError(what, `it compares ${typeof x} ${String(x)} with ${typeof y} ${String(y)}, which the database would convert by its own rules`)
  }
  if (typeof x === 'object' || typeof x === 'function') throw new UnevaluableError(what, `it compares ${typeof x} values (only numbers, strings, booleans and dates compare in memory)`)
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0
}

function arithmetic(what: string, op: string, a: unknown, b: unknown): unknown {
  if (isNull(a) || isNull(b)) return null
  if (op === '||') return String(a) + String(b)
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'bigint')) {
    throw new UnevaluableError(what, `it computes ${typeof a} ${op} ${typeof b}, which only the database does exactly`)
  }
  const [x, y] = [a as number, b as number]
  switch (op) {
    case '+': return x + y
    case '-': return x - y
    case '*': return x * y
    default: throw new UnevaluableError(what, `'${op}' rounds by the database's rules (integer or decimal division)`)
  }
}

function and(values: readonly unknown[]): boolean | null {
  let unknown = false
  for (const v of values) {
    if (v === false) return false
    if (isNull(v)) unknown = true
  }
  return unknown ? null : true
}

function or(values: readonly unknown[]): boolean | null {
  let unknown = false
  for (const v of values) {
    if (v === true) return true
    if (isNull(v)) unknown = true
  }
  return unknown ? null : false
}

const COMPARISONS: Readonly<Record<string, (c: number) => boolean>> = {
  '=': (c) => c === 0, '<>': (c) => c !== 0, '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
}

/**
 * Compiles `expr` into a function of an object of `mapper`'s class, for the kinds of expression
 * whose result JavaScript computes exactly as the database does: columns of the class's table,
 * bound values, NULL/TRUE/FALSE, comparisons, AND/OR/NOT, IS [NOT] NULL, IN and BETWEEN over
 * values, and + - * of numbers. Anything else throws {@link UnevaluableError} naming it.
 */
export function evaluator(expr: Expression<unknown>, mapper: Mapper, what: string, params?: BindParams): Evaluator {
  const node = expr as Expression<unknown> & { kind: string }
  const sub = (e: Expression<unknown>): Evaluator => evaluator(e, mapper, what, params)
  switch (node.kind) {
    case 'column': {
      const col = node as unknown as { from: unknown; key_: string; name: string }
      if (col.from !== mapper.table) throw new UnevaluableError(what, `it refers to ${col.name} of another table`)
      const key = col.key_
      return (o) => o[key]
    }
    case 'bind': {
      // A bind parameter's value is the one this execution gives it, as the database will see it.
      const value = node instanceof BindParam ? node.type.validate(parameterValue(node, params), `Parameter '${node.name}'`) : (node as unknown as { value: unknown }).value
      return () => value
    }
    case 'keyword': {
      const word = (node as unknown as { word: string }).word
      if (word === 'NULL') return () => null
      if (word === 'TRUE' || word === 'FALSE') return () => word === 'TRUE'
      throw new UnevaluableError(what, `${word} is the database's to compute`)
    }
    case 'binary': {
      const { left, op, right } = node as unknown as { left: Expression<unknown>; op: string; right: Expression<unknown> }
      const [l, r] = [sub(left), sub(right)]
      const test = COMPARISONS[op]
      if (test !== undefined) {
        return (o) => {
          const c = compare(what, l(o), r(o))
          return c === null ? null : test(c)
        }
      }
      return (o) => arithmetic(what, op, l(o), r(o))
    }
    case 'unary': {
      const { op, operand } = node as unknown as { op: string; operand: Expression<unknown> }
      const f = sub(operand)
      if (op === 'NOT') return (o) => { const v = f(o); return isNull(v) ? null : !v }
      if (op === 'IS NULL') return (o) => isNull(f(o))
      if (op === 'IS NOT NULL') return (o) => !isNull(f(o))
      throw new UnevaluableError(what, `it uses ${op}`)
    }
    case 'boolean-list': {
      const { op, items } = node as unknown as { op: 'AND' | 'OR'; items: readonly Expression<unknown>[] }
      const fs = items.map(sub)
      return op === 'AND' ? (o) => and(fs.map((f) => f(o))) : (o) => or(fs.map((f) => f(o)))
    }
    case 'in': {
      const { operand, values, negate } = node as unknown as { operand: Expression<unknown>; values: unknown; negate: boolean }
      if (!Array.isArray(values)) throw new UnevaluableError(what, 'IN takes a subquery')
      const f = sub(operand)
      const fs = (values as Expression<unknown>[]).map(sub)
      return (o) => {
        const v = f(o)
        const hit = or(fs.map((g) => { const c = compare(what, v, g(o)); return c === null ? null : c === 0 }))
        return negate && hit !== null ? !hit : hit
      }
    }
    case 'between': {
      const { operand, low, high, negate } = node as unknown as { operand: Expression<unknown>; low: Expression<unknown>; high: Expression<unknown>; negate: boolean }
      const [f, lo, hi] = [sub(operand), sub(low), sub(high)]
      return (o) => {
        const v = f(o)
        const a = compare(what, v, lo(o))
        const b = compare(what, v, hi(o))
        const inside = and([a === null ? null : a >= 0, b === null ? null : b <= 0])
        return negate && inside !== null ? !inside : inside
      }
    }
    default:
      throw new UnevaluableError(what, `it contains ${node.kind === 'function' ? 'a SQL function' : `a ${node.kind} expression`}`)
  }
}
