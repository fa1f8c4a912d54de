// filtering.ts — where() with equality, comparison and LIKE.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } from '@athanor/core'
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
  // Equal comparison
  let stmt = select(Student).where(Student.c.name.eq('Alice'))
  let result = (await session.scalars(stmt)).first()
  console.log(`Found: ${result?.name} (Grade: ${result?.grade})`)

  // Greater than
  stmt = select(Student).where(Student.c.grade.gt(90))
  const highPerformers = (await session.scalars(stmt)).all()
  console.log(`High performers: ${pyList(highPerformers.map((s) => s.name))}`)

  // Like pattern
  stmt = select(Student).where(Student.c.name.like('D%'))
  result = (await session.scalars(stmt)).first()
  console.log(`Names starting with D: ${result?.name}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
