import { expect } from 'chai'
import { ArgumentError, CompileError, SqlCompiler, ValueError, del, func, insert, select, update } from '@athanor/core'
import { ansiCaps, compileOn, compilers, expectSql, posts, users } from './compile-helpers.js'

describe('compile: INSERT', () => {
  it('inserts one row, filling client defaults of columns left out', () => {
    expectSql(insert(users).values({ name: 'a', age: 3 }), 'INSERT INTO "users" ("name", "age", "active") VALUES (?, ?, ?)', ['a', 3, true])
  })
  it('inserts many rows in one statement', () => {
    expectSql(insert(posts).values([{ title: 'a', userId: 1 }, { title: 'b', userId: 2 }]),
      'INSERT INTO "posts" ("title", "userId") VALUES (?, ?), (?, ?)', ['a', 1, 'b', 2])
  })
  it('requires every row to give the same columns', () => {
    expect(() => insert(posts).values([{ title: 'a', userId: 1 }, { title: 'b', userId: 2, editorId: 3 }])).to.throw(ArgumentError, /every row must give the same columns/)
    expect(() => insert(posts).values([])).to.throw(ArgumentError, /got no rows/)
  })
  it('keys runs of plain rows by their count: one cached shape per row count, expressions in rows keyed apart', () => {
    const compiler = new SqlCompiler(ansiCaps)
    const rows = (n: number, from = 0): { title: string; userId: number }[] => Array.from({ length: n }, (_, i) => ({ title: `t${from + i}`, userId: from + i }))
    const a = compiler.compile(insert(posts).values(rows(3)))
    const b = compiler.compile(insert(posts).values(rows(3, 10)))
    expect(b.cached).to.equal(true)
    expect(b.params).to.deep.equal(['t10', 10, 't11', 11, 't12', 12])
    expect(compiler.compile(insert(posts).values(rows(4))).cached).to.equal(false)
    // The same count, but one value is an expression: another shape, rendered as it.
    const mixed = compiler.compile(insert(posts).values([...rows(1), { title: func.upper('x'), userId: 2 }, ...rows(1, 5)]))
    expect(mixed.cached).to.equal(false)
    expect(mixed.sql).to.equal('INSERT INTO "posts" ("title", "userId") VALUES (?, ?), (upper(?), ?), (?, ?)')
    expect(mixed.params).to.deep.equal(['t0', 0, 'x', 2, 't5', 5])
    expect(a.sql).to.equal('INSERT INTO "posts" ("title", "userId") VALUES (?, ?), (?, ?), (?, ?)')
    const moved = compiler.compile(insert(posts).values([...rows(2), { title: func.upper('x'), userId: 2 }]))
    expect(moved.cached).to.equal(false)
    expect(moved.sql).to.equal('INSERT INTO "posts" ("title", "userId") VALUES (?, ?), (?, ?), (upper(?), ?)')
  })
  it("compiles the unit of work's rows (insertRows) as the same INSERT … VALUES, from the values without bind nodes, one text per row count", () => {
    const seen = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6))
    const values = [{ name: 'a', age: 1, seen, active: true }, { name: 'b', age: null, seen: null, active: false }]
    for (const [dialect, compiler] of Object.entries(compilers)) {
      const rows = { table: users, columns: [users.c.name, users.c.age, users.c.seen, users.c.active], values: [['a', 'b'], [1, null], [seen, null], [true, false]], returning: dialect === 'mysql' ? [] : [users.c.id] }
      const own = compiler.compile(compiler.insertRows(rows))
      const statement = insert(users).values(values)
      const plain = compiler.compile(rows.returning.length > 0 ? statement.returning(users.c.id) : statement)
      if (dialect === 'postgres') {
        expect(own.sql, dialect).to.match(/SELECT \* FROM unnest\(/) // its own statement (postgres-array-params.test.ts)
        continue
      }
      expect([own.sql, own.params], dialect).to.deep.equal([plain.sql, plain.params])
      expect([own.statementKind, own.returnsRows, own.columnNames], dialect).to.deep.equal(['insert', rows.returning.length > 0, plain.columnNames])
      const again = compiler.compile(compiler.insertRows({ ...rows, values: [['c', 'd'], [2, 3], [null, seen], [false, true]] }))
      expect([again.cached, again.sql], dialect).to.deep.equal([true, own.sql])
      expect(again.params.slice(0, 4), dialect).to.deep.equal(compiler.compile(insert(users).values({ name: 'c', age: 2, seen: null, active: false })).params)
      expect(compiler.compile(compiler.insertRows({ ...rows, values: [['c'], [2], [null], [true]] })).cached, dialect).to.equal(false)
    }
    expect(() => compilers.libsql.compile(compilers.libsql.insertRows({ table: users, columns: [users.c.name], values: [[]], returning: [] }))).to.throw(CompileError, /INSERT into users of no rows/)
    const oneRowOnly = new SqlCompiler({ ...ansiCaps, multiRowInsert: false })
    expect(() => oneRowOnly.compile(oneRowOnly.insertRows({ table: users, columns: [users.c.name], values: [['a', 'b']], returning: [] }))).to.throw(CompileError, /cannot insert several rows in one statement/)
  })
  it('inserts from a select', () => {
    expectSql(insert(posts).fromSelectQuery(['title', 'userId'], select(users.c.name, users.c.id).where(users.c.age.gt(3))),
      'INSERT INTO "posts" ("title", "userId") SELECT "users"."name", "users"."id" FROM "users" WHERE "users"."age" > ?', [3])
  })
  it('returns columns and expressions, unqualified', () => {
    expectSql(insert(posts).values({ title: 't', userId: 1 }).returning(posts.c.id, posts.c.title, func.upper(posts.c.title).label('loud')),
      'INSERT INTO "posts" ("title", "userId") VALUES (?, ?) RETURNING "id", "title", upper("title") AS "loud"', ['t', 1])
  })
  it('inserts a row of defaults', () => {
    expectSql(insert(posts), 'INSERT INTO "posts" DEFAULT VALUES', [], { mysql: 'INSERT INTO `posts` () VALUES ()' })
  })
  it('refuses RETURNING where the database lacks it, naming the alternative', () => {
    const noReturning = new SqlCompiler({ ...ansiCaps, returning: { insert: false, update: false, delete: false } })
    expect(() => noReturning.compile(insert(posts).values({ title: 't', userId: 1 }).returning(posts.c.id))).to.throw(CompileError, /no INSERT … RETURNING; run a SELECT afterwards/)
  })
  it('validates values against the column type before binding', () => {
    expect(() => insert(users).values({ name: 'x'.repeat(51) })).to.throw(ValueError, /users.name \(String\(50\)\) cannot take a string: the string is longer than 50 characters/)
    expect(() => insert(users).values({ name: 'a', nope: 1 } as never)).to.throw(ArgumentError, /unknown column 'nope'; its columns are id, name/)
  })
})

