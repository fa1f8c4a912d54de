// ordering_limiting.ts — orderBy(), desc() and limit().
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, desc, mappedColumn, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

// Python-style list formatting, so the output reads like the seed's: ['Alice', 'Charlie']
const pyList = (items: string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`

const Base = declarativeBase()

class Student extends Base.model('students', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
  grade: mappedColumn(Integer),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  session.addAll([
    new Student({ name: 'Alice', grade: 95 }),
    new Student({ name: 'Bob', grade: 87 }),
    new Student({ name: 'Charlie', grade: 92 }),
    new Student({ name: 'Diana', grade: 88 }),
  ])
  await session.commit()
}

{
  await using session = new AsyncSession(engine)
  // Order ascending
  let stmt = select(Student).orderBy(Student.c.grade)
  const lowest = (await session.scalars(stmt)).first()
  console.log(`Lowest grade: ${lowest?.name} (${lowest?.grade})`)

  // Order descending
  stmt = select(Student).orderBy(desc(Student.c.grade))
  const highest = (await session.scalars(stmt)).first()
  console.log(`Highest grade: ${highest?.name} (${highest?.grade})`)

  // Limit
  stmt = select(Student).orderBy(desc(Student.c.grade)).limit(2)
  const topTwo = (await session.scalars(stmt)).all()
  console.log(`Top 2 students: ${pyList(topTwo.map((s) => s.name))}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
