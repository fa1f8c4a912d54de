import { expect } from 'chai'
import {
  BigInteger, Boolean, DateTime, DateType, Enum, Float, Integer, JSON, LargeBinary, MetaData, Numeric, SmallInteger, String, Table, Text, Time, UUID,
  ValueError, column, func, insert, select,
} from '@athanor/core'
import type { Engine, InsertRow } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const metadata = new MetaData()
/** The tables of this suite: one column of every core type (migrations reflect and diff them). */
export { metadata as typesRoundTripMetadata }
const specs = {
  id: column(Integer, { primaryKey: true }),
  int: column(Integer, { nullable: true }),
  big: column(BigInteger, { nullable: true }),
  small: column(SmallInteger, { nullable: true }),
  ratio: column(Float, { nullable: true }),
  price: column(Numeric(10, 2), { nullable: true }),
  wide: column(Numeric(30, 10), { nullable: true }),
  code: column(String(20), { nullable: true }),
  body: column(Text, { nullable: true }),
  flag: column(Boolean, { nullable: true }),
  day: column(DateType, { nullable: true }),
  at: column(DateTime(), { nullable: true }),
  atTz: column(DateTime({ timezone: true }), { nullable: true }),
  clock: column(Time, { nullable: true }),
  doc: column(JSON<unknown>(), { nullable: true }),
  uid: column(UUID, { nullable: true }),
  blob: column(LargeBinary, { nullable: true }),
  mood: column(Enum(['happy', 'sad', 'so-so'] as const, { name: 'xt_mood' }), { nullable: true }),
}
const kinds = new Table('xt_kinds', metadata, specs)
type Values = InsertRow<typeof specs>

const ALL_BYTES = new Uint8Array(Array.from({ length: 256 }, (_, i) => i))
const DOC = { list: [1, 'two', null, { deep: [true, false] }], n: -1.5, text: 'é "quoted" \\ 🙂', empty: {}, none: [] }

/** Inserts one row and reads the newest row back as an object. */
async function roundTrip(engine: Engine, values: Values): Promise<Record<string, unknown>> {
  const result = await engine.begin(async (conn) => {
    await conn.execute(insert(kinds).values(values))
    return conn.execute(select(kinds).orderBy(kinds.c.id.desc()).limit(1))
  })
  return result.mappings().all()[0]!
}

