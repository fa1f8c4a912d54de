import { expect } from 'chai'
import { ArgumentError, SqlCompiler, and, asc, desc, func, literal, not, nullValue, or, select, trueValue } from '@athanor/core'
import { ansiCaps, compileOn, expectSql, posts, users } from './compile-helpers.js'

const U = 'SELECT "users"."id" FROM "users"'

describe('compile: select lists', () => {
  it('selects columns in order, qualified by their table', () => {
    expectSql(select(users.c.id, users.c.name), 'SELECT "users"."id", "users"."name" FROM "users"', [])
  })
  it('selects a whole table as all its columns', () => {
    expectSql(select(posts), 'SELECT "posts"."id", "posts"."title", "posts"."userId", "posts"."editorId" FROM "posts"', [])
  })
  it('selects expressions and labels them, binding every literal value', () => {
    expectSql(select(users.c.age.add(1).label('next'), literal('x').label('tag'), literal(2)),
      'SELECT "users"."age" + ? AS "next", ? AS "tag", ? FROM "users"', [1, 'x', 2],
      // A bare select-list parameter has no type for PostgreSQL to infer; the dialect casts it.
      { postgres: 'SELECT "users"."age" + $1 AS "next", $2::text AS "tag", $3::float8 FROM "users"' })
  })
  it('selects tables and columns of several tables together, listing each FROM once', () => {
    expectSql(select(users.c.name, posts.c.title, users.c.id),
      'SELECT "users"."name", "posts"."title", "users"."id" FROM "users", "posts"', [])
  })
  it('adds a FROM for tables only mentioned in WHERE', () => {
    expectSql(select(literal(1)).where(users.c.id.gt(5)), 'SELECT ? FROM "users" WHERE "users"."id" > ?', [1, 5],
      { postgres: 'SELECT $1::float8 FROM "users" WHERE "users"."id" > $2' })
  })
  it('never inlines values, even ones that look like SQL', () => {
    expectSql(select(users.c.id).where(users.c.name.eq("O'Brien'); DROP TABLE users; --")), `${U} WHERE "users"."name" = ?`, ["O'Brien'); DROP TABLE users; --"])
  })
  it('rejects an empty select list with a message that names the fix', () => {
    expect(() => compileOn('ansi', select())).to.throw(/at least one column/)
  })
})

