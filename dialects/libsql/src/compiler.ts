import { NestedRowList, ProposedValue, SqlCompiler, UpsertClause } from '@athanor/core'
import type { CompileContext, DateField, DateUnit, JsonPath, Keyed, NestedRowsType, SqlType, ValueProcessor } from '@athanor/core'
import { nestedRowsReader, renderNestedRowList } from './nested-rows.js'
import { sqliteDateTrunc, sqliteExtract } from './date-sql.js'
import { bindProcessor, resultProcessor, typeDdl } from './values.js'
import { renderExcluded, renderOnConflict } from './upsert.js'

/**
 * The SQLite compile side: ANSI SQL with `?` placeholders, rowid primary keys, `LIMIT -1` for a
 * bare OFFSET, and values converted by `values.ts`.
 */
export class LibsqlCompiler extends SqlCompiler {
  // Upserts (upsert.ts): ON CONFLICT after VALUES, excluded."col" for the proposed row.
  protected override insertExtension(ext: Keyed, ctx: CompileContext): string {
    return ext instanceof UpsertClause ? renderOnConflict(this, ext, ctx) : super.insertExtension(ext, ctx)
  }
  protected override visitOther(node: Keyed, ctx: CompileContext): string {
    if (node instanceof NestedRowList) return renderNestedRowList(node, (e) => this.visit(e, ctx), (o) => this.visitOrderBy(o, ctx))
    return node instanceof ProposedValue ? renderExcluded(this, node) : super.visitOther(node, ctx)
  }
  protected override nestedRowsProcessor(type: NestedRowsType): ValueProcessor {
    return nestedRowsReader(type, (t) => this.resultProcessor(t))
  }
  protected override bindProcessorFor(type: SqlType<unknown>): ValueProcessor | undefined {
    return bindProcessor(type)
  }
  protected override resultProcessorFor(type: SqlType<unknown>): ValueProcessor | undefined {
    return resultProcessor(type)
  }
  override typeDdl(type: SqlType<unknown>): string {
    return typeDdl(type)
  }
  // `INTEGER PRIMARY KEY` makes the column an alias of the rowid, SQLite's own autoincrement.
  override autoincrementDdl(): { type: string; suffix: string } {
    return { type: 'INTEGER', suffix: ' PRIMARY KEY' }
  }
  /**
   * With foreign_keys on, DROP TABLE deletes the rows first and fails when rows of a table not
   * dropped yet still point at them, as in a cycle. Deferred, the check runs at COMMIT, when
   * every table of the cycle is gone; a partial drop still fails there and rolls back. SQLite
   * resets the pragma at the end of the transaction.
   */
  override deferForeignKeyChecks(): string[] {
    return ['PRAGMA defer_foreign_keys = ON']
  }
  protected override limitOffset(limit: string | undefined, offset: string | undefined): string {
    if (limit === undefined && offset !== undefined) return ` LIMIT -1 OFFSET ${offset}`
    return super.limitOffset(limit, offset)
  }
  protected override visitFunction(f: Parameters<SqlCompiler['visitFunction']>[0], ctx: Parameters<SqlCompiler['visitFunction']>[1]): string {
    // Timestamps are stored as UTC text with milliseconds, so now() must produce the same shape.
    if (f.name === 'now' && f.args.length === 0) return "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    // SQLite's mod() is the math extension's, which answers in floating point: use %.
    if (f.name === 'mod' && f.args.length === 2) return `(${this.visit(f.args[0]!, ctx)} % ${this.visit(f.args[1]!, ctx)})`
    return super.visitFunction(f, ctx)
  }
  // SQLite's max()/min() of several arguments are GREATEST/LEAST.
  protected override functionName(name: string): string {
    const lower = name.toLowerCase()
    return lower === 'greatest' ? 'max' : lower === 'least' ? 'min' : name
  }
  protected override extract(field: DateField, operand: string): string {
    return sqliteExtract(field, operand)
  }
  protected override dateTrunc(unit: DateUnit, operand: string, type: SqlType<unknown>): string {
    return sqliteDateTrunc(unit, operand, type.kind === 'date')
  }
  /** `->` gives JSON text; as text, JSON true/false stay words (`->>` would answer 1/0). */
  protected override jsonPath(j: JsonPath, ctx: CompileContext): string {
    const doc = this.visit(j.operand, ctx)
    const path = this.visitBind(j.pathText, ctx)
    if (!j.asText) return `(${doc} -> ${path})`
    return `CASE json_type(${doc}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(${doc} ->> ${path} AS TEXT) END`
  }
}
