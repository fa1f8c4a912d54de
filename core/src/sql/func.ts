import { BigInteger, DateTime, Float, Integer, Numeric, NullType, Text, typeOfValue } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { Bind, Expression, Keyword, expectExpression } from './elements.js'
import { FunctionCall } from './function-call.js'
import { Inline } from './literals.js'

/** A value a function takes: an expression, or a plain value (bound as a parameter). */
export type FuncArg = Expression<unknown> | string | number | bigint | boolean | Date | null
/** Numbers as Athanor reads them: `number`, `bigint` (BigInteger), `string` (exact decimals). */
type Num = number | bigint | string
/** A numeric expression, or a plain number. */
type NumArg = Expression<Num | null> | number | bigint

/** A function argument: expressions as they are, plain values bound, anything else refused. */
function arg(v: unknown, where: string): Expression<unknown> {
  if (v instanceof Expression) return v
  if (v === null) return new Keyword('NULL')
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Date) return new Bind(v, typeOfValue(v))
  return expectExpression(v, where)
}
/** A constant window functions take as a literal (MariaDB accepts no parameter there), typed like `first`. */
function constant(first: Expression<unknown>, v: unknown, where: string): Expression<unknown> {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return new Inline(first.type.validate(v, where) as string, first.type)
  return like(first, v, where)
}
/** Later arguments that must be bound with the first one's type (coalesce(x, 0) binds 0 as x's type). */
function like(first: Expression<unknown>, v: unknown, where: string): Expression<unknown> {
  return v instanceof Expression ? v : v === null ? new Keyword('NULL') : v === undefined ? expectExpression(v, where) : new Bind(v, first.type)
}
function call<T>(name: string, args: readonly Expression<unknown>[], type: SqlType<unknown>, distinct = false): FunctionCall<T> {
  return new FunctionCall<T>(name, args, type, distinct)
}
/** A count window functions take: written as a literal, since MySQL and MariaDB accept no parameter there. */
function count(n: unknown, where: string): Expression<unknown> {
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new ArgumentError(`${where} takes a whole number ≥ 1, not ${describeValue(n)}.`)
  return new Inline(n as number, Integer)
}

