import type { SqlType } from '../types/index.js'
import { ServerDefault } from '../schema/column-spec.js'
import { CheckConstraint, UniqueConstraint } from '../schema/constraints.js'
import type { Column } from '../sql/column.js'
import type { Table } from '../sql/table.js'

/** What DDL generation needs of a compiler (dialects override these hooks). */
export interface DdlHooks {
  quote(identifier: string): string
  typeDdl(type: SqlType<unknown>): string
  autoincrementDdl(type: SqlType<unknown>): { type: string; suffix: string }
  literal(value: unknown): string
  readonly indexIfNotExists: boolean
}

function tableName(h: DdlHooks, t: Table): string {
  return t.schema ? `${h.quote(t.schema)}.${h.quote(t.name)}` : h.quote(t.name)
}

function columnDdl(h: DdlHooks, col: Column<unknown>): string {
  const auto = col.autoincrement ? h.autoincrementDdl(col.type) : undefined
  let sql = `${h.quote(col.name)} ${auto ? auto.type : h.typeDdl(col.type)}`
  if (!col.nullable) sql += ' NOT NULL'
  if (auto) sql += auto.suffix
  if (col.serverDefault !== undefined) {
    sql += ' DEFAULT ' + (col.serverDefault instanceof ServerDefault ? col.serverDefault.sql : h.literal(col.serverDefault))
  }
  if (col.type.kind === 'enum' && !col.type.options.enumName) {
    sql += ` CHECK (${h.quote(col.name)} IN (${(col.type.options.values ?? []).map((v) => h.literal(v)).join(', ')}))`
  }
  if (col.check) sql += ` CHECK (${col.check})`
  return sql
}

/** CREATE TABLE with its constraints, then CREATE INDEX for its indexes. */
export function createTableSql(h: DdlHooks, table: Table, options: { ifNotExists: boolean }): string[] {
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
    let sql = `${fk.name ? `CONSTRAINT ${h.quote(fk.name)} ` : ''}FOREIGN KEY (${fk.columns.map((c) => h.quote(c.name)).join(', ')}) REFERENCES ${tableName(h, fk.target)} (${fk.targetColumns.map((c) => h.quote(c.name)).join(', ')})`
    if (fk.onDelete) sql += ` ON DELETE ${fk.onDelete}`
    if (fk.onUpdate) sql += ` ON UPDATE ${fk.onUpdate}`
    parts.push(sql)
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
