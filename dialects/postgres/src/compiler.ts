import { ArgumentError, Binary, Bind, Boolean as BooleanType, Case, FunctionCall, ProposedValue, SqlCompiler, Table, UpsertClause, resultColumnsOf } from '@athanor/core'
import type { Column, CompileContext, CreateTableOptions, DateField, DateUnit, Expression, JsonPath, Keyed, KeyedUpdate, RowsInsert, SqlType, ValueProcessor } from '@athanor/core'
import { bindProcessor, resultProcessor } from './values.js'
import { renderExcluded, renderOnConflict } from './upsert.js'
import { autoincrementDdl, typeDdl } from './type-ddl.js'
import { ArrayType, arrayParamType } from './array-type.js'
import { AnyElement, ArrayComparison } from './array-operators.js'
import { ANY_ARGUMENTS, TYPE_FOLLOWS_ARGUMENTS, castTypeName, isUntyped } from './param-casts.js'
import { UnnestInsert, UnnestUpdate, unnestInsert, unnestUpdate } from './unnest-statements.js'

// Operands of @> / && that need no parentheses: PostgreSQL gives those operators the same
// precedence as || and other user operators.
const ARITHMETIC = new Set(['+', '-', '*', '/', '%'])
const differentlyTypedBind = (e: Expression<unknown>, other: Expression<unknown>): boolean => e instanceof Bind && e.type.kind !== other.type.kind

