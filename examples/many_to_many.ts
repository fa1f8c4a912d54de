// many_to_many.ts — students and courses through an association table.
import {
  AsyncSession, ForeignKey, Integer, String, Table, column, createAsyncEngine, declarativeBase, mappedColumn, relationship,
  select, selectinload,
} from '@athanor/core'
import { DATABASE_URL } from './db.js'

// Python-style list formatting, so the output reads like the seed's: ['Python 101', 'Calculus I']
const pyList = (items: string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`

const Base = declarativeBase()

// Association table for many-to-many
const studentCourse = new Table('student_course', Base.metadata, {
  student_id: column(Integer, ForeignKey('students.id'), { primaryKey: true }),
  course_id: column(Integer, ForeignKey('courses.id'), { primaryKey: true }),
})

class Student extends Base.model('students', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
})<Student> {
  declare courses: Course[]
  static courses = relationship(() => Course, { secondary: studentCourse, backPopulates: 'students' })
}

class Course extends Base.model('courses', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
})<Course> {
  declare students: Student[]
  static students = relationship(() => Student, { secondary: studentCourse, backPopulates: 'courses' })
}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  const python = new Course({ name: 'Python 101' })
  const math = new Course({ name: 'Calculus I' })
  const alice = new Student({ name: 'Alice', courses: [python, math] })
  const bob = new Student({ name: 'Bob', courses: [python] })
  session.addAll([alice, bob])
  await session.commit()
}

{
  await using session = new AsyncSession(engine)
  // Load the courses in the query: reading an unloaded relationship throws rather than doing hidden I/O.
  const student = (
    await session.scalars(select(Student).where(Student.c.name.eq('Alice')).options(selectinload(Student.courses)))
  ).first()
  if (student) console.log(`Alice is taking: ${pyList(student.courses.map((c) => c.name))}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
