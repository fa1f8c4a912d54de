import { typeOfValue } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { Expression } from './elements.js'
import type { KeyBuilder } from './key.js'

/**
 * A constant written into the SQL instead of bound: the dialect quotes it as a literal, after
 * the type validates it. For constants the server must see as such (a value in both the select
 * list and GROUP BY, a LIMIT, a date part); never for user input, which belongs in parameters.
 */
export class Inline<T = unknown> extends Expression<T> {
  readonly kind = 'inline'
  readonly value: string | number | boolean | bigint | null
  readonly type: SqlType<unknown>
  constructor(value: string | number | boolean | bigint | null, type: SqlType<unknown>) {
    super()
    this.value = value
    this.type = type
  }
  key(k: KeyBuilder): void {
    // The value is part of the SQL text, so it is part of the cache key.
    k.s += 'i' + (typeof this.value === 'bigint' ? `${this.value}n` : JSON.stringify(this.value))
  }
}

/** `'k'` is a string, `3` a number: the column's type, not the literal's. */
type Widened<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T extends bigint ? bigint : never

/**
 * A constant as a SQL literal rather than a parameter.
 * ```ts
 * select(inline('total').label('kind'), func.sum(o.c.amount)).groupBy(inline('total'))
 * ```
 */
export function inline<T extends string | number | boolean | bigint>(value: T, type?: SqlType<Widened<T>>): Expression<Widened<T>> {
  if (!['string', 'number', 'boolean', 'bigint'].includes(typeof value)) {
    throw new ArgumentError(`inline() takes a string, number, boolean or bigint, not ${describeValue(value)}; bind other values with literal().`)
  }
  const t = type ?? typeOfValue(value)
  return new Inline<Widened<T>>(t.validate(value, 'inline()') as T, t)
}

/**
 * SQL text used as a column expression, typed: for what the expression language cannot say.
 * The text is written into the statement as it is — never build it from user input.
 * ```ts
 * select(literalColumn('pg_backend_pid()', Integer))
 * ```
 */
export class LiteralColumn<T = unknown> extends Expression<T> {
  readonly kind = 'literal-column'
  readonly sql: string
  readonly type: SqlType<unknown>
  constructor(sql: string, type: SqlType<unknown>) {
    super()
    if (typeof sql !== 'string' || sql.trim() === '' || sql.includes('\u0000')) throw new ArgumentError(`literalColumn() takes SQL text, not ${describeValue(sql)}.`)
    this.sql = sql
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'lc' + JSON.stringify(this.sql) + this.type.cacheKey
  }
}

/** SQL text as a typed column expression; see LiteralColumn. */
export function literalColumn<T>(sql: string, type: SqlType<T>): Expression<T> {
  return new LiteralColumn<T>(sql, type)
}