describe('compile: WHERE with comparisons and boolean logic', () => {
  it('renders = <> < <= > >=', () => {
    const c = users.c.age
    expectSql(select(users.c.id).where(c.eq(1), c.ne(2), c.lt(3), c.le(4), c.gt(5), c.ge(6)),
      `${U} WHERE "users"."age" = ? AND "users"."age" <> ? AND "users"."age" < ? AND "users"."age" <= ? AND "users"."age" > ? AND "users"."age" >= ?`, [1, 2, 3, 4, 5, 6])
  })
  it('compares two columns without parameters', () => {
    expectSql(select(posts.c.id).where(posts.c.userId.eq(posts.c.editorId)), 'SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = "posts"."editorId"', [])
  })
  it('turns eq(null) / ne(null) into IS NULL / IS NOT NULL', () => {
    expectSql(select(users.c.id).where(users.c.age.eq(null), users.c.score.ne(null)), `${U} WHERE "users"."age" IS NULL AND "users"."score" IS NOT NULL`, [])
  })
  it('renders isNull / isNotNull', () => {
    expectSql(select(users.c.id).where(or(users.c.age.isNull(), users.c.age.isNotNull())), `${U} WHERE "users"."age" IS NULL OR "users"."age" IS NOT NULL`, [])
  })
  it('parenthesises OR inside AND, but not AND inside OR', () => {
    const a = users.c.age.gt(1)
    const b = users.c.name.eq('b')
    const c = users.c.id.lt(9)
    expectSql(select(users.c.id).where(and(or(a, b), c)), `${U} WHERE ("users"."age" > ? OR "users"."name" = ?) AND "users"."id" < ?`, [1, 'b', 9])
    expectSql(select(users.c.id).where(or(and(a, b), c)), `${U} WHERE "users"."age" > ? AND "users"."name" = ? OR "users"."id" < ?`, [1, 'b', 9])
  })
  it('flattens nested and() and chains .and()/.or() methods', () => {
    expectSql(select(users.c.id).where(and(and(users.c.id.gt(1), users.c.id.lt(5)), users.c.age.eq(3))),
      `${U} WHERE "users"."id" > ? AND "users"."id" < ? AND "users"."age" = ?`, [1, 5, 3])
    expectSql(select(users.c.id).where(users.c.id.eq(1).or(users.c.id.eq(2))), `${U} WHERE "users"."id" = ? OR "users"."id" = ?`, [1, 2])
  })
  it('skips undefined conditions; and() of nothing is TRUE, or() of nothing is FALSE', () => {
    const name: string | undefined = undefined
    expectSql(select(users.c.id).where(and(users.c.id.gt(1), name === undefined ? undefined : users.c.name.eq(name))), `${U} WHERE "users"."id" > ?`, [1])
    expectSql(select(users.c.id).where(and()), `${U} WHERE TRUE`, [])
    expectSql(select(users.c.id).where(or()), `${U} WHERE FALSE`, [])
  })
  it('negates with not(), parenthesising AND/OR operands (NOT binds looser than IS NULL and BETWEEN)', () => {
    expectSql(select(users.c.id).where(not(users.c.age.gt(1).or(users.c.name.eq('a')))), `${U} WHERE NOT ("users"."age" > ? OR "users"."name" = ?)`, [1, 'a'])
    expectSql(select(users.c.id).where(users.c.active.not()), `${U} WHERE NOT "users"."active"`, [])
    expectSql(select(users.c.id).where(not(users.c.age.isNull())), `${U} WHERE NOT "users"."age" IS NULL`, [])
  })
  it('uses boolean columns and keywords directly', () => {
    expectSql(select(users.c.id).where(users.c.active, trueValue()), `${U} WHERE "users"."active" AND TRUE`, [])
    expectSql(select(users.c.id).where(users.c.active.eq(false)), `${U} WHERE "users"."active" = ?`, [false])
    expectSql(select(nullValue().label('n')), 'SELECT NULL AS "n"', [])
  })
})

describe('compile: IN, BETWEEN', () => {
  it('binds each IN / NOT IN value', () => {
    expectSql(select(users.c.id).where(users.c.id.in([1, 2, 3]), users.c.name.notIn(['x'])),
      `${U} WHERE "users"."id" IN (?, ?, ?) AND "users"."name" NOT IN (?)`, [1, 2, 3, 'x'])
  })
  it('makes an empty IN false and an empty NOT IN true, with no parameters', () => {
    expectSql(select(users.c.id).where(users.c.id.in([])), `${U} WHERE 1 <> 1`, [])
    expectSql(select(users.c.id).where(users.c.id.notIn([])), `${U} WHERE 1 = 1`, [])
    expectSql(select(users.c.id).where(users.c.id.in([]).or(users.c.age.eq(3))), `${U} WHERE 1 <> 1 OR "users"."age" = ?`, [3])
  })
  it('renders BETWEEN with bound limits and columns as limits', () => {
    expectSql(select(users.c.id).where(users.c.age.between(18, 65)), `${U} WHERE "users"."age" BETWEEN ? AND ?`, [18, 65])
    expectSql(select(users.c.id).where(users.c.age.between(users.c.id, 10).not()), `${U} WHERE NOT "users"."age" BETWEEN "users"."id" AND ?`, [10])
  })
})

