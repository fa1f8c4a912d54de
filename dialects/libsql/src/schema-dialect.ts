import {
  Boolean as BooleanType, DateTime, DateType, Float, Integer, JSON as JsonType, LargeBinary, NativeType, Numeric, SmallInteger,
  String as StringType, Text, Time, UUID, inlineEnumCanonical, inlineEnumValues, needsRebuild, normalizeSqlText, standardOperationDdl,
} from '@athanor/core'
import type {
  ReferentialAction, ReflectOptions, ReflectedColumn, ReflectedSchema, ReflectedTable, SchemaDialect, SchemaOperation, SchemaQuery, SqlType,
} from '@athanor/core'
import type { LibsqlCompiler } from './compiler.js'
import { checkConstraints, generatedExpression, namedKeys } from './create-table-sql.js'
import { typeDdl } from './values.js'

/**
 * SQLite's side of reflection and migrations. Its pragmas (as table-valued functions, one query
 * for every table at once) give columns, keys and indexes; checks and generated expressions are
 * read from the CREATE TABLE text it keeps. SQLite alters little in place — ADD COLUMN, RENAME —
 * so the rest raises `needs-rebuild` and the migration runner rebuilds the table, with foreign
 * keys off around it (`rebuildGuard`) so dropping the old table fires no ON DELETE actions.
 */
export class LibsqlSchema implements SchemaDialect {
  readonly #compiler: LibsqlCompiler
  readonly rebuildGuard = { before: ['PRAGMA foreign_keys = OFF'], check: 'PRAGMA foreign_key_check', after: ['PRAGMA foreign_keys = ON'] }

  constructor(compiler: LibsqlCompiler) {
    this.#compiler = compiler
  }

  canonicalType(type: SqlType<unknown>, options: { readonly autoincrement: boolean }): string {
    const values = inlineEnumValues(type)
    if (values !== undefined) return inlineEnumCanonical(values)
    return options.autoincrement ? 'INTEGER' : typeDdl(type).toUpperCase()
  }

  canonicalDefault(sql: string): string {
    const s = normalizeSqlText(sql)
    return s === 'true' ? '1' : s === 'false' ? '0' : s
  }

  reflect(query: SchemaQuery, options: ReflectOptions): Promise<ReflectedSchema> {
    return reflectSqlite(query, options, (sql) => this.canonicalDefault(sql))
  }

