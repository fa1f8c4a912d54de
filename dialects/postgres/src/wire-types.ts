import { parsePgTimestamp } from './timestamp-parse.js'
import { elementText, jsonElementText, parseArrayLiteral, parseByteaText, serializeArrayLiteral } from './array-literal.js'
import type { ElementParser, ElementText } from './array-literal.js'

/**
 * How values cross the wire: the postgres.js `types` option every Athanor connection uses.
 * postgres.js picks a parser per result column OID and a serializer per parameter OID (the OID
 * the server reports for each `$n` when it describes the statement).
 */

/**
 * A JSON parameter, already encoded once.
 *
 * postgres.js infers a parameter's type from its JS value before the server describes it: `true`
 * is declared `bool` and `[true]` / `[new Date()]` are declared `bool` / `timestamptz`, so
 * binding them to a jsonb column fails with 42804. A pre-stringified string is encoded a second
 * time and stored as a JSON *string*. Wrapping the encoded text in an object leaves the type to
 * the server, and the json/jsonb serializer below sends the text as it is.
 *
 * ```ts
 * new JsonParam({ tags: ['a'] })   // sent to a jsonb parameter as {"tags":["a"]}
 * ```
 */
export class JsonParam {
  readonly value: unknown
  readonly text: string
  constructor(value: unknown) {
    this.value = value
    this.text = JSON.stringify(value)
  }
  /** Used when the server wants text (`$1::text`) and by serializers without a json case. */
  toString(): string {
    return this.text
  }
  /** Error messages that show parameters print the JSON value, not this wrapper. */
  toJSON(): unknown {
    return this.value
  }
}

function serializeJson(x: unknown): string {
  return x instanceof JsonParam ? x.text : JSON.stringify(x)
}

// Strings pass through for PostgreSQL to parse (the postgres.js default runs them through
// `new Date()`, which reads '2024-01-01 10:00' as *local* time). Dates go as ISO-8601 with 'Z':
// a `timestamp` parameter ignores the zone and keeps the UTC wall time, a `timestamptz` one
// honours it, so neither depends on the session or process time zone.
function serializeTimestamp(x: unknown): string {
  if (typeof x === 'string') return x
  return (x instanceof Date ? x : new Date(x as number)).toISOString()
}

function serializeDate(x: unknown): string {
  if (typeof x === 'string') return x
  return x instanceof Date ? x.toISOString().slice(0, 10) : String(x)
}

interface WireType {
  readonly to: number
  readonly from: readonly number[]
  /** `undefined` leaves the column as the server's text (postgres.js skips the call entirely). */
  readonly parse: ((text: string) => unknown) | undefined
  readonly serialize: (value: never) => unknown
}

/** OIDs of the built-in types this module handles. */
export const Oid = {
  int8: 20, json: 114, date: 1082, timestamp: 1114, timestamptz: 1184, jsonb: 3802,
} as const

// Arrays of built-in types, read and written by array-literal.ts. Registering them here stops
// postgres.js from installing its own array parser for them at connect (fetch_types), which
// reads a NULL element as the text 'NULL' and fails on NULL in int8[].
function arrayWireType(oids: readonly number[], element: ElementParser | undefined, text: ElementText = elementText): WireType {
  return {
    to: oids[0]!,
    from: oids,
    parse: (x) => parseArrayLiteral(x, element),
    serialize: (x: unknown) => (Array.isArray(x) ? serializeArrayLiteral(x, text) : x),
  }
}

/** OIDs of the built-in array types read and written as arrays. */
export const ArrayOid = {
  bool: 1000, bytea: 1001, int2: 1005, int4: 1007, text: 1009, bpchar: 1014, varchar: 1015, int8: 1016, float4: 1021,
  float8: 1022, timestamp: 1115, date: 1182, time: 1183, timestamptz: 1185, numeric: 1231, uuid: 2951, json: 199, jsonb: 3807,
} as const

/**
 * The `types` option for `postgres()`. int8 → bigint (count(*) too); date → 'YYYY-MM-DD' text
 * (postgres.js makes a UTC-midnight Date); timestamp and timestamptz → Date in UTC; json/jsonb
 * parsed, sent once-encoded. numeric, time and uuid stay text and bytea stays Buffer (the defaults).
 * Arrays of those types parse to JS arrays of the same element values, with NULL elements as null.
 */
export const wireTypes: Readonly<Record<string, WireType>> = {
  athanorInt8: { to: Oid.int8, from: [Oid.int8], parse: (x) => BigInt(x), serialize: (x: bigint | number | string) => String(x) },
  athanorDate: { to: Oid.date, from: [Oid.date], parse: undefined, serialize: serializeDate },
  athanorTimestamp: { to: Oid.timestamp, from: [Oid.timestamp], parse: parsePgTimestamp, serialize: serializeTimestamp },
  athanorTimestamptz: { to: Oid.timestamptz, from: [Oid.timestamptz], parse: parsePgTimestamp, serialize: serializeTimestamp },
  athanorJson: { to: Oid.jsonb, from: [Oid.json, Oid.jsonb], parse: (x) => JSON.parse(x), serialize: serializeJson },
  // Arrays keep the element values above: int8 elements are bigint, date/numeric/uuid/time text.
  athanorNumberArray: arrayWireType([ArrayOid.int4, ArrayOid.int2, ArrayOid.float4, ArrayOid.float8], Number),
  athanorInt8Array: arrayWireType([ArrayOid.int8], BigInt),
  athanorBoolArray: arrayWireType([ArrayOid.bool], (x) => x === 't'),
  athanorByteaArray: arrayWireType([ArrayOid.bytea], parseByteaText),
  athanorTimestampArray: arrayWireType([ArrayOid.timestamptz, ArrayOid.timestamp], parsePgTimestamp),
  athanorJsonArray: arrayWireType([ArrayOid.jsonb, ArrayOid.json], (x) => JSON.parse(x) as unknown, jsonElementText),
  athanorTextArray: arrayWireType(
    [ArrayOid.text, ArrayOid.varchar, ArrayOid.bpchar, ArrayOid.numeric, ArrayOid.date, ArrayOid.time, ArrayOid.uuid], undefined),
}