describe('compile: LIKE and its literal-text helpers', () => {
  it('keeps % and _ as wildcards in like() / notLike(), with an optional ESCAPE', () => {
    expectSql(select(users.c.id).where(users.c.name.like('A_%'), users.c.name.notLike('%z')), `${U} WHERE "users"."name" LIKE ? AND "users"."name" NOT LIKE ?`, ['A_%', '%z'])
    expectSql(select(users.c.id).where(users.c.name.like('50!%%', { escape: '!' })), `${U} WHERE "users"."name" LIKE ? ESCAPE '!'`, ['50!%%'])
  })
  it('escapes % _ and the escape character itself in startsWith / endsWith / contains', () => {
    const esc = ` ESCAPE '\\'`
    // MySQL reads a backslash in a string literal as an escape, so its ESCAPE literal doubles it.
    const mysql = { mysql: 'SELECT `users`.`id` FROM `users` WHERE `users`.`name` LIKE ? ESCAPE \'\\\\\'' }
    expectSql(select(users.c.id).where(users.c.name.startsWith('50%_off')), `${U} WHERE "users"."name" LIKE ?${esc}`, ['50\\%\\_off%'], mysql)
    expectSql(select(users.c.id).where(users.c.name.endsWith('a\\b')), `${U} WHERE "users"."name" LIKE ?${esc}`, ['%a\\\\b'], mysql)
    expectSql(select(users.c.id).where(users.c.name.contains('100%')), `${U} WHERE "users"."name" LIKE ?${esc}`, ['%100\\%%'], mysql)
  })
  it('renders ILIKE natively on PostgreSQL and as lower() LIKE lower() elsewhere', () => {
    expectSql(select(users.c.id).where(users.c.name.ilike('al%')), `${U} WHERE lower("users"."name") LIKE lower(?)`, ['al%'], {
      postgres: `${U} WHERE "users"."name" ILIKE $1`,
    })
    expectSql(select(users.c.id).where(users.c.name.contains('a_b', { caseInsensitive: true })), `${U} WHERE lower("users"."name") LIKE lower(?) ESCAPE '\\'`, ['%a\\_b%'], {
      postgres: `${U} WHERE "users"."name" ILIKE $1 ESCAPE '\\'`,
      mysql: "SELECT `users`.`id` FROM `users` WHERE lower(`users`.`name`) LIKE lower(?) ESCAPE '\\\\'",
    })
  })
  it('rejects an escape that is not one character', () => {
    expect(() => users.c.name.like('x', { escape: '!!' })).to.throw(ArgumentError, /one character/)
  })
})

describe('compile: arithmetic', () => {
  it('renders + - * / % and unary minus with the parentheses precedence needs', () => {
    const a = users.c.age
    expectSql(select(a.add(1).mul(2), a.mul(2).add(1), a.sub(a.sub(1)), a.div(4), a.mod(3), a.neg()),
      'SELECT ("users"."age" + ?) * ?, "users"."age" * ? + ?, "users"."age" - ("users"."age" - ?), "users"."age" / ?, "users"."age" % ?, -"users"."age" FROM "users"',
      [1, 2, 2, 1, 1, 4, 3])
  })
  it('compares arithmetic results and binds them by the column type', () => {
    expectSql(select(users.c.id).where(users.c.score.mul(2).gt(1.5)), `${U} WHERE "users"."score" * ? > ?`, [2, 1.5])
  })
  it('concatenates strings with ||', () => {
    expectSql(select(users.c.name.concat('!')), 'SELECT "users"."name" || ? FROM "users"', ['!'], { mysql: 'SELECT CONCAT(`users`.`name`, ?) FROM `users`' })
  })
})

