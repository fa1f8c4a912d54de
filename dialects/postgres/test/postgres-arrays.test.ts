import { expect } from 'chai'
import fc from 'fast-check'
import {
  BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Integer, MetaData, Numeric, String as StringType, Table, Text, UUID,
  ValueError, column, createAsyncEngine, insert, literal, select, text, update, type Engine,
} from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import {
  ARRAY, PostgresCompiler, any, arrayContainedBy, arrayContains, arrayOverlaps, parseArrayLiteral, postgresCapabilities,
  serializeArrayLiteral,
} from '../src/index.js'

const md = new MetaData()
const moods = Enum(['happy', 'sad', 'NULL-ish'] as const, { name: 'athpg_arr_mood' })
const things = new Table('athpg_arr_things', md, {
  id: column(Integer, { primaryKey: true }),
  ints: column(ARRAY(Integer), { nullable: true }),
  tags: column(ARRAY(StringType(20)), { nullable: true }),
  texts: column(ARRAY(Text, { nullElements: true }), { nullable: true }),
  bigs: column(ARRAY(BigInteger, { nullElements: true }), { nullable: true }),
  ids: column(ARRAY(UUID), { nullable: true }),
  stamps: column(ARRAY(DateTime({ timezone: true })), { nullable: true }),
  prices: column(ARRAY(Numeric(10, 2)), { nullable: true }),
  days: column(ARRAY(DateType), { nullable: true }),
  flags: column(ARRAY(BooleanType), { nullable: true }),
  moods: column(ARRAY(moods, { nullElements: true }), { nullable: true }),
})

// Compile-time expectations: the element type flows into row values and the helpers.
// (Never called: the @ts-expect-error lines would throw at run time.)
function typeChecks(row: { ints: number[] | null; moods: ('happy' | 'sad' | 'NULL-ish' | null)[] | null }): void {
  insert(things).values({ id: 1, ints: [1, 2], texts: ['a', null] })
  // @ts-expect-error ints holds numbers, and no null elements
  insert(things).values({ id: 1, ints: [1, null] })
  arrayContains(things.c.ints, [1, 2])
  // @ts-expect-error the elements of ints are numbers
  arrayContains(things.c.ints, ['a'])
  any(things.c.tags).eq('orm')
  // @ts-expect-error tags hold strings
  any(things.c.tags).eq(5)
  things.c.id.eq(any(things.c.ints))
  void row
}
void typeChecks

const BIG = 2n ** 62n + 3n
const TRICKY = ['a,b', 'say "hi"', '{braces}', 'back\\slash', 'NULL', '', ' spaced ', 'ünï', null]