/** Each core type written and read back exactly, and values no column can take refused. */
export const typesRoundTripSuite: Suite = (ctx) => describe('column types: round trip', () => {
  const db = useDatabase(ctx, metadata)
  const at = new Date('2024-02-29T23:59:58.123Z')

  it('keeps integers at the edges of their ranges, bigints past 2^53 included', async () => {
    const row = await roundTrip(db.engine, { int: -2147483648, big: 9007199254740993n, small: 32767 })
    expect([row.int, row.big, row.small]).to.deep.equal([-2147483648, 9007199254740993n, 32767])
    const edges = await roundTrip(db.engine, { int: 2147483647, big: -9223372036854775808n, small: -32768 })
    expect([edges.int, edges.big, edges.small]).to.deep.equal([2147483647, -9223372036854775808n, -32768])
    const max = await roundTrip(db.engine, { big: 9223372036854775807n })
    expect(max.big).to.equal(9223372036854775807n)
    expect(await db.engine.begin((c) => c.execute(select(kinds.c.id).where(kinds.c.big.eq(9007199254740993n))))).to.have.property('rows').with.length(1)
  })

  it('keeps floats bit for bit and decimals as exact strings', async () => {
    const row = await roundTrip(db.engine, { ratio: 0.1 + 0.2, price: '12.50', wide: '12345678901234567890.0123456789' })
    expect([row.ratio, row.price, row.wide]).to.deep.equal([0.30000000000000004, '12.50', '12345678901234567890.0123456789'])
    const neg = await roundTrip(db.engine, { ratio: -1.7976931348623157e308, price: '-99999999.99', wide: '-0.0000000001' })
    expect([neg.ratio, neg.price, neg.wide]).to.deep.equal([-1.7976931348623157e308, '-99999999.99', '-0.0000000001'])
  })

  it('keeps text exactly: unicode beyond the BMP, quotes, backslashes, a full-length String(n)', async () => {
    const body = `é ü 日本 🙂 ' " \\ \n\t\r\n` + 'x'.repeat(5000)
    const row = await roundTrip(db.engine, { code: '🙂'.repeat(20), body })
    expect(row.code).to.equal('🙂'.repeat(20))
    expect(row.body).to.equal(body)
  })

  it('keeps booleans, dates, times, UUIDs and enums', async () => {
    const row = await roundTrip(db.engine, { flag: false, day: '2024-02-29', clock: '23:59:59', uid: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', mood: 'so-so' })
    expect([row.flag, row.day, row.clock, row.uid, row.mood]).to.deep.equal([false, '2024-02-29', '23:59:59', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'so-so'])
    const other = await roundTrip(db.engine, { flag: true, day: '1999-12-31', clock: '00:00:00', mood: 'happy' })
    expect([other.flag, other.day, other.clock, other.mood]).to.deep.equal([true, '1999-12-31', '00:00:00', 'happy'])
  })

  it('keeps DateTime with and without time zone as the same instant, to the millisecond', async () => {
    const row = await roundTrip(db.engine, { at, atTz: at })
    expect(row.at).to.be.instanceOf(Date)
    expect(row.atTz).to.be.instanceOf(Date)
    expect([(row.at as Date).toISOString(), (row.atTz as Date).toISOString()]).to.deep.equal([at.toISOString(), at.toISOString()])
    const found = await db.engine.begin((c) => c.execute(select(func.count()).from(kinds).where(kinds.c.at.eq(at), kinds.c.atTz.eq(at))))
    expect(found.all()).to.deep.equal([[1]])
  })

  it('keeps the first and last instants of years 1–9999, and ISO text with offsets as instants', async () => {
    for (const iso of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z']) {
      const row = await roundTrip(db.engine, { at: new Date(iso), atTz: new Date(iso), day: iso.slice(0, 10) })
      expect([(row.at as Date).toISOString(), (row.atTz as Date).toISOString(), row.day], iso).to.deep.equal([iso, iso, iso.slice(0, 10)])
    }
    const iso = '2024-03-01T00:30:00+01:00' as unknown as Date
    const text = await roundTrip(db.engine, { at: iso, atTz: iso })
    expect([(text.at as Date).toISOString(), (text.atTz as Date).toISOString()]).to.deep.equal(['2024-02-29T23:30:00.000Z', '2024-02-29T23:30:00.000Z'])
  })

  it('keeps decimals at exactly their precision and scale, and top-level JSON numbers and strings', async () => {
    const row = await roundTrip(db.engine, { price: '99999999.99', wide: '99999999999999999999.9999999999', doc: 2 ** 53 })
    expect([row.price, row.wide, row.doc]).to.deep.equal(['99999999.99', '99999999999999999999.9999999999', 2 ** 53])
    for (const doc of [0, -1.5, 1e300, '42', 'text', true, null]) expect((await roundTrip(db.engine, { doc })).doc, `${doc}`).to.deep.equal(doc)
  })

  it('keeps nested JSON objects and arrays, and a top-level array', async () => {
    const row = await roundTrip(db.engine, { doc: DOC })
    expect(row.doc).to.deep.equal(DOC)
    const arr = await roundTrip(db.engine, { doc: [1, [2, [3, { x: 'y' }]]] })
    expect(arr.doc).to.deep.equal([1, [2, [3, { x: 'y' }]]])
  })

  it('keeps binary data with all 256 byte values', async () => {
    const row = await roundTrip(db.engine, { blob: ALL_BYTES })
    expect(row.blob).to.be.instanceOf(Uint8Array)
    expect(Buffer.from(row.blob as Uint8Array).equals(Buffer.from(ALL_BYTES))).to.equal(true)
    const empty = await roundTrip(db.engine, { blob: new Uint8Array(0) })
    expect((empty.blob as Uint8Array).length).to.equal(0)
  })

  it('reads NULL back as null for every type', async () => {
    const row = await roundTrip(db.engine, {})
    const { id, ...rest } = row
    expect(id).to.be.a('number')
    expect(rest).to.deep.equal(Object.fromEntries(Object.keys(specs).filter((k) => k !== 'id').map((k) => [k, null])))
  })

  it('refuses values no column of the type can hold, before anything reaches the database', async () => {
    const refused: [Values, string][] = [
      [{ int: Number.NaN }, 'xt_kinds.int (integer) cannot take NaN: pass a finite whole number'],
      [{ big: Infinity as unknown as bigint }, 'xt_kinds.big (bigint) cannot take Infinity: pass a finite whole number'],
      [{ int: 2 ** 31 }, 'xt_kinds.int (integer) cannot take a number: the value is outside -2147483648..2147483647'],
      [{ price: Number.NaN as unknown as string }, 'xt_kinds.price (Numeric(10, 2)) cannot take NaN: pass a finite number or a decimal string'],
      [{ wide: -Infinity as unknown as string }, 'xt_kinds.wide (Numeric(30, 10)) cannot take -Infinity: pass a finite number or a decimal string'],
      [{ at: new Date(Number.NaN) }, "xt_kinds.at (DateTime) cannot take an invalid Date: its time is NaN (new Date() of text it could not parse?); pass a Date or an ISO 8601 string ('2024-01-02T03:04:05Z')"],
      [{ day: new Date('2024-13-45') as unknown as string }, "xt_kinds.day (date) cannot take an invalid Date: its time is NaN (new Date() of text it could not parse?); pass 'YYYY-MM-DD' or a Date"],
      [{ at: "' OR '1'='1" as unknown as Date }, "xt_kinds.at (DateTime) cannot take a string: it is not an ISO 8601 timestamp such as '2024-01-02T03:04:05Z'; pass a Date or an ISO 8601 string ('2024-01-02T03:04:05Z')"],
      [{ at: '100%' as unknown as Date }, "xt_kinds.at (DateTime) cannot take a string: it is not an ISO 8601 timestamp such as '2024-01-02T03:04:05Z'; pass a Date or an ISO 8601 string ('2024-01-02T03:04:05Z')"],
      [{ at: 42 as unknown as Date }, "xt_kinds.at (DateTime) cannot take a number: pass a Date or an ISO 8601 string ('2024-01-02T03:04:05Z') (for epoch milliseconds: new Date(ms))"],
      [{ at: new Date('+010000-01-01T00:00:00Z') }, "xt_kinds.at (DateTime) cannot take a Date: its year 10000 is outside 1–9999; pass a Date or an ISO 8601 string ('2024-01-02T03:04:05Z')"],
      [{ atTz: new Date('-000001-06-01T00:00:00Z') }, "xt_kinds.atTz (DateTime(tz)) cannot take a Date: its year -1 is outside 1–9999; pass a Date or an ISO 8601 string with a zone ('2024-01-02T03:04:05Z')"],
      [{ day: '2023-02-30' }, "xt_kinds.day (date) cannot take a string: 2023-02 has no day 30; pass 'YYYY-MM-DD' or a Date"],
      [{ price: '1.005' }, "xt_kinds.price (Numeric(10, 2)) cannot take a string: it has 3 decimal places and the column keeps 2: round it first, or widen the column's scale"],
      [{ price: 123456789 as unknown as string }, "xt_kinds.price (Numeric(10, 2)) cannot take a number: it has 9 digits before the decimal point and the column allows 8: widen the column's precision"],
      [{ body: 'before\u0000after' }, 'xt_kinds.body (text) cannot take a string: it contains the NUL character (\\u0000), which the databases cut or refuse; strip it, or store bytes in a LargeBinary column'],
      [{ code: 'half \uD83D' }, 'xt_kinds.code (String(20)) cannot take a string: it contains a lone UTF-16 surrogate (half of a character such as an emoji, e.g. from slicing a string), which the databases store as U+FFFD; fix the string (s.toWellFormed() replaces it knowingly)'],
      [{ doc: new Map([['a', 1]]) }, 'xt_kinds.doc (json) cannot take an object (Map): $ is a Map, which JSON does not keep as it is; store Object.fromEntries(map)'],
      [{ doc: { n: Number.NaN } }, 'xt_kinds.doc (json) cannot take an object (Object): $.n is NaN, which JSON writes as null; store a finite number or null'],
      [{ doc: { gone: undefined } }, 'xt_kinds.doc (json) cannot take an object (Object): $.gone is undefined, which JSON drops; use null, or leave the key out'],
      [{ code: { toString: () => 'x' } as unknown as string }, 'xt_kinds.code (String(20)) cannot take an object (Object): pass a string'],
      [{ int: [1] as unknown as number }, 'xt_kinds.int (integer) cannot take an array: pass a whole number or a bigint'],
      [{ flag: 'true' as unknown as boolean }, 'xt_kinds.flag (boolean) cannot take a string: pass true or false'],
      [{ mood: 'angry' as 'sad' }, "xt_kinds.mood (Enum(happy|sad|so-so)) cannot take a string: pass one of 'happy', 'sad', 'so-so'"],
    ]
    for (const [values, message] of refused) {
      const err = await db.engine.begin((c) => c.execute(insert(kinds).values(values))).then(() => undefined, (e: unknown) => e)
      expect(err, message).to.be.instanceOf(ValueError)
      expect((err as Error).message).to.equal(message)
    }
    const compared = await db.engine.begin((c) => c.execute(select(kinds.c.id).where(kinds.c.price.eq(Number.NaN as unknown as string)))).then(() => undefined, (e: unknown) => e)
    expect(compared).to.be.instanceOf(ValueError)
    expect((compared as Error).message).to.equal('Parameter 1 (Numeric(10, 2)) cannot take NaN: pass a finite number or a decimal string')
    expect((await db.engine.begin((c) => c.execute(select(func.count()).from(kinds)))).all()).to.deep.equal([[0]])
  })
})
