import type { ColumnDefinition, ForeignKeyDefinition, SchemaOperation, TableName } from './schema-contract.js'
import { CompileError } from '../util/errors.js'
import { decimalParts, decimalText } from '../types/decimal.js'
import { enumCheckSql, inlineEnumValues, type DdlHooks } from '../compiler/ddl.js'

/**
 * Standard SQL for schema changes (`ALTER TABLE …`), which the dialects' `SchemaDialect` start
 * from and override where their database spells a change differently or cannot make it.
 */

export function qualifiedName(h: DdlHooks, t: TableName): string {
  return t.schema ? `${h.quote(t.schema)}.${h.quote(t.name)}` : h.quote(t.name)
}

/**
 * `name TYPE [NOT NULL] [DEFAULT …] [CHECK …]`, as in CREATE TABLE: an inline Enum's CHECK and
 * the column's own unless `checks: false` (where a dialect adds them by ALTER … ADD CONSTRAINT).
 */
export function columnDefinitionDdl(h: DdlHooks, c: ColumnDefinition, options: { readonly checks?: boolean } = {}): string {
  const auto = c.autoincrement === true ? h.autoincrementDdl(c.type) : undefined
  let sql = `${h.quote(c.name)} ${auto ? auto.type : h.typeDdl(c.type)}`
  // Right after the type, as CREATE TABLE writes it (ddl.ts).
  if (c.generated !== undefined) return sql + h.generatedDdl(c.generated.expression, c.generated.stored, c.name)
  if (!c.nullable) sql += ' NOT NULL'
  if (auto) sql += auto.suffix
  if (c.default !== undefined) sql += ` DEFAULT ${c.default}`
  if (options.checks !== false) {
    const values = inlineEnumValues(c.type)
    if (values !== undefined) sql += ` CHECK (${enumCheckSql(h, c.name, values)})`
    if (c.check !== undefined) sql += ` CHECK (${c.check})`
  }
  return sql
}

/**
 * How schema comparisons spell an inline Enum's type on every database, values included (its
 * VARCHAR alone would hide a changed value): `ENUM('a', 'b')`.
 */
export function inlineEnumCanonical(values: readonly string[]): string {
  return `ENUM(${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')})`
}

/** `FOREIGN KEY (…) REFERENCES t (…) [ON DELETE …] [ON UPDATE …]`. */
export function foreignKeyClause(h: DdlHooks, fk: ForeignKeyDefinition): string {
  const target = qualifiedName(h, { name: fk.referredTable, schema: fk.referredSchema })
  let sql = `FOREIGN KEY (${fk.columns.map((c) => h.quote(c)).join(', ')}) REFERENCES ${target} (${fk.referredColumns.map((c) => h.quote(c)).join(', ')})`
  if (fk.onDelete) sql += ` ON DELETE ${fk.onDelete}`
  if (fk.onUpdate) sql += ` ON UPDATE ${fk.onUpdate}`
  return sql
}

/** The error a dialect raises for a change its database cannot make in place. */
export function needsRebuild(what: string): CompileError {
  return new CompileError(`${what} cannot be done in place on this database; the table is rebuilt instead.`, 'needs-rebuild')
}

/**
 * ANSI DDL for one operation (PostgreSQL's spelling where the standard has none). `createTable`
 * is the compiler's `createTable`; enums have no standard DDL.
 * ```ts
 * standardOperationDdl(hooks, { kind: 'dropColumn', table: { name: 'users' }, column: 'age' })
 * // ['ALTER TABLE "users" DROP COLUMN "age"']
 * ```
 */
