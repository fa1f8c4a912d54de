/**
 * Type tests for inheritance mapping: a subclass has its parent's columns and its own, on
 * instances, in `.c` and in its constructor (the discriminator left out), and the misuse that
 * must not compile does not.
 */
import { AsyncSession, ForeignKey, Integer, String, declarativeBase, mappedColumn, polymorphic, relationship, select, selectinload } from '@athanor/core'
import { expectType } from './expect-type.js'

const Base = declarativeBase()
class Company extends Base.model('companies', { id: mappedColumn(Integer, { primaryKey: true }) })<Company> {
  declare staff: Employee[]
  static staff = relationship(() => Employee, { backPopulates: 'company' })
}
class Employee extends Base.model('employees', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
  type: mappedColumn(String(20), { discriminator: true }),
  companyId: mappedColumn(Integer, ForeignKey('companies.id'), { nullable: true }),
})<Employee> {
  static polymorphic = polymorphic(() => ({ employee: Employee, manager: Manager, engineer: Engineer }))
  declare company: Company | null
  static company = relationship(() => Company, { backPopulates: 'staff' })
  greet(): string {
    return this.name
  }
}
class Manager extends Employee.subclass({ budget: mappedColumn(Integer, { nullable: true }) }) {}
class Engineer extends Employee.subclass({ language: mappedColumn(String(20)) }, { table: 'engineers' })<Engineer> {
  declare projects: Project[]
  static projects = relationship(() => Project)
}
class Project extends Base.model('projects', { id: mappedColumn(Integer, { primaryKey: true }), engineerId: mappedColumn(Integer, ForeignKey('engineers.id')) }) {}

export async function subclassesHaveTheirParentsColumnsAndTheirOwn(session: AsyncSession): Promise<void> {
  const managers = (await session.scalars(select(Manager).where(Manager.c.budget.gt(10), Manager.c.name.eq('Mia')))).all()
  expectType<Manager[]>()(managers)
  const m = managers[0]!
  expectType<number | null>()(m.budget)
  expectType<string>()(m.name)
  expectType<string>()(m.greet())
  expectType<Company | null>()(m.company)
  // Selecting the base yields the base type; instanceof narrows to a subclass.
  const staff = (await session.scalars(select(Employee))).all()
  expectType<Employee[]>()(staff)
  const first = staff[0]!
  if (first instanceof Engineer) expectType<string>()(first.language)
  // @ts-expect-error the base has no subclass columns
  void first.budget
  // @ts-expect-error nor in its .c
  void Employee.c.budget
  expectType<Engineer | undefined>()(await session.get(Engineer, 1))
}

export function constructorsLeaveTheDiscriminatorOut(): void {
  new Manager({ name: 'Mia' })
  new Engineer({ name: 'Eve', language: 'ts', company: new Company() })
  // @ts-expect-error a joined subclass's NOT NULL column is required
  new Engineer({ name: 'Eve' })
  // @ts-expect-error another subclass's column
  new Manager({ name: 'Mia', language: 'ts' })
  // @ts-expect-error the base has none of its subclasses' columns
  new Employee({ name: 'Sam', budget: 1 })
}

export function loaderPathsContinueThroughOfType(): void {
  select(Company).options(selectinload(Company.staff.ofType(Engineer)).selectinload(Engineer.projects))
  // @ts-expect-error without ofType, the path is at Employee, which has no projects
  select(Company).options(selectinload(Company.staff).selectinload(Engineer.projects))
  // @ts-expect-error ofType takes a subclass of the relationship's class
  Company.staff.ofType(Project)
  // @ts-expect-error subclass() options are a table name
  Employee.subclass({}, { tabel: 'x' })
}
