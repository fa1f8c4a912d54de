// quick_example.ts — the seed's "20 lines of SQLAlchemy 2.0", in Athanor.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  session.add(new User({ name: 'Alice' }))
  session.add(new User({ name: 'Bob' }))
  await session.commit()
}

{
  await using session = new AsyncSession(engine)
  const users = (await session.scalars(select(User))).all()
  for (const user of users) console.log(`${user.id}: ${user.name}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