describe('compile: ORDER BY, LIMIT, OFFSET', () => {
  it('orders ascending by default, and by asc()/desc() helpers and methods', () => {
    expectSql(select(users.c.id).orderBy(users.c.name, desc(users.c.age), asc(users.c.id), users.c.score.desc()),
      `${U} ORDER BY "users"."name" ASC, "users"."age" DESC, "users"."id" ASC, "users"."score" DESC`, [])
  })
  it('renders NULLS FIRST/LAST natively where supported and emulates it in ANSI', () => {
    expectSql(select(users.c.id).orderBy(users.c.age.asc({ nulls: 'last' }), users.c.score.desc({ nulls: 'first' })),
      `${U} ORDER BY CASE WHEN "users"."age" IS NULL THEN 1 ELSE 0 END, "users"."age" ASC, CASE WHEN "users"."score" IS NULL THEN 0 ELSE 1 END, "users"."score" DESC`, [], {
        libsql: `${U} ORDER BY "users"."age" ASC NULLS LAST, "users"."score" DESC NULLS FIRST`,
        postgres: `${U} ORDER BY "users"."age" ASC NULLS LAST, "users"."score" DESC NULLS FIRST`,
      })
  })
  it('writes LIMIT into the SQL (a generic plan must see the row goal) and binds OFFSET', () => {
    expectSql(select(users.c.id).limit(10).offset(20), `${U} LIMIT 10 OFFSET ?`, [20])
    expectSql(select(users.c.id).limit(0), `${U} LIMIT 0`, [])
  })
  it('compiles each distinct LIMIT once: the count is part of the statement\'s cache key', () => {
    const compiler = new SqlCompiler(ansiCaps)
    const page = select(users.c.id).orderBy(users.c.id)
    expect([2, 3, 2].map((n) => compiler.compile(page.limit(n)).sql)).to.deep.equal([`${U} ORDER BY "users"."id" ASC LIMIT 2`, `${U} ORDER BY "users"."id" ASC LIMIT 3`, `${U} ORDER BY "users"."id" ASC LIMIT 2`])
    expect(compiler.cacheSize).to.equal(2)
  })
  it('refuses a LIMIT that is not a whole number ≥ 0, so only digits reach the SQL', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) expect(() => select(users.c.id).limit(bad)).to.throw(ArgumentError, /limit\(\) takes a whole number ≥ 0/)
    expect(() => select(users.c.id).limit('5; DROP TABLE users' as unknown as number)).to.throw(ArgumentError, /limit\(\) takes a whole number/)
  })
  it('writes a bare OFFSET with a LIMIT where the dialect needs one (SQLite -1, MySQL 2^64-1)', () => {
    expectSql(select(users.c.id).offset(5), `${U} OFFSET ?`, [5], { libsql: `${U} LIMIT -1 OFFSET ?`, mysql: 'SELECT `users`.`id` FROM `users` LIMIT 18446744073709551615 OFFSET ?' })
  })
  it('rejects negative or fractional limits', () => {
    expect(() => select(users.c.id).limit(-1)).to.throw(ArgumentError, /limit\(\) takes a whole number/)
    expect(() => select(users.c.id).offset(1.5)).to.throw(ArgumentError, /offset\(\) takes a whole number/)
  })
})

describe('compile: GROUP BY, HAVING, DISTINCT', () => {
  it('groups and filters groups with bound values', () => {
    expectSql(select(posts.c.userId, func.count().label('n')).groupBy(posts.c.userId).having(func.count().gt(1)).having(func.max(posts.c.id).lt(100)),
      'SELECT "posts"."userId", count(*) AS "n" FROM "posts" GROUP BY "posts"."userId" HAVING count(*) > ? AND max("posts"."id") < ?', [1, 100])
  })
  it('renders SELECT DISTINCT', () => {
    expectSql(select(users.c.age).distinct().orderBy(users.c.age), 'SELECT DISTINCT "users"."age" FROM "users" ORDER BY "users"."age" ASC', [])
  })
})

describe('compile: statement cache', () => {
  it('reuses the compiled SQL for the same shape with new values, and not for a new shape', () => {
    const c = compileOn
    expect(c('ansi', select(users.c.id).where(users.c.id.in([1, 2])))).to.deep.equal([`${U} WHERE "users"."id" IN (?, ?)`, [1, 2]])
    expect(c('ansi', select(users.c.id).where(users.c.id.in([3, 4])))).to.deep.equal([`${U} WHERE "users"."id" IN (?, ?)`, [3, 4]])
    expect(c('ansi', select(users.c.id).where(users.c.id.in([5])))).to.deep.equal([`${U} WHERE "users"."id" IN (?)`, [5]])
  })
})