const known = {
  /** `count(*)`, or `count(expr)`; `{ distinct: true }` counts distinct values. */
  count(expr?: Expression<unknown>, options: { distinct?: boolean } = {}): FunctionCall<number> {
    return call('count', [expr === undefined ? new Keyword('*') : arg(expr, 'func.count()')], Integer, options.distinct ?? false)
  },
  /**
   * The sum, of the argument's type: an Integer sum is a `number` (a sum past ±2^53−1 is an
   * error that says to `cast(col, BigInteger)` first, never a rounded or `bigint` value), a
   * BigInteger sum a `bigint`, an exact decimal sum a decimal string. NULL over no rows.
   */
  sum<T extends Num | null>(expr: Expression<T>): FunctionCall<T | null> {
    const e = arg(expr, 'func.sum()')
    return call('sum', [e], e.type)
  },
  /** The average, as a decimal string on exact types (a number for Float). */
  /** The mean: of Integer and Float a `number`, of exact decimals and BigInteger a decimal string. */
  avg<T extends Num | null>(expr: Expression<T>): FunctionCall<(NonNullable<T> extends number ? number : string) | null> {
    const e = arg(expr, 'func.avg()')
    return call('avg', [e], ['integer', 'smallint', 'float'].includes(e.type.kind) ? Float : Numeric())
  },
  min<T>(expr: Expression<T>): FunctionCall<T | null> {
    const e = arg(expr, 'func.min()')
    return call('min', [e], e.type)
  },
  max<T>(expr: Expression<T>): FunctionCall<T | null> {
    const e = arg(expr, 'func.max()')
    return call('max', [e], e.type)
  },
  /** The first argument that is not NULL; plain values are bound with the first argument's type. */
  coalesce<T>(first: Expression<T | null>, ...rest: (Expression<T | null> | NonNullable<T>)[]): FunctionCall<T> {
    const f = arg(first, 'func.coalesce()')
    return call('coalesce', [f, ...rest.map((r, i) => like(f, r, `func.coalesce() argument ${i + 2}`))], f.type)
  },
  /** NULL when `a` equals `b`, else `a`. */
  nullif<T>(a: Expression<T>, b: Expression<T | null> | NonNullable<T>): FunctionCall<T | null> {
    const f = arg(a, 'func.nullif()')
    return call('nullif', [f, like(f, b, 'func.nullif() argument 2')], f.type)
  },
  /** The largest argument (SQLite: max() of several values). */
  greatest<T>(first: Expression<T>, ...rest: (Expression<T | null> | NonNullable<T>)[]): FunctionCall<T> {
    const f = arg(first, 'func.greatest()')
    return call('greatest', [f, ...rest.map((r, i) => like(f, r, `func.greatest() argument ${i + 2}`))], f.type)
  },
  /** The smallest argument (SQLite: min() of several values). */
  least<T>(first: Expression<T>, ...rest: (Expression<T | null> | NonNullable<T>)[]): FunctionCall<T> {
    const f = arg(first, 'func.least()')
    return call('least', [f, ...rest.map((r, i) => like(f, r, `func.least() argument ${i + 2}`))], f.type)
  },
  lower(expr: Expression<string | null> | string): FunctionCall<string> {
    return call('lower', [arg(expr, 'func.lower()')], Text)
  },
  upper(expr: Expression<string | null> | string): FunctionCall<string> {
    return call('upper', [arg(expr, 'func.upper()')], Text)
  },
  /** Character length (the dialect picks its function name). */
  length(expr: Expression<string | null> | string): FunctionCall<number> {
    return call('length', [arg(expr, 'func.length()')], Integer)
  },
  /** The part of a string from `start` (1-based), `length` characters long or to its end. */
  substr(expr: Expression<string | null> | string, start: number | Expression<number>, length?: number | Expression<number>): FunctionCall<string> {
    const args = [arg(expr, 'func.substr()'), arg(start, 'func.substr() start'), ...(length === undefined ? [] : [arg(length, 'func.substr() length')])]
    return call('substr', args, Text)
  },
  /** Every occurrence of `from` replaced with `to`. */
  replace(expr: Expression<string | null> | string, from: Expression<string> | string, to: Expression<string> | string): FunctionCall<string> {
    return call('replace', [arg(expr, 'func.replace()'), arg(from, 'func.replace() from'), arg(to, 'func.replace() to')], Text)
  },
  trim(expr: Expression<string | null> | string): FunctionCall<string> {
    return call('trim', [arg(expr, 'func.trim()')], Text)
  },
  ltrim(expr: Expression<string | null> | string): FunctionCall<string> {
    return call('ltrim', [arg(expr, 'func.ltrim()')], Text)
  },
  rtrim(expr: Expression<string | null> | string): FunctionCall<string> {
    return call('rtrim', [arg(expr, 'func.rtrim()')], Text)
  },
  /** The values of a group joined with `separator` (PostgreSQL string_agg, MySQL GROUP_CONCAT). */
  stringAgg(expr: Expression<string | null>, separator: string): FunctionCall<string | null> {
    if (typeof separator !== 'string') throw new ArgumentError(`func.stringAgg() takes a separator string, not ${describeValue(separator)}.`)
    // MySQL's SEPARATOR takes only a literal, so every dialect gets one.
    return call('string_agg', [arg(expr, 'func.stringAgg()'), new Inline(separator, Text)], Text)
  },
  abs<T extends Num | null>(expr: Expression<T>): FunctionCall<T> {
    const e = arg(expr, 'func.abs()')
    return call('abs', [e], e.type)
  },
  /** Rounded to `digits` decimal places (0 when omitted), keeping the operand's type. */
  round<T extends Num | null>(expr: Expression<T>, digits = 0): FunctionCall<T> {
    const e = arg(expr, 'func.round()')
    if (!Number.isSafeInteger(digits)) throw new ArgumentError(`func.round() takes a whole number of digits, not ${describeValue(digits)}.`)
    return call('round', [e, new Inline(digits, Integer)], e.type)
  },
  floor<T extends Num | null>(expr: Expression<T>): FunctionCall<T> {
    const e = arg(expr, 'func.floor()')
    return call('floor', [e], e.type)
  },
  ceil<T extends Num | null>(expr: Expression<T>): FunctionCall<T> {
    const e = arg(expr, 'func.ceil()')
    return call('ceil', [e], e.type)
  },
  /** The remainder of `a / b`, in `a`'s type. */
  mod<T extends Num | null>(a: Expression<T>, b: NumArg): FunctionCall<T> {
    const e = arg(a, 'func.mod()')
    return call('mod', [e, like(e, b, 'func.mod() argument 2')], e.type)
  },
  sqrt(expr: NumArg): FunctionCall<number> {
    return call('sqrt', [arg(expr, 'func.sqrt()')], Float)
  },
  power(base: NumArg, exponent: NumArg): FunctionCall<number> {
    return call('power', [arg(base, 'func.power()'), arg(exponent, 'func.power() exponent')], Float)
  },
  /** The current timestamp. */
  now(): FunctionCall<Date> {
    return call('now', [], DateTime({ timezone: true }))
  },

  // ---- window functions: each needs .over(…) ------------------------------------------------

  /** 1, 2, 3, … in window order. */
  rowNumber(): FunctionCall<number> {
    return call('row_number', [], Integer)
  },
  /** Rank with gaps after ties (1, 1, 3). */
  rank(): FunctionCall<number> {
    return call('rank', [], Integer)
  },
  /** Rank without gaps (1, 1, 2). */
  denseRank(): FunctionCall<number> {
    return call('dense_rank', [], Integer)
  },
  /** (rank − 1) / (rows − 1), from 0 to 1. */
  percentRank(): FunctionCall<number> {
    return call('percent_rank', [], Float)
  },
  /** The fraction of rows up to and including this one's peers. */
  cumeDist(): FunctionCall<number> {
    return call('cume_dist', [], Float)
  },
  /** The bucket (1…n) of n as-equal-as-possible buckets. */
  ntile(buckets: number): FunctionCall<number> {
    return call('ntile', [count(buckets, 'func.ntile()')], Integer)
  },
  /** The value `offset` rows back (1 by default), or `fallback` (else NULL) before the first. */
  lag<T>(expr: Expression<T>, offset = 1, fallback?: Expression<T> | NonNullable<T>): FunctionCall<T | null> {
    const e = arg(expr, 'func.lag()')
    return call('lag', [e, count(offset, 'func.lag() offset'), ...(fallback === undefined ? [] : [constant(e, fallback, 'func.lag() fallback')])], e.type)
  },
  /** The value `offset` rows ahead (1 by default), or `fallback` (else NULL) after the last. */
  lead<T>(expr: Expression<T>, offset = 1, fallback?: Expression<T> | NonNullable<T>): FunctionCall<T | null> {
    const e = arg(expr, 'func.lead()')
    return call('lead', [e, count(offset, 'func.lead() offset'), ...(fallback === undefined ? [] : [constant(e, fallback, 'func.lead() fallback')])], e.type)
  },
  firstValue<T>(expr: Expression<T>): FunctionCall<T> {
    const e = arg(expr, 'func.firstValue()')
    return call('first_value', [e], e.type)
  },
  /** The frame's last value: with the default frame that is this row's, so give a frame (`rows: [null, null]`). */
  lastValue<T>(expr: Expression<T>): FunctionCall<T> {
    const e = arg(expr, 'func.lastValue()')
    return call('last_value', [e], e.type)
  },
  nthValue<T>(expr: Expression<T>, n: number): FunctionCall<T | null> {
    const e = arg(expr, 'func.nthValue()')
    return call('nth_value', [e, count(n, 'func.nthValue()')], e.type)
  },

  /**
   * Any function by name, untyped (give it a type with `typed()`); the form that type-checks
   * under `noUncheckedIndexedAccess` for names `func` does not declare.
   * ```ts
   * typed(func.call('jsonb_typeof', events.c.payload), Text)
   * ```
   */
  call(name: string, ...args: FuncArg[]): FunctionCall<unknown> {
    if (typeof name !== 'string') throw new ArgumentError(`func.call() takes a function name first, not ${describeValue(name)}.`)
    return call(name, args.map((a, i) => arg(a, `func.${name}() argument ${i + 1}`)), NullType)
  },
}

