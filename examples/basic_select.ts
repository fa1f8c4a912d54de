// basic_select.ts — select everything, or just the first row.
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

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
  session.add(new Student({ name: 'Alice', grade: 95 }))
  session.add(new Student({ name: 'Bob', grade: 87 }))
  session.add(new Student({ name: 'Charlie', grade: 92 }))
  await session.commit()
}

// Select all
{
  await using session = new AsyncSession(engine)
  const stmt = select(Student)
  const allStudents = (await session.scalars(stmt)).all()
  console.log(`Total students: ${allStudents.length}`)

  // Select first
  const first = (await session.scalars(select(Student))).first()
  console.log(`First student: ${first?.name}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
