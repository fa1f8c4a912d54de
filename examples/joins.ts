// joins.ts — join along a foreign key and filter on the joined table.
import { AsyncSession, ForeignKey, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, relationship, select } from '@athanor/core'
import { DATABASE_URL } from './db.js'

// Python-style list formatting, so the output reads like the seed's: ['Alice', 'Charlie']
const pyList = (items: string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`

const Base = declarativeBase()

class Department extends Base.model('departments', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
})<Department> {
  declare employees: Employee[]
  static employees = relationship(() => Employee, { backPopulates: 'department' })
}

class Employee extends Base.model('employees', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
  department_id: mappedColumn(Integer, ForeignKey('departments.id')),
})<Employee> {
  declare department: Department
  static department = relationship(() => Department, { backPopulates: 'employees' })
}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  const deptEng = new Department({ name: 'Engineering' })
  const deptHr = new Department({ name: 'HR' })
  session.addAll([
    new Employee({ name: 'Alice', department: deptEng }),
    new Employee({ name: 'Bob', department: deptEng }),
    new Employee({ name: 'Charlie', department: deptHr }),
  ])
  await session.commit()
}

{
  await using session = new AsyncSession(engine)
  // Join departments and employees
  const stmt = select(Employee).join(Department).where(Department.c.name.eq('Engineering'))
  const engEmployees = (await session.scalars(stmt)).all()
  console.log(`Engineering employees: ${pyList(engEmployees.map((e) => e.name))}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
