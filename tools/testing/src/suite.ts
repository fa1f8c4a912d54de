/**
 * The compliance-suite contract: a suite is a function that registers mocha `describe`/`it`
 * blocks against one backend, reached through a {@link SuiteContext}. Suites never name a
 * database; they branch on `engine.dialect.capabilities` only.
 */
import type { Capabilities } from '@athanor/core'
import type { Engine, EngineOptions } from '@athanor/core'
import { DateTime, Integer, MetaData, Table, column, select } from '@athanor/core'
import type { Expression } from '@athanor/core'

export interface SuiteContext {
  /** The backend's short name, for titles and log lines only — never for branching. */
  readonly backend: string
  /** The URL under test; valid inside hooks and tests (it is resolved in a `before` hook). */
  readonly url: string
  /**
   * An engine for the URL that is disposed after the current test (or after the enclosing
   * `describe`, when made in a `before` hook). `url` replaces the backend's URL (a test adding
   * query parameters to it).
   */
  createEngine(options?: EngineOptions, url?: string): Engine
}

/** A suite registered against one backend. */
export type Suite = (ctx: SuiteContext) => void

/** The state {@link useDatabase} keeps for each test. */
export interface DatabaseFixture {
  /** A fresh engine whose tables from `metadata` exist and are empty. */
  readonly engine: Engine
  /** The SQL of every statement run on `engine` since the test began (setup excluded). */
  readonly statements: string[]
  readonly capabilities: Capabilities
}

/**
 * Registers hooks that give every test a fresh engine with `metadata`'s tables created (and
 * dropped first, in case an earlier run left them), statements recorded, all torn down after.
 * ```ts
 * const db = useDatabase(ctx, Base.metadata)
 * it('…', async () => { await using s = new AsyncSession(db.engine) })
 * ```
 */
export function useDatabase(ctx: SuiteContext, metadata: MetaData, options?: EngineOptions): DatabaseFixture {
  let engine: Engine | undefined
  const statements: string[] = []
  beforeEach(async () => {
    engine = ctx.createEngine(options)
    await metadata.dropAll(engine, { checkFirst: true })
    await metadata.createAll(engine)
    statements.length = 0
    engine.events.on('afterExecute', (e) => { statements.push(e.sql) })
  })
  afterEach(async () => {
    if (engine === undefined) return
    await metadata.dropAll(engine, { checkFirst: true })
  })
  return {
    get engine(): Engine {
      if (engine === undefined) throw new Error('useDatabase: the engine exists only inside tests')
      return engine
    },
    statements,
    get capabilities(): Capabilities {
      if (engine === undefined) throw new Error('useDatabase: capabilities are known only inside tests')
      return engine.dialect.capabilities
    },
  }
}

/**
 * Writes expected SQL once, in ANSI form with `"quoted"` identifiers and `?` placeholders, and
 * renders it in the engine's dialect, so exact-statement assertions run on every backend.
 * ```ts
 * expect(db.statements).to.deep.equal([dialectSql(db.engine, 'UPDATE "books" SET "title" = ? WHERE "books"."id" = ?')])
 * ```
 */
export function dialectSql(engine: Engine, ansi: string): string {
  const compiler = engine.dialect.compiler
  let index = 0
  return ansi.replace(/"([^"]*)"|\?/g, (match, name: string | undefined) =>
    name !== undefined ? compiler.quote(name) : compiler.placeholder(index++))
}

/**
 * What follows the key column in select-in loading's `WHERE col …` for `n` keys, in the ANSI
 * form `dialectSql` takes: `IN (?, ?, ?)`, or the dialect's own (`StatementCompiler.keyIn`;
 * PostgreSQL's `= ANY(?)`).
 * ```ts
 * sql(`SELECT … FROM "books" WHERE "books"."shelf_id" ${keyListSql(db.engine, 4)}`)
 * ```
 */
export function keyListSql(engine: Engine, n: number): string {
  const compiler = engine.dialect.compiler
  const probe = new Table('probe', new MetaData(), { id: column(Integer, { primaryKey: true }) })
  const own = compiler.keyIn?.(probe.c.id, [])
  if (own === undefined) return `IN (${Array.from({ length: n }, () => '?').join(', ')})`
  const where = compiler.compile(select(probe.c.id).where(own as Expression<boolean>)).sql.split(' WHERE ')[1]!
  let fragment = where.slice(`${compiler.quote('probe')}.${compiler.quote('id')} `.length)
  for (let i = 9; i >= 0; i--) fragment = fragment.replaceAll(compiler.placeholder(i), '?')
  return fragment
}

/**
 * How the dialect lists a DateTime value of the result of a statement with parameters, in the
 * ANSI form `dialectSql` takes: `ref` itself, or the dialect's own form (`SqlCompiler.resultValue`;
 * MySQL's `CAST(… AS CHAR) AS name`, which its driver reads faster).
 * ```ts
 * sql(`SELECT "w"."id", ${dateResultSql(db.engine, '"w"."joined"', 'joined')} FROM "w" WHERE "w"."id" = ?`)
 * ```
 */
export function dateResultSql(engine: Engine, ref: string, name: string): string {
  const compiler = engine.dialect.compiler
  const probe = new Table('probe', new MetaData(), { id: column(Integer, { primaryKey: true }), at: column(DateTime()) })
  const compiled = compiler.compile(select(probe.c.at).where(probe.c.id.eq(1))).sql
  const listed = compiled.slice('SELECT '.length, compiled.indexOf(` FROM ${compiler.quote('probe')}`))
  const plain = `${compiler.quote('probe')}.${compiler.quote('at')}`
  return listed === plain ? ref : listed.replace(plain, ref).replace(compiler.quote('at'), `"${name}"`)
}

/**
 * The dialect's own multi-row INSERT (`StatementCompiler.insertRows`; PostgreSQL's unnest) of
 * `rows` rows of `columns` into `table`, returning `returning` (column names), as compiled SQL;
 * undefined for one row or a dialect whose statement is the standard `INSERT … VALUES`, so that
 * the suites spell that one out themselves rather than take it from the code under test.
 * ```ts
 * ownInsertSql(db.engine, Book.__table__, ['title', 'author_id'], 2, ['id']) ?? sql('INSERT … VALUES (?, ?), (?, ?) RETURNING "id"')
 * ```
 */
export function ownInsertSql(engine: Engine, table: Table, columns: readonly string[], rows: number, returning: readonly string[]): string | undefined {
  const compiler = engine.dialect.compiler
  if (rows < 2 || compiler.insertRows === undefined) return undefined
  const named = (name: string) => {
    const found = table.columnList.find((c) => c.name === name)
    if (found === undefined) throw new Error(`ownInsertSql: ${table.name} has no column ${name}`)
    return found
  }
  const cols = columns.map(named)
  const own = compiler.insertRows({ table, columns: cols, values: cols.map(() => Array<unknown>(rows).fill(null)), returning: returning.map(named) })
  return own === undefined || (own as { kind?: string }).kind === 'values-insert' ? undefined : compiler.compile(own).sql
}
