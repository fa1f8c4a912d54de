import { expect } from 'chai'
import {
  AsyncSession, DateTime, ForeignKey, Integer, String, declarativeBase, joinedload, mappedColumn, relationship, removePlugin, select,
  selectinload, usePlugin,
} from '@athanor/core'
import { dialectSql, useDatabase } from '@athanor/testing'
import type { Suite } from '@athanor/testing'
import { hardDelete, restore, softDeletable, softDelete, withDeleted } from '@athanor/plugin-soft-delete'
import { onEveryBackend } from '../../../test/support/every-backend.js'

const Base = declarativeBase()
class Author extends Base.model('sd_authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  deleted_at: mappedColumn(DateTime(), { nullable: true }),
})<Author> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'author' })
}
class Book extends Base.model('sd_books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  author_id: mappedColumn(Integer, ForeignKey('sd_authors.id')),
  deleted_at: mappedColumn(DateTime(), { nullable: true }),
})<Book> {
  declare author: Author
  static author = relationship(() => Author, { backPopulates: 'books' })
}
softDeletable(Author)
softDeletable(Book, { column: 'deleted_at' })

const suite: Suite = (ctx) => describe('soft-delete', () => {
  const db = useDatabase(ctx, Base.metadata)
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)

  beforeEach(async () => {
    usePlugin(db.engine, softDelete({ now: () => new Date('2024-05-01T12:00:00Z') }))
    await using s = new AsyncSession(db.engine)
    s.add(new Author({ name: 'Le Guin', books: [new Book({ title: 'Earthsea' }), new Book({ title: 'The Dispossessed' })] }))
    await s.commit()
    db.statements.length = 0
  })

  async function deleteBook(title: string): Promise<void> {
    await using s = new AsyncSession(db.engine)
    const book = (await s.scalars(select(Book).where(Book.c.title.eq(title)))).one()
    await s.delete(book)
    await s.commit()
  }

  it('turns session.delete() into an UPDATE of the deleted-at column', async () => {
    await deleteBook('Earthsea')
    expect(db.statements.at(-1)).to.equal(sql('UPDATE "sd_books" SET "deleted_at" = ? WHERE "sd_books"."id" = ?'))
    await using s = new AsyncSession(db.engine)
    const row = (await s.execute(select(Book.c.title, Book.c.deleted_at).options(withDeleted()).where(Book.c.title.eq('Earthsea')))).one()
    expect(row[1]?.toISOString()).to.equal('2024-05-01T12:00:00.000Z')
  })

  it('leaves deleted rows out of selects and get(), unless the statement asks withDeleted()', async () => {
    await deleteBook('Earthsea')
    await using s = new AsyncSession(db.engine)
    expect((await s.scalars(select(Book.c.title))).all()).to.deep.equal(['The Dispossessed'])
    expect(db.statements.at(-1)).to.equal(sql('SELECT "sd_books"."title" FROM "sd_books" WHERE "sd_books"."deleted_at" IS NULL'))
    expect(await s.get(Book, 1)).to.equal(undefined)
    expect((await s.scalars(select(Book.c.title).options(withDeleted()).orderBy(Book.c.id))).all()).to.deep.equal(['Earthsea', 'The Dispossessed'])
  })

  it('filters subqueries too, each select on its own tables', async () => {
    await deleteBook('Earthsea')
    await using s = new AsyncSession(db.engine)
    const titles = select(Book.c.author_id).where(Book.c.title.eq('Earthsea'))
    expect((await s.scalars(select(Author.c.name).where(Author.c.id.in(titles)))).all()).to.deep.equal([])
    expect(db.statements.at(-1)).to.equal(sql('SELECT "sd_authors"."name" FROM "sd_authors" WHERE "sd_authors"."id" IN (SELECT "sd_books"."author_id" FROM "sd_books" WHERE "sd_books"."title" = ? AND "sd_books"."deleted_at" IS NULL) AND "sd_authors"."deleted_at" IS NULL'))
  })

  it('leaves deleted children out of selectin relationship loads, and withDeleted() reaches them', async () => {
    await deleteBook('Earthsea')
    await using s = new AsyncSession(db.engine)
    const author = (await s.scalars(select(Author).options(selectinload(Author.books)))).one()
    expect(author.books.map((b) => b.title)).to.deep.equal(['The Dispossessed'])
    await s.close()
    await using s2 = new AsyncSession(db.engine)
    const all = (await s2.scalars(select(Author).options(selectinload(Author.books), withDeleted()))).one()
    expect(all.books.map((b) => b.title).sort()).to.deep.equal(['Earthsea', 'The Dispossessed'])
  })

  it('puts the criteria of a joined load in the ON clause, so a parent whose children are all deleted still loads', async () => {
    await deleteBook('Earthsea')
    await deleteBook('The Dispossessed')
    await using s = new AsyncSession(db.engine)
    db.statements.length = 0
    const author = (await s.scalars(select(Author).options(joinedload(Author.books)))).one()
    expect(author.books).to.deep.equal([])
    expect(db.statements).to.have.length(1)
    // The criteria go with the join's condition: in its ON clause, or where the collection comes
    // back as nested rows (capability nestedRows), in the WHERE of their subquery.
    expect(db.statements[0]).to.match(db.engine.dialect.capabilities.nestedRows
      ? /\(SELECT json_group_array\(.* FROM "sd_books" .* WHERE .* AND .*deleted_at.* IS NULL\) AS .* WHERE .*sd_authors.*deleted_at.* IS NULL$/
      : /LEFT OUTER JOIN .*sd_books.* ON .* AND .*deleted_at.* IS NULL.* WHERE .*sd_authors.*deleted_at.* IS NULL/)
  })

  it('restores a soft-deleted object', async () => {
    await deleteBook('Earthsea')
    await using s = new AsyncSession(db.engine)
    const book = (await s.scalars(select(Book).where(Book.c.title.eq('Earthsea')).options(withDeleted()))).one()
    restore(s, book)
    await s.commit()
    expect((await s.scalars(select(Book.c.title).orderBy(Book.c.id))).all()).to.deep.equal(['Earthsea', 'The Dispossessed'])
  })

  it('hardDelete() really deletes the row', async () => {
    await using s = new AsyncSession(db.engine)
    const book = (await s.scalars(select(Book).where(Book.c.title.eq('Earthsea')))).one()
    await hardDelete(s, book)
    await s.commit()
    expect(db.statements.at(-1)).to.match(/^DELETE FROM/)
    expect((await s.scalars(select(Book.c.title).options(withDeleted()))).all()).to.deep.equal(['The Dispossessed'])
  })

  it('keeps compiled-SQL caching: the same query again is a cache hit', async () => {
    const cached: boolean[] = []
    db.engine.events.on('afterExecute', (e) => { cached.push(e.cached) })
    await using s = new AsyncSession(db.engine)
    for (const title of ['Earthsea', 'Nothing']) await s.scalars(select(Book).where(Book.c.title.eq(title)))
    expect(cached).to.deep.equal([false, true])
  })

  it('can be removed: deleted rows show again', async () => {
    await deleteBook('Earthsea')
    expect(removePlugin(db.engine, 'soft-delete')).to.equal(true)
    await using s = new AsyncSession(db.engine)
    expect((await s.scalars(select(Book.c.title))).all()).to.have.length(2)
  })
})

onEveryBackend([suite])
