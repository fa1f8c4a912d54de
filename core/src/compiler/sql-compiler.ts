import { typeOfValue } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { describeValue } from '../util/describe-value.js'
import { CompileError, ValueError } from '../util/errors.js'
import { LruCache } from '../util/lru.js'
import type { Capabilities, CompiledStatement, ResultColumn, RowsInsert, StatementCompiler, ValueProcessor } from '../dialect/contract.js'
import {
  Between, Bind, Binary, BooleanList, Case, Cast, Deferred, Expression, InList, JsonPath, Keyword, Label, Like, OrderBy,
  ScalarSubquery, Tuple, Unary,
} from '../sql/elements.js'
import { AggregateFilter, FunctionCall, NamedWindow, Over, WINDOW_FUNCTIONS } from '../sql/function-call.js'
import type { WindowDefinition } from '../sql/function-call.js'
import { DatePart, DateTrunc } from '../sql/dates.js'
import type { DateField, DateUnit } from '../sql/dates.js'
import { Inline, LiteralColumn } from '../sql/literals.js'
import { Rollup } from '../sql/grouping.js'
import { standardDateTrunc, standardExtract, windowBody } from './analytic-sql.js'
import { ColumnRef } from '../sql/column.js'
import { FromClause, Join, Subquery, TableAlias } from '../sql/from.js'
import { KeyBuilder } from '../sql/key.js'
import { BindParam, parameterValue } from '../sql/bind-param.js'
import type { BindParams } from '../sql/bind-param.js'
import type { Keyed } from '../sql/key.js'
import { ColumnGroup, CommonTableExpression, CompoundSelect, Select, columnsIn, inferFroms, resultColumnsOf } from '../sql/select.js'
import type { SelectColumn } from '../sql/select.js'
import { Delete, Insert, Update } from '../sql/dml.js'
import { TextClause } from '../sql/functions.js'
import { Table } from '../sql/table.js'
import type { Column } from '../sql/column.js'
import { ValuesInsert } from '../sql/values-insert.js'
import { unconnectedFroms } from './from-linter.js'
import { SchemaCompiler } from './schema-compiler.js'
import { selectsAtMostOneRow } from './row-bound.js'
import { PURE_FUNCTIONS } from './plain-read.js'

/** A compiled statement shape, cached by structure and reused with new values. */
interface Template {
  readonly sql: string
  /** For each placeholder in order: the index of its bound value in the key walk. */
  readonly paramIndex: readonly number[]
  readonly paramTypes: readonly SqlType<unknown>[]
  readonly paramProcessors: readonly (ValueProcessor | undefined)[]
  readonly columns: readonly ResultColumn[]
  readonly columnNames: readonly string[]
  readonly returnsRows: boolean
  readonly atMostOneRow: boolean
  readonly statementKind: CompiledStatement['statementKind']
  readonly plainRead: boolean
  readonly warnings: readonly string[] | undefined
}

/** State of one compilation. Binds are written as markers and numbered in a final pass. */
export class CompileContext {
  readonly bindIndex: Map<Bind, number>
  /** FROM clauses of enclosing selects, for correlated subqueries. */
  readonly outerFroms: FromClause[][] = []
  /** CTEs referenced anywhere, by root id; the most derived one is rendered. */
  readonly ctes = new Map<number, CommonTableExpression>()
  /** Set while rendering a single-table DML statement: columns render unqualified. */
  unqualified = false
  /** Set while rendering a compound's ORDER BY: columns render as the result columns they name. */
  byOutputName = false
  /** Result column names of the selects being rendered (innermost last). */
  readonly outputNames: Set<string>[] = []
  /** Named windows used by the selects being rendered (innermost last), for their WINDOW clause. */
  readonly windows: Map<string, NamedWindow>[] = []
  /** Inside `… OVER (…)`: window functions are allowed. */
  inOver = false
  /** The select whose GROUP BY is being rendered has an ORDER BY (MariaDB's ROLLUP cannot). */
  rollupOrdered = false
  /** What is probably wrong with the statement though it compiles (a cartesian product). */
  readonly warnings: string[] = []
  /** Bound values the dialect sends as another type than their own, by bind index (MySQL's LIMIT). */
  readonly bindTypes = new Map<number, SqlType<unknown>>()
  /** Something was rendered that could write, lock or set state for the transaction (plain-read.ts). */
  opaque = false
  /** The statements whose select or RETURNING lists are the result (the statement, or a compound's members). */
  results: ReadonlySet<Keyed> = NO_RESULTS
  /** The statement is sent with parameters (a driver may then use another protocol: mysql2's prepared statements). */
  parameterized: boolean
  constructor(binds: readonly unknown[]) {
    this.parameterized = binds.length > 0
    this.bindIndex = new Map()
    binds.forEach((b, i) => this.bindIndex.set(b as Bind, i))
  }
}

const MARKER = /\u0000(\d+)\u0000/g
const NO_RESULTS: ReadonlySet<Keyed> = new Set()

/** The statements whose lists are `statement`'s result: itself, or every member of a compound. */
function resultSelects(statement: Keyed): ReadonlySet<Keyed> {
  if (!(statement instanceof CompoundSelect)) return new Set([statement])
  const out = new Set<Keyed>()
  const add = (c: CompoundSelect): void => c.selects.forEach((q) => (q instanceof CompoundSelect ? add(q) : out.add(q)))
  add(statement)
  return out
}
const OP_PRECEDENCE: Record<string, number> = {
  OR: 1, AND: 2, NOT: 3, '=': 4, '<>': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '||': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7,
}

