import { expect } from 'chai'
import {
  ColumnGroup, ForeignKey, Integer, MetaData, SqlCompiler, String, Table, alias, and, bindparam, column, del, desc, func, insert, or, select, text, update,
} from '@athanor/core'
import type { Capabilities } from '@athanor/core'
import { LibsqlCompiler, libsqlCapabilities } from '@athanor/libsql'
import { PostgresCompiler, postgresCapabilities } from '@athanor/postgres'

const ansiCaps: Capabilities = { ...libsqlCapabilities, nullsOrdering: false, ilike: false }
const md = new MetaData()
const users = new Table('users', md, { id: column(Integer, { primaryKey: true }), name: column(String(50)), age: column(Integer, { nullable: true }) })
const posts = new Table('posts', md, { id: column(Integer, { primaryKey: true }), title: column(String(100)), userId: column(Integer, ForeignKey('users.id')) })

describe('compiler (compile only, no database)', () => {
  const ansi = new SqlCompiler(ansiCaps)
  const sqlite = new LibsqlCompiler(libsqlCapabilities)
  const c = (stmt: unknown, compiler: SqlCompiler = ansi) => {
    const r = compiler.compile(stmt)
    return [r.sql, r.params]
  }

  it('selects columns with bound values, never inlined', () => {
    expect(c(select(users.c.id, users.c.name).where(users.c.name.eq("O'Brien; DROP TABLE users")))).to.deep.equal([
      'SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."name" = ?', ["O'Brien; DROP TABLE users"],
    ])
  })
  it('compares with null as IS NULL and combines with and/or', () => {
    expect(c(select(users.c.id).where(or(users.c.age.eq(null), and(users.c.age.gt(3), users.c.name.ne('x')))))).to.deep.equal([
      'SELECT "users"."id" FROM "users" WHERE "users"."age" IS NULL OR "users"."age" > ? AND "users"."name" <> ?', [3, 'x'],
    ])
  })
  it('escapes wildcards in startsWith/contains but not in like', () => {
    expect(c(select(users.c.id).where(users.c.name.startsWith('50%_off')))).to.deep.equal([`SELECT "users"."id" FROM "users" WHERE "users"."name" LIKE ? ESCAPE '\\'`, ['50\\%\\_off%']])
    expect(c(select(users.c.id).where(users.c.name.like('D%')))).to.deep.equal(['SELECT "users"."id" FROM "users" WHERE "users"."name" LIKE ?', ['D%']])
  })
  it('emulates ILIKE with lower() where the dialect lacks it', () => {
    expect(c(select(users.c.id).where(users.c.name.ilike('a%')))[0]).to.equal('SELECT "users"."id" FROM "users" WHERE lower("users"."name") LIKE lower(?)')
  })
  it('handles empty IN lists', () => {
    expect(c(select(users.c.id).where(users.c.id.in([])))[0]).to.equal('SELECT "users"."id" FROM "users" WHERE 1 <> 1')
    expect(c(select(users.c.id).where(users.c.id.notIn([])))[0]).to.equal('SELECT "users"."id" FROM "users" WHERE 1 = 1')
  })
  it('infers join conditions from foreign keys', () => {
    expect(c(select(posts.c.title).join(users))[0]).to.equal('SELECT "posts"."title" FROM "posts" JOIN "users" ON "posts"."userId" = "users"."id"')
  })
  it('orders, limits and offsets (OFFSET bound, LIMIT written); NULLS LAST is emulated', () => {
    expect(c(select(users.c.id).orderBy(desc(users.c.age), users.c.id.asc({ nulls: 'last' })).limit(10).offset(20))).to.deep.equal([
      'SELECT "users"."id" FROM "users" ORDER BY "users"."age" DESC, CASE WHEN "users"."id" IS NULL THEN 1 ELSE 0 END, "users"."id" ASC LIMIT 10 OFFSET ?', [20],
    ])
  })
  it('renders correlated scalar subqueries and aggregates', () => {
    const n = select(func.count()).where(posts.c.userId.eq(users.c.id)).scalarSubquery().label('n')
    expect(c(select(users.c.name, n))[0]).to.equal('SELECT "users"."name", (SELECT count(*) FROM "posts" WHERE "posts"."userId" = "users"."id") AS "n" FROM "users"')
  })
  it('renders recursive CTEs and aliases', () => {
    const tree = select(users.c.id).where(users.c.age.isNull()).cte('tree', { recursive: true })
    const all = tree.unionAll(select(users.c.id).join(tree, users.c.age.eq(tree.c.id)))
    expect(c(select(all.c.id).from(all))[0]).to.equal('WITH RECURSIVE "tree" AS (SELECT "users"."id" FROM "users" WHERE "users"."age" IS NULL UNION ALL SELECT "users"."id" FROM "users" JOIN "tree" ON "users"."age" = "tree"."id") SELECT "tree"."id" FROM "tree"')
    const u2 = alias(users, 'u2')
    expect(c(select(users.c.name, u2.c.name).join(u2, users.c.id.eq(u2.c.age)))[0]).to.equal('SELECT "users"."name", "u2"."name" FROM "users" JOIN "users" AS "u2" ON "users"."id" = "u2"."age"')
  })
  it('compiles insert, update, delete with returning', () => {
    expect(c(insert(users).values([{ name: 'a' }, { name: 'b' }]).returning(users.c.id))).to.deep.equal(['INSERT INTO "users" ("name") VALUES (?), (?) RETURNING "id"', ['a', 'b']])
    expect(c(update(users).set({ name: 'x' }).where(users.c.id.eq(1)))).to.deep.equal(['UPDATE "users" SET "name" = ? WHERE "users"."id" = ?', ['x', 1]])
    expect(c(del(users).where(users.c.id.eq(2)))).to.deep.equal(['DELETE FROM "users" WHERE "users"."id" = ?', [2]])
  })
  it('binds text() parameters by name and leaves :: casts alone', () => {
    expect(c(text('SELECT x::int FROM t WHERE a = :a AND b = :b', { a: 1, b: 'z' }))).to.deep.equal(['SELECT x::int FROM t WHERE a = ? AND b = ?', [1, 'z']])
  })
  it('caches compiled SQL by structure: new values reuse it', () => {
    const comp = new SqlCompiler(ansiCaps)
    const q = (name: string) => select(users.c.id).where(users.c.name.eq(name))
    comp.compile(q('a'))
    const second = comp.compile(q('b'))
    expect(second.cached).to.equal(true)
    expect(second.params).to.deep.equal(['b'])
    expect(comp.stats).to.deep.equal({ hits: 1, misses: 1 })
  })
  it('compiles bind parameters as placeholders, takes their values at each compile, and keeps the compilation with the statement', () => {
    const comp = new SqlCompiler(ansiCaps)
    const pg = new PostgresCompiler(postgresCapabilities)
    const id = bindparam('id', Integer)
    const q = select(users.c.name).where(or(users.c.id.eq(id), users.c.age.gt(id)), users.c.name.ne(bindparam('name', String(50))))
    const first = comp.compile(q, { id: 1, name: 'x' })
    expect([first.sql, first.params, first.cached]).to.deep.equal(['SELECT "users"."name" FROM "users" WHERE ("users"."id" = ? OR "users"."age" > ?) AND "users"."name" <> ?', [1, 1, 'x'], false])
    const second = comp.compile(q, { id: 2, name: 'y' })
    expect([second.sql, second.params, second.cached]).to.deep.equal([first.sql, [2, 2, 'y'], true])
    expect(comp.stats).to.deep.equal({ hits: 1, misses: 1 })
    // Untyped, a parameter takes each operand's type: one node per use.
    expect(comp.compile(select(users.c.name).where(users.c.id.eq(bindparam('n')), users.c.age.gt(bindparam('n'))), { n: 4 }).params).to.deep.equal([4, 4])
    // PostgreSQL's numbered placeholders send one parameter used twice once.
    expect([pg.compile(q, { id: 3, name: 'z' }).sql, pg.compile(q, { id: 3, name: 'z' }).params]).to.deep.equal([
      'SELECT "users"."name" FROM "users" WHERE ("users"."id" = $1 OR "users"."age" > $1) AND "users"."name" <> $2', [3, 'z'],
    ])
    // The same SQL as a literal value: one compilation serves both.
    expect(comp.compile(select(users.c.name).where(or(users.c.id.eq(5), users.c.age.gt(5)), users.c.name.ne('w'))).cached).to.equal(true)
  })
  it('binds an untyped parameter as its operand\'s type, or else as its value\'s', () => {
    const comp = new SqlCompiler(ansiCaps)
    expect(() => comp.compile(select(users.c.name).where(users.c.age.eq(bindparam('age'))), { age: 'old' })).to.throw(/Parameter 'age'/)
    expect(comp.compile(select(bindparam('v').label('v')), { v: 'text' }).params).to.deep.equal(['text'])
    expect(comp.compile(select(bindparam('v').label('v')), { v: 7 }).params).to.deep.equal([7])
    expect(() => comp.compile(select(users.c.name).where(users.c.id.eq(bindparam('id'))))).to.throw(/bind parameter 'id' but no parameters were given/)
  })
  it('keys table columns and column groups the same in every statement, and apart from other tables', () => {
    // Their key text is made once per column or group; a stale or shared one would reuse another statement's SQL.
    const comp = new SqlCompiler(ansiCaps)
    const orders = new Table('orders_k', new MetaData(), { id: column(Integer, { primaryKey: true }), name: column(String(20)) })
    const group = new ColumnGroup(users, [users.c.id, users.c.name])
    const otherGroup = new ColumnGroup(orders, [orders.c.id, orders.c.name])
    expect(comp.compile(select(group).where(users.c.id.eq(1))).sql).to.equal('SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" = ?')
    expect(comp.compile(select(otherGroup).where(orders.c.id.eq(1))).sql).to.equal('SELECT "orders_k"."id", "orders_k"."name" FROM "orders_k" WHERE "orders_k"."id" = ?')
    const again = comp.compile(select(group).where(users.c.id.eq(2)))
    expect([again.sql, again.cached, again.params]).to.deep.equal(['SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" = ?', true, [2]])
    // The same columns through an alias key by the alias, walk by walk.
    const a = alias(users, 'u')
    expect(comp.compile(select(new ColumnGroup(a, [a.c.id, a.c.name]))).sql).to.equal('SELECT "u"."id", "u"."name" FROM "users" AS "u"')
    expect(comp.stats).to.deep.equal({ hits: 1, misses: 3 })
  })
  it('uses LIMIT -1 for a bare OFFSET on SQLite', () => {
    expect(c(select(users.c.id).offset(5), sqlite)[0]).to.equal('SELECT "users"."id" FROM "users" LIMIT -1 OFFSET ?')
  })
  it('rejects values that drivers would coerce silently', () => {
    expect(() => insert(users).values({ name: 'a', age: Number.NaN })).to.throw(/NaN/)
    expect(() => insert(users).values({ name: 'a\u0000b' })).to.throw(/NUL/)
    expect(() => sqlite.compile(select(users.c.id).where(users.c.age.eq(1.5)))).to.throw(/whole number/)
  })
})
