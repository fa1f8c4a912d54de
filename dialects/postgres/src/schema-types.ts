import {
  BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, Integer, JSON as JsonType, LargeBinary, NativeType, Numeric,
  SmallInteger, String as StringType, Text, Time, UUID, inlineEnumCanonical, type SqlType,
} from '@athanor/core'
import { typeDdl } from './type-ddl.js'

/**
 * Types as PostgreSQL reports them (`format_type()`) and as this package writes them, brought
 * to one canonical spelling so that a model column and a reflected one compare by text.
 */

/** The canonical DDL of a model type: what reflection reports for a column created from it. */
export function canonicalType(type: SqlType<unknown>): string {
  const o = type.options
  if (type.kind === 'enum') return o.enumName !== undefined ? `ENUM(${o.enumName})` : inlineEnumCanonical(o.values ?? [])
  // NUMERIC(p) is stored as NUMERIC(p, 0).
  if (type.kind === 'numeric' && o.precision !== undefined) return `NUMERIC(${o.precision}, ${o.scale ?? 0})`
  return typeDdl(type)
}

const SIMPLE: Readonly<Record<string, SqlType<unknown>>> = {
  integer: Integer, bigint: BigInteger, smallint: SmallInteger, 'double precision': Float, text: Text, boolean: BooleanType,
  date: DateType, 'timestamp without time zone': DateTime(), 'timestamp with time zone': DateTime({ timezone: true }),
  'time without time zone': Time, jsonb: JsonType(), uuid: UUID, bytea: LargeBinary,
}

/**
 * A reflected column type: `format_type()` text, plus the enum it names when it is one.
 * ```ts
 * reflectedType('character varying(50)', undefined)   // { type: String(50), ddl: 'VARCHAR(50)' }
 * reflectedType('mood', ['happy', 'sad'])            // { type: Enum(['happy', 'sad'], { name: 'mood' }), ddl: 'ENUM(mood)' }
 * ```
 */
export function reflectedType(formatted: string, enumValues: readonly string[] | undefined, enumName: string): { type: SqlType<unknown>; ddl: string } {
  if (enumValues !== undefined) {
    const type = Enum(enumValues as readonly [string, ...string[]], { name: enumName })
    return { type, ddl: canonicalType(type) }
  }
  const simple = SIMPLE[formatted]
  if (simple !== undefined) return { type: simple, ddl: canonicalType(simple) }
  let m = /^character varying(?:\((\d+)\))?$/.exec(formatted)
  if (m) {
    const type = StringType(m[1] === undefined ? undefined : Number(m[1]))
    return { type, ddl: canonicalType(type) }
  }
  m = /^numeric(?:\((\d+),(\d+)\))?$/.exec(formatted)
  if (m) {
    const type = m[1] === undefined ? Numeric() : Numeric(Number(m[1]), Number(m[2]))
    return { type, ddl: canonicalType(type) }
  }
  const native = formatted.toUpperCase()
  return { type: NativeType<unknown>(native), ddl: native }
}
