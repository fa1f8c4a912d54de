import { BigInteger, Bind, Binary, Cast, CompileError, FunctionCall, Keyword, NamedWindow, Over, ProposedValue, SqlCompiler, Table, UpsertClause } from '@athanor/core'
import type { Capabilities, CompileContext, CreateTableOptions, DateField, DateUnit, Expression, ForeignKeyDdl, Insert, JsonPath, Keyed, SqlType, ValueProcessor } from '@athanor/core'
import { mysqlDateTrunc, mysqlExtract } from './date-sql.js'
import { versionAtLeast, type MysqlServerInfo } from './server-info.js'
import { renderDuplicateKeyUpdate, renderInsertedValue } from './upsert.js'
import { bindProcessor, resultProcessor, typeDdl } from './values.js'

/** What the compiler needs to know about the server: its family, version and literal rules. */
export type MysqlCompileTarget = Pick<MysqlServerInfo, 'flavour' | 'versionNumbers'> & { readonly backslashEscapes?: boolean }

/** Assumed until the first connection tells the truth: the most conservative server we support. */
export const DEFAULT_COMPILE_TARGET: MysqlCompileTarget = { flavour: 'mysql', versionNumbers: [8, 0, 0], backslashEscapes: true }

/** Result column names mysql2's row parser refuses (its helpers.privateObjectProps). */
const MYSQL2_UNREADABLE_NAMES: ReadonlySet<string> = new Set(['__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__'])

/** MySQL's LIMIT has no "all rows"; the largest BIGINT UNSIGNED is the documented stand-in. */
const ALL_ROWS = '18446744073709551615'

/**
 * The MySQL/MariaDB compile side: backtick quoting, `?` placeholders, `CONCAT()` for `||`,
 * `CHAR_LENGTH` for `func.length`, `LIMIT 18446744073709551615 OFFSET n` for a bare offset,
 * `AUTO_INCREMENT`, `() VALUES ()` for default rows, casts MySQL accepts, lock clauses and
 * `ON DUPLICATE KEY UPDATE` per flavour. ILIKE and NULLS FIRST/LAST come from core's emulation
 * (the capabilities say the server lacks them); FULL JOIN and missing RETURNING are refused there.
 * ```ts
 * const compiler = new MysqlCompiler(mysqlCapabilities(info), { target: info })
 * compiler.compile(select(users.c.name).offset(10)).sql
 * // SELECT `users`.`name` FROM `users` LIMIT 18446744073709551615 OFFSET ?
 * ```
 */
export class MysqlCompiler extends SqlCompiler {
  readonly target: MysqlCompileTarget
  #insertFromSelect = false

