import { Bind, Keyword } from '@athanor/core'
import type { Expression, SqlType } from '@athanor/core'
import { ArrayType } from './array-type.js'

/**
 * Casts for parameters whose type PostgreSQL cannot infer from where they stand.
 *
 * postgres.js sends numbers and strings with type 0 (unspecified), so the server infers each
 * `$n` from its context: `col = $1` takes the column's type. Where nothing around a parameter has
 * a type (a bare `SELECT $1`, `CASE … THEN $1 ELSE $2 END`, `coalesce($1, $2)`, `$1 + $2`) it
 * settles on text, and `sum(CASE … THEN $1 …)` then fails with `function sum(text) does not
 * exist`. Athanor knows each parameter's type when it compiles, so exactly there it writes
 * `$1::float8`; every other placeholder stays bare, so ordinary statements are unchanged and the
 * casts cost nothing per execution (they are part of the cached SQL). See README.md.
 */

/**
 * The name to cast a parameter of this type to, or undefined when it has none (NullType).
 * Lengths and precisions are left out: the value was validated against them already, and a
 * cast to `varchar(5)` would cut instead of fail.
 *
 * ```ts
 * castTypeName(Integer, quote)                  // 'int4'
 * castTypeName(ARRAY(String(20)), quote)        // 'varchar[]'
 * ```
 */
export function castTypeName(type: SqlType<unknown>, quote: (identifier: string) => string): string | undefined {
  const o = type.options
  switch (type.kind) {
    case 'integer': return 'int4'
    case 'bigint': return 'int8'
    case 'smallint': return 'int2'
    case 'float': return 'float8'
    case 'numeric': return 'numeric'
    case 'string': return 'varchar'
    case 'text': return 'text'
    case 'boolean': return 'bool'
    case 'date': return 'date'
    case 'datetime': return o.timezone ? 'timestamptz' : 'timestamp'
    case 'time': return 'time'
    case 'json': return 'jsonb'
    case 'uuid': return 'uuid'
    case 'binary': return 'bytea'
    case 'enum': return o.enumName === undefined ? 'varchar' : quote(o.enumName)
    case 'native': {
      if (type instanceof ArrayType) {
        const element = castTypeName(type.element, quote)
        return element === undefined ? undefined : element + '[]'
      }
      return o.native
    }
    case 'null': return undefined
  }
}

/** A parameter or NULL: an operand that gives the server no type to infer from. */
export function isUntyped(e: Expression<unknown>): boolean {
  return e instanceof Bind || (e instanceof Keyword && e.word === 'NULL')
}

/**
 * Functions whose argument types decide the result type (`coalesce`, `sum`, `greatest`, …):
 * with only parameters and NULLs as arguments, the parameters are cast. With any typed
 * argument they are left to the server, which infers them from it (`coalesce(col, $1)`).
 * Functions with fixed signatures (`make_date($1, $2, $3)`, `substr(col, $1)`) are never
 * touched: the server infers their parameters from the signature, and a cast could rule the
 * only candidate out (`make_date(float8, …)` and `round(float8, float8)` do not exist).
 */
export const TYPE_FOLLOWS_ARGUMENTS: ReadonlySet<string> = new Set([
  'coalesce', 'nullif', 'greatest', 'least', 'sum', 'avg', 'min', 'max', 'abs', 'floor', 'ceil', 'ceiling', 'sign', 'array_agg',
])

/**
 * Functions declared with `"any"` arguments (`concat`, `format`, `json_build_object`, …): the
 * server cannot infer a parameter there whatever its neighbours (`could not determine data
 * type of parameter $1`), so every parameter argument is cast.
 */
export const ANY_ARGUMENTS: ReadonlySet<string> = new Set([
  'concat', 'concat_ws', 'format', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array',
  'to_json', 'to_jsonb', 'num_nulls', 'num_nonnulls', 'pg_typeof', 'count',
])
