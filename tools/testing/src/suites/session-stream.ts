import { expect } from 'chai'
import { ArgumentError, AsyncSession, ConcurrentUseError, ForeignKey, Integer, String, declarativeBase, insert, joinedload, mappedColumn, relationship, select, selectinload } from '@athanor/core'
import { dialectSql, keyListSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Shelf extends Base.model('stream_shelves', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(20)),
})<Shelf> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'shelf' })
}
class Book extends Base.model('stream_books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(20)),
  shelf_id: mappedColumn(Integer, ForeignKey('stream_shelves.id')),
})<Book> {
  declare shelf: Shelf
  static shelf = relationship(() => Shelf, { backPopulates: 'books' })
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)
const reads = (statements: readonly string[]): string[] => statements.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(q))

/** session.stream(): a select read batch by batch, loader options per batch, one batch held at a time. */
export const sessionStreamSuite: Suite = (ctx) => describe('session: streaming results', () => {
  const db = useDatabase(ctx, Base.metadata)

  /** Seven shelves (ids 1–7, labels in reverse order), two books each. */
  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine)
    await s.execute(insert(Shelf).values(Array.from({ length: 7 }, (_, i) => ({ id: i + 1, label: `shelf ${7 - i}` }))))
    await s.execute(insert(Book).values(Array.from({ length: 14 }, (_, i) => ({ id: i + 1, title: `book ${i + 1}`, shelf_id: (i % 7) + 1 }))))
    await s.commit()
    db.statements.length = 0
  }

  it('yields the objects of select(Entity) in the statement’s order, batch by batch, with loader options applied per batch', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const stmt = select(Shelf).where(Shelf.c.id.gt(1)).orderBy(Shelf.c.label).options(selectinload(Shelf.books))
    const seen: string[][] = []
    for await (const batch of s.stream(stmt, { batchSize: 4 }).partitions()) {
      seen.push(batch.map(([shelf]) => `${shelf.label}: ${shelf.books.map((b) => b.id).sort((a, b) => a - b).join(',')}`))
    }
    expect(seen).to.deep.equal([
      ['shelf 1: 7,14', 'shelf 2: 6,13', 'shelf 3: 5,12', 'shelf 4: 4,11'],
      ['shelf 5: 3,10', 'shelf 6: 2,9'],
    ])
    // The keys in order once, then per batch its objects and their books.
    expect(reads(db.statements)).to.deep.equal([
      dialectSql(db.engine, 'SELECT "stream_shelves"."id" FROM "stream_shelves" WHERE "stream_shelves"."id" > ? ORDER BY "stream_shelves"."label" ASC'),
      dialectSql(db.engine, `SELECT "stream_shelves"."id", "stream_shelves"."label" FROM "stream_shelves" WHERE "stream_shelves"."id" ${keyListSql(db.engine, 4)}`),
      dialectSql(db.engine, `SELECT "stream_books"."id", "stream_books"."title", "stream_books"."shelf_id" FROM "stream_books" WHERE "stream_books"."shelf_id" ${keyListSql(db.engine, 4)}`),
      dialectSql(db.engine, `SELECT "stream_shelves"."id", "stream_shelves"."label" FROM "stream_shelves" WHERE "stream_shelves"."id" ${keyListSql(db.engine, 2)}`),
      dialectSql(db.engine, `SELECT "stream_books"."id", "stream_books"."title", "stream_books"."shelf_id" FROM "stream_books" WHERE "stream_books"."shelf_id" ${keyListSql(db.engine, 2)}`),
    ])
  })

  it('applies joinedload per batch too', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const titles: string[] = []
    for await (const shelf of s.streamScalars(select(Shelf).where(Shelf.c.id.le(3)).orderBy(Shelf.c.id).options(joinedload(Shelf.books)), { batchSize: 2 })) {
      titles.push(`${shelf.id}: ${shelf.books.map((b) => b.id).sort((a, b) => a - b).join(',')}`)
    }
    expect(titles).to.deep.equal(['1: 1,8', '2: 2,9', '3: 3,10'])
    // Two keyset pages (the second short); each joins its own shelves' books.
    expect(reads(db.statements)).to.have.length(2)
  })

  it('reads a select in primary-key order by keyset pages, with no key list first', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const ids: number[] = []
    for await (const shelf of s.streamScalars(select(Shelf).where(Shelf.c.label.ne('shelf 4')), { batchSize: 3 })) ids.push(shelf.id)
    expect(ids).to.deep.equal([1, 2, 3, 5, 6, 7])
    expect(reads(db.statements)).to.deep.equal([
      dialectSql(db.engine, 'SELECT "stream_shelves"."id", "stream_shelves"."label" FROM "stream_shelves" WHERE "stream_shelves"."label" <> ? ORDER BY "stream_shelves"."id" ASC LIMIT 3'),
      dialectSql(db.engine, 'SELECT "stream_shelves"."id", "stream_shelves"."label" FROM "stream_shelves" WHERE "stream_shelves"."label" <> ? AND "stream_shelves"."id" > ? ORDER BY "stream_shelves"."id" ASC LIMIT 3'),
      dialectSql(db.engine, 'SELECT "stream_shelves"."id", "stream_shelves"."label" FROM "stream_shelves" WHERE "stream_shelves"."label" <> ? AND "stream_shelves"."id" > ? ORDER BY "stream_shelves"."id" ASC LIMIT 3'),
    ])
  })

  it('holds one batch: objects a batch brought in leave the session at the next one; changed ones stay until flushed', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const before = (await s.scalars(select(Shelf).where(Shelf.c.id.eq(1)))).one()
    const sizes: number[] = []
    const kept: Shelf[] = []
    for await (const shelf of s.streamScalars(select(Shelf).orderBy(Shelf.c.id), { batchSize: 2 })) {
      sizes.push(s.identityMap.size)
      if (shelf.id === 4) {
        shelf.label = 'renamed'
        kept.push(shelf)
      }
    }
    // At most the object held before, the changed one (until the next batch's autoflush writes
    // it) and the current batch.
    expect(Math.max(...sizes)).to.be.at.most(4)
    expect([...s.identityMap.values()], 'the last batch is let go too; what was held before stays').to.deep.equal([before])
    expect(kept[0]!.label, 'a released object keeps its values').to.equal('renamed')
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Shelf.c.label).where(Shelf.c.id.eq(4)))).one()).to.equal('renamed')
  })

  it('the session can run other statements between batches of an entity stream', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const counts: number[] = []
    for await (const shelf of s.streamScalars(select(Shelf).orderBy(Shelf.c.id), { batchSize: 3 })) {
      counts.push((await s.scalars(select(Book.c.id).where(Book.c.shelf_id.eq(shelf.id)))).all().length)
    }
    expect(counts).to.deep.equal([2, 2, 2, 2, 2, 2, 2])
  })

  it('streams other selects through the driver’s cursor; the session is busy until the loop ends or breaks', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const rows: [number, string][] = []
    for await (const row of s.stream(select(Book.c.id, Book.c.title).where(Book.c.id.le(5)).orderBy(Book.c.id), { batchSize: 2 })) {
      rows.push(row)
      if (row[0] === 1) expect(await failure(s.get(Book, 1))).to.be.instanceOf(ConcurrentUseError)
      if (row[0] === 4) break
    }
    expect(rows).to.deep.equal([[1, 'book 1'], [2, 'book 2'], [3, 'book 3'], [4, 'book 4']])
    // Left early: the cursor is closed and the session usable.
    expect((await s.get(Book, 5))!.title).to.equal('book 5')
    const pairs: string[] = []
    for await (const [book, label] of s.stream(select(Book, Shelf.c.label).join(Book.shelf).where(Book.c.id.le(2)).orderBy(Book.c.id))) pairs.push(`${book.title} on ${label}`)
    expect(pairs).to.deep.equal(['book 1 on shelf 7', 'book 2 on shelf 6'])
  })

  it('refuses loader options on a select of several items, a bad batch size, and a second iteration', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const several = s.stream(select(Shelf, Shelf.c.label).options(selectinload(Shelf.books)))
    expect(await failure(several.partitions().next())).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/applies loader options only to a select of one entity/)
    expect(await failure(s.stream(select(Shelf), { batchSize: 0 }).partitions().next())).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/batchSize that is a whole number ≥ 1, not 0/)
    const once = s.stream(select(Shelf))
    for await (const _ of once) break
    expect(() => once.partitions()).to.throw(ArgumentError, /already iterated/)
  })
})