describe('compile: UPDATE and DELETE', () => {
  it('updates with values and expressions, qualifying WHERE columns', () => {
    expectSql(update(users).set({ age: users.c.age.add(1), name: 'b' }).where(users.c.name.eq('a')),
      'UPDATE "users" SET "age" = "users"."age" + ?, "name" = ? WHERE "users"."name" = ?', [1, 'b', 'a'])
  })
  it('updates every row without WHERE and returns columns', () => {
    const stmt = update(users).set({ active: false }).returning(users.c.id, users.c.active)
    expectSql(stmt, 'UPDATE "users" SET "active" = ? RETURNING "id", "active"', [false], { mysql: null })
    expect(() => compileOn('mysql', stmt)).to.throw(CompileError, /no UPDATE … RETURNING/)
  })
  it('combines several where() calls with AND', () => {
    expectSql(update(users).set({ age: null }).where(users.c.id.gt(1)).where(users.c.id.lt(5)),
      'UPDATE "users" SET "age" = ? WHERE "users"."id" > ? AND "users"."id" < ?', [null, 1, 5])
  })
  it('updates with a subquery in WHERE', () => {
    expectSql(update(users).set({ active: true }).where(users.c.id.in(select(posts.c.userId).where(posts.c.title.eq('x')))),
      'UPDATE "users" SET "active" = ? WHERE "users"."id" IN (SELECT "posts"."userId" FROM "posts" WHERE "posts"."title" = ?)', [true, 'x'])
  })
  it('refuses an UPDATE with nothing to set', () => {
    expect(() => compileOn('ansi', update(users).where(users.c.id.eq(1)))).to.throw(CompileError, /has nothing to set/)
  })
  it('deletes with WHERE and RETURNING', () => {
    expectSql(del(users).where(users.c.age.lt(3), users.c.active.eq(false)).returning(users.c.id),
      'DELETE FROM "users" WHERE "users"."age" < ? AND "users"."active" = ? RETURNING "id"', [3, false])
    expectSql(del(posts), 'DELETE FROM "posts"', [])
  })
})
