import { expect } from 'chai'
import { ArgumentError, AsyncSession, ForeignKey, Integer, InvalidRequestError, String, declarativeBase, mappedColumn, relationship, select, selectinload } from '@athanor/core'
import type { WriteOnlyCollection } from '@athanor/core'
import { dialectSql, keyListSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Feed extends Base.model('wo_feeds', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(20)),
})<Feed> {
  declare entries: WriteOnlyCollection<Entry>
  static entries = relationship(() => Entry, { writeOnly: true, backPopulates: 'feed', orderBy: () => [Entry.c.id] })
  declare pinned: WriteOnlyCollection<Pin>
  static pinned = relationship(() => Pin, { writeOnly: true, cascade: 'all, delete-orphan', passiveDeletes: true })
}
class Entry extends Base.model('wo_entries', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(20)),
  feed_id: mappedColumn(Integer, ForeignKey('wo_feeds.id'), { nullable: true }),
})<Entry> {
  declare feed: Feed | null
  static feed = relationship(() => Feed, { backPopulates: 'entries' })
}
class Pin extends Base.model('wo_pins', {
  id: mappedColumn(Integer, { primaryKey: true }),
  note: mappedColumn(String(20)),
  feed_id: mappedColumn(Integer, ForeignKey('wo_feeds.id', { onDelete: 'CASCADE' })),
}) {}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)
const writes = (statements: readonly string[]): string[] => statements.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SELECT)/i.test(q))