export function standardOperationDdl(h: DdlHooks, op: SchemaOperation): string[] {
  switch (op.kind) {
    case 'createTable':
      throw new CompileError('A createTable operation is compiled with the compiler\'s createTable(); the dialect\'s operationDdl does that.')
    case 'dropTable': return [`DROP TABLE ${qualifiedName(h, op.table)}`]
    case 'renameTable': return [`ALTER TABLE ${qualifiedName(h, op.table)} RENAME TO ${h.quote(op.to)}`]
    case 'addColumn': return [`ALTER TABLE ${qualifiedName(h, op.table)} ADD COLUMN ${columnDefinitionDdl(h, op.column)}`]
    case 'dropColumn': return [`ALTER TABLE ${qualifiedName(h, op.table)} DROP COLUMN ${h.quote(op.column)}`]
    case 'alterColumn': {
      const t = `ALTER TABLE ${qualifiedName(h, op.table)}`
      const c = h.quote(op.column)
      const out: string[] = []
      if (op.type !== undefined) out.push(`${t} ALTER COLUMN ${c} TYPE ${h.typeDdl(op.type)}`)
      if (op.nullable !== undefined) out.push(`${t} ALTER COLUMN ${c} ${op.nullable ? 'DROP' : 'SET'} NOT NULL`)
      if (op.default !== undefined) out.push(op.default === null ? `${t} ALTER COLUMN ${c} DROP DEFAULT` : `${t} ALTER COLUMN ${c} SET DEFAULT ${op.default}`)
      if (op.rename !== undefined) out.push(`${t} RENAME COLUMN ${c} TO ${h.quote(op.rename)}`)
      return out
    }
    case 'createIndex':
      return [`CREATE ${op.unique ? 'UNIQUE ' : ''}INDEX ${h.quote(op.name)} ON ${qualifiedName(h, op.table)} (${op.columns.map((c) => h.quote(c)).join(', ')})`]
    case 'dropIndex': return [`DROP INDEX ${op.table.schema ? `${h.quote(op.table.schema)}.` : ''}${h.quote(op.name)}`]
    case 'addUnique': return [`ALTER TABLE ${qualifiedName(h, op.table)} ADD CONSTRAINT ${h.quote(op.name)} UNIQUE (${op.columns.map((c) => h.quote(c)).join(', ')})`]
    case 'addForeignKey': return [`ALTER TABLE ${qualifiedName(h, op.table)} ADD CONSTRAINT ${h.quote(op.foreignKey.name)} ${foreignKeyClause(h, op.foreignKey)}`]
    case 'addCheck': return [`ALTER TABLE ${qualifiedName(h, op.table)} ADD CONSTRAINT ${h.quote(op.name)} CHECK (${op.sql})`]
    case 'dropUnique': case 'dropForeignKey': case 'dropCheck':
      return [`ALTER TABLE ${qualifiedName(h, op.table)} DROP CONSTRAINT ${h.quote(op.name)}`]
    case 'createEnum': case 'dropEnum': case 'addEnumValue':
      throw new CompileError(`This database has no named enum types (${op.kind} '${op.name}'); Enum columns carry their values inline.`, 'not-supported')
    case 'execute': return [op.sql]
  }
}

/**
 * SQL text in one spelling for comparing what a model says with what a database reports: case
 * folded and whitespace collapsed outside string literals, redundant outer parentheses removed.
 * ```ts
 * normalizeSqlText(" ( CURRENT_TIMESTAMP ) ")   // 'current_timestamp'
 * normalizeSqlText("'Ab  C'")                   // "'Ab  C'"
 * ```
 */
export function normalizeSqlText(sql: string): string {
  let out = ''
  let quote: string | undefined
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!
    if (quote !== undefined) {
      out += ch
      if (ch === quote) {
        if (sql[i + 1] === quote) (out += quote, i++)
        else quote = undefined
      }
    } else if (ch === "'" || ch === '"' || ch === '`') (quote = ch, (out += ch))
    else if (/\s/.test(ch)) {
      if (!out.endsWith(' ')) out += ' '
    } else out += ch.toLowerCase()
  }
  out = out.trim().replace(/ ?([(),]) ?/g, '$1')
  while (out.startsWith('(') && out.endsWith(')') && balanced(out.slice(1, -1))) out = out.slice(1, -1).trim()
  // A number is written one way: 0.000 and 0 are the same default.
  const parts = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(out) ? decimalParts(out) : undefined
  return parts === undefined ? out : decimalText(parts)
}

/** Whether parentheses outside string literals pair up (so outer ones can be dropped). */
function balanced(sql: string): boolean {
  let depth = 0
  let quote: string | undefined
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch
    else if (ch === '(') depth++
    else if (ch === ')' && --depth < 0) return false
  }
  return depth === 0
}