/**
 * Functions reports call that have no portable result type: declared, so that `func.date_part(…)`
 * type-checks as written even under `noUncheckedIndexedAccess` (give the result a type with
 * `typed()`). Any other name works too, through the index signature (`func.name!(…)`) or `func.call`.
 */
type UntypedName =
  | 'date_part' | 'date_format' | 'strftime' | 'to_char' | 'to_date' | 'to_timestamp' | 'from_unixtime' | 'julianday' | 'unixepoch'
  | 'datetime' | 'date' | 'time' | 'age' | 'make_date' | 'json_extract' | 'json_object' | 'json_array' | 'json_build_object'
  | 'jsonb_build_object' | 'json_agg' | 'jsonb_agg' | 'array_agg' | 'unnest' | 'generate_series' | 'concat' | 'concat_ws' | 'left'
  | 'right' | 'lpad' | 'rpad' | 'position' | 'instr' | 'locate' | 'reverse' | 'repeat' | 'split_part' | 'regexp_replace' | 'random'
  | 'rand' | 'md5' | 'ifnull' | 'iif' | 'sign' | 'exp' | 'ln' | 'log' | 'pi' | 'trunc' | 'truncate' | 'octet_length' | 'format'
  | 'gen_random_uuid' | 'uuid'
type UntypedFunctions = { readonly [K in UntypedName]: (...args: FuncArg[]) => FunctionCall<unknown> }

/** `func`: typed common functions, window functions, and any other name as an untyped call. */
export type FuncNamespace = typeof known & UntypedFunctions & { readonly [name: string]: (...args: FuncArg[]) => FunctionCall<unknown> }

/**
 * SQL functions. The common ones are typed; `func.call('name', …)` (or `func.name!(…)`) calls any
 * other function, untyped.
 * ```ts
 * select(func.count().label('n'), func.max(users.c.age), func.round(users.c.score, 1)).from(users)
 * select(emp.c.name, func.rank().over({ partitionBy: emp.c.dept, orderBy: emp.c.salary.desc() }))
 * ```
 */
export const func: FuncNamespace = new Proxy(known, {
  get(target, name, receiver) {
    if (typeof name !== 'string' || name in target) return Reflect.get(target, name, receiver) as unknown
    return (...args: FuncArg[]) => call(name, args.map((a, i) => arg(a, `func.${name}() argument ${i + 1}`)), NullType)
  },
}) as FuncNamespace
