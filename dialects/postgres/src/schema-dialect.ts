import { enumCheckSql, inlineEnumValues, qualifiedName, standardOperationDdl } from '@athanor/core'
import type { ReflectOptions, ReflectedSchema, SchemaDialect, SchemaOperation, SchemaQuery, SqlType } from '@athanor/core'
import type { PostgresCompiler } from './compiler.js'
import { canonicalDefault, reflectPostgres } from './schema-reflect.js'
import { canonicalType } from './schema-types.js'

/**
 * PostgreSQL's side of reflection and migrations: the catalogs for reading, standard ALTER TABLE
 * for writing (with `USING` for type changes and enum types of its own), and an advisory lock
 * that keeps two deployers from migrating at once.
 * ```ts
 * engine.dialect.schema!.operationDdl({ kind: 'createEnum', name: 'mood', values: ['ok'] })
 * // ['CREATE TYPE "mood" AS ENUM (\'ok\')']
 * ```
 */
export class PostgresSchema implements SchemaDialect {
  readonly #compiler: PostgresCompiler
  readonly namedEnums = true
  /** pg_advisory_lock takes a bigint: this one is 'athanor' in ASCII. */
  readonly migrationLock = { acquire: 'SELECT pg_advisory_lock(107392471231090)', release: 'SELECT pg_advisory_unlock(107392471231090)' }

  constructor(compiler: PostgresCompiler) {
    this.#compiler = compiler
  }

  reflect(query: SchemaQuery, options: ReflectOptions): Promise<ReflectedSchema> {
    return reflectPostgres(query, options)
  }

  canonicalType(type: SqlType<unknown>): string {
    return canonicalType(type)
  }

  canonicalDefault(sql: string): string {
    return canonicalDefault(sql)
  }

  operationDdl(op: SchemaOperation): string[] {
    const h = this.#compiler
    switch (op.kind) {
      case 'alterColumn': {
        const out = standardOperationDdl(h, { ...op, type: undefined })
        if (op.type === undefined) return out
        const table = `ALTER TABLE ${qualifiedName(h, op.table)}`
        const c = h.quote(op.column)
        const type = h.typeDdl(op.type)
        // An inline Enum's values live in a CHECK: the old one goes, the new one comes after the
        // type (named as PostgreSQL names a column check, where the database did not say).
        const check = `${op.table.name}_${op.column}_check`
        const oldCheck = op.existing.enumCheck ?? (inlineEnumValues(op.existing.type) !== undefined ? check : undefined)
        const values = inlineEnumValues(op.type)
        return [
          ...(oldCheck === undefined ? [] : [`${table} DROP CONSTRAINT IF EXISTS ${h.quote(oldCheck)}`]),
          // USING converts the values the way a cast does (text → integer needs it explicitly).
          `${table} ALTER COLUMN ${c} TYPE ${type} USING ${c}::${type}`,
          ...(values === undefined ? [] : [`${table} ADD CONSTRAINT ${h.quote(check)} CHECK (${enumCheckSql(h, op.column, values)})`]),
          ...out,
        ]
      }
      case 'createTable':
        // The table's named enums are created with it, unless they exist (autogenerate may have
        // created them for a column of another table already).
        return h.createTable(op.table, { ifNotExists: false }).map((sql) => (sql.startsWith('CREATE TYPE ') ? `DO $$ BEGIN ${sql}; EXCEPTION WHEN duplicate_object THEN NULL; END $$` : sql))
      case 'createEnum': return [`CREATE TYPE ${h.quote(op.name)} AS ENUM (${op.values.map((v) => h.literal(v)).join(', ')})`]
      case 'dropEnum': return [`DROP TYPE ${h.quote(op.name)}`]
      case 'addEnumValue': return [`ALTER TYPE ${h.quote(op.name)} ADD VALUE ${h.literal(op.value)}`]
      default: return standardOperationDdl(h, op)
    }
  }
}
