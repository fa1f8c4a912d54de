import { ProposedValue, SqlCompiler, Table, UpsertClause } from '@athanor/core'
import type { CompileContext, CreateTableOptions, Keyed, SqlType, ValueProcessor } from '@athanor/core'
import { bindProcessor, resultProcessor } from './values.js'
import { renderExcluded, renderOnConflict } from './upsert.js'
import { autoincrementDdl, typeDdl } from './type-ddl.js'

/**
 * The PostgreSQL compile side: `$n` placeholders, native ILIKE and NULLS FIRST/LAST (from the
 * capabilities), identity columns, jsonb, and named enums created as types before their table.
 */
export class PostgresCompiler extends SqlCompiler {
  override placeholder(index: number): string {
    return `$${index + 1}`
  }
  // Upserts (upsert.ts): ON CONFLICT after VALUES, excluded."col" for the proposed row.
  protected override insertExtension(ext: Keyed, ctx: CompileContext): string {
    return ext instanceof UpsertClause ? renderOnConflict(this, ext, ctx) : super.insertExtension(ext, ctx)
  }
  protected override visitOther(node: Keyed, ctx: CompileContext): string {
    return node instanceof ProposedValue ? renderExcluded(this, node) : super.visitOther(node, ctx)
  }
  protected override bindProcessorFor(type: SqlType<unknown>): ValueProcessor | undefined {
    return bindProcessor(type)
  }
  protected override resultProcessorFor(type: SqlType<unknown>): ValueProcessor | undefined {
    return resultProcessor(type)
  }
  override typeDdl(type: SqlType<unknown>): string {
    return typeDdl(type, { quote: (id) => this.quote(id) })
  }
  override autoincrementDdl(type: SqlType<unknown>): { type: string; suffix: string } {
    return autoincrementDdl(type)
  }
  /** PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS; a DO block ignores an existing constraint (42710). */
  override addForeignKey(foreignKey: unknown, options: { ifNotExists: boolean }): string[] {
    const add = super.addForeignKey(foreignKey, { ifNotExists: false })
    return options.ifNotExists ? add.map((sql) => `DO $$ BEGIN ${sql}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`) : add
  }
  override createTable(table: unknown, options: CreateTableOptions): string[] {
    const out: string[] = []
    if (table instanceof Table) {
      const seen = new Set<string>()
      for (const col of table.columnList) {
        const { enumName, values } = col.type.options
        if (col.type.kind !== 'enum' || enumName === undefined || seen.has(enumName)) continue
        seen.add(enumName)
        const create = `CREATE TYPE ${this.quote(enumName)} AS ENUM (${(values ?? []).map((v) => this.literal(v)).join(', ')})`
        // PostgreSQL has no CREATE TYPE IF NOT EXISTS; a DO block ignores an existing type.
        out.push(options.ifNotExists ? `DO $$ BEGIN ${create}; EXCEPTION WHEN duplicate_object THEN NULL; END $$` : create)
      }
    }
    return [...out, ...super.createTable(table, options)]
  }
}