const ATOMIC = new Set(['column', 'bind', 'function', 'cast', 'scalar-subquery', 'keyword', 'pg-any'])

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
  /**
   * Select-in loading's `col IN (…)` as `col = ANY($1)`: one array parameter, so one SQL text (and
   * one prepared statement) for any number of keys, and less for the server to parse and plan.
   */
  keyIn(column: unknown, keys: readonly unknown[]): Expression<boolean> | undefined {
    const col = column as Column<unknown>
    const type = arrayParamType(col.type)
    if (type === undefined) return undefined
    // The keys as the objects hold them: converted as a bound key of the column would be.
    const values = keys.map((k) => col.type.validate(k, `${col.name} key`))
    return new Binary(col, '=', new AnyElement(new Bind(values, type, true)), BooleanType)
  }
  /** The unit of work's batched UPDATE as arrays joined by key (unnest-statements.ts). */
  updateByKey(update: KeyedUpdate): UnnestUpdate | undefined {
    return unnestUpdate(update)
  }
  /** The unit of work's multi-row INSERT as one array per column (unnest-statements.ts); VALUES for types without an array form. */
  override insertRows(rows: RowsInsert): Keyed {
    return unnestInsert(rows) ?? super.insertRows(rows)
  }
  protected override describeStatement(s: Keyed): ReturnType<SqlCompiler['describeStatement']> {
    if (s instanceof UnnestUpdate) return { columns: [], returnsRows: false, statementKind: 'update' }
    if (s instanceof UnnestInsert) return { columns: resultColumnsOf(s.returning), returnsRows: s.returning.length > 0, statementKind: 'insert' }
    return super.describeStatement(s)
  }
  #unnestInsert(u: UnnestInsert, ctx: CompileContext): string {
    ctx.opaque = true
    const columns = u.columns.map((c) => this.quote(c.name)).join(', ')
    const arrays = u.arrays.map((b) => this.#castBind(b, ctx)).join(', ')
    return `INSERT INTO ${this.tableName(u.table)} (${columns}) SELECT * FROM unnest(${arrays})${this.returning(u.returning, 'insert', ctx, true)}`
  }
  #unnestUpdate(u: UnnestUpdate, ctx: CompileContext): string {
    ctx.opaque = true
    const t = this.quote('_t')
    const r = this.quote('_r')
    const names = ['k', ...u.columns.map((_c, j) => `c${j}`)].map((n) => this.quote(n))
    const set = u.columns.map((c, j) => `${this.quote(c.name)} = ${r}.${names[j + 1]!}`).join(', ')
    const arrays = u.arrays.map((b) => this.#castBind(b, ctx)).join(', ')
    return `UPDATE ${this.tableName(u.table)} AS ${t} SET ${set} FROM unnest(${arrays}) AS ${r}(${names.join(', ')}) WHERE ${t}.${this.quote(u.keyColumn.name)} = ${r}.${names[0]!}`
  }
  protected override visitOther(node: Keyed, ctx: CompileContext): string {
    if (node instanceof UnnestUpdate) return this.#unnestUpdate(node, ctx)
    if (node instanceof UnnestInsert) return this.#unnestInsert(node, ctx)
    if (node instanceof ProposedValue) return renderExcluded(this, node)
    if (node instanceof ArrayComparison) return `${this.#operand(node.left, ctx)} ${node.op} ${this.#operand(node.right, ctx)}`
    if (node instanceof AnyElement) return `ANY(${this.visit(node.array, ctx)})`
    return super.visitOther(node, ctx)
  }
  #operand(e: Expression<unknown>, ctx: CompileContext): string {
    return ATOMIC.has(e.kind) ? this.visit(e, ctx) : `(${this.visit(e, ctx)})`
  }

  // ---- parameter casts where the server cannot infer a type (param-casts.ts, README.md) ----

  /** `$n::type` for a bound value, or the bare placeholder when its type has no cast. */
  #castBind(b: Bind, ctx: CompileContext): string {
    const name = castTypeName(b.type, (id) => this.quote(id))
    return name === undefined ? this.visitBind(b, ctx) : `${this.visitBind(b, ctx)}::${name}`
  }
  #visitCast(e: Expression<unknown>, ctx: CompileContext): string {
    return e instanceof Bind ? this.#castBind(e, ctx) : this.visit(e, ctx)
  }
  // A select-list (or RETURNING) item that is a bare parameter: nothing around it has a type.
  protected override selectValue(e: Expression<unknown>, ctx: CompileContext): string {
    return this.#visitCast(e, ctx)
  }
  protected override get numberedPlaceholders(): boolean {
    return true
  }
  override visit(e: Expression<unknown>, ctx: CompileContext): string {
    // CASE whose results are all parameters (or NULL): cast them, or the server makes it text.
    if (e instanceof Case && e.whens.every(([, r]) => isUntyped(r)) && (e.otherwise === undefined || isUntyped(e.otherwise))) {
      const whens = e.whens.map(([w, r]) => `WHEN ${this.visit(w, ctx)} THEN ${this.#visitCast(r, ctx)}`).join(' ')
      return `CASE ${e.subject ? this.visit(e.subject, ctx) + ' ' : ''}${whens}${e.otherwise ? ` ELSE ${this.#visitCast(e.otherwise, ctx)}` : ''} END`
    }
    return super.visit(e, ctx)
  }
  protected override extract(field: DateField, operand: string): string {
    // EXTRACT answers numeric (PostgreSQL 14+): the date parts are whole numbers, epoch a float.
    return `CAST(${super.extract(field, operand)} AS ${field === 'epoch' ? 'DOUBLE PRECISION' : 'INTEGER'})`
  }
  protected override dateTrunc(unit: DateUnit, operand: string, type: SqlType<unknown>): string {
    // date_trunc of a date answers a timestamp; a date stays a date.
    const sql = super.dateTrunc(unit, operand, type)
    return type.kind === 'date' ? `CAST(${sql} AS DATE)` : sql
  }
  /** `#>` / `#>>` with the path as a text array of parameters (works for json and jsonb). */
  protected override jsonPath(j: JsonPath, ctx: CompileContext): string {
    const path = j.pathBinds.map((b) => `${this.visitBind(b, ctx)}::text`).join(', ')
    return `(${this.#operand(j.operand, ctx)} ${j.asText ? '#>>' : '#>'} ARRAY[${path}])`
  }
  protected override visitFunction(f: FunctionCall, ctx: CompileContext): string {
    const name = f.name.toLowerCase()
    // round(double precision, int) does not exist: round the value as numeric, answer a float.
    if (name === 'round' && f.args.length === 2 && f.args[0]!.type.kind === 'float') {
      return `CAST(round(CAST(${this.visit(f.args[0]!, ctx)} AS NUMERIC), ${this.visit(f.args[1]!, ctx)}) AS DOUBLE PRECISION)`
    }
    const cast = ANY_ARGUMENTS.has(name) || (TYPE_FOLLOWS_ARGUMENTS.has(name) && f.args.every(isUntyped))
    if (!cast || !f.args.some((a) => a instanceof Bind)) return super.visitFunction(f, ctx)
    return `${this.functionName(f.name)}(${f.distinct ? 'DISTINCT ' : ''}${f.args.map((a) => this.#visitCast(a, ctx)).join(', ')})`
  }
  // `$1 + $2`, `$1 = $2`: operator resolution has only unknowns to go on.
  protected override visitBinary(b: Binary, ctx: CompileContext): string {
    // `qty * $1` with a fractional or decimal $1: the server would read $1 as qty's integer type.
    if (ARITHMETIC.has(b.op) && (differentlyTypedBind(b.right, b.left) || differentlyTypedBind(b.left, b.right))) {
      return this.binaryOp(this.#visitCast(b.left, ctx), b.op, this.#visitCast(b.right, ctx))
    }
    if (!(isUntyped(b.left) && isUntyped(b.right))) return super.visitBinary(b, ctx)
    return this.binaryOp(this.#visitCast(b.left, ctx), b.op, this.#visitCast(b.right, ctx))
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

  /** PostgreSQL up to 17 computes generated columns on write only: STORED. */
  override generatedDdl(sql: string, stored: boolean, column: string): string {
    if (!stored) throw new ArgumentError(`Column '${column}': PostgreSQL has only stored generated columns (VIRTUAL arrives in 18); use computed: { sql, stored: true }.`)
    return super.generatedDdl(sql, stored, column)
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
        // A named enum, or an array of one, needs its type created first.
        const type = col.type instanceof ArrayType ? col.type.element : col.type
        const { enumName, values } = type.options
        if (type.kind !== 'enum' || enumName === undefined || seen.has(enumName)) continue
        seen.add(enumName)
        const create = `CREATE TYPE ${this.quote(enumName)} AS ENUM (${(values ?? []).map((v) => this.literal(v)).join(', ')})`
        // PostgreSQL has no CREATE TYPE IF NOT EXISTS; a DO block ignores an existing type.
        out.push(options.ifNotExists ? `DO $$ BEGIN ${create}; EXCEPTION WHEN duplicate_object THEN NULL; END $$` : create)
      }
    }
    return [...out, ...super.createTable(table, options)]
  }
}
