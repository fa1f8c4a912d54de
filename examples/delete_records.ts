// delete_records.ts — mark an object deleted; the DELETE is issued at commit.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class Book extends Base.model('books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  session.add(new Book({ title: 'Old Book' }))
  await session.commit()
}

// Delete a record
{
  await using session = new AsyncSession(engine)
  const stmt = select(Book).where(Book.c.title.eq('Old Book'))
  const book = (await session.scalars(stmt)).first()
  if (book) {
    await session.delete(book)
    await session.commit()
    console.log('Book deleted successfully')
  }
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
