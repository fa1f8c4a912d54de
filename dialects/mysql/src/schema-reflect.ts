import {
  BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, Integer, JSON as JsonType, LargeBinary, NativeType, Numeric,
  SmallInteger, String as StringType, Text, Time, UUID, inlineEnumCanonical, normalizeSqlText,
} from '@athanor/core'
import type {
  ReferentialAction, ReflectOptions, ReflectedColumn, ReflectedIndex, ReflectedSchema, ReflectedTable, SchemaQuery, SqlType,
} from '@athanor/core'
import type { MysqlFlavour } from './server-info.js'
import { typeDdl } from './values.js'

/**
 * Reads a schema from MySQL's / MariaDB's information_schema, and brings types and defaults to
 * the spelling this package writes (`int(11)` → `INT`, `tinyint(1)` → `BOOLEAN`, MariaDB's JSON
 * as `longtext` with a `json_valid` check → `JSON`).
 */

/** A model type as the server reports it. */
export function canonicalType(type: SqlType<unknown>): string {
  // MySQL's enums are column types; a type name (PostgreSQL's) means nothing here.
  return type.kind === 'enum' ? inlineEnumCanonical(type.options.values ?? []) : typeDdl(type)
}

/** A server default as compared: `current_timestamp()`/`now(6)` as `current_timestamp`, booleans as 0/1. */
export function canonicalDefault(sql: string): string {
  const s = normalizeSqlText(sql)
  if (/^(current_timestamp|now|localtimestamp)(\(\d*\))?$/.test(s)) return 'current_timestamp'
  if (s === 'true') return '1'
  if (s === 'false') return '0'
  return s
}

const SIMPLE: Readonly<Record<string, SqlType<unknown>>> = {
  int: Integer, bigint: BigInteger, smallint: SmallInteger, double: Float, longtext: Text, 'tinyint(1)': BooleanType, date: DateType,
  'datetime(6)': DateTime(), 'time(6)': Time, json: JsonType(), 'char(36)': UUID, longblob: LargeBinary,
}

