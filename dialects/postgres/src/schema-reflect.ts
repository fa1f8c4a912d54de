import { normalizeSqlText } from '@athanor/core'
import type {
  ReferentialAction, ReflectOptions, ReflectedColumn, ReflectedEnum, ReflectedForeignKey, ReflectedIndex, ReflectedSchema, ReflectedTable,
  SchemaQuery,
} from '@athanor/core'
import { reflectedType } from './schema-types.js'

/**
 * Reads a schema from PostgreSQL's catalogs (pg_class, pg_attribute, pg_constraint, pg_index,
 * pg_enum): five queries for the whole schema, whatever the number of tables. Lists come back
 * as JSON text, so nothing depends on how the driver parses arrays.
 */

const ACTIONS: Readonly<Record<string, ReferentialAction | undefined>> = { a: undefined, r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' }

/** Strips PostgreSQL's casts (`'x'::character varying`) and spelling from a default, for comparing. */
export function canonicalDefault(sql: string): string {
  let s = sql.trim()
  // A cast after a literal or a call: `::name`, `::"name"`, `::name(…)`, `::timestamp without time zone`.
  for (let prev = ''; prev !== s; ) {
    prev = s
    s = s.replace(/::(?:"[^"]+"|[a-z_][a-z0-9_ ]*?(?:\([\d, ]*\))?)(?=\)|$|\s*[,)])/gi, '').trim()
  }
  return normalizeSqlText(s)
}

export async function reflectPostgres(query: SchemaQuery, options: ReflectOptions): Promise<ReflectedSchema> {
  const schema = options.schema ?? String((await query('SELECT current_schema()'))[0]![0])
  const only = options.only === undefined ? undefined : new Set(options.only)
  const p = { schema }

  const enumRows = await query(
    `SELECT t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder)::text
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = :schema GROUP BY t.typname ORDER BY t.typname`, p)
  const enums: ReflectedEnum[] = enumRows.map(([name, values]) => ({ name: String(name), schema: options.schema, values: JSON.parse(String(values)) as string[] }))
  const enumValues = new Map(enums.map((e) => [e.name, e.values]))

  const tableRows = await query(
    `SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') ORDER BY c.relname`, p)
  const names = tableRows.map(([n]) => String(n)).filter((n) => only === undefined || only.has(n))
  const wanted = new Set(names)

  const columnRows = await query(
    `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
            a.attidentity, a.attgenerated, t.typname, col_description(c.oid, a.attnum)
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`, p)
  const columns = new Map<string, ReflectedColumn[]>()
  for (const [table, name, formatted, notNull, dflt, identity, generated, typname, comment] of columnRows) {
    if (!wanted.has(String(table))) continue
    const raw = dflt === null ? undefined : String(dflt)
    const serial = raw !== undefined && /^nextval\(/i.test(raw)
    const isGenerated = generated === 's'
    const { type, ddl } = reflectedType(String(formatted), enumValues.get(String(typname)), String(typname))
    const list = columns.get(String(table)) ?? columns.set(String(table), []).get(String(table))!
    list.push({
      name: String(name), type, typeDdl: ddl, nullable: notNull !== true,
      default: raw === undefined || serial || isGenerated ? undefined : canonicalDefault(raw),
      autoincrement: serial || identity === 'a' || identity === 'd',
      generated: isGenerated && raw !== undefined ? { expression: raw, stored: true } : undefined,
      comment: comment === null ? undefined : String(comment),
    })
  }

  const constraintRows = await query(
    `SELECT c.relname, k.conname, k.contype,
            (SELECT json_agg(a.attname ORDER BY u.ord)::text FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num),
            f.relname, fn.nspname,
            (SELECT json_agg(a.attname ORDER BY u.ord)::text FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num),
            k.confdeltype, k.confupdtype, pg_get_constraintdef(k.oid)
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class f ON f.oid = k.confrelid LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
      WHERE n.nspname = :schema AND k.contype IN ('p', 'u', 'f', 'c') ORDER BY c.relname, k.conname`, p)
  const indexRows = await query(
    `SELECT t.relname, i.relname, x.indisunique, pg_get_indexdef(x.indexrelid),
            (SELECT json_agg(CASE WHEN u.num = 0 THEN NULL ELSE a.attname END ORDER BY u.ord)::text
               FROM unnest(x.indkey::int2[]) WITH ORDINALITY u(num, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.num)
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = :schema AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('u', 'p', 'x'))
      ORDER BY t.relname, i.relname`, p)

  const comments = new Map(tableRows.filter(([, c]) => c !== null).map(([n, c]) => [String(n), String(c)]))
  const tables: ReflectedTable[] = names.map((name) => {
    const cons = constraintRows.filter(([t]) => t === name)
    const pk = cons.find(([, , type]) => type === 'p')
    const foreignKeys: ReflectedForeignKey[] = cons.filter(([, , type]) => type === 'f').map(([, conname, , cols, ref, refSchema, refCols, del, upd]) => ({
      name: String(conname), columns: JSON.parse(String(cols)) as string[],
      referredSchema: refSchema === schema ? undefined : String(refSchema), referredTable: String(ref),
      referredColumns: JSON.parse(String(refCols)) as string[], onDelete: ACTIONS[String(del)], onUpdate: ACTIONS[String(upd)],
    }))
    const indexes: ReflectedIndex[] = indexRows.filter(([t]) => t === name).map(([, ixName, unique, def, cols]) => {
      const columnList = JSON.parse(String(cols)) as (string | null)[]
      const expressions = columnList.includes(null) ? [/\((.*)\)/s.exec(String(def))?.[1] ?? String(def)] : undefined
      return { name: String(ixName), columns: columnList.map((c) => c ?? undefined), expressions, unique: unique === true }
    })
    return {
      name,
      // Named only when asked for: tables of the connection's own schema stay unqualified.
      schema: options.schema,
      columns: columns.get(name) ?? [],
      primaryKey: pk === undefined ? undefined : { name: String(pk[1]), columns: JSON.parse(String(pk[3])) as string[] },
      uniques: cons.filter(([, , type]) => type === 'u').map(([, conname, , cols]) => ({ name: String(conname), columns: JSON.parse(String(cols)) as string[] })),
      foreignKeys,
      indexes,
      checks: cons.filter(([, , type]) => type === 'c').map(([, conname, , cols, , , , , , def]) => ({
        name: String(conname),
        sql: String(def).replace(/^CHECK \((.*)\)$/s, '$1'),
        // PostgreSQL names unnamed checks <table>_<column>_check or <table>_check(N).
        generatedName: String(conname).startsWith(`${name}_`) && /_check\d*$/.test(String(conname)),
      })),
      comment: comments.get(name),
    }
  })
  return { tables, enums }
}
