import { expect } from 'chai'
import { ArgumentError, Integer, MetaData, String as StringType, Table, column, createAsyncEngine, insert, select, type Engine } from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import { LibsqlCompiler, excluded, libsqlCapabilities, onConflictDoNothing, onConflictDoUpdate } from '../src/index.js'

const md = new MetaData()
const users = new Table('athsq_upsert_users', md, {
  id: column(Integer, { primaryKey: true }),
  email: column(StringType(100), { unique: true }),
  name: column(StringType(50)),
  visits: column(Integer, { default: 0 }),
})
const row = (email: string, name: string, visits = 1) => insert(users).values({ email, name, visits })
const bump = (email: string, name: string, visits = 1) => onConflictDoUpdate(row(email, name, visits), {
  target: users.c.email,
  set: { name: excluded(users).name, visits: users.c.visits.add(excluded(users).visits) },
  where: users.c.name.ne('frozen'),
})

describe('libsql upserts', function () {
  describe('compile only', function () {
    const compiler = new LibsqlCompiler(libsqlCapabilities)
    it('writes ON CONFLICT … DO NOTHING with and without a target', function () {
      expect(compiler.compile(onConflictDoNothing(row('a', 'A'))).sql).to.equal(
        'INSERT INTO "athsq_upsert_users" ("email", "name", "visits") VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      expect(compiler.compile(onConflictDoNothing(row('a', 'A'), { target: [users.c.email], targetWhere: users.c.visits.gt(0) })).sql).to.equal(
        'INSERT INTO "athsq_upsert_users" ("email", "name", "visits") VALUES (?, ?, ?) ON CONFLICT ("email") WHERE "athsq_upsert_users"."visits" > ? DO NOTHING')
    })
    it('writes ON CONFLICT (target) DO UPDATE SET … excluded … WHERE, before RETURNING', function () {
      const c = compiler.compile(bump('a', 'A').returning(users.c.id))
      expect(c.sql).to.equal(
        'INSERT INTO "athsq_upsert_users" ("email", "name", "visits") VALUES (?, ?, ?) ON CONFLICT ("email") DO UPDATE SET ' +
        '"name" = excluded."name", "visits" = "athsq_upsert_users"."visits" + excluded."visits" WHERE "athsq_upsert_users"."name" <> ? RETURNING "id"')
      expect(c.params).to.deep.equal(['a', 'A', 1, 'frozen'])
    })
    it('checks the target, the set keys and a second clause', function () {
      // @ts-expect-error target is required for DO UPDATE
      expect(() => onConflictDoUpdate(row('a', 'A'), { set: { name: 'x' } })).to.throw(ArgumentError, /needs a target/)
      const other = new Table('other', new MetaData(), { email: column(StringType(10), { primaryKey: true }) })
      expect(() => onConflictDoNothing(row('a', 'A'), { target: other.c.email as never })).to.throw(ArgumentError, /not a column of 'athsq_upsert_users'/)
      // @ts-expect-error nope is not a column
      expect(() => onConflictDoUpdate(row('a', 'A'), { target: users.c.email, set: { nope: 1 } })).to.throw(ArgumentError, /unknown column 'nope'/)
      expect(() => onConflictDoNothing(bump('a', 'A'))).to.throw(ArgumentError, /already has an upsert clause/)
    })
    it('asks for a WHERE in INSERT … SELECT, which SQLite needs to parse ON CONFLICT', function () {
      const copy = (q: ReturnType<typeof select<[typeof users.c.email, typeof users.c.name]>>) => insert(users).fromSelectQuery(['email', 'name'], q)
      expect(() => onConflictDoNothing(copy(select(users.c.email, users.c.name)))).to.throw(ArgumentError, /needs a WHERE clause/)
      expect(new LibsqlCompiler(libsqlCapabilities).compile(onConflictDoNothing(copy(select(users.c.email, users.c.name).where(users.c.id.gt(0))))).sql)
        .to.match(/WHERE "athsq_upsert_users"\."id" > \? ON CONFLICT DO NOTHING$/)
    })
  })

  describe('live server', function () {
    let engine: Engine
    before(async function () {
      const found = await resolveBackend('libsql')
      if ('skip' in found) {
        console.log(`[athanor] skipping libsql upsert tests: ${found.skip}`)
        this.skip()
      }
      engine = createAsyncEngine(found.url, { pool: { size: 1 } })
    })
    beforeEach(async () => {
      await md.dropAll(engine)
      await md.createAll(engine)
    })
    after(async () => {
      if (engine === undefined) return
      await md.dropAll(engine)
      await engine.dispose()
    })

    it('skips colliding rows with DO NOTHING, returning only the inserted ones', async function () {
      await engine.begin(async (conn) => {
        await conn.execute(row('a', 'A'))
        const back = await conn.execute(onConflictDoNothing(insert(users).values([{ email: 'a', name: 'A2' }, { email: 'b', name: 'B' }]), { target: users.c.email }).returning(users.c.email))
        expect(back.scalars().all()).to.deep.equal(['b'])
        expect((await conn.execute(select(users.c.email, users.c.name).orderBy(users.c.email))).all()).to.deep.equal([['a', 'A'], ['b', 'B']])
      })
    })

    it('updates colliding rows from excluded values, only where the condition holds', async function () {
      await engine.begin(async (conn) => {
        await conn.execute(bump('a', 'A', 1))
        await conn.execute(bump('a', 'Ann', 5))
        await conn.execute(row('f', 'frozen'))
        const back = await conn.execute(bump('f', 'thawed', 3).returning(users.c.name))
        expect(back.all()).to.deep.equal([]) // the WHERE refused the update
        expect((await conn.execute(select(users.c.email, users.c.name, users.c.visits).orderBy(users.c.email))).all()).to.deep.equal([['a', 'Ann', 6], ['f', 'frozen', 1]])
      })
    })
  })
})
