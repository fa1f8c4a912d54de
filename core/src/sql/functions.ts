import { NullType, typeOfValue } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { Bind, Expression } from './elements.js'
import { FunctionCall } from './function-call.js'
import { keyList } from './key.js'
import type { KeyBuilder } from './key.js'

/** Gives an untyped function call a type: `typed(func.jsonb_typeof(x), Text)`. */
export function typed<T>(expr: Expression<unknown>, type: SqlType<T>): Expression<T> {
  if (!(expr instanceof FunctionCall)) throw new ArgumentError('typed() takes a function call built with func.name(...).')
  return new FunctionCall<T>(expr.name, expr.args, type, expr.distinct)
}

/**
 * Raw SQL with named bound parameters (`:name`). Values never become SQL text. A value given as
 * `bindparam()` is supplied at execution, so the clause can be built once and run many times.
 * ```ts
 * await conn.execute(text('SELECT * FROM users WHERE name = :name', { name: 'Alice' }))
 * const byName = text('SELECT * FROM users WHERE name = :name', { name: bindparam('name', Text) })
 * await conn.execute(byName, { name: 'Bo' })
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
      // A bound expression (bindparam(), literal() with a type) is taken as it is.
      const value = values[name]
      params.push(value instanceof Bind ? value : new Bind(value, typeOfValue(value)))
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
