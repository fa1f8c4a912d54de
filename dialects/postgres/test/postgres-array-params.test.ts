import { expect } from 'chai'
import {
  AsyncSession, BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Integer, JSON as JsonType, LargeBinary, Numeric,
  StaleDataError, String as StringType, Text, UUID, ValueError, createAsyncEngine, declarativeBase, ForeignKey, insert as insertInto, mappedColumn, relationship, select, selectinload, sqlDefault, text, typeDecorator,
  type Engine,
} from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import { ARRAY, PostgresCompiler, postgresCapabilities } from '../src/index.js'

/**
 * Lists of keys the ORM builds as one array parameter on PostgreSQL (README "Statements the ORM
 * sends as arrays"): select-in loading's and the flush's DELETE's `col = ANY($1)` (the compiler's
 * keyIn) and the unit of work's batched UPDATE, keys and values as arrays joined by key (src/unnest-statements.ts) — one SQL
 * text for any number of keys or rows. Every column type a mapped class can have must come back
 * exactly as written; what arrays cannot carry (an array column, a SQL expression) keeps the IN
 * list or the CASE form.
 */

class Money {
  readonly cents: number
  constructor(cents: number) {
    this.cents = cents
  }
}
const Cents = typeDecorator(Integer, { name: 'Cents', toDriver: (m: Money) => m.cents, fromDriver: (c: number) => new Money(c) })
const Mood = Enum(['happy', 'sad', 'NULL'] as const, { name: 'athpg_ubk_mood' })

const Base = declarativeBase()
class Thing extends Base.model('athpg_ubk_things', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(StringType(40), { nullable: true }),
  body: mappedColumn(Text, { nullable: true }),
  big: mappedColumn(BigInteger, { nullable: true }),
  price: mappedColumn(Numeric(14, 4), { nullable: true }),
  at: mappedColumn(DateTime(), { nullable: true }),
  atz: mappedColumn(DateTime({ timezone: true }), { nullable: true }),
  day: mappedColumn(DateType, { nullable: true }),
  flag: mappedColumn(BooleanType, { nullable: true }),
  doc: mappedColumn(JsonType<unknown>(), { nullable: true }),
  blob: mappedColumn(LargeBinary, { nullable: true }),
  mood: mappedColumn(Mood, { nullable: true }),
  uid: mappedColumn(UUID, { nullable: true }),
  cents: mappedColumn(Cents, { nullable: true }),
  tags: mappedColumn(ARRAY(Text), { nullable: true }),
  qty: mappedColumn(Integer, { nullable: true }),
}) {}

class Shelf extends Base.model('athpg_ubk_shelves', {
  code: mappedColumn(Text, { primaryKey: true }),
})<Shelf> {
  declare books: Book[]
  static books = relationship(() => Book, { orderBy: () => [Book.c.id] })
}
class Book extends Base.model('athpg_ubk_books', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  shelfCode: mappedColumn(Text, ForeignKey('athpg_ubk_shelves.code')),
}) {}

class Note extends Base.model('athpg_ubk_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(Text),
  at: mappedColumn(DateTime({ timezone: true }), { serverDefault: sqlDefault('now()') }),
}) {}

const CODES = ['a,b', 'say "hi"', '{braces}', 'back\\slash', 'NULL', '', ' spaced ', 'ünï']
const BY_CODE = 'SELECT "athpg_ubk_books"."id", "athpg_ubk_books"."shelfCode" FROM "athpg_ubk_books" WHERE "athpg_ubk_books"."shelfCode" = ANY($1) ORDER BY "athpg_ubk_books"."id" ASC'

const DELETE_SHELVES = 'DELETE FROM "athpg_ubk_shelves" WHERE "athpg_ubk_shelves"."code" = ANY($1)'

const UNNEST_NAME = 'UPDATE "athpg_ubk_things" AS "_t" SET "name" = "_r"."c0" FROM unnest($1::int4[], $2::varchar[]) AS "_r"("k", "c0") WHERE "_t"."id" = "_r"."k"'

