import type { SqlType } from '../types/index.js'
import { ServerDefault } from '../schema/column-spec.js'
import { CheckConstraint, UniqueConstraint } from '../schema/constraints.js'
import type { Column } from '../sql/column.js'
import type { ResolvedForeignKey, Table } from '../sql/table.js'

/** What DDL generation needs of a compiler (dialects override these hooks). */
export interface DdlHooks {
  quote(identifier: string): string
  typeDdl(type: SqlType<unknown>): string
  autoincrementDdl(type: SqlType<unknown>): { type: string; suffix: string }
  /** The clause after a generated column's type. */
  generatedDdl(sql: string, stored: boolean, column: string): string
  literal(value: unknown): string
  readonly indexIfNotExists: boolean
}

function tableName(h: DdlHooks, t: Table): string {
  return t.schema ? `${h.quote(t.schema)}.${h.quote(t.name)}` : h.quote(t.name)
}

/**
 * The values of an Enum kept inline (one without a type name): a string column whose values a
 * `CHECK (col IN (…))` holds. `undefined` for every other type.
 */
export function inlineEnumValues(type: SqlType<unknown>): readonly string[] | undefined {
  return type.kind === 'enum' && type.options.enumName === undefined ? (type.options.values ?? []) : undefined
}

/** `"col" IN ('a', 'b')`: the CHECK of an inline Enum column. */
export function enumCheckSql(h: Pick<DdlHooks, 'quote' | 'literal'>, column: string, values: readonly string[]): string {
  return `${h.quote(column)} IN (${values.map((v) => h.literal(v)).join(', ')})`
}

function columnDdl(h: DdlHooks, col: Column<unknown>): string {
  const auto = col.autoincrement ? h.autoincrementDdl(col.type) : undefined
  let sql = `${h.quote(col.name)} ${auto ? auto.type : h.typeDdl(col.type)}`
  // Right after the type (MySQL's grammar wants it there); its nullness is the expression's.
  if (col.computed !== undefined) return sql + h.generatedDdl(col.computed.sql, col.computed.stored, col.name)
  if (!col.nullable) sql += ' NOT NULL'
  if (auto) sql += auto.suffix
  if (col.serverDefault !== undefined) {
    sql += ' DEFAULT ' + (col.serverDefault instanceof ServerDefault ? col.serverDefault.sql : h.literal(col.serverDefault))
  }
  const values = inlineEnumValues(col.type)
  if (values !== undefined) sql += ` CHECK (${enumCheckSql(h, col.name, values)})`
  if (col.check) sql += ` CHECK (${col.check})`
  return sql
}

/** CREATE TABLE with its constraints (less `omitForeignKeys`), then CREATE INDEX for its indexes. */
export function createTableSql(h: DdlHooks, table: Table, options: { ifNotExists: boolean; omitForeignKeys?: readonly unknown[] }): string[] {
  const name = tableName(h, table)
  const parts = table.columnList.map((c) => columnDdl(h, c))
  const pk = table.primaryKey
  // Dialects that declare identity inline as PRIMARY KEY (SQLite AUTOINCREMENT) put it in the suffix.
  const inlinePk = pk.length === 1 && pk[0]!.autoincrement && h.autoincrementDdl(pk[0]!.type).suffix.includes('PRIMARY KEY')
  if (pk.length > 0 && !inlinePk) parts.push(`PRIMARY KEY (${pk.map((c) => h.quote(c.name)).join(', ')})`)
  for (const col of table.columnList) if (col.unique) parts.push(`UNIQUE (${h.quote(col.name)})`)
  for (const c of table.constraints) {
    if (c instanceof UniqueConstraint) parts.push(`${c.name ? `CONSTRAINT ${h.quote(c.name)} ` : ''}UNIQUE (${c.columns.map((k) => h.quote(table.column(k).name)).join(', ')})`)
    if (c instanceof CheckConstraint) parts.push(`${c.name ? `CONSTRAINT ${h.quote(c.name)} ` : ''}CHECK (${c.sql})`)
  }
  for (const fk of table.foreignKeys) {
    if (options.omitForeignKeys?.includes(fk)) continue
    const { columns, references } = foreignKeyDdl(h, fk)
    parts.push(`${fk.name ? `CONSTRAINT ${h.quote(fk.name)} ` : ''}FOREIGN KEY ${columns} ${references}`)
  }
  const out = [`CREATE TABLE ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${name} (\n  ${parts.join(',\n  ')}\n)`]
  for (const ix of table.indexes) {
    const ine = options.ifNotExists && h.indexIfNotExists ? 'IF NOT EXISTS ' : ''
    out.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${ine}${h.quote(ix.name)} ON ${name} (${ix.columns.map((k) => h.quote(table.column(k).name)).join(', ')})`)
  }
  return out
}

/** DROP TABLE. */
export function dropTableSql(h: DdlHooks, table: Table, options: { ifExists: boolean }): string[] {
  return [`DROP TABLE ${options.ifExists ? 'IF EXISTS ' : ''}${tableName(h, table)}`]
}

/** A foreign key's DDL pieces, quoted: what ALTER TABLE statements are built from. */
export interface ForeignKeyDdl {
  /** The table holding the key. */
  readonly table: string
  /** The constraint's name (see {@link foreignKeyName}). */
  readonly name: string
  /** `("col", …)` */
  readonly columns: string
  /** `REFERENCES "t" ("id", …) [ON DELETE …] [ON UPDATE …]` */
  readonly references: string
  /** The same names unquoted, for catalog lookups. */
  readonly names: { readonly schema: string | undefined; readonly table: string; readonly constraint: string }
}

export function foreignKeyDdl(h: DdlHooks, fk: ResolvedForeignKey): ForeignKeyDdl {
  let references = `REFERENCES ${tableName(h, fk.target)} (${fk.targetColumns.map((c) => h.quote(c.name)).join(', ')})`
  if (fk.onDelete) references += ` ON DELETE ${fk.onDelete}`
  if (fk.onUpdate) references += ` ON UPDATE ${fk.onUpdate}`
  const constraint = foreignKeyName(fk)
  return {
    table: tableName(h, fk.table), name: h.quote(constraint), columns: `(${fk.columns.map((c) => h.quote(c.name)).join(', ')})`, references,
    names: { schema: fk.table.schema, table: fk.table.name, constraint },
  }
}

/** Identifier limit of the strictest supported database, in bytes (PostgreSQL: 63). */
const MAX_NAME_BYTES = 63

/**
 * The key's own name, or a stable generated one, `fk_<table>_<columns>`: ALTER TABLE … DROP
 * needs a name, and the same schema must produce the same name on every run. A generated name
 * longer than identifiers may be is cut and ends in a hash of the full name.
 */
export function foreignKeyName(fk: ResolvedForeignKey): string {
  if (fk.name) return fk.name
  const name = `fk_${fk.table.name}_${fk.columns.map((c) => c.name).join('_')}`
  const bytes = (text: string): number => new TextEncoder().encode(text).length
  if (bytes(name) <= MAX_NAME_BYTES) return name
  let hash = 0x811c9dc5 // FNV-1a, 32 bits
  for (const ch of name) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193) >>> 0
  const suffix = `_${hash.toString(16).padStart(8, '0')}`
  let prefix = ''
  for (const ch of name) {
    if (bytes(prefix + ch) + suffix.length > MAX_NAME_BYTES) break
    prefix += ch
  }
  return prefix + suffix
}
