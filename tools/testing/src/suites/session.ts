import { expect } from 'chai'
import {
  AsyncSession, ConcurrentUseError, ForeignKey, IntegrityError, Integer, PendingRollbackError, String, UnloadedRelationshipError,
  declarativeBase, mappedColumn, relationship, select, selectinload,
} from '@athanor/core'
import { dialectSql, ownInsertSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Author extends Base.model('authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100), { unique: true }),
})<Author> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'author', cascade: 'all, delete-orphan' })
}
class Book extends Base.model('books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
  author_id: mappedColumn(Integer, ForeignKey('authors.id')),
})<Book> {
  declare author: Author
  static author = relationship(() => Author, { backPopulates: 'books' })
}

export const sessionSuite: Suite = (ctx) => describe('AsyncSession', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)

  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.add(new Author({ name: 'Orwell', books: [new Book({ title: '1984' }), new Book({ title: 'Animal Farm' })] }))
    await s.commit()
  }

  it('inserts parents before children and sets foreign keys from relationships', async () => {
    await seed()
    // Several rows share one INSERT … RETURNING only where the database returns them in order;
    // without RETURNING, one multi-row INSERT where ids follow from insertId arithmetic.
    const caps = db.capabilities
    const ret = caps.returning.insert ? ' RETURNING "id"' : ''
    const books = (caps.returning.insert ? caps.orderedReturning || caps.autoincrementInsertOrder === true : caps.insertIdArithmetic)
      ? [ownInsertSql(db.engine, Book.__table__, ['title', 'author_id'], 2, ret ? ['id'] : []) ?? sql(`INSERT INTO "books" ("title", "author_id") VALUES (?, ?), (?, ?)${ret}`)]
      : Array(2).fill(sql(`INSERT INTO "books" ("title", "author_id") VALUES (?, ?)${ret}`))
    expect(statements).to.deep.equal([sql(`INSERT INTO "authors" ("name") VALUES (?)${ret}`), ...books])
    await using s = new AsyncSession(db.engine)
    const rows = (await s.execute(select(Book.c.title, Book.c.author_id).orderBy(Book.c.id))).all()
    expect(rows).to.deep.equal([['1984', 1], ['Animal Farm', 1]])
  })

  it('returns the same object for the same row (identity map) and get() hits it without a query', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const a = (await s.scalars(select(Author))).one()
    statements.length = 0
    expect(await s.get(Author, a.id)).to.equal(a)
    expect(statements).to.deep.equal([])
    expect((await s.scalars(select(Author).where(Author.c.name.eq('Orwell')))).one()).to.equal(a)
  })

  it('writes only changed columns', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const b = (await s.scalars(select(Book).where(Book.c.title.eq('1984')))).one()
    b.title = 'Nineteen Eighty-Four'
    statements.length = 0
    await s.commit()
    expect(statements).to.deep.equal([sql('UPDATE "books" SET "title" = ? WHERE "books"."id" = ?')])
  })

  it('loads collections with selectinload in one extra statement and throws on unloaded access', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const plain = (await s.scalars(select(Author))).one()
    expect(() => plain.books).to.throw(UnloadedRelationshipError, /selectinload\(Author\.books\)/)
    s.expunge(plain)
    statements.length = 0
    const a = (await s.scalars(select(Author).options(selectinload(Author.books)))).one()
    expect(statements).to.have.length(2)
    expect(a.books.map((b) => b.title).sort()).to.deep.equal(['1984', 'Animal Farm'])
    expect(a.books[0]!.author).to.equal(a)
  })

  it('deletes orphans and cascades deletes to children', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const a = (await s.scalars(select(Author).options(selectinload(Author.books)))).one()
    a.books.pop()
    await s.commit()
    expect((await s.scalars(select(Book))).all()).to.have.length(1)
    const again = (await s.scalars(select(Author).options(selectinload(Author.books)))).one()
    await s.delete(again)
    await s.commit()
    expect((await s.scalars(select(Book))).all()).to.have.length(0)
  })

  it('refuses work after a failed flush until rollback, which restores a clean state', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    s.add(new Author({ name: 'Orwell' }))
    const err = await s.commit().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(IntegrityError)
    expect((err as IntegrityError).kind).to.equal('unique')
    await s.execute(select(Author)).then(() => expect.fail('should refuse'), (e: unknown) => expect(e).to.be.instanceOf(PendingRollbackError))
    await s.rollback()
    expect(s.new).to.deep.equal([])
    expect((await s.scalars(select(Author))).all()).to.have.length(1)
  })

  it('rolls back a savepoint inside an outer transaction, keeping the outer work', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Author({ name: 'Outer' }))
    await s.beginNested(async () => {
      s.add(new Author({ name: 'Inner' }))
      await s.flush()
      throw new Error('undo inner')
    }).catch(() => undefined)
    await s.commit()
    expect((await s.scalars(select(Author.c.name))).all()).to.deep.equal(['Outer'])
  })

  it('raises a clear error on concurrent use of one session', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const results = await Promise.allSettled([s.scalars(select(Author)), s.scalars(select(Book))])
    expect(results[1]!.status).to.equal('rejected')
    const reason = (results[1] as PromiseRejectedResult).reason as Error
    expect(reason).to.be.instanceOf(ConcurrentUseError)
    expect(reason.message).to.match(/^AsyncSession is already busy with execute a statement and was asked to execute a statement at the same time\. An AsyncSession serves one operation at a time/)
  })
})