  operationDdl(op: SchemaOperation): string[] {
    switch (op.kind) {
      case 'createTable': return this.#compiler.createTable(op.table, { ifNotExists: false })
      case 'renameTable': case 'createIndex': case 'dropIndex': case 'dropTable': case 'execute':
        return standardOperationDdl(this.#compiler, op)
      case 'addColumn':
        // SQLite adds only columns that need no table rewrite: not a key, NOT NULL only with a default.
        // and a default that is a constant (SQLite refuses CURRENT_TIMESTAMP or an expression there).
        if (op.column.generated?.stored === true) throw needsRebuild(`Adding the STORED generated column ${op.column.name}`)
        if (op.column.generated === undefined && (op.column.primaryKey === true || (!op.column.nullable && op.column.default === undefined))) throw needsRebuild(`Adding NOT NULL column ${op.column.name} without a default`)
        if (op.column.default !== undefined && !CONSTANT.test(op.column.default.trim())) throw needsRebuild(`Adding column ${op.column.name} with a default that is not a constant`)
        return standardOperationDdl(this.#compiler, op)
      case 'alterColumn':
        if (op.type === undefined && op.nullable === undefined && op.default === undefined && op.rename !== undefined) return standardOperationDdl(this.#compiler, op)
        throw needsRebuild(`Changing column ${op.column}`)
      default:
        throw needsRebuild(`${op.kind} on SQLite`)
    }
  }
}

/** A literal SQLite accepts as the default of an added column. */
const CONSTANT = /^(?:'(?:[^']|'')*'|[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?|NULL|TRUE|FALSE|X'[0-9a-f]*')$/i

const SIMPLE: Readonly<Record<string, SqlType<unknown>>> = {
  INTEGER: Integer, SMALLINT: SmallInteger, REAL: Float, TEXT: Text, BOOLEAN: BooleanType, DATE: DateType, DATETIME: DateTime(),
  TIME: Time, JSON: JsonType(), 'CHAR(36)': UUID, BLOB: LargeBinary, VARCHAR: StringType(), NUMERIC: Numeric(), DECIMAL_TEXT: Numeric(),
}

/** A declared SQLite type as the portable type this package would have declared it for. */
export function reflectedType(declared: string): { type: SqlType<unknown>; ddl: string } {
  const ddl = declared.trim().toUpperCase().replace(/\s+/g, ' ')
  const simple = SIMPLE[ddl]
  if (simple !== undefined) return { type: simple, ddl }
  let m = /^VARCHAR\((\d+)\)$/.exec(ddl)
  if (m) return { type: StringType(Number(m[1])), ddl }
  m = /^(?:NUMERIC|DECIMAL_TEXT)\((\d+), ?(\d+)\)$/.exec(ddl)
  if (m) return { type: Numeric(Number(m[1]), Number(m[2])), ddl }
  return { type: NativeType<unknown>(ddl), ddl }
}

const ACTIONS: Readonly<Record<string, ReferentialAction | undefined>> = {
  'NO ACTION': undefined, RESTRICT: 'RESTRICT', CASCADE: 'CASCADE', 'SET NULL': 'SET NULL', 'SET DEFAULT': 'SET DEFAULT',
}
const TABLES = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

async function reflectSqlite(query: SchemaQuery, options: ReflectOptions, canonicalDefault: (sql: string) => string): Promise<ReflectedSchema> {
  const only = options.only === undefined ? undefined : new Set(options.only)
  // A schema here is an attached database ('main' by default): its own sqlite_schema, and the
  // pragma functions take it as their last argument.
  const ns = options.schema === undefined ? '' : `"${options.schema.replaceAll('"', '""')}".`
  const arg = options.schema === undefined ? '' : `, '${options.schema.replaceAll("'", "''")}'`
  const tableRows = (await query(`SELECT m.name, m.sql FROM ${ns}sqlite_schema m WHERE ${TABLES} ORDER BY m.name`)).filter(([n]) => only === undefined || only.has(String(n)))
  const columnRows = await query(`SELECT m.name, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden FROM ${ns}sqlite_schema m JOIN pragma_table_xinfo(m.name${arg}) c WHERE ${TABLES} ORDER BY m.name, c.cid`)
  const fkRows = await query(`SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete FROM ${ns}sqlite_schema m JOIN pragma_foreign_key_list(m.name${arg}) f WHERE ${TABLES} ORDER BY m.name, f.id, f.seq`)
  const indexRows = await query(
    `SELECT m.name, l.name, l."unique", l.origin, i.name, x.sql FROM ${ns}sqlite_schema m JOIN pragma_index_list(m.name${arg}) l JOIN pragma_index_info(l.name${arg}) i
       LEFT JOIN ${ns}sqlite_schema x ON x.type = 'index' AND x.name = l.name WHERE ${TABLES} ORDER BY m.name, l.name, i.seqno`)
  const tables: ReflectedTable[] = tableRows.map(([tableName, createSql]) => {
    const name = String(tableName)
    const sql = String(createSql)
    const cols = columnRows.filter(([t]) => t === name)
    const pkCols = cols.filter(([, , , , , pk]) => Number(pk) > 0).sort((a, b) => Number(a[5]) - Number(b[5])).map(([, c]) => String(c))
    const columns: ReflectedColumn[] = cols.map(([, col, declared, notNull, dflt, pk, hidden]) => {
      const rowid = pkCols.length === 1 && Number(pk) === 1 && String(declared).toUpperCase() === 'INTEGER'
      const { type, ddl } = reflectedType(String(declared))
      const generated = Number(hidden) >= 2
      return {
        name: String(col), type, typeDdl: ddl, nullable: Number(notNull) === 0 && Number(pk) === 0,
        default: dflt === null ? undefined : canonicalDefault(String(dflt)), autoincrement: rowid,
        generated: generated ? { expression: generatedExpression(sql, String(col)) ?? '', stored: Number(hidden) === 3 } : undefined,
      }
    })
    const fks = new Map<number, typeof fkRows[number][]>()
    for (const row of fkRows.filter(([t]) => t === name)) (fks.get(Number(row[1])) ?? fks.set(Number(row[1]), []).get(Number(row[1]))!).push(row)
    const indexes = new Map<string, { unique: boolean; origin: string; columns: (string | undefined)[]; sql: string | undefined }>()
    for (const [, ixName, unique, origin, col, ixSql] of indexRows.filter(([t]) => t === name)) {
      const entry = indexes.get(String(ixName)) ?? indexes.set(String(ixName), { unique: Number(unique) === 1, origin: String(origin), columns: [], sql: ixSql === null ? undefined : String(ixSql) }).get(String(ixName))!
      entry.columns.push(col === null ? undefined : String(col))
    }
    // SQLite reports no constraint names; those written in CREATE TABLE are read from its text.
    const named = namedKeys(sql)
    const nameOf = (kind: 'unique' | 'foreign-key', cols: readonly string[]): string | undefined => named.find((k) => k.kind === kind && k.columns.join() === cols.join())?.name
    return {
      name, schema: options.schema, columns,
      primaryKey: pkCols.length === 0 ? undefined : { name: undefined, columns: pkCols },
      uniques: [...indexes.values()].filter((ix) => ix.origin === 'u').map((ix) => ({ name: nameOf('unique', ix.columns.map(String)), columns: ix.columns.map(String) })),
      foreignKeys: [...fks.values()].map((rows) => ({
        name: nameOf('foreign-key', rows.map((r) => String(r[4]))), columns: rows.map((r) => String(r[4])), referredTable: String(rows[0]![3]),
        // A reference without columns means the referred table's primary key.
        referredColumns: rows.map((r, i) => (r[5] === null ? (primaryKeyOf(columnRows, String(rows[0]![3]))[i] ?? '') : String(r[5]))),
        onDelete: ACTIONS[String(rows[0]![7])], onUpdate: ACTIONS[String(rows[0]![6])],
      })),
      indexes: [...indexes].filter(([, ix]) => ix.origin === 'c').map(([ixName, ix]) => ({
        name: ixName, columns: ix.columns, unique: ix.unique,
        expressions: ix.columns.includes(undefined) && ix.sql !== undefined ? [/\((.*)\)\s*$/s.exec(ix.sql)?.[1] ?? ix.sql] : undefined,
      })),
      checks: checkConstraints(sql).map((c) => ({ name: c.name, sql: c.sql, generatedName: c.name === undefined })),
    }
  })
  return { tables, enums: [] }
}

function primaryKeyOf(columnRows: readonly (readonly unknown[])[], table: string): string[] {
  return columnRows.filter(([t, , , , , pk]) => t === table && Number(pk) > 0).sort((a, b) => Number(a[5]) - Number(b[5])).map(([, c]) => String(c))
}
