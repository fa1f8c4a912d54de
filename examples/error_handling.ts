// error_handling.ts — a unique-constraint violation surfaces as IntegrityError.
import { AsyncSession, Integer, IntegrityError, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(100), { unique: true }),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  session.add(new User({ email: 'alice@example.com' }))
  await session.commit()
}

// Try to add a duplicate email
{
  await using session = new AsyncSession(engine)
  try {
    session.add(new User({ email: 'alice@example.com' }))
    await session.commit()
  } catch (e) {
    await session.rollback()
    if (e instanceof IntegrityError) console.log('Error: Email already exists')
    else console.log(`Unexpected error: ${e}`)
  }
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
