import { expect } from 'chai'
import {
  ArgumentError, AsyncSession, DateTime, ForeignKey, Integer, String, Text, ValueError, bindparam, declarativeBase, insert, mappedColumn, relationship, select,
  selectinload, text, update,
} from '@athanor/core'
import { dateResultSql, dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Writer extends Base.model('bp_writers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  joined: mappedColumn(DateTime(), { nullable: true }),
})<Writer> {
  declare notes: Note[]
  static notes = relationship(() => Note, { backPopulates: 'writer', orderBy: () => [Note.c.id] })
}
class Note extends Base.model('bp_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  writer_id: mappedColumn(Integer, ForeignKey('bp_writers.id')),
  body: mappedColumn(String(50)),
})<Note> {
  declare writer: Writer
  static writer = relationship(() => Writer, { backPopulates: 'notes' })
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

/** bindparam(): statements built once and run with new values, on connections and sessions. */
export const bindParamsSuite: Suite = (ctx) => describe('bind parameters', () => {
  const db = useDatabase(ctx, Base.metadata)
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)
  const at = new Date('2024-05-06T07:08:09.000Z')

  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.addAll([
      new Writer({ id: 1, name: 'Ann', joined: at }), new Writer({ id: 2, name: 'Bo', joined: null }), new Writer({ id: 3, name: 'Cy', joined: null }),
      new Note({ id: 1, writer_id: 1, body: 'a1' }), new Note({ id: 2, writer_id: 1, body: 'a2' }), new Note({ id: 3, writer_id: 2, body: 'b1' }),
    ])
    await s.commit()
    db.statements.length = 0
  }

  describe('on a connection', () => {
    it('runs one statement with new values each time, as the same SQL', async () => {
      await seed()
      const above = select(Writer.c.name).where(Writer.c.id.gt(bindparam('min'))).orderBy(Writer.c.id)
      await using conn = await db.engine.connect()
      expect((await conn.execute(above, { min: 1 })).scalars().all()).to.deep.equal(['Bo', 'Cy'])
      expect((await conn.execute(above, { min: 2 })).scalars().all()).to.deep.equal(['Cy'])
      expect((await conn.execute(above, { min: 0 })).scalars().all()).to.deep.equal(['Ann', 'Bo', 'Cy'])
      const once = sql('SELECT "bp_writers"."name" FROM "bp_writers" WHERE "bp_writers"."id" > ? ORDER BY "bp_writers"."id" ASC')
      expect(db.statements.filter((q) => q !== 'BEGIN')).to.deep.equal([once, once, once])
    })

    it('binds an untyped parameter as the column it is compared with or assigned to (a Date round-trips)', async () => {
      await seed()
      await using conn = await db.engine.connect()
      await conn.execute(insert(Writer).values({ id: 9, name: bindparam('name'), joined: bindparam('joined') }), { name: 'Dee', joined: at })
      const since = select(Writer.c.name).where(Writer.c.joined.eq(bindparam('when'))).orderBy(Writer.c.id)
      expect((await conn.execute(since, { when: at })).scalars().all()).to.deep.equal(['Ann', 'Dee'])
      const row = (await conn.execute(select(Writer.c.joined).where(Writer.c.id.eq(bindparam('id'))), { id: 9 })).scalar()
      expect(row).to.be.instanceOf(Date)
      expect((row as Date).toISOString()).to.equal(at.toISOString())
    })

    it('refuses a value its type cannot take, naming the parameter, and the connection goes on', async () => {
      await seed()
      await using conn = await db.engine.connect()
      const byId = select(Writer.c.name).where(Writer.c.id.eq(bindparam('id')))
      const err = await failure(conn.execute(byId, { id: 'two' }))
      expect(err).to.be.instanceOf(ValueError)
      expect((err as Error).message).to.match(/Parameter 'id'/)
      expect((await conn.execute(byId, { id: 2 })).scalar()).to.equal('Bo')
    })

    it('says which parameter has no value and what was given instead; null is SQL NULL', async () => {
      await seed()
      await using conn = await db.engine.connect()
      const byName = select(Writer.c.id).where(Writer.c.name.eq(bindparam('name')))
      expect(await failure(conn.execute(byName))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/bind parameter 'name' but no parameters were given.*\{ name: … \}/)
      expect(await failure(conn.execute(byName, { nmae: 'Ann' }))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/values given were for nmae/)
      expect(await failure(conn.execute(byName, { name: undefined }))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/pass null for SQL NULL/)
      expect(db.statements.filter((q) => q !== 'BEGIN')).to.deep.equal([])
      await conn.execute(update(Writer).where(Writer.c.id.eq(bindparam('id'))).values({ joined: bindparam('joined') }), { id: 1, joined: null })
      expect((await conn.execute(select(Writer.c.joined).where(Writer.c.id.eq(1)))).scalar()).to.equal(null)
    })

    it('takes a bindparam() as a value of text()', async () => {
      await seed()
      await using conn = await db.engine.connect()
      const byName = text('SELECT id FROM bp_writers WHERE name = :name', { name: bindparam('name', Text) }).columns({ id: Integer })
      expect((await conn.execute(byName, { name: 'Bo' })).scalar()).to.equal(2)
      expect((await conn.execute(byName, { name: 'Cy' })).scalar()).to.equal(3)
    })

    it('rejects a name that is not an identifier', () => {
      expect(() => bindparam('two words')).to.throw(ArgumentError, /letters, digits and underscores/)
    })
  })

  describe('in a session', () => {
    it('returns the objects the session holds, and loads relationships with the same values at hand', async () => {
      await seed()
      await using s = new AsyncSession(db.engine)
      const named = select(Writer).where(Writer.c.name.eq(bindparam('name'))).options(selectinload(Writer.notes))
      const ann = (await s.scalars(named, { name: 'Ann' })).one()
      expect(ann.notes.map((n) => n.body)).to.deep.equal(['a1', 'a2'])
      expect((await s.scalars(named, { name: 'Ann' })).one()).to.equal(ann)
      expect(await s.scalar(select(Writer.c.id).where(Writer.c.name.eq(bindparam('name'))), { name: 'Cy' })).to.equal(3)
    })

    it('streams a statement with parameters, batch by batch, on the session and on a connection', async () => {
      await seed()
      const above = select(Writer).where(Writer.c.id.gt(bindparam('min'))).orderBy(Writer.c.id)
      {
        await using s = new AsyncSession(db.engine)
        const names: string[] = []
        for await (const w of s.stream(above, { batchSize: 1, params: { min: 1 } }).scalars()) names.push(w.name)
        expect(names).to.deep.equal(['Bo', 'Cy'])
      }
      await using conn = await db.engine.connect()
      const ids: number[] = []
      for await (const [id] of conn.stream(select(Writer.c.id).where(Writer.c.id.le(bindparam('max'))).orderBy(Writer.c.id), { params: { max: 2 } })) ids.push(id)
      expect(ids).to.deep.equal([1, 2])
    })

    it('flushes first (autoflush), so a changed object is found by its new value', async () => {
      await seed()
      await using s = new AsyncSession(db.engine)
      const bo = (await s.get(Writer, 2))!
      bo.name = 'Bob'
      expect((await s.scalars(select(Writer).where(Writer.c.name.eq(bindparam('name'))), { name: 'Bob' })).all()).to.deep.equal([bo])
    })

    it('get() and a one-parent load run the same SQL as ever, for every key', async () => {
      await seed()
      await using s = new AsyncSession(db.engine)
      const writers = [(await s.get(Writer, 1))!, (await s.get(Writer, 2))!, (await s.get(Writer, 3))!]
      for (const w of writers) await s.load(w, 'notes')
      expect(writers.map((w) => w.notes.map((n) => n.body))).to.deep.equal([['a1', 'a2'], ['b1'], []])
      const notes = writers[0]!.notes
      const get = sql(`SELECT "bp_writers"."id", "bp_writers"."name", ${dateResultSql(db.engine, '"bp_writers"."joined"', 'joined')} FROM "bp_writers" WHERE "bp_writers"."id" = ?`)
      const load = sql('SELECT "bp_notes"."id", "bp_notes"."writer_id", "bp_notes"."body" FROM "bp_notes" WHERE "bp_notes"."writer_id" IN (?) ORDER BY "bp_notes"."id" ASC')
      expect(db.statements.filter((q) => q !== 'BEGIN')).to.deep.equal([get, get, get, load, load, load])
      // The many-to-one side, one parent at a time: the same statement, each note's own writer.
      await s.close() // an in-memory SQLite database has one connection
      await using other = new AsyncSession(db.engine)
      const own: Note[] = []
      for (const n of [...notes, ...writers[1]!.notes]) own.push(await other.load((await other.get(Note, n.id))!, 'writer'))
      expect(own.map((n) => n.writer.name)).to.deep.equal(['Ann', 'Ann', 'Bo'])
    })

    for (const synchronizeSession of ['fetch', 'evaluate'] as const) {
      it(`brings held objects in line with a bulk UPDATE's parameter values (synchronizeSession: '${synchronizeSession}')`, async () => {
        await seed()
        await using s = new AsyncSession(db.engine)
        const [ann, bo] = [(await s.get(Writer, 1))!, (await s.get(Writer, 2))!]
        const rename = update(Writer).where(Writer.c.id.eq(bindparam('id'))).values({ name: bindparam('name') }).executionOptions({ synchronizeSession })
        await s.execute(rename, { id: 2, name: 'Bea' })
        expect([ann.name, bo.name, s.dirty.length]).to.deep.equal(['Ann', 'Bea', 0])
        expect(await failure(s.execute(rename, { id: 1 }))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/bind parameter 'name'.*values given were for id/)
        await s.execute(rename, { id: 1, name: 'Anna' })
        expect([ann.name, bo.name]).to.deep.equal(['Anna', 'Bea'])
        await s.commit()
        expect((await s.scalars(select(Writer.c.name).orderBy(Writer.c.id))).all()).to.deep.equal(['Anna', 'Bea', 'Cy'])
      })
    }
  })
})