describe('postgres: lists as one array parameter (select-in keys, batched UPDATEs and INSERTs)', function () {
  describe('compile only', function () {
    const compiler = new PostgresCompiler(postgresCapabilities)
    const t = Thing.__table__
    const compile = (n: number) => compiler.compile(compiler.updateByKey({
      table: t, key: t.c.id, columns: [t.c.name], keys: Array.from({ length: n }, (_, i) => i + 1), values: [Array.from({ length: n }, (_, i) => `n${i},"q"`)],
    }))

    it('writes one statement whose SQL does not grow with the rows: two array parameters for two rows or five hundred', function () {
      const two = compile(2)
      const many = compile(500)
      expect(two.sql).to.equal(UNNEST_NAME)
      expect(many.sql).to.equal(UNNEST_NAME)
      expect(two.statementKind).to.equal('update')
      expect(two.params).to.deep.equal(['{"1","2"}', '{"n0,\\"q\\"","n1,\\"q\\""}'])
      expect(many.params).to.have.length(2)
    })

    it('casts each array to its column type, a named enum by name, a decorated type as the type it stores', function () {
      const sql = compiler.compile(compiler.updateByKey({
        table: t, key: t.c.id, columns: [t.c.big, t.c.atz, t.c.doc, t.c.mood, t.c.cents], keys: [1, 2], values: [[1n, 2n], [new Date(0), null], [{}, []], ['sad', null], [5, 6]],
      })).sql
      expect(sql).to.contain('unnest($1::int4[], $2::int8[], $3::timestamptz[], $4::jsonb[], $5::"athpg_ubk_mood"[], $6::int4[])')
        .and.contain('SET "big" = "_r"."c0", "atz" = "_r"."c1", "doc" = "_r"."c2", "mood" = "_r"."c3", "cents" = "_r"."c4"')
    })

    it('leaves an array column to the CASE form and to INSERT … VALUES: unnest would flatten its arrays', function () {
      expect(compiler.updateByKey({ table: t, key: t.c.id, columns: [t.c.tags], keys: [1, 2], values: [[['a'], ['b']]] })).to.equal(undefined)
      const insert = compiler.compile(compiler.insertRows({ table: t, columns: [t.c.id, t.c.tags], values: [[1, 2], [['a'], ['b']]], returning: [] }))
      const values = compiler.compile(insertInto(t).values([{ id: 1, tags: ['a'] }, { id: 2, tags: ['b'] }]))
      expect(insert.sql).to.equal('INSERT INTO "athpg_ubk_things" ("id", "tags") VALUES ($1, $2), ($3, $4)')
      expect([insert.sql, insert.params]).to.deep.equal([values.sql, values.params])
    })

    it('inserts rows as one array per column, returning what the flush asks for', function () {
      const insert = compiler.insertRows({ table: t, columns: [t.c.id, t.c.name], values: [[1, 2], ['a', null]], returning: [t.c.qty] })
      const compiled = compiler.compile(insert)
      expect(compiled.sql).to.equal('INSERT INTO "athpg_ubk_things" ("id", "name") SELECT * FROM unnest($1::int4[], $2::varchar[]) RETURNING "qty"')
      expect(compiled.params).to.deep.equal(['{"1","2"}', '{"a",NULL}'])
      expect([compiled.statementKind, compiled.returnsRows]).to.deep.equal(['insert', true])
    })
  })

  describe('compile only: select-in keys', function () {
    const compiler = new PostgresCompiler(postgresCapabilities)
    const byCode = (n: number) => compiler.compile(select(Book).where(compiler.keyIn(Book.c.shelfCode, CODES.slice(0, n))!).orderBy(Book.c.id))

    it('compares the key column with ANY of one array parameter, whatever the number of keys', function () {
      expect(byCode(1).sql).to.equal(BY_CODE)
      expect(byCode(8).sql).to.equal(BY_CODE)
      expect(byCode(3).params).to.deep.equal(['{"a,b","say \\"hi\\"","{braces}"}'])
    })

    it('leaves a key that is an array itself to the IN list', function () {
      expect(compiler.keyIn(Thing.c.tags, [['a']])).to.equal(undefined)
    })
  })

  describe('on a server', function () {
    let engine: Engine
    const statements: string[] = []
    before(async function () {
      const found = await resolveBackend('postgres')
      if ('skip' in found) {
        console.log(`[athanor] skipping postgres unnest-statements tests: ${found.skip}`)
        return this.skip()
      }
      engine = createAsyncEngine(found.url, { pool: { size: 1, maxOverflow: 0 } })
      await Base.metadata.dropAll(engine, { checkFirst: true })
      await engine.begin(async (conn) => void (await conn.execute(text('DROP TYPE IF EXISTS "athpg_ubk_mood"'))))
      await Base.metadata.createAll(engine)
      engine.events.on('afterExecute', (e) => { if (e.sql.startsWith('UPDATE')) statements.push(e.sql) })
    })
    after(async function () {
      if (engine === undefined) return
      await Base.metadata.dropAll(engine, { checkFirst: true })
      await engine.begin(async (conn) => void (await conn.execute(text('DROP TYPE IF EXISTS "athpg_ubk_mood"'))))
      await engine.dispose()
    })
    beforeEach(async function () {
      await engine.begin(async (conn) => {
        for (const table of ['athpg_ubk_things', 'athpg_ubk_books', 'athpg_ubk_shelves', 'athpg_ubk_notes']) await conn.execute(text(`DELETE FROM ${table}`))
      })
      await using s = new AsyncSession(engine)
      s.addAll([1, 2, 3].map((id) => new Thing({ id, name: `thing ${id}`, qty: id, tags: ['x'] })))
      await s.commit()
      statements.length = 0
    })

    const load = async (s: AsyncSession): Promise<Thing[]> => (await s.scalars(select(Thing).orderBy(Thing.c.id))).all()

    it('writes every column type exactly, nulls and awkward text included, in one UPDATE', async function () {
      const written = [
        {
          name: 'a,b "quoted" {braces} back\\slash', body: 'NULL', big: 2n ** 62n + 7n, price: '-12345.6789', at: new Date('2024-02-29T23:59:58.123Z'),
          atz: new Date('1999-12-31T23:00:00.001Z'), day: '2024-02-29', flag: true, doc: { s: 'a "b"', n: [1, null], nested: { x: '{}' } },
          blob: Uint8Array.from([0, 1, 254, 255]), mood: 'NULL' as const, uid: '123e4567-e89b-12d3-a456-426614174000', cents: new Money(-42),
        },
        { name: '', body: ' spaced ', big: -(2n ** 63n), price: '0.0001', at: new Date('1970-01-01T00:00:00.000Z'), atz: new Date('2038-01-19T03:14:08.000Z'), day: '0001-01-01', flag: false, doc: 'just a string', blob: new Uint8Array(0), mood: 'sad' as const, uid: '00000000-0000-0000-0000-000000000000', cents: new Money(0) },
        { name: null, body: null, big: null, price: null, at: null, atz: null, day: null, flag: null, doc: null, blob: null, mood: null, uid: null, cents: null },
      ]
      {
        await using s = new AsyncSession(engine)
        const things = await load(s)
        things.forEach((thing, i) => Object.assign(thing, written[i]))
        await s.commit()
      }
      // Rows 1 and 2 change every column (one statement); row 3 only its name (nulls were null).
      expect(statements).to.have.length(2)
      expect(statements[0]).to.match(/^UPDATE "athpg_ubk_things" AS "_t" SET "name" = "_r"."c0", .* FROM unnest\(\$1::int4\[\], .*\$14::int4\[\]\) AS "_r"/)
      expect(statements[1]).to.equal('UPDATE "athpg_ubk_things" SET "name" = $1 WHERE "athpg_ubk_things"."id" = $2')
      await using check = new AsyncSession(engine)
      const back = await load(check)
      back.forEach((thing, i) => {
        const w = written[i]!
        expect({ ...thing, blob: thing.blob === null ? null : [...thing.blob], cents: thing.cents?.cents ?? null }, `row ${i + 1}`).to.deep.equal({
          ...w, id: i + 1, qty: i + 1, tags: ['x'], blob: w.blob === null ? null : [...w.blob], cents: w.cents?.cents ?? null,
        })
      })
    })

    it('inserts every column type exactly with one INSERT … SELECT FROM unnest, nulls and awkward text included', async function () {
      await engine.begin(async (conn) => void (await conn.execute(text('DELETE FROM athpg_ubk_things'))))
      statements.length = 0
      const inserts: string[] = []
      const listen = (e: { sql: string }): void => void (e.sql.startsWith('INSERT') && inserts.push(e.sql))
      engine.events.on('afterExecute', listen)
      const rows = [
        { id: 11, name: 'a,b "quoted" {braces} back\\slash', body: 'NULL', big: 2n ** 62n + 7n, price: '-12345.6789', at: new Date('2024-02-29T23:59:58.123Z'), atz: new Date('1999-12-31T23:00:00.001Z'), day: '2024-02-29', flag: true, doc: { s: 'a "b"', n: [1, null] }, blob: Uint8Array.from([0, 1, 254, 255]), mood: 'NULL' as const, uid: '123e4567-e89b-12d3-a456-426614174000', cents: new Money(-42), qty: 1 },
        { id: 12, name: null, body: null, big: null, price: null, at: null, atz: null, day: null, flag: null, doc: null, blob: null, mood: null, uid: null, cents: null, qty: null },
        { id: 13, name: '', body: ' spaced ', big: -(2n ** 63n), price: '0.0001', at: new Date(0), atz: new Date('2038-01-19T03:14:08.000Z'), day: '0001-01-01', flag: false, doc: 'just a string', blob: new Uint8Array(0), mood: 'sad' as const, uid: '00000000-0000-0000-0000-000000000000', cents: new Money(0), qty: 0 },
      ]
      try {
        await using s = new AsyncSession(engine)
        s.addAll(rows.map((r) => new Thing(r)))
        await s.commit()
      } finally {
        engine.events.off('afterExecute', listen)
      }
      expect(inserts).to.have.length(1)
      expect(inserts[0]).to.match(/^INSERT INTO "athpg_ubk_things" \("id", "name", .*\) SELECT \* FROM unnest\(\$1::int4\[\], \$2::varchar\[\], /)
      await using check = new AsyncSession(engine)
      const back = await load(check)
      back.forEach((thing, i) => {
        const w = rows[i]!
        expect({ ...thing, blob: thing.blob === null ? null : [...thing.blob], cents: thing.cents?.cents ?? null }, `row ${w.id}`).to.deep.equal({
          ...w, tags: null, blob: w.blob === null ? null : [...w.blob], cents: w.cents?.cents ?? null,
        })
      })
    })

    it('gives each inserted object its own generated key and server default, in the order of the rows', async function () {
      const bodies = Array.from({ length: 500 }, (_, i) => `note ${i} ${'x'.repeat(i % 7)}`)
      const notes = bodies.map((body) => new Note({ body }))
      {
        await using s = new AsyncSession(engine)
        s.addAll(notes)
        await s.commit()
      }
      expect(new Set(notes.map((n) => n.id)).size).to.equal(500)
      expect(notes.every((n) => n.at instanceof Date)).to.equal(true)
      await using check = new AsyncSession(engine)
      const stored = new Map((await check.execute(select(Note.c.id, Note.c.body))).all().map(([id, body]) => [id, body]))
      expect(notes.map((n) => stored.get(n.id))).to.deep.equal(bodies)
    })

    it('loads a collection by ANY of the parents\' keys: awkward text keys find their rows, one prepared statement for any number', async function () {
      {
        await using s = new AsyncSession(engine)
        s.addAll(CODES.map((code) => new Shelf({ code })))
        await s.flush()
        s.addAll(CODES.flatMap((code, i) => [new Book({ id: 2 * i + 1, shelfCode: code }), new Book({ id: 2 * i + 2, shelfCode: code })]))
        await s.commit()
      }
      const reads: string[] = []
      const listen = (e: { sql: string }): void => void reads.push(e.sql)
      engine.events.on('afterExecute', listen)
      try {
        for (const n of [8, 3, 8]) {
          await using s = new AsyncSession(engine)
          const shelves = (await s.scalars(select(Shelf).where(Shelf.c.code.in(CODES.slice(0, n))).options(selectinload(Shelf.books)))).all()
          expect(Object.fromEntries(shelves.map((sh) => [sh.code, sh.books.map((b) => b.id)]))).to.deep.equal(
            Object.fromEntries(CODES.slice(0, n).map((code, i) => [code, [2 * i + 1, 2 * i + 2]])))
        }
        expect(reads.filter((q) => q.includes('athpg_ubk_books'))).to.deep.equal([BY_CODE, BY_CODE, BY_CODE])
        await using check = new AsyncSession(engine)
        expect(await check.scalar(text('SELECT count(*)::int FROM pg_prepared_statements WHERE statement = :sql', { sql: BY_CODE }))).to.equal(1)
      } finally {
        engine.events.off('afterExecute', listen)
      }
    })

    it('deletes by ANY of the keys: awkward text keys, one prepared statement for any number; a row gone behind the session fails the whole flush', async function () {
      {
        await using s = new AsyncSession(engine)
        s.addAll(CODES.map((code) => new Shelf({ code })))
        await s.commit()
      }
      const deletes: string[] = []
      const listen = (e: { sql: string }): void => void (e.sql.startsWith('DELETE') && deletes.push(e.sql))
      engine.events.on('afterExecute', listen)
      const codes = async (s: AsyncSession): Promise<string[]> => (await s.scalars(select(Shelf.c.code).orderBy(Shelf.c.code))).all()
      try {
        // Three shelves, then two: the same statement, prepared once on the engine's one connection.
        for (const n of [3, 2]) {
          await using s = new AsyncSession(engine)
          const shelves = (await s.scalars(select(Shelf).orderBy(Shelf.c.code))).all()
          for (const shelf of shelves.slice(0, n)) await s.delete(shelf)
          await s.commit()
        }
        expect(deletes).to.deep.equal([DELETE_SHELVES, DELETE_SHELVES])
        await using check = new AsyncSession(engine)
        const left = [...CODES].sort().slice(5)
        expect(await codes(check)).to.deep.equal(left)
        expect(await check.scalar(text('SELECT count(*)::int FROM pg_prepared_statements WHERE statement = :sql', { sql: DELETE_SHELVES }))).to.equal(1)
        await check.close()

        // One of the three rows deleted behind the ORM's back (SQL text in the same transaction,
        // which it does not track): the DELETE matches two, and the rollback undoes it all.
        await using s = new AsyncSession(engine)
        const shelves = (await s.scalars(select(Shelf).orderBy(Shelf.c.code))).all()
        await s.execute(text('DELETE FROM athpg_ubk_shelves WHERE code = :c', { c: left[1] }))
        for (const shelf of shelves) await s.delete(shelf)
        const err = await s.commit().then(() => undefined, (e: unknown) => e)
        expect(err).to.be.instanceOf(StaleDataError)
        expect((err as Error).message).to.match(/DELETE of 3 Shelf.*3.*2/s)
        await s.rollback()
        await using after = new AsyncSession(engine)
        expect(await codes(after)).to.deep.equal(left)
      } finally {
        engine.events.off('afterExecute', listen)
      }
    })

    it('runs one prepared statement for any number of rows', async function () {
      // The engine's one connection: the server's list of its prepared statements is per connection.
      for (const ids of [[1, 2], [1, 2, 3], [2, 3]]) {
        await using s = new AsyncSession(engine)
        for (const thing of await load(s)) if (ids.includes(thing.id)) thing.name = `renamed ${ids.join('')}`
        await s.commit()
      }
      expect(statements).to.deep.equal([UNNEST_NAME, UNNEST_NAME, UNNEST_NAME])
      await using check = new AsyncSession(engine)
      expect((await load(check)).map((t) => t.name)).to.deep.equal(['renamed 123', 'renamed 23', 'renamed 23'])
      const prepared = await check.scalar(text('SELECT count(*)::int FROM pg_prepared_statements WHERE statement = :sql', { sql: UNNEST_NAME }))
      expect(prepared).to.equal(1)
    })

    it('keeps the CASE form for an array column and for a value that is a SQL expression', async function () {
      await using s = new AsyncSession(engine)
      const things = await load(s)
      things.forEach((thing, i) => (thing.tags = [`t${i}`, 'a,"b"']))
      await s.flush()
      things.forEach((thing) => (thing.qty = Thing.c.qty.mul(10) as unknown as number))
      await s.commit()
      expect(statements).to.have.length(2)
      expect(statements.every((q) => q.includes('CASE "athpg_ubk_things"."id" WHEN') && !q.includes('unnest'))).to.equal(true)
      await using check = new AsyncSession(engine)
      expect((await load(check)).map((t) => [t.tags, t.qty])).to.deep.equal([[['t0', 'a,"b"'], 10], [['t1', 'a,"b"'], 20], [['t2', 'a,"b"'], 30]])
    })

    it('refuses a value its column cannot take before sending anything, and the session keeps its objects for a retry', async function () {
      await using s = new AsyncSession(engine)
      const things = await load(s)
      things[0]!.name = 'fits'
      things[1]!.name = 'x'.repeat(41)
      const err = await s.commit().then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(ValueError)
      expect((err as Error).message).to.contain('athpg_ubk_things.name')
      expect(statements).to.deep.equal([])
      await s.rollback()
      things[1]!.name = 'fits too'
      things[0]!.name = 'fits'
      await s.commit()
      await using check = new AsyncSession(engine)
      expect((await load(check)).map((t) => t.name)).to.deep.equal(['fits', 'fits too', 'thing 3'])
    })
  })
})
