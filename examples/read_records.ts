// read_records.ts — query rows back with select().
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
  session.add(new Book({ title: 'Web Dev with Django', author: 'Bob Smith' }))
  await session.commit()
}

// Read records
{
  await using session = new AsyncSession(engine)
  const stmt = select(Book)
  const books = (await session.scalars(stmt)).all()
  for (const book of books) console.log(`${book.id}: ${book.title} by ${book.author}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