/**
 * The ANSI compiler: a visitor from the expression tree to `{ sql, params }`. Dialects subclass
 * it and override only what differs (quoting, placeholders, limit syntax, type DDL, value
 * conversion, …). Compiled SQL is cached by the statement's structure.
 */
export class SqlCompiler extends SchemaCompiler implements StatementCompiler {
  readonly #cache: LruCache<string, Template>
  readonly #reusable = new WeakMap<object, { readonly template: Template; readonly binds: readonly unknown[] }>()
  /** Cache statistics, for tests and diagnostics. */
  readonly stats = { hits: 0, misses: 0 }

  constructor(capabilities: Capabilities, options: { cacheSize?: number } = {}) {
    super(capabilities)
    this.#cache = new LruCache(options.cacheSize ?? 1000)
  }

  // ---- dialect hooks -------------------------------------------------------------------------

  /** A function's SQL name; dialects rename (`length` → `char_length`). */
  protected functionName(name: string): string {
    return name
  }
  /** A LIMIT or OFFSET value; a dialect may bind it differently (MySQL needs an integer on the wire). */
  protected visitPaging(e: Expression<unknown>, ctx: CompileContext): string {
    return this.visit(e, ctx)
  }

  /** `LIMIT … OFFSET …`. */
  protected limitOffset(limit: string | undefined, offset: string | undefined): string {
    return (limit !== undefined ? ` LIMIT ${limit}` : '') + (offset !== undefined ? ` OFFSET ${offset}` : '')
  }
  /** Nodes core does not know (dialect constructs such as upserts). */
  protected visitOther(node: Keyed, _ctx: CompileContext): string {
    throw new CompileError(`${this.constructor.name} cannot compile a '${(node as { kind?: string }).kind ?? typeof node}' node: it belongs to another dialect.`)
  }
  /** Clauses a dialect adds to INSERT (upserts), rendered after VALUES. */
  protected insertExtension(ext: Keyed, ctx: CompileContext): string {
    return ' ' + this.visitOther(ext, ctx)
  }

  // ---- public API --------------------------------------------------------------------------


  /**
   * Compiles a statement (Select, Insert, Update, Delete, text()) to SQL and driver parameters;
   * `values` gives its bind parameters (bindparam()) their values.
   */
  compile(statement: unknown, values?: BindParams): CompiledStatement {
    if (!isKeyed(statement)) throw new CompileError(`Cannot execute ${describeValue(statement)}: pass a statement built with select(), insert(), update(), del() or text().`)
    if (statement instanceof ValuesInsert) return this.#compileValuesInsert(statement)
    // A statement with bind parameters is built to be run again: it keeps its compilation (and
    // its binds in key order), so the next run neither walks it for a key nor looks the key up.
    const reused = this.#reusable.get(statement)
    let template = reused?.template
    let binds = reused?.binds
    let cached = true
    if (template === undefined) {
      const k = new KeyBuilder()
      statement.key(k)
      binds = k.binds
      template = this.#cache.get(k.s)
      cached = template !== undefined
      if (template === undefined) {
        this.stats.misses++
        template = this.#build(statement, k.binds)
        this.#cache.set(k.s, template)
      } else this.stats.hits++
    } else this.stats.hits++
    let hasParameters = false
    const params = new Array<unknown>(template.paramIndex.length)
    for (let i = 0; i < params.length; i++) {
      const bind = binds![template.paramIndex[i]!] as Bind
      let type = template.paramTypes[i]!
      let v: unknown
      if (bind instanceof BindParam) {
        hasParameters = true
        v = parameterValue(bind, values)
        // An untyped parameter nothing gave a type to binds as what its value is, as literal() does.
        if (type.kind === 'null' && v !== null) type = typeOfValue(v)
        v = type.validate(v, `Parameter '${bind.name}'`)
      } else v = bind.checked ? bind.value : type.validate(bind.value, `Parameter ${i + 1}`)
      const p = type === template.paramTypes[i] ? template.paramProcessors[i] : this.bindProcessor(type)
      if (p !== undefined && v !== null) v = this.#process(p, v, i, type)
      params[i] = v
    }
    if (hasParameters && reused === undefined) this.#reusable.set(statement, { template, binds: binds! })
    return compiledOf(template, params, cached)
  }

  /**
   * The unit of work's multi-row INSERT (`insertRows`): `INSERT … VALUES (?, ?), (?, ?) …`
   * without a bind node per value (see ValuesInsert). PostgreSQL overrides it with `unnest`.
   */
  insertRows(rows: RowsInsert): Keyed {
    return new ValuesInsert(rows.table as Table, rows.columns as readonly Column<unknown>[], rows.values, rows.returning as readonly Column<unknown>[])
  }

