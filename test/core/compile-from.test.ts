import { expect } from 'chai'
import { ArgumentError, CompileError, SqlCompiler, alias, except, exists, func, intersect, select, union, unionAll } from '@athanor/core'
import { ansiCaps, compileOn, expectSql, posts, users } from './compile-helpers.js'

describe('compile: joins', () => {
  it('joins with an explicit ON condition', () => {
    expectSql(select(users.c.name, posts.c.title).join(posts, posts.c.userId.eq(users.c.id)),
      'SELECT "users"."name", "posts"."title" FROM "users" JOIN "posts" ON "posts"."userId" = "users"."id"', [])
  })
  it('infers the ON condition from the foreign key, in either direction', () => {
    expectSql(select(users.c.name).join(posts), 'SELECT "users"."name" FROM "users" JOIN "posts" ON "posts"."userId" = "users"."id"', [])
    expectSql(select(posts.c.title).join(users), 'SELECT "posts"."title" FROM "posts" JOIN "users" ON "posts"."userId" = "users"."id"', [])
  })
  it('renders LEFT OUTER and FULL OUTER joins', () => {
    expectSql(select(users.c.name, posts.c.title).outerJoin(posts), 'SELECT "users"."name", "posts"."title" FROM "users" LEFT OUTER JOIN "posts" ON "posts"."userId" = "users"."id"', [])
    const full = select(users.c.name, posts.c.title).fullJoin(posts, posts.c.userId.eq(users.c.id).and(posts.c.title.ne('x')))
    expectSql(full, 'SELECT "users"."name", "posts"."title" FROM "users" FULL OUTER JOIN "posts" ON "posts"."userId" = "users"."id" AND "posts"."title" <> ?', ['x'], { mysql: null })
    expect(() => compileOn('mysql', full)).to.throw(CompileError, /FULL OUTER JOIN is not supported/)
  })
  it('refuses FULL JOIN where the database has none, saying how to rewrite it', () => {
    const noFull = new SqlCompiler({ ...ansiCaps, fullJoin: false })
    expect(() => noFull.compile(select(users.c.name).fullJoin(posts))).to.throw(CompileError, /FULL OUTER JOIN is not supported.*LEFT JOIN/)
  })
  it('chains joins and starts from an explicit from()', () => {
    const editor = alias(users, 'editor')
    expectSql(select(posts.c.title).from(users).join(posts).outerJoin(editor, posts.c.editorId.eq(editor.c.id)),
      'SELECT "posts"."title" FROM "users" JOIN "posts" ON "posts"."userId" = "users"."id" LEFT OUTER JOIN "users" AS "editor" ON "posts"."editorId" = "editor"."id"', [])
  })
  it('names both tables when no foreign key links them', () => {
    const other = alias(posts, 'p2')
    expect(() => select(users.c.id).join(alias(users, 'u2'))).to.throw(ArgumentError, /no foreign key links them/)
    expect(() => select(other.c.id).join(posts)).to.throw(ArgumentError, /Pass the ON condition explicitly/)
  })
})

describe('compile: aliases', () => {
  it('self-joins a table under an alias, with FK inference through the alias', () => {
    const author = alias(users, 'author')
    expectSql(select(posts.c.title, author.c.name).join(author), 'SELECT "posts"."title", "author"."name" FROM "posts" JOIN "users" AS "author" ON "posts"."userId" = "author"."id"', [])
  })
  it('selects from an alias alone', () => {
    const u = alias(users, 'u')
    expectSql(select(u.c.id).where(u.c.name.eq('a')), 'SELECT "u"."id" FROM "users" AS "u" WHERE "u"."name" = ?', ['a'])
  })
  it('quotes identifiers, doubling embedded quotes', () => {
    const odd = alias(users, 'we"ird')
    expectSql(select(odd.c.id), 'SELECT "we""ird"."id" FROM "users" AS "we""ird"', [])
  })
})

describe('compile: subqueries', () => {
  it('uses a subquery in FROM and joins to it by its columns', () => {
    const counts = select(posts.c.userId, func.count().label('n')).groupBy(posts.c.userId).subquery('counts')
    expectSql(select(users.c.name, counts.c.n).join(counts, counts.c.userId.eq(users.c.id)).where(counts.c.n.gt(2)),
      'SELECT "users"."name", "counts"."n" FROM "users" JOIN (SELECT "posts"."userId", count(*) AS "n" FROM "posts" GROUP BY "posts"."userId") AS "counts" ON "counts"."userId" = "users"."id" WHERE "counts"."n" > ?', [2])
  })
  it('selects from a subquery alone, keeping parameter order inside and out', () => {
    const adults = select(users.c.id, users.c.name).where(users.c.age.ge(18)).subquery('adults')
    expectSql(select(adults.c.name).where(adults.c.id.lt(10)),
      'SELECT "adults"."name" FROM (SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."age" >= ?) AS "adults" WHERE "adults"."id" < ?', [18, 10])
  })
  it('uses a correlated scalar subquery in the select list and in WHERE', () => {
    const n = select(func.count()).where(posts.c.userId.eq(users.c.id)).scalarSubquery()
    expectSql(select(users.c.name, n.label('n')).where(n.gt(0)),
      'SELECT "users"."name", (SELECT count(*) FROM "posts" WHERE "posts"."userId" = "users"."id") AS "n" FROM "users" WHERE (SELECT count(*) FROM "posts" WHERE "posts"."userId" = "users"."id") > ?', [0])
  })
  it('keeps the FROM of a subquery over the outer table instead of correlating it away', () => {
    const top = select(func.max(users.c.age)).scalarSubquery()
    expectSql(select(users.c.name).where(users.c.age.eq(top)),
      'SELECT "users"."name" FROM "users" WHERE "users"."age" = (SELECT max("users"."age") FROM "users")', [])
  })
  it('renders IN and NOT IN over a subquery', () => {
    expectSql(select(users.c.name).where(users.c.id.in(select(posts.c.userId).where(posts.c.title.eq('t')))),
      'SELECT "users"."name" FROM "users" WHERE "users"."id" IN (SELECT "posts"."userId" FROM "posts" WHERE "posts"."title" = ?)', ['t'])
    expectSql(select(users.c.name).where(users.c.id.notIn(select(posts.c.userId))),
      'SELECT "users"."name" FROM "users" WHERE "users"."id" NOT IN (SELECT "posts"."userId" FROM "posts")', [])
  })
  it('renders EXISTS and NOT EXISTS, correlated to the outer table', () => {
    const hasPosts = select(posts.c.id).where(posts.c.userId.eq(users.c.id))
    expectSql(select(users.c.name).where(exists(hasPosts)),
      'SELECT "users"."name" FROM "users" WHERE EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = "users"."id")', [])
    expectSql(select(users.c.name).where(hasPosts.exists().not()),
      'SELECT "users"."name" FROM "users" WHERE NOT EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = "users"."id")', [])
  })
})

