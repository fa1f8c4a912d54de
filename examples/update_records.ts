// update_records.ts — change an attribute and commit; the unit of work issues the UPDATE.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class Book extends Base.model('books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
  author: mappedColumn(String(100)),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  session.add(new Book({ title: 'Python Basics', author: 'Alice Johnson' }))
  await session.commit()
}

// Update a record
{
  await using session = new AsyncSession(engine)
  const stmt = select(Book).where(Book.c.title.eq('Python Basics'))
  const book = (await session.scalars(stmt)).first()
  if (book) {
    book.author = 'Alice J. Johnson'
    await session.commit()
    console.log(`Updated: ${book.title} by ${book.author}`)
  }
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
