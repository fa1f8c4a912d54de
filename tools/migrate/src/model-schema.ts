import { CheckConstraint, Index, ServerDefault, Table, UniqueConstraint } from '@athanor/core'
import type { MetaData, ReflectedEnum, ReflectedSchema, ReflectedTable, SchemaDialect, SqlType, StatementCompiler } from '@athanor/core'

/** The version table never belongs to a model, and is never dropped by autogenerate. */
export const VERSION_TABLE = 'athanor_version'

/** What turning models into a reflected-looking schema needs of the dialect. */
export interface SchemaView {
  readonly schema: SchemaDialect
  readonly compiler: StatementCompiler & { literal(value: unknown): string }
}

/** A model column's server default as SQL. */
export function defaultSql(view: SchemaView, value: ServerDefault | string | number | boolean | undefined): string | undefined {
  if (value === undefined) return undefined
  return value instanceof ServerDefault ? value.sql : view.compiler.literal(value)
}

/**
 * The models of `metadata` as the database would report them once created: the same shape as
 * reflection gives, with types and defaults in the dialect's canonical spelling, so that a diff
 * compares like with like.
 */
export function modelSchema(metadata: MetaData, view: SchemaView): ReflectedSchema & { readonly sources: ReadonlyMap<string, Table> } {
  const tables: ReflectedTable[] = []
  const sources = new Map<string, Table>()
  const enums = new Map<string, ReflectedEnum>()
  for (const registered of metadata.tables) {
    if (!(registered instanceof Table)) continue
    const t = registered
    sources.set(t.name, t)
    for (const c of t.columnList) collectEnum(c.type, enums)
    const pk = t.primaryKey.map((c) => c.name)
    tables.push({
      name: t.name,
      schema: t.schema,
      columns: t.columnList.map((c) => ({
        name: c.name,
        type: c.type,
        typeDdl: view.schema.canonicalType(c.type, { autoincrement: c.autoincrement }),
        nullable: c.nullable,
        default: mapOpt(defaultSql(view, c.serverDefault), (sql) => view.schema.canonicalDefault(sql)),
        autoincrement: c.autoincrement,
        comment: c.comment,
        check: c.check,
        generated: c.computed === undefined ? undefined : { expression: c.computed.sql, stored: c.computed.stored },
      })),
      primaryKey: pk.length === 0 ? undefined : { name: undefined, columns: pk },
      uniques: [
        ...t.columnList.filter((c) => c.unique).map((c) => ({ name: undefined, columns: [c.name] })),
        ...t.constraints.filter((c): c is UniqueConstraint => c instanceof UniqueConstraint).map((u) => ({ name: u.name, columns: u.columns.map((k) => t.column(k).name) })),
      ],
      foreignKeys: t.foreignKeys.map((fk) => ({
        name: fk.name, columns: fk.columns.map((c) => c.name), referredSchema: fk.target.schema, referredTable: fk.target.name,
        referredColumns: fk.targetColumns.map((c) => c.name), onDelete: fk.onDelete, onUpdate: fk.onUpdate,
      })),
      indexes: t.indexes.map((ix: Index) => ({ name: ix.name, columns: ix.columns.map((k) => t.column(k).name), unique: ix.unique })),
      // A column's own check travels with the column (`check`), so that adding the column adds it.
      checks: t.constraints.filter((c): c is CheckConstraint => c instanceof CheckConstraint).map((c) => ({ name: c.name, sql: c.sql, generatedName: c.name === undefined })),
      comment: undefined,
    })
  }
  return { tables, enums: [...enums.values()], sources }
}

function collectEnum(type: SqlType<unknown>, enums: Map<string, ReflectedEnum>): void {
  const { enumName, values } = type.options
  if (type.kind === 'enum' && enumName !== undefined && !enums.has(enumName)) enums.set(enumName, { name: enumName, values: values ?? [] })
}

function mapOpt<T, U>(value: T | undefined, fn: (v: T) => U): U | undefined {
  return value === undefined ? undefined : fn(value)
}
