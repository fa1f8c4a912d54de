import { Enum, normalizeSqlText } from '@athanor/core'
import type { ReflectedColumn, ReflectedSchema, ReflectedTable, SchemaDialect } from '@athanor/core'

/**
 * An inline Enum is a string column plus `CHECK (col IN (…))`, a check the database names itself.
 * Reflection gives them apart; here they become one column again, typed as the Enum, so that a
 * model Enum and its table compare as equal and a changed value is a change of that column (not
 * a check the diff would skip for having a generated name).
 */
export function foldEnumChecks(schema: ReflectedSchema, dialect: Pick<SchemaDialect, 'canonicalType'>): ReflectedSchema {
  return { ...schema, tables: schema.tables.map((t) => foldTable(t, dialect)) }
}

function foldTable(t: ReflectedTable, dialect: Pick<SchemaDialect, 'canonicalType'>): ReflectedTable {
  const folded = new Map<string, { values: string[]; check: string }>()
  const checks = t.checks.filter((ck) => {
    if (ck.generatedName !== true) return true
    const parsed = parseEnumCheck(ck.sql)
    const column = parsed === undefined ? undefined : t.columns.find((c) => c.name.toLowerCase() === parsed.column.toLowerCase())
    if (parsed === undefined || column === undefined || folded.has(column.name) || !holdsOnly(column, parsed.values)) return true
    folded.set(column.name, { values: parsed.values, check: ck.name ?? '' })
    return false
  })
  if (folded.size === 0) return t
  const columns: ReflectedColumn[] = t.columns.map((c) => {
    const f = folded.get(c.name)
    if (f === undefined) return c
    const type = Enum(f.values as [string, ...string[]])
    return { ...c, type, typeDdl: dialect.canonicalType(type, { autoincrement: false }), enumCheck: f.check }
  })
  return { ...t, columns, checks }
}

/** The column is what an Enum of these values creates: VARCHAR of the longest value, or an ENUM of them. */
function holdsOnly(c: ReflectedColumn, values: readonly string[]): boolean {
  if (values.length === 0) return false
  if (c.type.kind === 'enum') return (c.type.options.values ?? []).join('\u0000') === values.join('\u0000')
  return c.type.kind === 'string' && c.type.options.length === Math.max(1, ...values.map((v) => v.length))
}

/**
 * `col IN ('a', 'b')` in any database's spelling — PostgreSQL's
 * `((col)::text = ANY ((ARRAY['a'::character varying, …])::text[]))` included — or undefined.
 * ```ts
 * parseEnumCheck(`"mood" IN ('calm', 'busy')`) // { column: 'mood', values: ['calm', 'busy'] }
 * ```
 */
const CAST = /::(?:character varying|double precision|(?:timestamp|time) with(?:out)? time zone|"[^"]+"|[a-z_][a-z0-9_]*)(?:\(\d+(?:,\d+)?\))?(?:\[\])?/g

export function parseEnumCheck(sql: string): { column: string; values: string[] } | undefined {
  // Outside string literals: no casts, no parentheses; the literals are kept whole.
  const tokens: string[] = []
  for (const m of normalizeSqlText(sql).matchAll(/'(?:[^']|'')*'|[^']+/g)) {
    const part = m[0]
    tokens.push(part.startsWith("'") ? part : part.replace(CAST, '').replace(/[()]/g, ' '))
  }
  const text = tokens.join('').replace(/\s+/g, ' ').trim()
  const m = /^("(?:[^"]|"")+"|`(?:[^`]|``)+`|[a-z_][a-z0-9_$]*) (?:in|= any array\[) ?((?:'(?:[^']|'')*' ?, ?)*'(?:[^']|'')*') ?\]?$/.exec(text)
  if (m === null) return undefined
  const ident = m[1]!
  const column = /^["`]/.test(ident) ? ident.slice(1, -1).replace(/""|``/g, (q) => q[0]!) : ident
  const values = [...m[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1]!.replace(/''/g, "'"))
  return { column, values }
}
