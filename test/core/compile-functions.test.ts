import { expect } from 'chai'
import {
  ArgumentError, Bind, Case, Integer, Numeric, String, Text, caseWhen, cast, func, literal, select, text, typed,
} from '@athanor/core'
import { compileOn, expectSql, users } from './compile-helpers.js'

const F = ' FROM "users"'

// Names outside the typed set come from an index signature, so strict projects
// (noUncheckedIndexedAccess) call them with `!`.
describe('compile: func.*', () => {
  it('renders count(*), count(expr) and count(DISTINCT expr)', () => {
    expectSql(select(func.count(), func.count(users.c.age), func.count(users.c.age, { distinct: true })),
      'SELECT count(*), count("users"."age"), count(DISTINCT "users"."age")' + F, [])
  })
  it('renders sum, avg, min, max and abs over columns and expressions', () => {
    expectSql(select(func.sum(users.c.age), func.avg(users.c.score), func.min(users.c.name), func.max(users.c.age.mul(2)), func.abs(users.c.age)),
      'SELECT sum("users"."age"), avg("users"."score"), min("users"."name"), max("users"."age" * ?), abs("users"."age")' + F, [2])
  })
  it('binds coalesce fallbacks with the first argument’s type', () => {
    expectSql(select(func.coalesce(users.c.age, users.c.id, 0)), 'SELECT coalesce("users"."age", "users"."id", ?)' + F, [0])
    expect(() => compileOn('ansi', select(func.coalesce(users.c.age, 1.5)))).to.throw(/whole number/)
  })
  it('renders lower, upper and length', () => {
    expectSql(select(func.lower(users.c.name), func.upper(users.c.name), func.length(users.c.name)),
      'SELECT lower("users"."name"), upper("users"."name"), length("users"."name")' + F, [], {
        mysql: 'SELECT lower(`users`.`name`), upper(`users`.`name`), CHAR_LENGTH(`users`.`name`) FROM `users`',
      })
  })
  it('renders now() in the form the dialect stores timestamps', () => {
    expectSql(select(func.now()), 'SELECT now()', [], { libsql: "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')", mysql: 'SELECT NOW(6)' })
  })
  it('calls any other function by name with bound arguments, and types it with typed()', () => {
    expectSql(select(func.replace!(users.c.name, 'a', 'b')), 'SELECT replace("users"."name", ?, ?)' + F, ['a', 'b'])
    expectSql(select(func['atan2']!(users.c.score, 2), func['pg_catalog.version']!()), 'SELECT atan2("users"."score", ?), pg_catalog.version()' + F, [2])
    const t = typed(func.substr!(users.c.name, 1, 3), Text)
    expect(t.type).to.equal(Text)
    expectSql(select(t.label('s')), 'SELECT substr("users"."name", ?, ?) AS "s"' + F, [1, 3])
  })
  it('passes null as the NULL keyword and nests calls', () => {
    expectSql(select(func.call('nullif', func.lower(users.c.name), null)), 'SELECT nullif(lower("users"."name"), NULL)' + F, [])
  })
  it('refuses function names that are not identifiers', () => {
    expect(() => (func as unknown as Record<string, () => unknown>)['x); DROP TABLE users; --']!()).to.throw(ArgumentError, /not a valid SQL function name/)
  })
})

describe('compile: CAST', () => {
  it('casts to the dialect’s type names', () => {
    expectSql(select(users.c.age.cast(Text), cast(users.c.name, Integer), cast(users.c.score, Numeric(10, 2)), users.c.id.cast(String(20))),
      'SELECT CAST("users"."age" AS TEXT), CAST("users"."name" AS INTEGER), CAST("users"."score" AS NUMERIC(10, 2)), CAST("users"."id" AS VARCHAR(20))' + F, [], {
        mysql: 'SELECT CAST(`users`.`age` AS CHAR), CAST(`users`.`name` AS SIGNED), CAST(`users`.`score` AS DECIMAL(10,2)), CAST(`users`.`id` AS CHAR(20)) FROM `users`',
      })
  })
  it('casts a bound value', () => {
    expectSql(select(literal('42').cast(Integer).label('n')), 'SELECT CAST(? AS INTEGER) AS "n"', ['42'], { mysql: 'SELECT CAST(? AS SIGNED) AS `n`' })
  })
})

describe('compile: CASE', () => {
  it('renders searched CASE with bound results and an ELSE', () => {
    expectSql(select(caseWhen([[users.c.age.ge(18), 'adult'], [users.c.age.ge(13), 'teen']], 'child').label('k')),
      'SELECT CASE WHEN "users"."age" >= ? THEN ? WHEN "users"."age" >= ? THEN ? ELSE ? END AS "k"' + F, [18, 'adult', 13, 'teen', 'child'],
      // PostgreSQL resolves a CASE of untyped parameters as text; the dialect casts them (its README).
      { postgres: 'SELECT CASE WHEN "users"."age" >= $1 THEN $2::text WHEN "users"."age" >= $3 THEN $4::text ELSE $5::text END AS "k" FROM "users"' })
  })
  it('renders CASE without ELSE and with column results', () => {
    expectSql(select(caseWhen([[users.c.age.isNull(), users.c.name]])), 'SELECT CASE WHEN "users"."age" IS NULL THEN "users"."name" END' + F, [])
  })
  it('renders simple CASE: the subject once, compared with each WHEN value', () => {
    const byId = new Case([[new Bind(1, Integer), new Bind('one', Text)], [new Bind(2, Integer), new Bind('two', Text)]], users.c.name, Text, users.c.id)
    expectSql(select(byId.label('k')), 'SELECT CASE "users"."id" WHEN ? THEN ? WHEN ? THEN ? ELSE "users"."name" END AS "k"' + F, [1, 'one', 2, 'two'])
  })
  it('rejects a CASE without branches', () => {
    expect(() => caseWhen([])).to.throw(ArgumentError, /at least one/)
  })
})

describe('compile: text()', () => {
  it('binds :name parameters in order, repeating a name as often as it appears', () => {
    expectSql(text('SELECT * FROM users WHERE name = :name OR nick = :name AND id > :id', { name: 'x', id: 3 }),
      'SELECT * FROM users WHERE name = ? OR nick = ? AND id > ?', ['x', 'x', 3])
  })
  it('leaves PostgreSQL :: casts and escaped \\: colons alone', () => {
    expectSql(text("SELECT a::int, '10\\:30' FROM t WHERE b = :b", { b: 1 }), "SELECT a::int, '10:30' FROM t WHERE b = ?", [1])
    // An escaped colon before a name is text, not a parameter (ATTACH ':memory:', 'a:b' JSON paths).
    expectSql(text("ATTACH '\\:memory:' AS aux WHERE x = '\\:b' AND y = :b", { b: 2 }), "ATTACH ':memory:' AS aux WHERE x = ':b' AND y = ?", [2])
  })
  it('names the missing parameter and refuses NUL', () => {
    expect(() => text('SELECT :a, :b', { a: 1 })).to.throw(ArgumentError, /refers to :b but no value was given/)
    expect(() => text('SELECT 1\u0000')).to.throw(ArgumentError, /NUL/)
  })
  it('declares result column types with columns()', () => {
    const r = compileOn('ansi', text('SELECT 1 AS n').columns({ n: Integer }))
    expect(r).to.deep.equal(['SELECT 1 AS n', []])
  })
})