  /** A ValuesInsert's text, once per table, columns and row count; its values, converted per column. */
  #compileValuesInsert(s: ValuesInsert): CompiledStatement {
    const k = new KeyBuilder()
    s.key(k)
    let template = this.#cache.get(k.s)
    const cached = template !== undefined
    if (template === undefined) {
      this.stats.misses++
      template = this.#buildValuesInsert(s)
      this.#cache.set(k.s, template)
    } else this.stats.hits++
    const width = s.columns.length
    const rows = s.rowCount
    const procs = template.paramProcessors
    const params = new Array<unknown>(width * rows)
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < width; j++, i++) {
        const v = s.values[j]![r]
        const p = procs[j]
        params[i] = p !== undefined && v !== null ? this.#process(p, v, i, template.paramTypes[j]!) : v
      }
    }
    return compiledOf(template, params, cached)
  }

  #buildValuesInsert(s: ValuesInsert): Template {
    const rows = s.rowCount
    if (rows === 0) throw new CompileError(`An INSERT into ${s.table.name} of no rows was compiled; give it at least one row.`)
    if (rows > 1 && !this.capabilities.multiRowInsert) throw new CompileError('This database cannot insert several rows in one statement; execute one insert per row.')
    const width = s.columns.length
    const list: string[] = []
    for (let r = 0; r < rows; r++) {
      const marks: string[] = []
      for (let j = 0; j < width; j++) marks.push(this.placeholder(r * width + j))
      list.push(`(${marks.join(', ')})`)
    }
    const ctx = new CompileContext([])
    ctx.parameterized = true
    const sql = `INSERT INTO ${this.tableName(s.table)} (${s.columns.map((c) => this.quote(c.name)).join(', ')}) VALUES ${list.join(', ')}` +
      this.returning(s.returning, 'insert', ctx, true)
    const types = s.columns.map((c) => c.type)
    const { columns, returnsRows, statementKind } = this.describeStatement(s)
    const resultColumns = this.resultColumns(columns)
    return {
      sql, paramIndex: [], paramTypes: types, paramProcessors: types.map((t) => this.bindProcessor(t)), columns: resultColumns, columnNames: resultColumns.map((c) => c.name),
      returnsRows, atMostOneRow: false, statementKind, warnings: undefined, plainRead: false,
    }
  }

  /** A dialect's bind conversion; its refusals (a dialect limit core cannot know) name the parameter. */
  #process(p: ValueProcessor, v: unknown, i: number, type: SqlType<unknown>): unknown {
    try {
      return p(v)
    } catch (e) {
      if (e instanceof ValueError) throw new ValueError(`Parameter ${i + 1} (${type.description}): ${e.message}`)
      throw e
    }
  }




  /** Entries in the compiled-statement cache. */
  get cacheSize(): number {
    return this.#cache.size
  }



  // ---- compilation -------------------------------------------------------------------------

  #build(statement: Keyed, binds: readonly unknown[]): Template {
    const ctx = new CompileContext(binds)
    ctx.results = resultSelects(statement)
    let body = this.visitStatement(statement, ctx)
    if (ctx.ctes.size > 0) body = this.withClause(ctx) + body
    const paramIndex: number[] = []
    // Numbered placeholders let one bound value appear twice as one parameter, so that
    // `date_part($1, x)` in the select list and in GROUP BY are the same expression to the server.
    const reuse = new Map<number, number>()
    const sql = body.replace(MARKER, (_m, i: string) => {
      const known = this.numberedPlaceholders ? reuse.get(Number(i)) : undefined
      if (known !== undefined) return this.placeholder(known)
      paramIndex.push(Number(i))
      reuse.set(Number(i), paramIndex.length - 1)
      return this.placeholder(paramIndex.length - 1)
    })
    const paramTypes = paramIndex.map((i) => ctx.bindTypes.get(i) ?? (binds[i] as Bind).type)
    const { columns, returnsRows, statementKind } = this.describeStatement(statement)
    const resultColumns = this.resultColumns(columns)
    return {
      sql, paramIndex, paramTypes, paramProcessors: paramTypes.map((t) => this.bindProcessor(t)),
      columns: resultColumns, columnNames: resultColumns.map((c) => c.name), returnsRows, atMostOneRow: statement instanceof Select && selectsAtMostOneRow(statement),
      statementKind, warnings: ctx.warnings.length > 0 ? ctx.warnings : undefined, plainRead: statementKind === 'select' && !ctx.opaque,
    }
  }

  protected describeStatement(s: Keyed): { columns: { name: string; type: SqlType<unknown> }[]; returnsRows: boolean; statementKind: CompiledStatement['statementKind'] } {
    if (s instanceof Select || s instanceof CompoundSelect) return { columns: s.resultColumns, returnsRows: true, statementKind: 'select' }
    if (s instanceof Insert || s instanceof Update || s instanceof Delete) {
      return { columns: resultColumnsOf(s.returningColumns), returnsRows: s.returningColumns.length > 0, statementKind: s.kind }
    }
    if (s instanceof ValuesInsert) return { columns: resultColumnsOf(s.returning), returnsRows: s.returning.length > 0, statementKind: 'insert' }
    if (s instanceof TextClause) {
      return {
        columns: Object.entries(s.columnTypes).map(([name, type]) => ({ name, type })),
        returnsRows: /^\s*(SELECT|WITH|VALUES|SHOW|PRAGMA|EXPLAIN|TABLE)\b/i.test(s.sql) || /\bRETURNING\b/i.test(s.sql),
        statementKind: 'text',
      }
    }
    return { columns: [], returnsRows: false, statementKind: 'other' }
  }

  /** Dispatches a statement node. */
  visitStatement(s: Keyed, ctx: CompileContext): string {
    if (s instanceof Select) return this.visitSelect(s, ctx)
    if (s instanceof CompoundSelect) return this.visitCompound(s, ctx)
    if (s instanceof Insert) return this.visitInsert(s, ctx)
    if (s instanceof Update) return this.visitUpdate(s, ctx)
    if (s instanceof Delete) return this.visitDelete(s, ctx)
    if (s instanceof TextClause) return this.visitText(s, ctx)
    return this.visitOther(s, ctx)
  }

  protected withClause(ctx: CompileContext): string {
    // CTE bodies may reference other CTEs; render until no new ones appear.
    const rendered = new Map<number, string>()
    let recursive = false
    for (let pending = [...ctx.ctes.keys()]; pending.length > 0; pending = [...ctx.ctes.keys()].filter((id) => !rendered.has(id))) {
      for (const id of pending) {
        const cte = ctx.ctes.get(id)!
        recursive ||= cte.recursive
        const columns = cte.columnNames ? ` (${cte.columnNames.map((c) => this.quote(c)).join(', ')})` : ''
        rendered.set(id, `${this.quote(cte.name)}${columns} AS (${this.visitStatement(cte.query, ctx)})`)
      }
    }
    // Dependencies render first: reverse discovery order puts inner CTEs before outer ones.
    return `WITH ${recursive ? 'RECURSIVE ' : ''}${[...rendered.values()].reverse().join(', ')} `
  }

  visitSelect(s: Select, ctx: CompileContext): string {
    const st = s.state
    const base = st.froms[0] ?? inferFroms(st.columns)[0]
    const joined = st.joins.length > 0 && base ? st.joins.reduce<FromClause>((l, j) => new Join(l, j.target, j.on, j.type), base) : base
    const covered = new Set<FromClause>(joined ? joined.leaves : [])
    const froms: FromClause[] = joined ? [joined] : []
    const outer = new Set(ctx.outerFroms.flat())
    const candidates = [...st.froms.slice(1), ...inferFroms(st.columns), ...(st.where ? columnsIn(st.where).map((c) => c.from) : [])]
    const correlated: FromClause[] = []
    for (const f of candidates) {
      if (covered.has(f) || froms.includes(f) || correlated.includes(f)) continue
      if (outer.has(f) && !st.froms.includes(f)) {
        correlated.push(f) // correlated to an enclosing select
        continue
      }
      froms.push(f)
      for (const leaf of f.leaves) covered.add(leaf)
    }
    // A correlated base (selected column from an outer table) leaves FROM, as long as a FROM of
    // the subquery's own remains.
    if (joined && outer.has(joined) && !st.froms.includes(joined) && st.joins.length === 0 && froms.length > 1) froms.splice(froms.indexOf(joined), 1)
    // Correlation never empties FROM: `salary = (SELECT max(salary) FROM staff)`
    // inside a select of staff means the whole table, not the outer row.
    if (froms.length === 0) froms.push(...correlated)
    const unjoined = unconnectedFroms(froms, [st.where, st.having], outer)
    if (unjoined !== undefined) {
      ctx.warnings.push(
        `This SELECT is a cartesian product: nothing connects ${froms[0]!.description} with ${unjoined.join(', ')} (no join, and no WHERE condition ` +
          'between them), so every row of one is paired with every row of the other. Join them with .join(target, on), add the condition that links them, ' +
          'or, for a cross join on purpose, say so with .join(target, literal(true)).',
      )
    }
    ctx.outerFroms.push(froms.flatMap((f) => [...f.leaves]))
    const windows = new Map<string, NamedWindow>()
    ctx.windows.push(windows)
    try {
      // Not under DISTINCT: a result column the dialect wraps (resultValue) is then no longer
      // the column an ORDER BY names, which MySQL 8 refuses.
      let sql = 'SELECT ' + this.distinctClause(st, ctx) + this.selectList(st.columns, ctx, !st.distinct && ctx.results.has(s))
      if (froms.length) sql += ' FROM ' + froms.map((f) => this.visitFrom(f, ctx)).join(', ')
      if (st.where) sql += ' WHERE ' + this.visit(st.where, ctx)
      ctx.rollupOrdered = st.orderBy.length > 0
      if (st.groupBy.length) sql += ' GROUP BY ' + this.groupByList(st.groupBy, ctx)
      if (st.having) sql += ' HAVING ' + this.visit(st.having, ctx)
      const orderBy = st.orderBy.length ? ' ORDER BY ' + this.withOutputNames(s.resultColumns, ctx, () => st.orderBy.map((o) => this.visitOrderBy(o, ctx)).join(', ')) : ''
      // Named windows are declared by the select whose list or ORDER BY used them.
      if (windows.size) sql += ' WINDOW ' + [...windows.values()].map((w) => `${this.quote(w.name)} AS (${this.windowSql(w.definition, ctx)})`).join(', ')
      sql += orderBy
      sql += this.limitOffset(st.limit && this.visitPaging(st.limit, ctx), st.offset && this.visitPaging(st.offset, ctx))
      if (st.lock) ctx.opaque = true
      if (st.lock && this.capabilities.rowLocks) sql += this.lockClause(st.lock)
      return sql
    } finally {
      ctx.windows.pop()
      ctx.outerFroms.pop()
    }
  }

  protected distinctClause(st: Select['state'], ctx: CompileContext): string {
    if (!st.distinct) return ''
    if (st.distinctOn.length === 0) return 'DISTINCT '
    if (this.capabilities.distinctOn !== true) {
      throw new CompileError('DISTINCT ON is PostgreSQL\'s (capability distinctOn): elsewhere, number the rows with func.rowNumber().over({ partitionBy, orderBy }) in a subquery and keep row 1.')
    }
    return `DISTINCT ON (${st.distinctOn.map((e) => this.visit(e, ctx)).join(', ')}) `
  }

  /** GROUP BY items; `rollup()` as `ROLLUP (…)` or MySQL's `… WITH ROLLUP` (capability rollup). */
  protected groupByList(items: readonly Expression<unknown>[], ctx: CompileContext): string {
    const rollups = items.filter((g): g is Rollup => g instanceof Rollup)
    if (rollups.length === 0) return items.map((g) => this.visit(g, ctx)).join(', ')
    const how = this.capabilities.rollup
    if (how === undefined) throw new CompileError('This database has no GROUP BY ROLLUP (capability rollup): compute the subtotals with a UNION ALL of GROUP BYs over fewer columns.')
    if (how === 'with-rollup') {
      if (items.length !== 1) throw new CompileError('MySQL rolls up the whole GROUP BY (… WITH ROLLUP): put every grouping column inside the one rollup().')
      return `${rollups[0]!.items.map((g) => this.visit(g, ctx)).join(', ')} WITH ROLLUP`
    }
    return items.map((g) => (g instanceof Rollup ? `ROLLUP (${g.items.map((x) => this.visit(x, ctx)).join(', ')})` : this.visit(g, ctx))).join(', ')
  }

  protected lockClause(lock: { nowait?: boolean; skipLocked?: boolean; read?: boolean }): string {
    return (lock.read ? ' FOR SHARE' : ' FOR UPDATE') + (lock.nowait ? ' NOWAIT' : lock.skipLocked ? ' SKIP LOCKED' : '')
  }

  /** `result`: the list is the statement's result (not a subquery's, a CTE's or an INSERT's source). */
  protected selectList(columns: readonly SelectColumn[], ctx: CompileContext, result: boolean): string {
    if (columns.length === 0) throw new CompileError('A SELECT needs at least one column: select(table.c.x, …) or select(Entity).')
    return columns.map((c) => this.selectItem(c, ctx, result)).join(', ')
  }

  /**
   * One select-list (or RETURNING) item, named as its result column is: a label `expr AS name`,
   * and a column whose key is not its SQL name, or that the dialect wraps, `col AS key` (rows,
   * mappings and a subquery's `.c` all go by the key).
   */
  protected selectItem(c: SelectColumn, ctx: CompileContext, result: boolean): string {
    if (c instanceof ColumnGroup) return c.columns.map((col) => this.selectItem(col, ctx, result)).join(', ')
    if (c instanceof Label) return `${(result ? this.resultValue(c.operand, ctx) : undefined) ?? this.selectValue(c.operand, ctx)} AS ${this.quote(c.name)}`
    const wrapped = result ? this.resultValue(c, ctx) : undefined
    if (c instanceof ColumnRef && (c.key_ !== c.name || wrapped !== undefined)) return `${wrapped ?? this.visit(c, ctx)} AS ${this.quote(c.key_)}`
    return wrapped ?? this.selectValue(c, ctx)
  }

  /** An expression as a select-list value (where a dialect may need to say a parameter's type). */
  protected selectValue(e: Expression<unknown>, ctx: CompileContext): string {
    return this.visit(e, ctx)
  }

  /**
   * A value of the statement's result list in a form the dialect's driver reads faster, or
   * undefined for {@link selectValue}'s. Only where nothing else reads it: never inside a
   * subquery, a CTE, an INSERT's SELECT or under DISTINCT.
   */
  protected resultValue(_e: Expression<unknown>, _ctx: CompileContext): string | undefined {
    return undefined
  }

  visitCompound(s: CompoundSelect, ctx: CompileContext): string {
    if ((s.op === 'INTERSECT' || s.op === 'EXCEPT') && !this.capabilities.intersectExcept) {
      throw new CompileError(`${s.op} is not supported by this database; rewrite with IN / NOT IN subqueries.`)
    }
    let sql = s.selects.map((q) => (q instanceof CompoundSelect ? `(${this.visitCompound(q, ctx)})` : this.compoundMember(q, ctx))).join(` ${s.op} `)
    if (s.orderByItems.length) {
      // A compound's ORDER BY names result columns, so columns render by their result names.
      const saved = ctx.byOutputName
      ctx.byOutputName = true
      sql += ' ORDER BY ' + this.withOutputNames(s.resultColumns, ctx, () => s.orderByItems.map((o) => this.visitOrderBy(o, ctx)).join(', '))
      ctx.byOutputName = saved
    }
    return sql + this.limitOffset(s.limitValue && this.visitPaging(s.limitValue, ctx), s.offsetValue && this.visitPaging(s.offsetValue, ctx))
  }

  /** A select inside UNION etc.; parenthesised when it has its own ORDER BY / LIMIT. */
  protected compoundMember(q: Select, ctx: CompileContext): string {
    const st = q.state
    const sql = this.visitSelect(q, ctx)
    return st.orderBy.length || st.limit || st.offset ? `SELECT * FROM (${sql}) AS ${this.quote('_u' + q.state.columns.length)}` : sql
  }

  visitFrom(f: FromClause, ctx: CompileContext): string {
    if (f instanceof Table) return this.tableName(f)
    if (f instanceof Join) {
      if (f.type === 'FULL' && !this.capabilities.fullJoin) throw new CompileError('FULL OUTER JOIN is not supported by this database; combine a LEFT JOIN with a UNION of the unmatched right rows.')
      const kw = f.type === 'INNER' ? 'JOIN' : f.type === 'LEFT' ? 'LEFT OUTER JOIN' : 'FULL OUTER JOIN'
      const right = f.right instanceof Join ? `(${this.visitFrom(f.right, ctx)})` : this.visitFrom(f.right, ctx)
      return `${this.visitFrom(f.left, ctx)} ${kw} ${right} ON ${this.visit(f.on, ctx)}`
    }
    if (f instanceof TableAlias) return `${this.visitFrom(f.target, ctx)} AS ${this.quote(f.name)}`
    if (f instanceof CommonTableExpression) {
      const root = f.root
      const known = ctx.ctes.get(root.id)
      if (!known || depth(f) > depth(known)) ctx.ctes.set(root.id, f)
      return this.quote(f.name)
    }
    if (f instanceof Subquery) {
      if (f.lateral) {
        if (this.capabilities.lateral !== true) throw new CompileError(`LATERAL subqueries are not supported by this database (capability lateral): rewrite ${f.name} as a window function ranked in a subquery, or a correlated scalar subquery.`)
        // Lateral: the FROM clauses before it stay visible for correlation.
        return `LATERAL (${this.visitStatement(f.query, ctx)}) AS ${this.quote(f.name)}`
      }
      ctx.outerFroms.push([])
      try {
        return `(${this.visitStatement(f.query, ctx)}) AS ${this.quote(f.name)}`
      } finally {
        ctx.outerFroms.pop()
      }
    }
    throw new CompileError(`Cannot use ${f.description} in FROM.`)
  }

  protected tableName(t: Table): string {
    return t.schema ? `${this.quote(t.schema)}.${this.quote(t.name)}` : this.quote(t.name)
  }

  /** The name columns of this FROM clause are qualified with. */
  protected fromName(f: FromClause): string {
    if (f instanceof Table) return this.tableName(f)
    if (f instanceof TableAlias || f instanceof Subquery) return this.quote(f.name)
    throw new CompileError(`Columns of ${f.description} cannot be referenced directly.`)
  }

  protected visitOrderBy(o: OrderBy, ctx: CompileContext): string {
    // A label the select list holds sorts by its name, as SQLAlchemy does; PostgreSQL accepts an
    // output name only as a whole ORDER BY item, so the NULLS emulation sorts by the expression.
    const named = o.operand instanceof Label && (this.capabilities.nullsOrdering || o.nulls === undefined) && ctx.outputNames.at(-1)?.has(o.operand.name) === true
    const expr = named ? this.quote((o.operand as Label).name) : this.visit(o.operand, ctx)
    if (o.nulls === undefined) return `${expr} ${o.direction}`
    if (this.capabilities.nullsOrdering) return `${expr} ${o.direction} NULLS ${o.nulls.toUpperCase()}`
    // Emulation: sort on "is null" first, then the value.
    return `CASE WHEN ${expr} IS NULL THEN ${o.nulls === 'first' ? 0 : 1} ELSE ${o.nulls === 'first' ? 1 : 0} END, ${expr} ${o.direction}`
  }

  /** Renders an expression. */
  visit(e: Expression<unknown>, ctx: CompileContext): string {
    switch (e.kind) {
      case 'bind': return this.visitBind(e as Bind, ctx)
      case 'column': return this.visitColumn(e as ColumnRef, ctx)
      case 'keyword': {
        const w = (e as Keyword).word
        return w === 'TRUE' ? this.booleanLiteral(true) : w === 'FALSE' ? this.booleanLiteral(false) : w
      }
      case 'binary': return this.visitBinary(e as Binary, ctx)
      case 'unary': {
        const u = e as Unary
        const inner = this.visit(u.operand, ctx)
        const operand = needsParens(u.operand, 3) ? `(${inner})` : inner
        return u.postfix ? `${operand} ${u.op}` : u.op === '-' ? `-${operand}` : `${u.op} ${operand}`
      }
      case 'boolean-list': {
        const b = e as BooleanList
        return b.items.map((i) => (needsParens(i, OP_PRECEDENCE[b.op]!) ? `(${this.visit(i, ctx)})` : this.visit(i, ctx))).join(` ${b.op} `)
      }
      case 'in': return this.visitIn(e as InList, ctx)
      case 'between': {
        const b = e as Between
        return `${this.visit(b.operand, ctx)} ${b.negate ? 'NOT ' : ''}BETWEEN ${this.visit(b.low, ctx)} AND ${this.visit(b.high, ctx)}`
      }
      case 'like': return this.visitLike(e as Like, ctx)
      case 'function': return this.visitFunction(e as FunctionCall, ctx)
      case 'cast': return `CAST(${this.visit((e as Cast).operand, ctx)} AS ${this.typeDdl(e.type)})`
      case 'case': {
        const c = e as Case
        const whens = c.whens.map(([w, r]) => `WHEN ${this.visit(w, ctx)} THEN ${this.visit(r, ctx)}`).join(' ')
        return `CASE ${c.subject ? this.visit(c.subject, ctx) + ' ' : ''}${whens}${c.otherwise ? ` ELSE ${this.visit(c.otherwise, ctx)}` : ''} END`
      }
      // Outside the select list a label is its expression (ORDER BY may use its name: visitOrderBy).
      case 'label': return this.visit((e as Label).operand, ctx)
      case 'scalar-subquery': return `(${this.visitStatement((e as ScalarSubquery).query, ctx)})`
      case 'tuple': return `(${(e as Tuple).items.map((i) => this.visit(i, ctx)).join(', ')})`
      case 'text': return this.visitText(e as TextClause, ctx)
      case 'deferred': return this.visit((e as Deferred).resolved, ctx)
      case 'over': return this.visitOver(e as Over, ctx)
      case 'aggregate-filter': return this.visitAggregateFilter(e as AggregateFilter, ctx)
      case 'inline': return this.literal((e as Inline).value)
      case 'literal-column': return ((ctx.opaque = true), (e as LiteralColumn).sql)
      case 'json-path': return this.jsonPath(e as JsonPath, ctx)
      case 'extract': return this.extract((e as DatePart).field, this.visit((e as DatePart).operand, ctx))
      case 'date-trunc': return this.dateTrunc((e as DateTrunc).unit, this.visit((e as DateTrunc).operand, ctx), (e as DateTrunc).operand.type)
      case 'rollup': throw new CompileError('rollup() belongs in groupBy(): select(…).groupBy(rollup(t.c.a, t.c.b)).')
      default: return this.visitOther(e, ctx)
    }
  }

  protected visitBind(b: Bind, ctx: CompileContext): string {
    const i = ctx.bindIndex.get(b)
    if (i === undefined) throw new CompileError('Internal: a bound value was not found in the statement key; build statements from immutable nodes only.')
    return `\u0000${i}\u0000`
  }

  protected visitColumn(c: ColumnRef, ctx: CompileContext): string {
    if (ctx.byOutputName) return this.quote(c.key_)
    return ctx.unqualified ? this.quote(c.name) : `${this.fromName(c.from)}.${this.quote(c.name)}`
  }

  /** Runs `render` with the select's result names in scope (for ORDER BY by label name). */
  protected withOutputNames<T>(columns: readonly { name: string }[], ctx: CompileContext, render: () => T): T {
    ctx.outputNames.push(new Set(columns.map((c) => c.name)))
    try {
      return render()
    } finally {
      ctx.outputNames.pop()
    }
  }

  protected visitBinary(b: Binary, ctx: CompileContext): string {
    const p = OP_PRECEDENCE[b.op]!
    const l = needsParens(b.left, p) ? `(${this.visit(b.left, ctx)})` : this.visit(b.left, ctx)
    // Right operands of the same precedence need parentheses too: a - (b - c).
    const r = needsParens(b.right, p + 1) ? `(${this.visit(b.right, ctx)})` : this.visit(b.right, ctx)
    return this.binaryOp(l, b.op, r)
  }

  protected binaryOp(left: string, op: string, right: string): string {
    return `${left} ${op} ${right}`
  }

  protected visitIn(e: InList, ctx: CompileContext): string {
    const operand = this.visit(e.operand, ctx)
    if (e.values instanceof ScalarSubquery) return `${operand} ${e.negate ? 'NOT IN' : 'IN'} ${this.visit(e.values, ctx)}`
    // An empty list matches nothing (IN) or everything (NOT IN); both are valid everywhere.
    if (e.values.length === 0) return e.negate ? '1 = 1' : '1 <> 1'
    return `${operand} ${e.negate ? 'NOT IN' : 'IN'} (${e.values.map((v) => this.visit(v, ctx)).join(', ')})`
  }

  protected visitLike(e: Like, ctx: CompileContext): string {
    const escape = e.escape === undefined ? '' : ` ESCAPE ${this.literal(e.escape)}`
    const not = e.negate ? 'NOT ' : ''
    if (e.op === 'ILIKE' && !this.capabilities.ilike) {
      return `lower(${this.visit(e.operand, ctx)}) ${not}LIKE lower(${this.visit(e.pattern, ctx)})${escape}`
    }
    return `${this.visit(e.operand, ctx)} ${not}${e.op} ${this.visit(e.pattern, ctx)}${escape}`
  }

  protected visitFunction(f: FunctionCall, ctx: CompileContext): string {
    if (!ctx.inOver && WINDOW_FUNCTIONS.has(f.name.toLowerCase())) {
      throw new CompileError(`${f.name}() is a window function: give it a window, e.g. func.${camel(f.name)}().over({ partitionBy: t.c.group, orderBy: t.c.value.desc() }).`)
    }
    if (!PURE_FUNCTIONS.has(f.name.toLowerCase())) ctx.opaque = true
    return `${this.functionName(f.name)}(${f.distinct ? 'DISTINCT ' : ''}${f.args.map((a) => this.visit(a, ctx)).join(', ')})`
  }

  // ---- windows, filters, date parts and JSON paths ---------------------------------------------

  protected visitOver(o: Over, ctx: CompileContext): string {
    const saved = ctx.inOver
    ctx.inOver = true
    let fn: string
    try {
      fn = this.visit(o.fn, ctx)
    } finally {
      ctx.inOver = saved
    }
    if (o.window instanceof NamedWindow) {
      const scope = ctx.windows.at(-1)
      const known = scope?.get(o.window.name)
      if (scope === undefined) throw new CompileError(`The named window '${o.window.name}' can only be used in a SELECT.`)
      if (known !== undefined && known !== o.window) throw new CompileError(`Two different windows are named '${o.window.name}' in one SELECT; give them different names.`)
      scope.set(o.window.name, o.window)
      return `${fn} OVER ${this.quote(o.window.name)}`
    }
    return `${fn} OVER (${this.windowSql(o.window, ctx)})`
  }

  protected windowSql(w: WindowDefinition, ctx: CompileContext): string {
    // Inside OVER (…) output names mean nothing: labels sort by their expressions.
    return this.withOutputNames([], ctx, () => windowBody(w, w.partitionBy.map((e) => this.visit(e, ctx)), w.orderBy.map((o) => this.visitOrderBy(o, ctx))))
  }

  /** `agg(x) FILTER (WHERE c)`, or `agg(CASE WHEN c THEN x END)` where FILTER is missing. */
  protected visitAggregateFilter(a: AggregateFilter, ctx: CompileContext): string {
    if (this.capabilities.aggregateFilter === true) return `${this.visit(a.fn, ctx)} FILTER (WHERE ${this.visit(a.condition, ctx)})`
    const arg = a.fn.args[0]
    // count(*) counts rows: the CASE yields 1 for the rows kept, NULL (not counted) for the rest.
    const value = arg === undefined || (arg instanceof Keyword && arg.word === '*') ? '1' : this.visit(arg, ctx)
    return `${this.functionName(a.fn.name)}(${a.fn.distinct ? 'DISTINCT ' : ''}CASE WHEN ${this.visit(a.condition, ctx)} THEN ${value} END)`
  }

  /** A date part as a number (see DateField); dialects override with their own functions. */
  protected extract(field: DateField, operand: string): string {
    return standardExtract(field, operand)
  }

  /** A date or timestamp cut to the start of `unit`, of the operand's type. */
  protected dateTrunc(unit: DateUnit, operand: string, _type: SqlType<unknown>): string {
    return standardDateTrunc(unit, operand)
  }

  /** A JSON path: the standard's JSON_QUERY / JSON_VALUE with the path as one parameter. */
  protected jsonPath(j: JsonPath, ctx: CompileContext): string {
    return `${j.asText ? 'JSON_VALUE' : 'JSON_QUERY'}(${this.visit(j.operand, ctx)}, ${this.visitBind(j.pathText, ctx)})`
  }

  protected visitText(t: TextClause, ctx: CompileContext): string {
    ctx.opaque = true
    let sql = t.parts[0]!
    for (let i = 0; i < t.params.length; i++) sql += this.visitBind(t.params[i]!, ctx) + t.parts[i + 1]!
    return sql
  }

  /** `result`: the RETURNING list is the statement's result (see selectList). */
  protected returning(columns: readonly SelectColumn[], kind: 'insert' | 'update' | 'delete', ctx: CompileContext, result: boolean): string {
    if (columns.length === 0) return ''
    if (!this.capabilities.returning[kind]) {
      throw new CompileError(`This database has no ${kind.toUpperCase()} … RETURNING; run a SELECT afterwards (the ORM does this for you).`)
    }
    const saved = ctx.unqualified
    ctx.unqualified = true
    try {
      return ' RETURNING ' + this.selectList(columns, ctx, result)
    } finally {
      ctx.unqualified = saved
    }
  }

  visitInsert(s: Insert, ctx: CompileContext): string {
    ctx.opaque = true
    let sql = `INSERT INTO ${this.tableName(s.table)}`
    if (s.fromSelect) {
      sql += ` (${s.columns.map((c) => this.quote(c.name)).join(', ')}) ${this.visitSelect(s.fromSelect, ctx)}`
    } else if (s.rows.length === 0 || s.columns.length === 0) {
      sql += this.defaultValues(s.rows.length)
    } else {
      if (s.rows.length > 1 && !this.capabilities.multiRowInsert) throw new CompileError('This database cannot insert several rows in one statement; execute one insert per row.')
      sql += ` (${s.columns.map((c) => this.quote(c.name)).join(', ')}) VALUES `
      sql += s.rows.map((row) => `(${row.map((v) => this.visit(v, ctx)).join(', ')})`).join(', ')
    }
    for (const ext of s.extensions) sql += this.insertExtension(ext, ctx)
    return sql + this.returning(s.returningColumns, 'insert', ctx, ctx.results.has(s))
  }

  /** An insert of a row that gives no column values. */
  protected defaultValues(_rows: number): string {
    return ' DEFAULT VALUES'
  }

  visitUpdate(s: Update, ctx: CompileContext): string {
    ctx.opaque = true
    if (s.assignments.length === 0) throw new CompileError(`update(${s.table.name}) has nothing to set: call .set({ column: value }).`)
    const set = s.assignments.map(([c, v]) => `${this.quote(c.name)} = ${this.visit(v, ctx)}`).join(', ')
    let sql = `UPDATE ${this.tableName(s.table)} SET ${set}`
    if (s.whereClause) sql += ' WHERE ' + this.visit(s.whereClause, ctx)
    return sql + this.returning(s.returningColumns, 'update', ctx, ctx.results.has(s))
  }

  visitDelete(s: Delete, ctx: CompileContext): string {
    ctx.opaque = true
    let sql = `DELETE FROM ${this.tableName(s.table)}`
    if (s.whereClause) sql += ' WHERE ' + this.visit(s.whereClause, ctx)
    return sql + this.returning(s.returningColumns, 'delete', ctx, ctx.results.has(s))
  }
}

/** What a compilation hands the engine: the template's description with this run's parameters. */
function compiledOf(template: Template, params: unknown[], cached: boolean): CompiledStatement {
  return {
    sql: template.sql, params, columns: template.columns, columnNames: template.columnNames, returnsRows: template.returnsRows, atMostOneRow: template.atMostOneRow,
    statementKind: template.statementKind, cached, warnings: template.warnings, plainRead: template.plainRead,
  }
}

function depth(c: CommonTableExpression): number {
  return c.base ? depth(c.base) + 1 : 0
}

function needsParens(e: Expression<unknown>, parent: number): boolean {
  if (e instanceof BooleanList) return OP_PRECEDENCE[e.op]! < parent
  if (e instanceof Binary) return OP_PRECEDENCE[e.op]! < parent
  if (e instanceof Unary) return e.op === 'NOT' ? 3 < parent : e.postfix ? 4 < parent : false
  if (e instanceof InList || e instanceof Between || e instanceof Like) return 4 < parent
  return false
}

function isKeyed(v: unknown): v is Keyed {
  return typeof v === 'object' && v !== null && typeof (v as Keyed).key === 'function'
}

/** `row_number` → `rowNumber`, as `func` spells the window functions. */
function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
}
