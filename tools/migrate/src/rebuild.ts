import { MetaData } from '@athanor/core'
import type { ColumnDefinition, ReflectedColumn, ReflectedSchema, ReflectedTable, SchemaOperation, StatementCompiler } from '@athanor/core'
import { MigrationError } from './errors.js'
import { tableOf } from './to-metadata.js'
import { foreignKeyNameOf, uniqueName } from './diff.js'

/**
 * A change the database cannot make in place, made by rebuilding the table (SQLite's documented
 * procedure): create the new shape under a temporary name, copy the rows, drop the old table,
 * rename the new one, recreate its indexes. Foreign keys, checks, unique constraints and indexes
 * come across; the runner turns foreign-key enforcement off around it.
 */
export function rebuildStatements(schema: ReflectedSchema, op: SchemaOperation, compiler: StatementCompiler): string[] {
  const tableName = 'table' in op ? (op.table as { name: string }).name : undefined
  const current = schema.tables.find((t) => t.name === tableName)
  if (current === undefined) throw new MigrationError(`Cannot rebuild table '${String(tableName)}' for ${op.kind}: the table does not exist.`, { code: 'migration-rebuild' })
  const { table: next, copied } = applyToTable(current, op)
  const temporary = `_athanor_rebuild_${current.name}`
  const others = schema.tables.filter((t) => t !== current)
  const build = (name: string): unknown => {
    const metadata = new MetaData()
    const known = new Set([...schema.tables.map((t) => t.name)])
    for (const t of others) tableOf(t, metadata, known)
    return tableOf(next, metadata, known, name)
  }
  const [createTemporary] = compiler.createTable(build(temporary), { ifNotExists: false })
  const [, ...indexes] = compiler.createTable(build(current.name), { ifNotExists: false })
  const q = (id: string): string => compiler.quote(id)
  return [
    createTemporary!,
    `INSERT INTO ${q(temporary)} (${copied.map(([to]) => q(to)).join(', ')}) SELECT ${copied.map(([, from]) => q(from)).join(', ')} FROM ${q(current.name)}`,
    `DROP TABLE ${q(current.name)}`,
    `ALTER TABLE ${q(temporary)} RENAME TO ${q(current.name)}`,
    ...indexes,
  ]
}

function columnOf(c: ColumnDefinition): ReflectedColumn {
  return { name: c.name, type: c.type, typeDdl: '', nullable: c.nullable, default: c.default, autoincrement: c.autoincrement === true, generated: c.generated }
}

/** The table after `op`, and the columns whose values are copied across: [new name, old name]. */
function applyToTable(t: ReflectedTable, op: SchemaOperation): { table: ReflectedTable; copied: [string, string][] } {
  let columns = [...t.columns]
  let copied: [string, string][] = t.columns.filter((c) => c.generated === undefined).map((c) => [c.name, c.name])
  let { uniques, foreignKeys, indexes, checks, primaryKey } = t
  const renameIn = (list: readonly string[], from: string, to: string): string[] => list.map((c) => (c === from ? to : c))
  const without = (name: string): void => {
    uniques = uniques.filter((u) => !u.columns.includes(name))
    foreignKeys = foreignKeys.filter((f) => !f.columns.includes(name))
    indexes = indexes.filter((ix) => !ix.columns.includes(name))
  }
  switch (op.kind) {
    case 'addColumn':
      columns.push(columnOf(op.column))
      break
    case 'dropColumn':
      columns = columns.filter((c) => c.name !== op.column)
      copied = copied.filter(([to]) => to !== op.column)
      without(op.column)
      break
    case 'alterColumn': {
      const to = op.rename ?? op.column
      columns = columns.map((c) => (c.name !== op.column ? c : {
        ...c, name: to, type: op.type ?? c.type, nullable: op.nullable ?? c.nullable, default: op.default === null ? undefined : (op.default ?? c.default),
      }))
      copied = copied.map(([n, from]) => (n === op.column ? [to, from] : [n, from]))
      if (op.rename !== undefined) {
        uniques = uniques.map((u) => ({ ...u, columns: renameIn(u.columns, op.column, to) }))
        foreignKeys = foreignKeys.map((f) => ({ ...f, columns: renameIn(f.columns, op.column, to) }))
        indexes = indexes.map((ix) => ({ ...ix, columns: ix.columns.map((c) => (c === op.column ? to : c)) }))
        if (primaryKey) primaryKey = { ...primaryKey, columns: renameIn(primaryKey.columns, op.column, to) }
      }
      break
    }
    case 'addUnique': uniques = [...uniques, { name: op.name, columns: op.columns }]; break
    case 'dropUnique': uniques = dropNamed(uniques, op.name, 'unique constraint', t.name, (u) => uniqueName(t.name, u.columns)); break
    case 'addForeignKey': foreignKeys = [...foreignKeys, { ...op.foreignKey, onDelete: op.foreignKey.onDelete, onUpdate: op.foreignKey.onUpdate }]; break
    case 'dropForeignKey': foreignKeys = dropNamed(foreignKeys, op.name, 'foreign key', t.name, (f) => foreignKeyNameOf(t.name, f.columns)); break
    case 'addCheck': checks = [...checks, { name: op.name, sql: op.sql }]; break
    case 'dropCheck': checks = dropNamed(checks, op.name, 'check constraint', t.name); break
    default:
      throw new MigrationError(`${op.kind} on '${t.name}' cannot be made by rebuilding the table.`, { code: 'migration-rebuild' })
  }
  return { table: { ...t, columns, uniques, foreignKeys, indexes, checks, primaryKey }, copied }
}

/** Drops the entry named `name`; one the database left unnamed matches the name autogenerate gives it. */
function dropNamed<T extends { readonly name?: string | undefined }>(list: readonly T[], name: string, what: string, table: string, generated?: (x: T) => string): T[] {
  const matches = (x: T): boolean => x.name === name || (x.name === undefined && generated?.(x) === name)
  if (!list.some(matches)) {
    throw new MigrationError(`Table '${table}' has no ${what} named '${name}' (SQLite keeps only names written in CREATE TABLE); check the name with 'athanor models pull' or the table's SQL.`, { code: 'migration-rebuild' })
  }
  return list.filter((x) => !matches(x))
}
