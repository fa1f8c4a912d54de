import { expect } from 'chai'
import {
  DateTime, Enum, Integer, MetaData, String as StringType, Table, caseWhen, column, createAsyncEngine, func, insert, literal, select,
  type Engine,
} from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import { PostgresCompiler, postgresCapabilities } from '../src/index.js'

const md = new MetaData()
const scores = new Table('athpg_cast_scores', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(StringType(20), { nullable: true }),
  points: column(Integer, { nullable: true }),
})
const T = '"athpg_cast_scores"'

describe('postgres parameter casts', function () {
  describe('compile only', function () {
    const compiler = new PostgresCompiler(postgresCapabilities)
    const sql = (s: Parameters<PostgresCompiler['compile']>[0]) => compiler.compile(s).sql

    it('casts the results of a CASE that has only parameters, so sum() gets a number', function () {
      expect(sql(select(func.sum(caseWhen([[scores.c.points.gt(10), 1]], 0))))).to.equal(
        `SELECT sum(CASE WHEN ${T}."points" > $1 THEN $2::float8 ELSE $3::float8 END) FROM ${T}`)
      expect(sql(select(caseWhen([[scores.c.points.gt(10), literal(1, Integer)]])))).to.equal(`SELECT CASE WHEN ${T}."points" > $1 THEN $2::int4 END FROM ${T}`)
    })

    it('leaves CASE results alone when one of them has a type', function () {
      expect(sql(select(caseWhen([[scores.c.points.gt(10), scores.c.name]], 'low')))).to.equal(
        `SELECT CASE WHEN ${T}."points" > $1 THEN ${T}."name" ELSE $2 END FROM ${T}`)
    })

    it('casts a bare parameter in the select list, labelled or not, by its type', function () {
      expect(sql(select(literal(1)))).to.equal('SELECT $1::float8')
      expect(sql(select(literal(1, Integer).label('one'), literal('x')))).to.equal('SELECT $1::int4 AS "one", $2::text')
      const mood = Enum(['a', 'b'], { name: 'athpg_cast_mood' })
      expect(sql(select(literal('a', mood), literal(new Date(0), DateTime({ timezone: true }))))).to.equal('SELECT $1::"athpg_cast_mood", $2::timestamptz')
    })

    it('keys the cache by the full type: a naive and a zoned DateTime compile differently', function () {
      const d = new Date(0)
      expect(sql(select(literal(d, DateTime())))).to.equal('SELECT $1::timestamp')
      expect(sql(select(literal(d, DateTime({ timezone: true }))))).to.equal('SELECT $1::timestamptz')
      const short = compiler.compile(select(scores.c.id).where(scores.c.name.eq(literal('abcdef', StringType(10)))))
      expect(short.params).to.deep.equal(['abcdef'])
      expect(() => compiler.compile(select(scores.c.id).where(scores.c.name.eq(literal('abcdef', StringType(5)))))).to.throw(/longer than 5/)
    })

    it('casts function arguments only where the function takes its type from them', function () {
      expect(sql(select(func.coalesce(scores.c.name, 'nobody')))).to.equal(`SELECT coalesce(${T}."name", $1) FROM ${T}`)
      expect(sql(select(func.coalesce(literal(null, Integer), 7)))).to.equal('SELECT coalesce($1::int4, $2::int4)')
      expect(sql(select(func.concat!(scores.c.name, '!')))).to.equal(`SELECT concat(${T}."name", $1::text) FROM ${T}`)
      expect(sql(select(func.make_date!(2024, 2, 29)))).to.equal('SELECT make_date($1, $2, $3)')
      expect(sql(select(func.substr!(scores.c.name, 1, 2)))).to.equal(`SELECT substr(${T}."name", $1, $2) FROM ${T}`)
    })

    it('casts both sides of an operator between two parameters', function () {
      expect(sql(select(literal(2, Integer).add(3)))).to.equal('SELECT $1::int4 + $2::int4')
    })

    it('leaves ordinary statements exactly as they were', function () {
      expect(sql(select(scores.c.id).where(scores.c.points.eq(5), scores.c.name.in(['a', 'b'])))).to.equal(
        `SELECT ${T}."id" FROM ${T} WHERE ${T}."points" = $1 AND ${T}."name" IN ($2, $3)`)
      expect(sql(insert(scores).values({ id: 1, name: 'a', points: 2 }))).to.equal(
        `INSERT INTO ${T} ("id", "name", "points") VALUES ($1, $2, $3)`)
      expect(sql(select(scores.c.id).where(scores.c.points.add(1).gt(literal(3))))).to.equal(
        `SELECT ${T}."id" FROM ${T} WHERE ${T}."points" + $1 > $2`)
    })
  })

  describe('live server', function () {
    let engine: Engine
    before(async function () {
      const found = await resolveBackend('postgres')
      if ('skip' in found) {
        console.log(`[athanor] skipping postgres parameter-cast tests: ${found.skip}`)
        this.skip()
      }
      engine = createAsyncEngine(found.url, { pool: { size: 1 } })
      await md.dropAll(engine)
      await md.createAll(engine)
      await engine.begin((conn) => conn.execute(insert(scores).values([
        { id: 1, name: 'ann', points: 12 }, { id: 2, name: null, points: 5 }, { id: 3, name: 'cy', points: 30 },
      ])))
    })
    after(async () => {
      if (engine === undefined) return
      await md.dropAll(engine)
      await engine.dispose()
    })
    const run = (s: Parameters<PostgresCompiler['compile']>[0]): Promise<unknown[][]> =>
      engine.begin(async (conn) => (await conn.execute(s as Parameters<typeof conn.execute>[0])).all() as unknown[][])

    it('sums a CASE over plain numbers (was: function sum(text) does not exist)', async function () {
      expect(await run(select(func.sum(caseWhen([[scores.c.points.gt(10), 1]], 0))))).to.deep.equal([[2]])
      // sum() keeps its argument's type, as in SQLAlchemy: the server's int8 comes back as a number.
      expect(await run(select(func.sum(caseWhen([[scores.c.points.gt(10), literal(1, Integer)]], literal(0, Integer)))))).to.deep.equal([[2]])
    })

    it('returns bare select-list parameters with their own types', async function () {
      expect(await run(select(literal(1), literal(2, Integer).label('two'), literal('x'), literal(true)))).to.deep.equal([[1, 2, 'x', true]])
      expect(await run(select(literal(2, Integer).add(3)))).to.deep.equal([[5]])
    })

    it('fills NULLs with coalesce(col, ?) and concatenates with concat(col, ?)', async function () {
      expect(await run(select(func.coalesce(scores.c.name, 'nobody')).orderBy(scores.c.id))).to.deep.equal([['ann'], ['nobody'], ['cy']])
      expect(await run(select(func.coalesce(literal(null, Integer), 7)))).to.deep.equal([[7]])
      expect(await run(select(func.concat!(scores.c.name, '!')).where(scores.c.id.eq(1)))).to.deep.equal([['ann!']])
      expect(await run(select(func.make_date!(2024, 2, 29).label('d')))).to.deep.equal([['2024-02-29']])
    })
  })
})