describe('compile: common table expressions', () => {
  it('hoists a CTE into WITH, numbering its parameters before the outer ones', () => {
    const old = select(users.c.id, users.c.name).where(users.c.age.gt(60)).cte('old')
    expectSql(select(old.c.name).from(old).where(old.c.id.gt(1)),
      'WITH "old" AS (SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."age" > ?) SELECT "old"."name" FROM "old" WHERE "old"."id" > ?', [60, 1])
  })
  it('renders a CTE that uses another CTE after it', () => {
    const a = select(users.c.id).where(users.c.age.gt(1)).cte('a')
    const b = select(a.c.id).from(a).where(a.c.id.lt(9)).cte('b')
    expectSql(select(b.c.id).from(b),
      'WITH "a" AS (SELECT "users"."id" FROM "users" WHERE "users"."age" > ?), "b" AS (SELECT "a"."id" FROM "a" WHERE "a"."id" < ?) SELECT "b"."id" FROM "b"', [1, 9])
  })
  it('renders WITH RECURSIVE with the recursive member joined to the CTE', () => {
    const chain = select(users.c.id, users.c.age).where(users.c.id.eq(1)).cte('chain', { recursive: true })
    const all = chain.unionAll(select(users.c.id, users.c.age).join(chain, users.c.age.eq(chain.c.id)))
    expectSql(select(all.c.id).from(all).orderBy(all.c.id),
      'WITH RECURSIVE "chain" AS (SELECT "users"."id", "users"."age" FROM "users" WHERE "users"."id" = ? UNION ALL SELECT "users"."id", "users"."age" FROM "users" JOIN "chain" ON "users"."age" = "chain"."id") SELECT "chain"."id" FROM "chain" ORDER BY "chain"."id" ASC', [1])
  })
})

describe('compile: set operations', () => {
  const a = select(users.c.name).where(users.c.age.gt(1))
  const b = select(posts.c.title).where(posts.c.id.lt(5))
  it('renders UNION and UNION ALL with ORDER BY on result column names and a literal LIMIT', () => {
    expectSql(union(a, b).orderBy(users.c.name).limit(3),
      'SELECT "users"."name" FROM "users" WHERE "users"."age" > ? UNION SELECT "posts"."title" FROM "posts" WHERE "posts"."id" < ? ORDER BY "name" ASC LIMIT 3', [1, 5])
    expectSql(unionAll(a, b), 'SELECT "users"."name" FROM "users" WHERE "users"."age" > ? UNION ALL SELECT "posts"."title" FROM "posts" WHERE "posts"."id" < ?', [1, 5])
  })
  it('renders INTERSECT and EXCEPT as functions and methods', () => {
    expectSql(intersect(select(users.c.id), select(posts.c.userId)), 'SELECT "users"."id" FROM "users" INTERSECT SELECT "posts"."userId" FROM "posts"', [])
    expectSql(select(users.c.id).except(select(posts.c.userId)), 'SELECT "users"."id" FROM "users" EXCEPT SELECT "posts"."userId" FROM "posts"', [])
    expectSql(except(select(users.c.id), select(posts.c.userId)), 'SELECT "users"."id" FROM "users" EXCEPT SELECT "posts"."userId" FROM "posts"', [])
  })
  it('wraps a member with its own ORDER BY/LIMIT so the compound stays valid', () => {
    expectSql(union(select(users.c.id).orderBy(users.c.id).limit(2), select(posts.c.userId)),
      'SELECT * FROM (SELECT "users"."id" FROM "users" ORDER BY "users"."id" ASC LIMIT 2) AS "_u1" UNION SELECT "posts"."userId" FROM "posts"', [])
  })
  it('refuses INTERSECT/EXCEPT where the database lacks them', () => {
    const old = new SqlCompiler({ ...ansiCaps, intersectExcept: false })
    expect(() => old.compile(intersect(select(users.c.id), select(posts.c.userId)))).to.throw(CompileError, /INTERSECT is not supported/)
    expect(compileOn('ansi', union(select(users.c.id), select(posts.c.userId)))[0]).to.contain(' UNION ')
  })
  it('uses a compound select as a subquery', () => {
    const names = union(a, b).subquery('names')
    expectSql(select(func.count().label('n')).from(names),
      'SELECT count(*) AS "n" FROM (SELECT "users"."name" FROM "users" WHERE "users"."age" > ? UNION SELECT "posts"."title" FROM "posts" WHERE "posts"."id" < ?) AS "names"', [1, 5])
  })
})