/** relationship(…, { writeOnly: true }): a collection that is never loaded, written by add()/remove(), read by select(). */
export const ormWriteOnlySuite: Suite = (ctx) => describe('orm: write-only collections', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function stored(): Promise<[number, string, number | null][]> {
    await using s = new AsyncSession(db.engine)
    return (await s.execute(select(Entry.c.id, Entry.c.title, Entry.c.feed_id).orderBy(Entry.c.id))).all()
  }

  it('add() writes new members at the flush with the parent’s key, and select() reads them a page at a time', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    s.add(feed)
    feed.entries.addAll([new Entry({ id: 1, title: 'a' }), new Entry({ id: 2, title: 'b' })])
    await s.commit()
    expect(await stored()).to.deep.equal([[1, 'a', 1], [2, 'b', 1]])
    feed.entries.add(new Entry({ id: 3, title: 'c' }))
    db.statements.length = 0
    // The select autoflushes the pending add first, then reads only the page asked for.
    const page = (await s.scalars(feed.entries.select().limit(2).offset(1))).all()
    expect(page.map((e) => e.title)).to.deep.equal(['b', 'c'])
    expect(writes(db.statements)).to.deep.equal([dialectSql(db.engine, 'INSERT INTO "wo_entries" ("id", "title", "feed_id") VALUES (?, ?, ?)')])
    expect(db.statements.at(-1)).to.satisfy((q: string) => q.startsWith(dialectSql(db.engine, 'SELECT "wo_entries"."id", "wo_entries"."title", "wo_entries"."feed_id" FROM "wo_entries" WHERE "wo_entries"."feed_id" = ? ORDER BY "wo_entries"."id" ASC')))
    await s.commit()
  })

  it('never loads the collection: a flush of a thousand adds sends no SELECT of the members, and loader options refuse it', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Feed({ id: 1, name: 'news' }))
    await s.commit()
    const feed = (await s.scalars(select(Feed))).one()
    db.statements.length = 0
    for (let i = 1; i <= 1000; i++) feed.entries.add(new Entry({ id: i, title: `e${i}` }))
    await s.flush()
    expect(db.statements.filter((q) => q.startsWith('SELECT'))).to.deep.equal([])
    expect(feed.entries.pendingAdds).to.deep.equal([])
    expect(await failure(s.scalars(select(Feed).options(selectinload(Feed.entries) as never)))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/Feed\.entries is write-only: it is never loaded whole\. Read its members with session\.scalars\(obj\.entries\.select\(\)\)/)
    expect(await failure(s.load(feed, 'entries'))).to.be.instanceOf(ArgumentError)
    await s.commit()
    expect(await stored()).to.have.length(1000)
  })

  it('remove() sets the member’s foreign key to NULL at the flush, or deletes it with a delete-orphan cascade', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    s.add(feed)
    feed.entries.addAll([new Entry({ id: 1, title: 'a' }), new Entry({ id: 2, title: 'b' })])
    feed.pinned.add(new Pin({ id: 7, note: 'pin' }))
    await s.commit()
    const [a] = (await s.scalars(feed.entries.select())).all()
    const [pin] = (await s.scalars(feed.pinned.select())).all()
    feed.entries.remove(a!)
    expect(a!.feed, 'the other side follows in memory').to.equal(null)
    feed.pinned.remove(pin!)
    db.statements.length = 0
    await s.commit()
    expect(writes(db.statements)).to.deep.equal([
      dialectSql(db.engine, 'UPDATE "wo_entries" SET "feed_id" = ? WHERE "wo_entries"."id" = ?'),
      dialectSql(db.engine, `DELETE FROM "wo_pins" WHERE "wo_pins"."id" ${keyListSql(db.engine, 1)}`),
    ])
    expect(await stored()).to.deep.equal([[1, 'a', null], [2, 'b', 1]])
  })

  it('add() then remove() of the same object before a flush writes nothing; remove() takes only objects of the session', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    s.add(feed)
    await s.commit()
    const e = new Entry({ id: 1, title: 'a' })
    feed.entries.add(e)
    feed.entries.remove(e)
    expect(feed.entries.pendingAdds).to.deep.equal([])
    expect(() => feed.entries.remove(new Entry({ id: 9, title: 'x' }))).to.throw(InvalidRequestError, /Feed\.entries\.remove\(\) takes a Entry this session holds/)
    db.statements.length = 0
    await s.commit()
    expect(writes(db.statements)).to.deep.equal([])
  })

  it('a new object may be given its members whole; a persistent one may not be assigned', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    ;(feed as unknown as { entries: Entry[] }).entries = [new Entry({ id: 1, title: 'a' })]
    s.add(feed)
    await s.commit()
    expect(await stored()).to.deep.equal([[1, 'a', 1]])
    expect(() => { (feed as unknown as { entries: Entry[] }).entries = [] }).to.throw(ArgumentError, /write-only: it cannot be assigned once its object has a row/)
  })

  it('deleting a parent: passiveDeletes leaves the members to ON DELETE; without it the flush refuses and writes nothing', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    s.add(feed)
    feed.entries.add(new Entry({ id: 1, title: 'a' }))
    feed.pinned.add(new Pin({ id: 7, note: 'pin' }))
    await s.commit()
    await s.delete(feed)
    expect(await failure(s.commit())).to.be.instanceOf(InvalidRequestError).and.to.have.property('message').that.matches(/write-only Feed\.entries may have rows: .* passiveDeletes: true .* onDelete: 'SET NULL'/)
    await s.rollback()
    expect(await stored()).to.deep.equal([[1, 'a', 1]])
  })

  it('a savepoint rollback takes back the adds and removes made inside it', async () => {
    await using s = new AsyncSession(db.engine)
    const feed = new Feed({ id: 1, name: 'news' })
    s.add(feed)
    await s.commit()
    const kept = new Entry({ id: 1, title: 'kept' })
    feed.entries.add(kept)
    // beginNested() flushes first: 'kept' is written before the savepoint.
    const sp = await s.beginNested()
    expect(feed.entries.pendingAdds).to.deep.equal([])
    feed.entries.add(new Entry({ id: 2, title: 'dropped' }))
    feed.entries.remove(kept)
    await sp.rollback()
    expect([feed.entries.pendingAdds, feed.entries.pendingRemoves]).to.deep.equal([[], []])
    await s.commit()
    expect(await stored()).to.deep.equal([[1, 'kept', 1]])
  })
})
