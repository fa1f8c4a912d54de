// create_records.ts — insert rows; primary keys are assigned at commit.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
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

// Create and insert records
{
  await using session = new AsyncSession(engine)
  const book1 = new Book({ title: 'Python Basics', author: 'Alice Johnson' })
  const book2 = new Book({ title: 'Web Dev with Django', author: 'Bob Smith' })
  session.add(book1)
  session.add(book2)
  await session.commit()
  console.log(`Created book with ID: ${book1.id}`)
  console.log(`Created book with ID: ${book2.id}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