/** A reflected column type (`COLUMN_TYPE`), with the display widths MariaDB adds removed. */
export function reflectedType(columnType: string, json: boolean): { type: SqlType<unknown>; ddl: string } {
  if (json) return { type: JsonType(), ddl: 'JSON' }
  const t = columnType.toLowerCase().replace(/^(int|bigint|smallint)\(\d+\)/, '$1')
  const simple = SIMPLE[t]
  if (simple !== undefined) return { type: simple, ddl: canonicalType(simple) }
  let m = /^varchar\((\d+)\)$/.exec(t)
  if (m) return withDdl(StringType(Number(m[1])))
  m = /^decimal\((\d+),(\d+)\)$/.exec(t)
  if (m) return withDdl(Numeric(Number(m[1]), Number(m[2])))
  if (/^enum\(/.test(t)) {
    const values = [...columnType.slice(5, -1).matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'"))
    return withDdl(Enum(values as [string, ...string[]]))
  }
  return { type: NativeType<unknown>(columnType.toUpperCase()), ddl: columnType.toUpperCase() }
}

function withDdl(type: SqlType<unknown>): { type: SqlType<unknown>; ddl: string } {
  return { type, ddl: canonicalType(type) }
}

const ACTIONS: Readonly<Record<string, ReferentialAction | undefined>> = {
  RESTRICT: undefined, 'NO ACTION': undefined, CASCADE: 'CASCADE', 'SET NULL': 'SET NULL', 'SET DEFAULT': 'SET DEFAULT',
}
const STRING_TYPES = /^(varchar|char|text|tinytext|mediumtext|longtext|enum|set)/i

export async function reflectMysql(query: SchemaQuery, options: ReflectOptions, flavour: MysqlFlavour): Promise<ReflectedSchema> {
  const schema = options.schema ?? String((await query('SELECT DATABASE()'))[0]![0])
  const p = { schema }
  const only = options.only === undefined ? undefined : new Set(options.only)
  const tableRows = await query(
    `SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = :schema AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, p)
  const names = tableRows.map(([n]) => String(n)).filter((n) => only === undefined || only.has(n))
  const columnRows = await query(
    `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLUMN_COMMENT
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = :schema ORDER BY TABLE_NAME, ORDINAL_POSITION`, p)
  const constraintRows = await query(
    `SELECT t.TABLE_NAME, t.CONSTRAINT_NAME, t.CONSTRAINT_TYPE, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
            k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE
       FROM information_schema.TABLE_CONSTRAINTS t
       JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME
       LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND r.TABLE_NAME = t.TABLE_NAME AND r.CONSTRAINT_NAME = t.CONSTRAINT_NAME
      WHERE t.TABLE_SCHEMA = :schema AND t.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
      ORDER BY t.TABLE_NAME, t.CONSTRAINT_NAME, k.ORDINAL_POSITION`, p)
  // MariaDB keeps checks per table (with LEVEL: a column's own check is named after it); MySQL per schema.
  const checkRows = flavour === 'mariadb'
    ? await query(`SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = :schema ORDER BY TABLE_NAME, CONSTRAINT_NAME`, p)
    : await query(
        `SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE, 'Table' FROM information_schema.CHECK_CONSTRAINTS c
           JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'
          WHERE c.CONSTRAINT_SCHEMA = :schema ORDER BY t.TABLE_NAME, c.CONSTRAINT_NAME`, p)
  const indexRows = await query(
    `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = :schema AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, p)

  const tables: ReflectedTable[] = names.map((name) => {
    const checks = checkRows.filter(([t]) => t === name).map(([, cname, clause, level]) => ({ name: String(cname), sql: String(clause), level: String(level) }))
    // MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)) named after the column.
    const jsonColumns = new Set(checks.filter((c) => c.level === 'Column' && /^json_valid\(`[^`]+`\)$/i.test(c.sql)).map((c) => c.name))
    const columns: ReflectedColumn[] = columnRows.filter(([t]) => t === name).map(([, col, colType, nullable, dflt, extra, genExpr, comment]) => {
      const ex = String(extra ?? '').toLowerCase()
      const generated = /virtual|stored|persistent/.test(ex) && genExpr !== null && String(genExpr) !== ''
      const { type, ddl } = reflectedType(String(colType), jsonColumns.has(String(col)))
      return {
        name: String(col), type, typeDdl: ddl, nullable: nullable === 'YES',
        default: generated ? undefined : defaultOf(dflt, String(colType), ex, flavour),
        autoincrement: ex.includes('auto_increment'),
        generated: generated ? { expression: String(genExpr), stored: /stored|persistent/.test(ex) } : undefined,
        comment: comment === null || comment === '' ? undefined : String(comment),
      }
    })
    const cons = constraintRows.filter(([t]) => t === name)
    const grouped = new Map<string, typeof cons>()
    for (const row of cons) (grouped.get(String(row[1])) ?? grouped.set(String(row[1]), []).get(String(row[1]))!).push(row)
    const pk = [...grouped.values()].find((rows) => rows[0]![2] === 'PRIMARY KEY')
    const uniques = [...grouped.entries()].filter(([, rows]) => rows[0]![2] === 'UNIQUE').map(([cname, rows]) => ({ name: cname, columns: rows.map((r) => String(r[3])) }))
    const foreignKeys = [...grouped.entries()].filter(([, rows]) => rows[0]![2] === 'FOREIGN KEY').map(([cname, rows]) => ({
      name: cname, columns: rows.map((r) => String(r[3])),
      referredSchema: rows[0]![4] === schema ? undefined : String(rows[0]![4]), referredTable: String(rows[0]![5]),
      referredColumns: rows.map((r) => String(r[6])), onDelete: ACTIONS[String(rows[0]![7])], onUpdate: ACTIONS[String(rows[0]![8])],
    }))
    const indexes = new Map<string, { unique: boolean; columns: (string | undefined)[] }>()
    for (const [, ixName, nonUnique, col] of indexRows.filter(([t]) => t === name)) {
      const entry = indexes.get(String(ixName)) ?? indexes.set(String(ixName), { unique: Number(nonUnique) === 0, columns: [] }).get(String(ixName))!
      entry.columns.push(col === null ? undefined : String(col))
    }
    const constraintNames = new Set([...uniques.map((u) => u.name), ...foreignKeys.map((f) => f.name)])
    const ownIndexes: ReflectedIndex[] = [...indexes].filter(([ixName, ix]) =>
      // Unique constraints are indexes here, and InnoDB adds an index for each foreign key that
      // has none, named after the key (or its first column): neither is an index of the schema's own.
      !constraintNames.has(ixName) && !foreignKeys.some((f) => !ix.unique && ix.columns.join() === f.columns.join() && ixName === f.columns[0]),
    ).map(([ixName, ix]) => ({ name: ixName, columns: ix.columns, unique: ix.unique }))
    return {
      // Named only when asked for: tables of the connection's own database stay unqualified.
      name, schema: options.schema, columns,
      primaryKey: pk === undefined ? undefined : { name: undefined, columns: pk.map((r) => String(r[3])) },
      uniques, foreignKeys, indexes: ownIndexes,
      checks: checks.filter((c) => !(c.level === 'Column' && jsonColumns.has(c.name))).map((c) => ({
        // A MariaDB column check is part of its column (MODIFY drops it, DROP CONSTRAINT cannot): it has no name of its own.
        name: c.level === 'Column' ? undefined : c.name, sql: c.sql,
        // MariaDB names a column's check after the column and unnamed table checks CONSTRAINT_n; MySQL <table>_chk_n.
        generatedName: c.level === 'Column' || /^CONSTRAINT_\d+$/.test(c.name) || c.name.startsWith(`${name}_chk_`),
      })),
      comment: (() => {
        const c = tableRows.find(([n]) => n === name)?.[1]
        return c === null || c === undefined || c === '' ? undefined : String(c)
      })(),
    }
  })
  return { tables, enums: [] }
}

/** COLUMN_DEFAULT as SQL: MariaDB quotes string literals and says NULL; MySQL 8 does neither. */
function defaultOf(dflt: unknown, columnType: string, extra: string, flavour: MysqlFlavour): string | undefined {
  if (dflt === null || dflt === undefined) return undefined
  const text = String(dflt)
  if (flavour === 'mariadb') return text === 'NULL' ? undefined : canonicalDefault(text)
  if (extra.includes('default_generated')) return canonicalDefault(text)
  return canonicalDefault(STRING_TYPES.test(columnType) ? `'${text.replace(/'/g, "''")}'` : text)
}