describe('postgres arrays', function () {
  describe('compile only', function () {
    const compiler = new PostgresCompiler(postgresCapabilities)

    it('writes element DDL with [] and creates a named enum before an array of it', function () {
      const ddl = compiler.createTable(things, { ifNotExists: false })
      expect(ddl[0]).to.equal(`CREATE TYPE "athpg_arr_mood" AS ENUM ('happy', 'sad', 'NULL-ish')`)
      expect(ddl[1]).to.contain('"ints" INTEGER[]').and.contain('"tags" VARCHAR(20)[]').and.contain('"bigs" BIGINT[]')
        .and.contain('"ids" UUID[]').and.contain('"stamps" TIMESTAMP WITH TIME ZONE[]').and.contain('"prices" NUMERIC(10, 2)[]')
        .and.contain('"moods" "athpg_arr_mood"[]')
    })

    it('binds arrays as array literals, element by element', function () {
      const c = compiler.compile(insert(things).values({ id: 1, ints: [1, -2], bigs: [BIG, null], texts: TRICKY, stamps: [new Date('2024-01-02T03:04:05.678Z')] }))
      expect(c.params).to.deep.equal([
        1, '{"1","-2"}', '{"4611686018427387907",NULL}',
        '{"a,b","say \\"hi\\"","{braces}","back\\\\slash","NULL",""," spaced ","ünï",NULL}', '{"2024-01-02T03:04:05.678Z"}',
      ])
    })

    it('validates every element with the element type, naming its position', function () {
      expect(() => insert(things).values({ id: 1, ints: [1, 'x' as never] })).to.throw(ValueError, /\[1\] \(integer\) cannot take a string/)
      expect(() => insert(things).values({ id: 1, ints: [1, 2 ** 31] })).to.throw(ValueError, /\[1\].*outside/)
      expect(() => insert(things).values({ id: 1, tags: ['x'.repeat(21)] })).to.throw(ValueError, /longer than 20/)
      expect(() => insert(things).values({ id: 1, ints: 5 as never })).to.throw(ValueError, /ARRAY\(integer\).*pass an array/)
      expect(() => insert(things).values({ id: 1, ints: [1, null as never] })).to.throw(ValueError, /nullElements: true/)
      expect(() => insert(things).values({ id: 1, ids: ['not-a-uuid'] })).to.throw(ValueError, /UUID/)
      // Elements are normalised like scalars: upper-case UUIDs are lowered, numbers become decimal strings.
      const c = compiler.compile(update(things).set({ ids: ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'], prices: [12.5 as never, '3.10'] }))
      expect(c.params).to.deep.equal(['{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}', '{"12.5","3.10"}'])
    })

    it('renders @>, <@, && and ANY with the value on the left', function () {
      const sql = (w: Parameters<ReturnType<typeof select>['where']>[0]) => compiler.compile(select(things.c.id).where(w)).sql
      const base = 'SELECT "athpg_arr_things"."id" FROM "athpg_arr_things" WHERE '
      expect(sql(arrayContains(things.c.tags, ['orm']))).to.equal(base + '"athpg_arr_things"."tags" @> $1')
      expect(sql(arrayContainedBy(things.c.tags, ['orm']))).to.equal(base + '"athpg_arr_things"."tags" <@ $1')
      expect(sql(arrayOverlaps(things.c.ints, things.c.ints).and(things.c.id.gt(1)))).to.equal(
        base + '"athpg_arr_things"."ints" && "athpg_arr_things"."ints" AND "athpg_arr_things"."id" > $1')
      expect(sql(any(things.c.tags).eq('orm'))).to.equal(base + '$1 = ANY("athpg_arr_things"."tags")')
      expect(sql(any(things.c.ints).lt(3))).to.equal(base + '$1 > ANY("athpg_arr_things"."ints")')
      expect(sql(things.c.id.eq(any(things.c.ints)))).to.equal(base + '"athpg_arr_things"."id" = ANY("athpg_arr_things"."ints")')
      const c = compiler.compile(select(things.c.id).where(arrayContains(things.c.bigs, [BIG])))
      expect(c.params).to.deep.equal(['{"4611686018427387907"}'])
    })

    it('refuses plain values against an expression that is not ARRAY-typed', function () {
      expect(() => arrayContains(things.c.id as never, [1])).to.throw(/must be typed ARRAY/)
      expect(() => ARRAY(ARRAY(Integer) as never)).to.throw(/multi-dimensional/)
    })

    it('keys compiled SQL by element type, so arrays of different types never share a template', function () {
      const ints = compiler.compile(select(literal([1], ARRAY(Integer))))
      const texts = compiler.compile(select(literal(['a'], ARRAY(Text))))
      expect(ints.sql).to.equal('SELECT $1::int4[]')
      expect(texts.sql).to.equal('SELECT $1::text[]')
      expect(texts.params).to.deep.equal(['{"a"}'])
    })

    it('parses and writes the array text format exactly', function () {
      expect(parseArrayLiteral('{1,NULL,3}', Number)).to.deep.equal([1, null, 3])
      expect(parseArrayLiteral('{"a,b","NULL",NULL,"q\\"x","b\\\\s",""}', undefined)).to.deep.equal(['a,b', 'NULL', null, 'q"x', 'b\\s', ''])
      expect(parseArrayLiteral('{{1,2},{3,4}}', Number)).to.deep.equal([[1, 2], [3, 4]])
      expect(parseArrayLiteral('[0:1]={7,8}', Number)).to.deep.equal([7, 8])
      expect(parseArrayLiteral('{}', Number)).to.deep.equal([])
      expect(serializeArrayLiteral([[1, null], []], String)).to.equal('{{"1",NULL},{}}')
    })

    it('writes any list of texts (NULLs, quotes, backslashes, braces, commas) so that it reads back the same', function () {
      const element = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', ',', '{', '}', ' ', 'NULL', 'é', '😀') }), fc.constant(null))
      fc.assert(fc.property(fc.array(element, { maxLength: 12 }), (values) => {
        const text = serializeArrayLiteral(values, String)
        // Element by element, as the format defines it: quoted, `\` and `"` escaped, NULL bare.
        const spelled = `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`
        expect(text).to.equal(spelled)
        expect(parseArrayLiteral(text, undefined)).to.deep.equal(values)
      }), { numRuns: 500 })
    })
  })

  describe('live server', function () {
    let engine: Engine
    before(async function () {
      const found = await resolveBackend('postgres')
      if ('skip' in found) {
        console.log(`[athanor] skipping postgres array tests: ${found.skip}`)
        this.skip()
      }
      engine = createAsyncEngine(found.url, { pool: { size: 1 } })
      await md.dropAll(engine)
      await md.createAll(engine)
    })
    after(async () => {
      if (engine === undefined) return
      await md.dropAll(engine)
      await engine.dispose()
    })
    beforeEach(async () => {
      await engine.begin((conn) => conn.execute(text('DELETE FROM athpg_arr_things')))
    })

    it('round-trips every element type exactly (bigint past 2^53, tricky text, NULL elements, Dates, decimals)', async function () {
      const stamp = new Date('2024-02-29T23:59:59.123Z')
      const row = {
        id: 1, ints: [1, -2147483648, 2147483647], tags: ['orm', 'sql'], texts: TRICKY, bigs: [BIG, -BIG, null, 0n],
        ids: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], stamps: [stamp, new Date(0)], prices: ['12.50', '0.01'],
        days: ['2024-02-29'], flags: [true, false], moods: ['happy', null, 'NULL-ish'] as ('happy' | 'sad' | 'NULL-ish' | null)[],
      }
      await engine.begin((conn) => conn.execute(insert(things).values(row)))
      const back = await engine.begin((conn) => conn.execute(select(things).where(things.c.id.eq(1))))
      const got = back.mappings().one()
      const typed: Parameters<typeof typeChecks>[0] = got
      // @ts-expect-error the bigs column holds bigint elements
      const wrong: (number | null)[] | null = got.bigs
      void typed, void wrong
      expect(got).to.deep.equal({ ...row, prices: ['12.50', '0.01'] })
      expect(got.bigs![0]).to.equal(BIG)
      expect(got.stamps![0]).to.be.instanceOf(Date)
    })

    it('keeps empty arrays and NULL columns apart', async function () {
      await engine.begin((conn) => conn.execute(insert(things).values([{ id: 1, ints: [] }, { id: 2, ints: null }])))
      const rows = await engine.begin((conn) => conn.execute(select(things.c.id, things.c.ints).orderBy(things.c.id)))
      expect(rows.all()).to.deep.equal([[1, []], [2, null]])
    })

    it('filters with @>, <@, && and = ANY()', async function () {
      await engine.begin((conn) => conn.execute(insert(things).values([
        { id: 1, tags: ['orm', 'sql'], ints: [1, 2], bigs: [BIG] },
        { id: 2, tags: ['ts'], ints: [3], bigs: [1n] },
        { id: 3, tags: [], ints: [], bigs: [] },
      ])))
      const ids = async (w: Parameters<ReturnType<typeof select>['where']>[0]) =>
        (await engine.begin((conn) => conn.execute(select(things.c.id).where(w).orderBy(things.c.id)))).scalars().all()
      expect(await ids(arrayContains(things.c.tags, ['sql', 'orm']))).to.deep.equal([1])
      expect(await ids(arrayContainedBy(things.c.tags, ['ts', 'go']))).to.deep.equal([2, 3])
      expect(await ids(arrayOverlaps(things.c.ints, [2, 3]))).to.deep.equal([1, 2])
      expect(await ids(any(things.c.tags).eq('ts'))).to.deep.equal([2])
      expect(await ids(any(things.c.ints).gt(2))).to.deep.equal([2])
      expect(await ids(any(things.c.bigs).eq(BIG))).to.deep.equal([1])
      expect(await ids(things.c.id.eq(any(things.c.ints)))).to.deep.equal([1])
    })

    it('selects a bound array and reads arrays from text() with NULL elements intact', async function () {
      const r = await engine.begin((conn) => conn.execute(select(literal([BIG, 2n], ARRAY(BigInteger)).label('b'), literal(['x,y'], ARRAY(Text)))))
      expect(r.all()).to.deep.equal([[[BIG, 2n], ['x,y']]])
      const raw = await engine.begin((conn) => conn.execute(text(`SELECT '{a,NULL,"NULL"}'::text[] AS t, '{1,NULL}'::int8[] AS b`)))
      expect(raw.all()).to.deep.equal([[['a', null, 'NULL'], [1n, null]]])
    })
  })
})
