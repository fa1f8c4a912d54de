/**
 * Shared fixture for the compile-only tests: a small schema and one compiler per dialect.
 * `expectSql` states a statement's SQL once in ANSI form and checks it on every compiler.
 */
import { expect } from 'chai'
import {
  Boolean, DateTime, Float, ForeignKey, Integer, MetaData, Numeric, SqlCompiler, String, Table, column,
} from '@athanor/core'
import type { Capabilities } from '@athanor/core'
import { LibsqlCompiler, libsqlCapabilities } from '@athanor/libsql'
import { PostgresCompiler, postgresCapabilities } from '@athanor/postgres'
import { MysqlCompiler, mysqlCapabilities } from '@athanor/mysql'

/** The ANSI compiler with every optional feature emulated (no ILIKE, no NULLS FIRST/LAST). */
export const ansiCaps: Capabilities = { ...libsqlCapabilities, nullsOrdering: false, ilike: false }

/** The MariaDB the suites run on (10.11): RETURNING for INSERT and DELETE, INTERSECT/EXCEPT. */
const mariadb = { flavour: 'mariadb', versionNumbers: [10, 11, 0] } as const

export const compilers = {
  ansi: new SqlCompiler(ansiCaps),
  libsql: new LibsqlCompiler(libsqlCapabilities),
  postgres: new PostgresCompiler(postgresCapabilities),
  mysql: new MysqlCompiler(mysqlCapabilities(mariadb), { target: { ...mariadb, backslashEscapes: true } }),
}
export type DialectName = keyof typeof compilers

const md = new MetaData()
export const users = new Table('users', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50)),
  age: column(Integer, { nullable: true }),
  score: column(Float, { nullable: true }),
  active: column(Boolean, { default: true }),
  balance: column(Numeric(10, 2), { nullable: true }),
  seen: column(DateTime(), { nullable: true }),
})
export const posts = new Table('posts', md, {
  id: column(Integer, { primaryKey: true }),
  title: column(String(100)),
  userId: column(Integer, ForeignKey('users.id')),
  editorId: column(Integer, { nullable: true }),
})

export type Expectation = readonly [sql: string, params: readonly unknown[]]

/** Compiles a statement: `[sql, params]`. */
export function compileOn(dialect: DialectName, stmt: unknown): Expectation {
  const r = compilers[dialect].compile(stmt)
  return [r.sql, r.params]
}

/** ANSI SQL with `?` placeholders turned into PostgreSQL's `$1, $2, …`. */
export function numbered(sql: string): string {
  let i = 0
  return sql.replace(/\?/g, () => `$${++i}`)
}

/** ANSI SQL with `"quoted"` identifiers in MySQL's backticks. */
export function backticked(sql: string): string {
  return sql.replace(/"((?:[^"]|"")*)"/g, (_m, name: string) => '`' + name.replace(/""/g, '"') + '`')
}

/**
 * Asserts the SQL and parameters of `stmt` on every compiler. `sql` is the ANSI text, expected
 * verbatim from the ANSI and libSQL compilers, with `$n` placeholders from PostgreSQL and with
 * backticks from MySQL (whose parameters are checked only when given in `differs`);
 * `differs` gives a dialect's own text (or text and parameters) where it spells it differently,
 * or null where the dialect refuses the statement.
 */
export function expectSql(stmt: unknown, sql: string, params: readonly unknown[], differs: Partial<Record<DialectName, string | Expectation | null>> = {}): void {
  for (const dialect of Object.keys(compilers) as DialectName[]) {
    const own = differs[dialect]
    if (own === null) continue // refused by that dialect; the test asserts the error itself
    const expected: Expectation =
      own === undefined ? [dialect === 'postgres' ? numbered(sql) : dialect === 'mysql' ? backticked(sql) : sql, params]
      : typeof own === 'string' ? [own, params]
      : own
    const actual = compileOn(dialect, stmt)
    // MySQL's bind processors wrap integers and booleans for mysql2 (tested with its values), so
    // its parameters are compared only where a test spells them out.
    if (dialect === 'mysql' && !Array.isArray(own)) expect(actual[0], dialect).to.equal(expected[0])
    else expect(actual, dialect).to.deep.equal(expected)
  }
}
