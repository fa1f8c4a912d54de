import { BigInteger, DateTime, Float, Integer, Numeric, NullType, Text, typeOfValue } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { Bind, Expression, FunctionCall, Keyword } from './elements.js'
import { keyList } from './key.js'
import type { KeyBuilder } from './key.js'

type Arg = Expression<unknown> | string | number | bigint | boolean | Date | null
function toExpr(v: Arg): Expression<unknown> {
  return v instanceof Expression ? v : v === null ? new Keyword('NULL') : new Bind(v, typeOfValue(v))
}
function typeOf<T>(arg: Expression<T> | undefined): SqlType<unknown> {
  return arg?.type ?? NullType
}

/**
 * SQL functions. The common ones are typed; any other name builds a call: `func.jsonb_build_object(...)`.
 * ```ts
 * select(func.count().label('n'), func.max(users.c.age)).from(users)
 * ```
 */
export const func = new Proxy(
  {
    /** `count(*)`, or `count(expr)`. */
    count(expr?: Expression<unknown>, options: { distinct?: boolean } = {}): Expression<number> {
      return new FunctionCall<number>('count', [expr ?? new Keyword('*')], Integer, options.distinct ?? false)
    },
    sum<T extends number | bigint | string | null>(expr: Expression<T>): Expression<T | null> {
      return new FunctionCall('sum', [expr], expr.type.kind === 'integer' || expr.type.kind === 'smallint' ? BigInteger : expr.type)
    },
    /** The average, as a decimal string on exact types (a number for Float). */
    avg(expr: Expression<number | bigint | string | null>): Expression<number | string | null> {
      return new FunctionCall('avg', [expr], expr.type.kind === 'float' ? Float : Numeric())
    },
    min<T>(expr: Expression<T>): Expression<T | null> {
      return new FunctionCall('min', [expr], typeOf(expr))
    },
    max<T>(expr: Expression<T>): Expression<T | null> {
      return new FunctionCall('max', [expr], typeOf(expr))
    },
    coalesce<T>(first: Expression<T | null>, ...rest: (Expression<T | null> | NonNullable<T>)[]): Expression<T> {
      return new FunctionCall('coalesce', [first, ...rest.map((r) => (r instanceof Expression ? r : new Bind(r, first.type)))], typeOf(first))
    },
    lower(expr: Expression<string | null>): Expression<string> {
      return new FunctionCall('lower', [expr], Text)
    },
    upper(expr: Expression<string | null>): Expression<string> {
      return new FunctionCall('upper', [expr], Text)
    },
    /** Character length (the dialect picks its function name). */
    length(expr: Expression<string | null>): Expression<number> {
      return new FunctionCall('length', [expr], Integer)
    },
    abs<T extends number | bigint | string | null>(expr: Expression<T>): Expression<T> {
      return new FunctionCall('abs', [expr], typeOf(expr))
    },
    /** The current timestamp. */
    now(): Expression<Date> {
      return new FunctionCall('now', [], DateTime({ timezone: true }))
    },
  },
  {
    get(target, name, receiver) {
      if (typeof name !== 'string' || name in target) return Reflect.get(target, name, receiver) as unknown
      return (...args: Arg[]) => new FunctionCall(name, args.map(toExpr), NullType)
    },
  },
) as FuncNamespace

type KnownFunctions = {
  count(expr?: Expression<unknown>, options?: { distinct?: boolean }): Expression<number>
  sum<T extends number | bigint | string | null>(expr: Expression<T>): Expression<T | null>
  avg(expr: Expression<number | bigint | string | null>): Expression<number | string | null>
  min<T>(expr: Expression<T>): Expression<T | null>
  max<T>(expr: Expression<T>): Expression<T | null>
  coalesce<T>(first: Expression<T | null>, ...rest: (Expression<T | null> | NonNullable<T>)[]): Expression<T>
  lower(expr: Expression<string | null>): Expression<string>
  upper(expr: Expression<string | null>): Expression<string>
  length(expr: Expression<string | null>): Expression<number>
  abs<T extends number | bigint | string | null>(expr: Expression<T>): Expression<T>
  now(): Expression<Date>
}
/** `func`: typed common functions plus any other name as an untyped call. */
export type FuncNamespace = KnownFunctions & { readonly [name: string]: (...args: Arg[]) => Expression<unknown> }

/** Gives an untyped function call a type: `typed(func.jsonb_typeof(x), Text)`. */
export function typed<T>(expr: Expression<unknown>, type: SqlType<T>): Expression<T> {
  if (!(expr instanceof FunctionCall)) throw new ArgumentError('typed() takes a function call built with func.name(...).')
  return new FunctionCall<T>(expr.name, expr.args, type, expr.distinct)
}

/**
 * Raw SQL with named bound parameters (`:name`). Values never become SQL text.
 * ```ts
 * await conn.execute(text('SELECT * FROM users WHERE name = :name', { name: 'Alice' }))
 * ```
 */
export class TextClause<R extends readonly unknown[] = unknown[], M = Record<string, unknown>> extends Expression<unknown> {
  readonly kind = 'text'
  declare readonly __row: R
  declare readonly __mapping: M
  readonly sql: string
  /** The SQL split around parameters: parts[i] is followed by params[i]. */
  readonly parts: readonly string[]
  readonly params: readonly Bind[]
  readonly type = NullType
  readonly columnTypes: Readonly<Record<string, SqlType<unknown>>>
  constructor(sql: string, values: Readonly<Record<string, unknown>> = {}, columnTypes: Readonly<Record<string, SqlType<unknown>>> = {}) {
    super()
    if (sql.includes('\u0000')) throw new ArgumentError('text() SQL may not contain the NUL character.')
    this.sql = sql
    this.columnTypes = columnTypes
    const parts: string[] = []
    const params: Bind[] = []
    let last = 0
    // `::` is a PostgreSQL cast, not a parameter; names follow a single colon; `\:` is a colon.
    for (const m of sql.matchAll(/(?<![:\w\\]):([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = m[1]!
      if (!(name in values)) {
        throw new ArgumentError(`text() refers to :${name} but no value was given for it; pass { ${name}: … } (or write \\:${name} for a literal colon).`)
      }
      parts.push(sql.slice(last, m.index))
      params.push(new Bind(values[name], typeOfValue(values[name])))
      last = m.index + m[0].length
    }
    parts.push(sql.slice(last))
    this.parts = parts.map((p) => p.replace(/\\:/g, ':'))
    this.params = params
  }
  key(k: KeyBuilder): void {
    k.s += 'T' + JSON.stringify(this.sql)
    keyList(k, this.params)
  }
  /** Declares result column types so values are converted (`text(...).columns({ id: Integer })`). */
  columns<C extends Record<string, SqlType<unknown>>>(types: C): TextClause<unknown[], { [K in keyof C]: C[K] extends SqlType<infer T> ? T : never }> {
    const copy = Object.create(TextClause.prototype) as TextClause<unknown[], { [K in keyof C]: C[K] extends SqlType<infer T> ? T : never }>
    Object.assign(copy, this, { columnTypes: { ...this.columnTypes, ...types } })
    return copy
  }
}

/** Raw SQL with `:name` parameters; see TextClause. */
export function text(sql: string, values?: Readonly<Record<string, unknown>>): TextClause {
  return new TextClause(sql, values)
}
