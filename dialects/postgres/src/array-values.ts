import type { SqlType, ValueProcessor } from './core.js'
import type { ArrayType } from './array-type.js'
import { elementText, jsonElementText, parseArrayLiteral, parseByteaText, serializeArrayLiteral } from './array-literal.js'
import type { ElementParser } from './array-literal.js'
import { parsePgTimestamp } from './timestamp-parse.js'

/**
 * Value conversion for {@link ArrayType}. An array goes to the server as its text literal: the
 * parameter is then untyped for postgres.js and the server takes the column's array type, which
 * keeps int8 past 2^53, Dates and bytes exact. Results arrive parsed by the wire types of
 * wire-types.ts (built-in element types), or as text when postgres.js does not know the array
 * type (fetchTypes: false), or parsed by postgres.js (arrays of named enums); all three end up
 * as the element type's JS values.
 */

/**
 * The bind conversion of an array type: the validated elements as an array literal.
 *
 * ```ts
 * arrayBindProcessor(ARRAY(Text))(['a,b', 'c'])   // '{"a,b","c"}'
 * ```
 */
export function arrayBindProcessor(type: ArrayType<unknown>): ValueProcessor {
  const text = type.element.kind === 'json' ? jsonElementText : elementText
  return (v) => (Array.isArray(v) ? serializeArrayLiteral(v, text) : v)
}

/** How an element's text becomes the value postgres.js would have made of it as a scalar. */
export function elementParser(element: SqlType<unknown>): ElementParser | undefined {
  switch (element.kind) {
    case 'integer': case 'smallint': case 'float': return Number
    case 'bigint': return BigInt
    case 'boolean': return (x) => x === 't'
    case 'datetime': return parsePgTimestamp
    case 'binary': return parseByteaText
    case 'json': return (x) => JSON.parse(x) as unknown
    default: return undefined
  }
}

function mapElements(values: readonly unknown[], process: ValueProcessor): unknown[] {
  return values.map((v) => (v === null ? null : Array.isArray(v) ? mapElements(v, process) : process(v)))
}

/**
 * The result conversion of an array type, given the element type's own result conversion
 * (int8 elements read into `ARRAY(Integer)` become numbers, as scalars do).
 *
 * ```ts
 * arrayResultProcessor(ARRAY(BigInteger), toBigInt)('{1,NULL}')   // [1n, null]
 * ```
 */
export function arrayResultProcessor(type: ArrayType<unknown>, elementProcess: ValueProcessor | undefined): ValueProcessor {
  const parse = elementParser(type.element)
  const { values, enumName } = type.element.options
  // postgres.js parses arrays of types it learnt at connect (named enums) and reads an
  // unquoted NULL as the text 'NULL'; unless 'NULL' is one of the enum's values, it was NULL.
  const enumNull = type.element.kind === 'enum' && enumName !== undefined && !(values ?? []).includes('NULL')
  return (v) => {
    let out: unknown
    if (typeof v === 'string') out = parseArrayLiteral(v, parse)
    else if (Array.isArray(v)) out = enumNull ? v.map((x) => (x === 'NULL' ? null : x)) : v
    else return v
    return elementProcess === undefined ? out : mapElements(out as unknown[], elementProcess)
  }
}