  constructor(capabilities: Capabilities, options: { target?: MysqlCompileTarget; cacheSize?: number } = {}) {
    super(capabilities, options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize })
    this.target = options.target ?? DEFAULT_COMPILE_TARGET
  }

  get #mariadb(): boolean {
    return this.target.flavour === 'mariadb'
  }
  #atLeast(mysql: [number, number, number], mariadb: [number, number, number]): boolean {
    return versionAtLeast(this.target.versionNumbers, ...(this.#mariadb ? mariadb : mysql))
  }

  protected override get quoteChar(): string {
    return '`'
  }
  /**
   * DATE and DATETIME results as the server's own text, `CAST(col AS CHAR) AS col`, in a
   * statement with parameters: mysql2 runs it as a prepared statement (binary protocol) and
   * writes the text of a binary DATETIME itself, with an array and padded strings per value
   * (~0.7 µs and ~530 bytes each: a 5,000-post load took 10.7 ms and 5.3 MB, 8.5 ms and 2.7 MB
   * with the cast; benchmarks/PROFILE.md pass 30). The server's text arrives as one string, and
   * values.ts reads both forms alike. A statement without parameters runs as text (query), where
   * dates arrive as the server's text already.
   */
  protected override resultValue(e: Expression<unknown>, ctx: CompileContext): string | undefined {
    if (!ctx.parameterized) return undefined
    const kind = e.type.kind
    return kind === 'datetime' || kind === 'date' ? `CAST(${this.selectValue(e, ctx)} AS CHAR)` : undefined
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
  /** mysql2 cannot read a result column with one of these names: it fails and drops the connection. */
  protected override describeStatement(s: Keyed): ReturnType<SqlCompiler['describeStatement']> {
    const described = super.describeStatement(s)
    const bad = described.columns.find((c) => MYSQL2_UNREADABLE_NAMES.has(c.name))
    if (bad !== undefined) {
      throw new CompileError(
        `The result column '${bad.name}' cannot be read through mysql2, which refuses column names that are also ` +
          `Object.prototype internals (${[...MYSQL2_UNREADABLE_NAMES].join(', ')}); give it another label, e.g. .label('${bad.name.replace(/^_+|_+$/g, '') || 'value'}').`,
      )
    }
    return described
  }
  override autoincrementDdl(type: SqlType<unknown>): { type: string; suffix: string } {
    // typeDdl validates that the column is an integer; the keyword goes after NOT NULL.
    typeDdl(type, { autoincrement: true })
    return { type: typeDdl(type), suffix: ' AUTO_INCREMENT' }
  }
  /** MariaDB has `CREATE INDEX IF NOT EXISTS` (10.1.4); MySQL has not. */
  override get indexIfNotExists(): boolean {
    return this.#mariadb
  }

  override literal(value: unknown): string {
    // With the default sql_mode a backslash escapes inside '…', so ESCAPE '\' would swallow the quote.
    if (typeof value === 'string' && this.target.backslashEscapes !== false && value.includes('\\')) {
      return super.literal(value.replaceAll('\\', '\\\\'))
    }
    return super.literal(value)
  }

  override createTable(table: unknown, options: CreateTableOptions): string[] {
    const statements = super.createTable(table, options)
    if (this.indexIfNotExists || !options.ifNotExists || !(table instanceof Table) || table.indexes.length === 0) return statements
    // Without CREATE INDEX IF NOT EXISTS, indexes go inside CREATE TABLE IF NOT EXISTS, so a
    // second createAll() skips them together with the table instead of failing on them.
    const [create, ...separate] = statements
    const inline = table.indexes.map((ix) =>
      `${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(ix.name)} (${ix.columns.map((k) => this.quote(table.column(k).name)).join(', ')})`)
    if (create === undefined || !create.endsWith('\n)') || separate.length !== inline.length) return statements
    return [`${create.slice(0, -2)},\n  ${inline.join(',\n  ')}\n)`]
  }

  /** MariaDB spells "only if missing" `FOREIGN KEY IF NOT EXISTS` (10.0.2); MySQL has no spelling. */
  override addForeignKey(foreignKey: unknown, options: { ifNotExists: boolean }): string[] {
    const fk = this.foreignKeyDdl(foreignKey, 'addForeignKey')
    const add = (ine: string): string => `ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} FOREIGN KEY ${ine}${fk.columns} ${fk.references}`
    if (!options.ifNotExists) return [add('')]
    return this.#mariadb ? [add('IF NOT EXISTS ')] : this.#ifConstraint(fk, false, add(''))
  }
  /** `DROP FOREIGN KEY` (MySQL's DROP CONSTRAINT came late, in 8.0.19); IF EXISTS on MariaDB 10.5.2+. */
  override dropForeignKey(foreignKey: unknown, options: { ifExists: boolean }): string[] {
    const fk = this.foreignKeyDdl(foreignKey, 'dropForeignKey')
    const drop = (ie: string): string => `ALTER TABLE ${ie}${fk.table} DROP FOREIGN KEY ${ie}${fk.name}`
    if (!options.ifExists) return [drop('')]
    return this.#mariadb && this.#atLeast([0, 0, 0], [10, 5, 2]) ? [drop('IF EXISTS ')] : this.#ifConstraint(fk, true, drop(''))
  }
  /**
   * Runs `sql` only when information_schema says the constraint exists (or not): MySQL has no
   * IF [NOT] EXISTS for foreign keys, and ALTER TABLE may be prepared from a string.
   */
  #ifConstraint(fk: ForeignKeyDdl, exists: boolean, sql: string): string[] {
    const schema = fk.names.schema === undefined ? 'DATABASE()' : this.literal(fk.names.schema)
    const found = 'SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ' + schema +
      ` AND TABLE_NAME = ${this.literal(fk.names.table)} AND CONSTRAINT_NAME = ${this.literal(fk.names.constraint)} AND CONSTRAINT_TYPE = 'FOREIGN KEY'`
    return [
      `SET @athanor_ddl = IF((${found}) ${exists ? '>' : '='} 0, ${this.literal(sql)}, 'DO 0')`,
      'PREPARE athanor_ddl FROM @athanor_ddl',
      'EXECUTE athanor_ddl',
      'DEALLOCATE PREPARE athanor_ddl',
    ]
  }

  protected override functionName(name: string): string {
    // core's func.length counts characters; MySQL's LENGTH() counts bytes.
    return name.toLowerCase() === 'length' ? 'CHAR_LENGTH' : name
  }
  protected override visitFunction(f: FunctionCall, ctx: CompileContext): string {
    // NOW() has whole seconds; DATETIME(6) columns and other dialects keep fractions.
    if (f.name === 'now' && f.args.length === 0) return 'NOW(6)'
    // string_agg(x, sep) is GROUP_CONCAT(x SEPARATOR sep), whose separator is a literal only.
    if (f.name === 'string_agg' && f.args.length === 2) return `GROUP_CONCAT(${f.distinct ? 'DISTINCT ' : ''}${this.visit(f.args[0]!, ctx)} SEPARATOR ${this.visit(f.args[1]!, ctx)})`
    return super.visitFunction(f, ctx)
  }
  /**
   * MariaDB's LAG/LEAD take no default (MySQL's do; one spelling serves both): the rows before
   * the first (after the last) get it by position, so a NULL that lag() finds stays NULL.
   */
  protected override visitOver(o: Over, ctx: CompileContext): string {
    const fn = o.fn
    const name = fn instanceof FunctionCall ? fn.name.toLowerCase() : ''
    if ((name !== 'lag' && name !== 'lead') || (fn as FunctionCall).args.length !== 3 || o.window instanceof NamedWindow) return super.visitOver(o, ctx)
    const [value, offset, fallback] = (fn as FunctionCall).args as [Expression<unknown>, Expression<unknown>, Expression<unknown>]
    const plain = super.visitOver(new Over(new FunctionCall(name, [value, offset], fn.type), o.window), ctx)
    const position = super.visitOver(new Over(new FunctionCall('row_number', [], fn.type), o.window), ctx)
    const n = this.visit(offset, ctx)
    const edge = name === 'lag' ? `${position} <= ${n}` : `${super.visitOver(new Over(new FunctionCall('count', [new Keyword('*')], fn.type), { ...o.window, orderBy: [], frame: undefined }), ctx)} - ${position} < ${n}`
    return `CASE WHEN ${edge} THEN ${this.visit(fallback, ctx)} ELSE ${plain} END`
  }
  // MariaDB refuses ORDER BY with WITH ROLLUP (error 1221); MySQL accepts it since 8.0.12.
  protected override groupByList(items: readonly Expression<unknown>[], ctx: CompileContext): string {
    const sql = super.groupByList(items, ctx)
    if (this.#mariadb && sql.endsWith(' WITH ROLLUP') && ctx.rollupOrdered) {
      throw new CompileError('MariaDB cannot ORDER BY a GROUP BY … WITH ROLLUP query (error 1221): leave out orderBy() and sort the rows in code, or select from the rollup as a subquery and order that.')
    }
    return sql
  }
  protected override extract(field: DateField, operand: string): string {
    return mysqlExtract(field, operand)
  }
  protected override dateTrunc(unit: DateUnit, operand: string, type: SqlType<unknown>): string {
    return mysqlDateTrunc(unit, operand, type.kind === 'date')
  }
  /** JSON_EXTRACT with a `$."key"[0]` path; as text unquoted, and JSON null as SQL NULL. */
  protected override jsonPath(j: JsonPath, ctx: CompileContext): string {
    const extracted = `JSON_EXTRACT(${this.visit(j.operand, ctx)}, ${this.visitBind(j.pathText, ctx)})`
    return j.asText ? `CASE JSON_TYPE(${extracted}) WHEN 'NULL' THEN NULL ELSE JSON_UNQUOTE(${extracted}) END` : extracted
  }

  protected override visitBinary(b: Binary, ctx: CompileContext): string {
    // `||` is logical OR in MySQL (unless PIPES_AS_CONCAT); a chain a || b || c becomes one CONCAT.
    if (b.op !== '||') return super.visitBinary(b, ctx)
    const parts: Expression<unknown>[] = []
    const flatten = (e: Expression<unknown>): void => {
      if (e instanceof Binary && e.op === '||') (flatten(e.left), flatten(e.right))
      else parts.push(e)
    }
    flatten(b)
    return `CONCAT(${parts.map((p) => this.visit(p, ctx)).join(', ')})`
  }

  override visit(e: Expression<unknown>, ctx: CompileContext): string {
    if (e instanceof Cast) return `CAST(${this.visit(e.operand, ctx)} AS ${this.castType(e.type)})`
    return super.visit(e, ctx)
  }

  /** The target of CAST(… AS …): MySQL accepts only a few type names there. */
  protected castType(type: SqlType<unknown>): string {
    const o = type.options
    switch (type.kind) {
      case 'integer': case 'bigint': case 'smallint': case 'boolean': return 'SIGNED'
      case 'float': return 'DOUBLE'
      case 'numeric': case 'date': case 'datetime': case 'time': return typeDdl(type)
      case 'string': return o.length === undefined ? 'CHAR' : `CHAR(${o.length})`
      case 'json': return this.#mariadb ? 'CHAR' : 'JSON' // MariaDB's JSON is LONGTEXT and has no CAST AS JSON
      case 'binary': return 'BINARY'
      case 'native': return o.native ?? 'CHAR'
      default: return 'CHAR'
    }
  }

  /**
   * Integer parameters go to mysql2 as plain numbers (see values.ts), which it sends as DOUBLE
   * unless the server says the placeholder is an integer; MySQL ≥ 8.0.22 refuses a DOUBLE for
   * `LIMIT ?`/`OFFSET ?`. OFFSET (LIMIT is written into the SQL, see `Select.limit`) is therefore
   * bound as BigInteger, which travels as LONGLONG.
   */
  protected override visitPaging(e: Expression<unknown>, ctx: CompileContext): string {
    const i = e instanceof Bind ? ctx.bindIndex.get(e) : undefined
    if (i !== undefined && (e.type.kind === 'integer' || e.type.kind === 'smallint')) ctx.bindTypes.set(i, BigInteger)
    return this.visit(e, ctx)
  }

  protected override limitOffset(limit: string | undefined, offset: string | undefined): string {
    if (limit === undefined && offset !== undefined) return ` LIMIT ${ALL_ROWS} OFFSET ${offset}`
    return super.limitOffset(limit, offset)
  }

  protected override lockClause(lock: { nowait?: boolean; skipLocked?: boolean; read?: boolean }): string {
    if (lock.skipLocked && !this.#atLeast([8, 0, 1], [10, 6, 0])) {
      throw new CompileError(`SKIP LOCKED needs MySQL 8.0.1 or MariaDB 10.6; this server is ${this.#describeServer()}. Drop skipLocked or upgrade the server.`)
    }
    if (lock.nowait && !this.#atLeast([8, 0, 1], [10, 3, 0])) {
      throw new CompileError(`NOWAIT needs MySQL 8.0.1 or MariaDB 10.3; this server is ${this.#describeServer()}. Drop nowait or upgrade the server.`)
    }
    // MariaDB has no FOR SHARE; LOCK IN SHARE MODE is the same lock on both.
    const share = this.#mariadb || !this.#atLeast([8, 0, 1], [0, 0, 0]) ? ' LOCK IN SHARE MODE' : ' FOR SHARE'
    return (lock.read ? share : ' FOR UPDATE') + (lock.nowait ? ' NOWAIT' : lock.skipLocked ? ' SKIP LOCKED' : '')
  }

  protected override defaultValues(rows: number): string {
    // MySQL has no DEFAULT VALUES; an empty column list with empty rows means the same.
    return ' () VALUES ' + Array.from({ length: Math.max(1, rows) }, () => '()').join(', ')
  }

  override visitInsert(s: Insert, ctx: CompileContext): string {
    const saved = this.#insertFromSelect
    this.#insertFromSelect = s.fromSelect !== undefined
    try {
      return super.visitInsert(s, ctx)
    } finally {
      this.#insertFromSelect = saved
    }
  }
  protected override insertExtension(ext: Keyed, ctx: CompileContext): string {
    if (!(ext instanceof UpsertClause)) return super.insertExtension(ext, ctx)
    return renderDuplicateKeyUpdate(this, ext, ctx, this.#rowAlias())
  }
  protected override visitOther(node: Keyed, ctx: CompileContext): string {
    if (node instanceof ProposedValue) return renderInsertedValue(this, node, this.#rowAlias())
    return super.visitOther(node, ctx)
  }

  /** MySQL 8.0.19+ names the proposed row (`VALUES(col)` is deprecated there); not for INSERT … SELECT. */
  #rowAlias(): string | undefined {
    return !this.#mariadb && !this.#insertFromSelect && this.#atLeast([8, 0, 19], [0, 0, 0]) ? ROW_ALIAS : undefined
  }
  #describeServer(): string {
    return `${this.#mariadb ? 'MariaDB' : 'MySQL'} ${this.target.versionNumbers.join('.')}`
  }
}

/** The name of the proposed row in `INSERT … AS _new ON DUPLICATE KEY UPDATE c = _new.c`. */
export const ROW_ALIAS = '_new'
