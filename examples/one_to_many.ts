// one_to_many.ts — an author with a collection of books (cascade 'all, delete-orphan').
import {
  AsyncSession, ForeignKey, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, relationship, select, selectinload,
} from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class Author extends Base.model('authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
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

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  const author = new Author({ name: 'George Orwell' })
  author.books = [new Book({ title: '1984' }), new Book({ title: 'Animal Farm' })]
  session.add(author)
  await session.commit()
}

{
  await using session = new AsyncSession(engine)
  // Athanor does no hidden I/O: the books are loaded eagerly in the query (selectinload),
  // which is also the seed's advice for avoiding N+1 queries.
  const author = (
    await session.scalars(select(Author).where(Author.c.name.eq('George Orwell')).options(selectinload(Author.books)))
  ).first()
  if (author) {
    console.log(`Author: ${author.name}`)
    for (const book of author.books) console.log(`  - ${book.title}`)
  }
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
