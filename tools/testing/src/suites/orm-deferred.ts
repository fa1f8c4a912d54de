import { expect } from 'chai'
import { ArgumentError, AsyncSession, ForeignKey, Integer, String, Text, UnloadedColumnError, bindparam, declarativeBase, defer, insert, joinedload, loadOnly, mappedColumn, relationship, select, selectinload, undefer } from '@athanor/core'
import { dialectSql, keyListSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Writer extends Base.model('deferred_writers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40)),
  email: mappedColumn(String(60)),
  bio: mappedColumn(Text, { deferred: true }),
})<Writer> {
  declare essays: Essay[]
  static essays = relationship(() => Essay, { backPopulates: 'writer' })
}
class Essay extends Base.model('deferred_essays', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(40)),
  body: mappedColumn(Text),
  writer_id: mappedColumn(Integer, ForeignKey('deferred_writers.id')),
})<Essay> {
  declare writer: Writer
  static writer = relationship(() => Writer, { backPopulates: 'essays' })
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)
const reads = (statements: readonly string[]): string[] => statements.filter((q) => q.startsWith('SELECT'))

/** Deferred columns: left out of loads, an error when read unloaded, loaded by await obj.$.col, undefer() or loadColumns(). */
export const ormDeferredSuite: Suite = (ctx) => describe('orm: deferred and partial loading', () => {
  const db = useDatabase(ctx, Base.metadata)

  beforeEach(async () => {
    await using s = new AsyncSession(db.engine)
    await s.execute(insert(Writer).values([{ id: 1, name: 'Ann', email: 'ann@x.io', bio: 'A long life.' }, { id: 2, name: 'Bob', email: 'bob@x.io', bio: 'Short.' }]))
    await s.execute(insert(Essay).values([{ id: 1, title: 'On tea', body: 'Tea is…', writer_id: 1 }, { id: 2, title: 'On rain', body: 'Rain is…', writer_id: 2 }]))
    await s.commit()
    db.statements.length = 0
  })

  it('leaves a deferred: true column out of the SELECT; reading it says how to load it', async () => {
    await using s = new AsyncSession(db.engine)
    const [ann] = (await s.scalars(select(Writer).orderBy(Writer.c.id))).all()
    expect(reads(db.statements)).to.deep.equal([dialectSql(db.engine, 'SELECT "deferred_writers"."id", "deferred_writers"."name", "deferred_writers"."email" FROM "deferred_writers" ORDER BY "deferred_writers"."id" ASC')])
    expect(ann!.name).to.equal('Ann')
    expect(() => ann!.bio).to.throw(UnloadedColumnError, /Writer\.bio is not loaded: .* await writer\.\$\.bio .* session\.loadColumns\(objects, 'bio'\).*undefer\(Writer\.c\.bio\)/)
    expect(JSON.parse(JSON.stringify(ann)), 'JSON leaves the unloaded column out').to.deep.equal({ id: 1, name: 'Ann', email: 'ann@x.io' })
  })

  it('await obj.$.col loads it with one SELECT, then reads it from memory; loadColumns() loads many at once', async () => {
    await using s = new AsyncSession(db.engine)
    const [ann, bob] = (await s.scalars(select(Writer).orderBy(Writer.c.id))).all()
    db.statements.length = 0
    expect(await ann!.$.bio).to.equal('A long life.')
    expect(ann!.bio).to.equal('A long life.')
    expect(await ann!.$.bio).to.equal('A long life.')
    expect(reads(db.statements)).to.have.length(1)
    db.statements.length = 0
    await s.loadColumns([ann!, bob!], 'bio')
    expect(reads(db.statements), 'only bob was still unloaded').to.deep.equal([dialectSql(db.engine, `SELECT "deferred_writers"."id", "deferred_writers"."bio" FROM "deferred_writers" WHERE "deferred_writers"."id" ${keyListSql(db.engine, 1)}`)])
    expect(bob!.bio).to.equal('Short.')
  })

  it('undefer() loads it with the query; a later fuller row fills a held object in', async () => {
    await using s = new AsyncSession(db.engine)
    const ann = (await s.scalars(select(Writer).where(Writer.c.id.eq(1)))).one()
    expect(() => ann.bio).to.throw(UnloadedColumnError)
    const again = (await s.scalars(select(Writer).where(Writer.c.id.eq(1)).options(undefer(Writer.c.bio)))).one()
    expect(again).to.equal(ann)
    expect(ann.bio).to.equal('A long life.')
  })

  it('defer() and loadOnly() choose columns per query; keys and relationship columns always come', async () => {
    await using s = new AsyncSession(db.engine)
    const essay = (await s.scalars(select(Essay).where(Essay.c.id.eq(1)).options(loadOnly(Essay.c.title)))).one()
    expect(reads(db.statements).at(-1)).to.equal(dialectSql(db.engine, 'SELECT "deferred_essays"."id", "deferred_essays"."title", "deferred_essays"."writer_id" FROM "deferred_essays" WHERE "deferred_essays"."id" = ?'))
    expect(essay.title).to.equal('On tea')
    expect(() => essay.body).to.throw(UnloadedColumnError)
    const rain = (await s.scalars(select(Essay).where(Essay.c.id.eq(2)).options(defer(Essay.c.body, Essay.c.title)))).one()
    expect(() => rain.title).to.throw(UnloadedColumnError)
    // The foreign key was loaded, so the relationship loads as usual.
    await s.load(rain, 'writer')
    expect(rain.writer.name).to.equal('Bob')
  })

  it('a select kept and run again (another session, other parameters) leaves out the same columns each time', async () => {
    const byName = select(Essay).where(Essay.c.title.eq(bindparam('title'))).options(loadOnly(Essay.c.title))
    for (const [title, id] of [['On tea', 1], ['On rain', 2], ['On tea', 1]] as const) {
      await using s = new AsyncSession(db.engine)
      db.statements.length = 0
      const essay = (await s.scalars(byName, { title })).one()
      expect(essay.id).to.equal(id)
      expect(essay.title).to.equal(title)
      expect(() => essay.body, title).to.throw(UnloadedColumnError)
      expect(reads(db.statements)).to.deep.equal([dialectSql(db.engine, 'SELECT "deferred_essays"."id", "deferred_essays"."title", "deferred_essays"."writer_id" FROM "deferred_essays" WHERE "deferred_essays"."title" = ?')])
    }
    // The same columns, not those of the statement run before: a Writer select with its deferred bio.
    await using s = new AsyncSession(db.engine)
    const ann = (await s.scalars(select(Writer).where(Writer.c.id.eq(1)))).one()
    expect(() => ann.bio).to.throw(UnloadedColumnError)
    expect(ann.email).to.equal('ann@x.io')
  })

  it('applies a class’s deferred columns to select-in loads; joined loads load every column', async () => {
    {
      await using s = new AsyncSession(db.engine)
      const viaSelectin = (await s.scalars(select(Essay).where(Essay.c.id.eq(1)).options(selectinload(Essay.writer)))).one()
      expect(() => viaSelectin.writer.bio).to.throw(UnloadedColumnError)
    }
    await using t = new AsyncSession(db.engine)
    const viaJoin = (await t.scalars(select(Essay).where(Essay.c.id.eq(2)).options(joinedload(Essay.writer)))).one()
    expect(viaJoin.writer.bio).to.equal('Short.')
  })

  it('an unloaded column is not a change; assigning one writes it; a rollback makes it unloaded again', async () => {
    await using s = new AsyncSession(db.engine)
    const ann = (await s.scalars(select(Writer).where(Writer.c.id.eq(1)))).one()
    ann.name = 'Anne'
    db.statements.length = 0
    await s.flush()
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.deep.equal([dialectSql(db.engine, 'UPDATE "deferred_writers" SET "name" = ? WHERE "deferred_writers"."id" = ?')])
    ann.bio = 'Rewritten.'
    db.statements.length = 0
    await s.flush()
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.deep.equal([dialectSql(db.engine, 'UPDATE "deferred_writers" SET "bio" = ? WHERE "deferred_writers"."id" = ?')])
    await s.rollback()
    expect(() => ann.bio, 'back to what it was: not loaded').to.throw(UnloadedColumnError)
    expect(ann.name).to.equal('Ann')
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Writer.c.bio).where(Writer.c.id.eq(1)))).one()).to.equal('A long life.')
  })

  it('merge() copies the loaded columns of a partly loaded detached object and leaves the others', async () => {
    let detached: Writer
    {
      await using s = new AsyncSession(db.engine)
      detached = (await s.scalars(select(Writer).where(Writer.c.id.eq(1)))).one()
    }
    detached.name = 'Ann M'
    await using s = new AsyncSession(db.engine)
    const merged = await s.merge(detached)
    expect(merged.name).to.equal('Ann M')
    expect(await merged.$.bio).to.equal('A long life.')
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.execute(select(Writer.c.name, Writer.c.bio).where(Writer.c.id.eq(1)))).one()).to.deep.equal(['Ann M', 'A long life.'])
  })

  it('refuses deferring a key, and options without columns', async () => {
    expect(() => defer()).to.throw(ArgumentError, /defer\(\) takes at least one column/)
    await using s = new AsyncSession(db.engine)
    const w = (await s.scalars(select(Writer).where(Writer.c.id.eq(2)).options(defer(Writer.c.id)))).one()
    expect(w.id, 'a key is always loaded').to.equal(2)
    expect(await failure(s.loadColumns(w, 'nope' as 'bio'))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/Writer has no column attribute 'nope'/)
  })
})
