import { CheckConstraint, ForeignKeyConstraint, Index, MetaData, PrimaryKeyConstraint, Table, UniqueConstraint, column, sqlDefault } from '@athanor/core'
import type { ColumnSpec, ReflectedSchema, ReflectedTable, TableConstraint } from '@athanor/core'

/**
 * A reflected schema as core Tables in a new MetaData. Columns are keyed by their names; foreign
 * keys to tables outside the schema read, and expression indexes (which a Table cannot declare),
 * are left out.
 * ```ts
 * const metadata = metadataOf(await reflectSchema(engine))
 * ```
 */
export function metadataOf(schema: ReflectedSchema, metadata = new MetaData()): MetaData {
  const names = new Set(schema.tables.map((t) => t.name))
  for (const t of schema.tables) tableOf(t, metadata, names)
  return metadata
}

/** One reflected table as a Table of `metadata`. */
export function tableOf(t: ReflectedTable, metadata: MetaData, known: ReadonlySet<string>, name = t.name): Table {
  const pk = t.primaryKey?.columns ?? []
  const columns: Record<string, ColumnSpec<unknown>> = {}
  for (const c of t.columns) {
    columns[c.name] = column(c.type, {
      primaryKey: pk.length === 1 && pk[0] === c.name,
      nullable: c.nullable,
      autoincrement: c.autoincrement,
      ...(c.default === undefined ? {} : { serverDefault: sqlDefault(c.default) }),
      ...(c.comment === undefined ? {} : { comment: c.comment }),
      ...(c.generated === undefined ? {} : { computed: { sql: c.generated.expression, stored: c.generated.stored } }),
    }) as ColumnSpec<unknown>
  }
  const constraints: (TableConstraint | { schema: string })[] = []
  if (t.schema !== undefined) constraints.push({ schema: t.schema })
  if (pk.length > 1) constraints.push(new PrimaryKeyConstraint(pk))
  for (const u of t.uniques) constraints.push(new UniqueConstraint(u.columns, u.name === undefined ? {} : { name: u.name }))
  for (const fk of t.foreignKeys) {
    if (!known.has(fk.referredTable) && fk.referredTable !== t.name) continue
    const target = fk.referredTable === t.name ? name : fk.referredTable
    constraints.push(new ForeignKeyConstraint(fk.columns, fk.referredColumns.map((c) => `${t.schema === undefined ? '' : `${t.schema}.`}${target}.${c}`), {
      ...(fk.name === undefined ? {} : { name: fk.name }),
      ...(fk.onDelete === undefined ? {} : { onDelete: fk.onDelete }),
      ...(fk.onUpdate === undefined ? {} : { onUpdate: fk.onUpdate }),
    }))
  }
  for (const ix of t.indexes) {
    if (ix.columns.every((c): c is string => c !== undefined)) constraints.push(new Index(ix.name, ix.columns, { unique: ix.unique }))
  }
  for (const ck of t.checks) constraints.push(new CheckConstraint(ck.sql, ck.generatedName === true || ck.name === undefined ? {} : { name: ck.name }))
  return new Table(name, metadata, columns, ...constraints)
}
