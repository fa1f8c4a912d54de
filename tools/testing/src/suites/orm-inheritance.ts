import { expect } from 'chai'
import { ArgumentError, AsyncSession, ForeignKey, Integer, StaleDataError, String, Table, aliased, column, columnProperty, declarativeBase, func, insert, joinedload, mappedColumn, polymorphic, relationship, select, selectinload, update } from '@athanor/core'
import { dialectSql, keyListSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Company extends Base.model('inh_companies', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
})<Company> {
  declare staff: Staff[]
  static staff = relationship(() => Staff, { backPopulates: 'company', orderBy: () => [Staff.c.id] })
}
/** The root: its rows say which class they are in `kind`; a version counter on every class. */
class Staff extends Base.model('inh_staff', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
  kind: mappedColumn(String(20), { discriminator: true }),
  companyId: mappedColumn(Integer, ForeignKey('inh_companies.id'), { nullable: true }),
  version: mappedColumn(Integer, { versionId: true }),
}) {
  static polymorphic = polymorphic(() => ({ staff: Staff, manager: Manager, engineer: Engineer, principal: Principal }))
  declare company: Company | null
  static company = relationship(() => Company, { backPopulates: 'staff' })
  title(): string {
    return `${this.name} (staff)`
  }
}
/** Single table: its column is added to inh_staff. */
class Manager extends Staff.subclass({ budget: mappedColumn(Integer, { nullable: true }) }) {
  override title(): string {
    return `${this.name} (manager, ${this.budget})`
  }
}
/** Joined table: inh_engineers holds its columns, keyed by inh_staff's id. */
class Engineer extends Staff.subclass({ language: mappedColumn(String(20)) }, { table: 'inh_engineers' }) {
  declare projects: Project[]
  static projects = relationship(() => Project, { backPopulates: 'engineer', orderBy: () => [Project.c.id] })
}
/** Single table below a joined one: its column is added to inh_engineers. */
class Principal extends Engineer.subclass({ patents: mappedColumn(Integer, { nullable: true }) }) {}

class Project extends Base.model('inh_projects', {
  id: mappedColumn(Integer, { primaryKey: true }),
  engineerId: mappedColumn(Integer, ForeignKey('inh_engineers.id')),
})<Project> {
  declare engineer: Engineer
  static engineer = relationship(() => Engineer, { backPopulates: 'projects' })
}
const advisors = new Table('inh_advisors', Base.metadata, {
  departmentId: column(Integer, ForeignKey('inh_departments.id'), { primaryKey: true }),
  staffId: column(Integer, ForeignKey('inh_staff.id'), { primaryKey: true }),
})
/** Relationships to a subclass: their loads keep to managers. */
class Department extends Base.model('inh_departments', {
  id: mappedColumn(Integer, { primaryKey: true }),
  headId: mappedColumn(Integer, ForeignKey('inh_staff.id'), { nullable: true }),
})<Department> {
  declare head: Manager | null
  static head = relationship(() => Manager)
  declare advisors: Manager[]
  static advisors = relationship(() => Manager, { secondary: advisors, orderBy: () => [Manager.c.id] })
}

/** A second hierarchy: a joined subclass with a column property over its own table. */
class Vehicle extends Base.model('inh_vehicles', {
  id: mappedColumn(Integer, { primaryKey: true }),
  kind: mappedColumn(String(10), { discriminator: true }),
}) {
  static polymorphic = polymorphic(() => ({ vehicle: Vehicle, car: Car }))
}
class Car extends Vehicle.subclass({ model: mappedColumn(String(20)) }, { table: 'inh_cars' }) {
  declare readonly shout: string
  static shout = columnProperty(() => func.upper(Car.c.model))
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

/** Single-table and joined-table inheritance with polymorphic loading, on every backend. */
export const ormInheritanceSuite: Suite = (ctx) => describe('orm: inheritance', () => {
  const db = useDatabase(ctx, Base.metadata)
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)
  const staffColumns = '"inh_staff"."id", "inh_staff"."name", "inh_staff"."kind", "inh_staff"."companyId", "inh_staff"."version"'

  /** One object of each class, ids 1–4, in company 1. */
  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine)
    const acme = new Company({ id: 1, name: 'Acme' })
    acme.staff.push(
      new Staff({ id: 1, name: 'Sam' }),
      new Manager({ id: 2, name: 'Mia', budget: 100 }),
      new Engineer({ id: 3, name: 'Eve', language: 'ts' }),
      new Principal({ id: 4, name: 'Pat', language: 'rust', patents: 3 }),
    )
    s.add(acme)
    await s.commit()
    db.statements.length = 0
  }

  it('keeps a single-table subclass\'s columns in its parent\'s table and gives a joined one its own table, keyed by and referencing the parent\'s', () => {
    const compiler = db.engine.dialect.compiler
    const staff = compiler.createTable(Staff.__table__, { ifNotExists: false })[0]!
    expect(staff).to.match(new RegExp(`${sql('"budget"')} INT`))
    const engineers = compiler.createTable(Engineer.__table__, { ifNotExists: false })[0]!
    expect(engineers).to.match(new RegExp(`${sql('"id"')} INT\\w* NOT NULL`))
    expect(engineers).to.include(sql('"language" VARCHAR(20) NOT NULL')).and.to.match(new RegExp(`${sql('"patents"')} INT`))
    expect(engineers).to.include(sql('FOREIGN KEY ("id") REFERENCES "inh_staff" ("id")'))
    expect(Object.keys(Principal.c)).to.deep.equal(['id', 'name', 'kind', 'companyId', 'version', 'language', 'patents'])
  })

  it('refuses a NOT NULL single-table column when declared, and at first use a class that extends a mapped class without subclass() or that its root does not name', () => {
    const Other = declarativeBase()
    class Root extends Other.model('inh_other', { id: mappedColumn(Integer, { primaryKey: true }), kind: mappedColumn(String(10), { discriminator: true }) }) {
      static polymorphic = polymorphic(() => ({ root: Root }))
    }
    expect(() => Root.subclass({ level: mappedColumn(Integer) })).to.throw(ArgumentError, /column 'level' is NOT NULL, but the subclass's rows share table 'inh_other'.*make it nullable: true/)
    class Rogue extends Root {}
    expect(() => select(Rogue)).to.throw(ArgumentError, /Rogue extends the mapped class Root without saying how its rows are stored, so every Root row would load as a Rogue\. Extend Root\.subclass/)
    class Unnamed extends Root.subclass({ note: mappedColumn(String(10), { nullable: true }) }) {}
    expect(() => new Unnamed({ id: 1 })).to.throw(ArgumentError, /Unnamed extends Root, but Root\.polymorphic does not name it/)
    expect(() => new Root({ id: 1, kind: 'other' })).to.throw(ArgumentError, /kind is 'root' for every Root; leave it out/)
    expect(new Root({ id: 1 }).kind).to.equal('root')
  })

  it('inserts each object into its tables, the root\'s first, with the discriminator the class gives it (exact statements)', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Staff({ id: 1, name: 'Sam' }), new Manager({ id: 2, name: 'Mia', budget: 100 }), new Engineer({ id: 3, name: 'Eve', language: 'ts' }), new Principal({ id: 4, name: 'Pat', language: 'rust', patents: 3 })])
    await s.flush()
    expect(db.statements.filter((q) => q.startsWith('INSERT'))).to.deep.equal([
      sql('INSERT INTO "inh_staff" ("id", "name", "kind", "version") VALUES (?, ?, ?, ?)'),
      sql('INSERT INTO "inh_staff" ("id", "name", "kind", "version", "budget") VALUES (?, ?, ?, ?, ?)'),
      sql('INSERT INTO "inh_staff" ("id", "name", "kind", "version") VALUES (?, ?, ?, ?)'),
      sql('INSERT INTO "inh_engineers" ("id", "language") VALUES (?, ?)'),
      sql('INSERT INTO "inh_staff" ("id", "name", "kind", "version") VALUES (?, ?, ?, ?)'),
      sql('INSERT INTO "inh_engineers" ("id", "language", "patents") VALUES (?, ?, ?)'),
    ])
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.execute(select(Staff.c.id, Staff.c.kind).orderBy(Staff.c.id))).all()).to.deep.equal([[1, 'staff'], [2, 'manager'], [3, 'engineer'], [4, 'principal']])
  })

  it('select(Staff) yields each row as the class its discriminator names, with that class\'s columns, in one statement', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const all = (await s.scalars(select(Staff).orderBy(Staff.c.id))).all()
    expect(db.statements).to.deep.equal([sql(`SELECT ${staffColumns}, "inh_staff"."budget", "inh_engineers"."language", "inh_engineers"."patents" FROM "inh_staff" LEFT OUTER JOIN "inh_engineers" ON "inh_engineers"."id" = "inh_staff"."id" ORDER BY "inh_staff"."id" ASC`)])
    expect(all.map((o) => o.constructor)).to.deep.equal([Staff, Manager, Engineer, Principal])
    expect(all.map((o) => o.title())).to.deep.equal(['Sam (staff)', 'Mia (manager, 100)', 'Eve (staff)', 'Pat (staff)'])
    const [, mia, eve, pat] = all as [Staff, Manager, Engineer, Principal]
    expect([mia.budget, eve.language, pat.language, pat.patents]).to.deep.equal([100, 'ts', 'rust', 3])
    expect(Object.keys(eve), 'an Engineer has no manager columns').to.not.include('budget')
  })

  it('select(Manager) keeps to managers by discriminator; select(Engineer) joins its table and includes its subclass; select(Principal) does both', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const managers = (await s.scalars(select(Manager))).all()
    expect(managers.map((m) => [m.constructor, m.name])).to.deep.equal([[Manager, 'Mia']])
    expect(db.statements[0]).to.equal(sql(`SELECT ${staffColumns}, "inh_staff"."budget" FROM "inh_staff" WHERE "inh_staff"."kind" IN (?)`))
    const engineers = (await s.scalars(select(Engineer).orderBy(Engineer.c.id))).all()
    expect(engineers.map((e) => e.constructor)).to.deep.equal([Engineer, Principal])
    expect(db.statements[1]).to.equal(sql(`SELECT ${staffColumns}, "inh_engineers"."language", "inh_engineers"."patents" FROM "inh_staff" JOIN "inh_engineers" ON "inh_engineers"."id" = "inh_staff"."id" ORDER BY "inh_staff"."id" ASC`))
    const principals = (await s.scalars(select(Principal).where(Principal.c.patents.gt(1)))).all()
    expect(principals.map((p) => p.name)).to.deep.equal(['Pat'])
    expect(db.statements[2]).to.match(/JOIN .inh_engineers. ON .* WHERE .*patents.* > .* AND .*kind.* IN /)
  })

  it('one row is one object whichever class loads it; get() of a key held as another class finds nothing', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const all = (await s.scalars(select(Staff).orderBy(Staff.c.id))).all()
    const eve = (await s.scalars(select(Engineer).where(Engineer.c.id.eq(3)))).one()
    expect(eve).to.equal(all[2])
    db.statements.length = 0
    expect(await s.get(Staff, 3)).to.equal(eve)
    expect(await s.get(Engineer, 4)).to.equal(all[3])
    expect(await s.get(Manager, 3), 'an Engineer is not a Manager').to.equal(undefined)
    expect(db.statements, 'all from the identity map').to.deep.equal([])
    await s.close()
    await using fresh = new AsyncSession(db.engine)
    expect(await fresh.get(Manager, 3), 'nor in the database').to.equal(undefined)
    expect((await fresh.get(Staff, 4))?.constructor).to.equal(Principal)
  })

  it('updates each table whose columns changed, version-checked on the root\'s row (exact statements), and a stale write fails', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const pat = (await s.get(Principal, 4))!
    pat.name = 'Patricia'
    pat.patents = 4
    db.statements.length = 0
    await s.flush()
    expect(db.statements).to.deep.equal([
      sql('UPDATE "inh_staff" SET "name" = ?, "version" = ? WHERE "inh_staff"."id" = ? AND "inh_staff"."version" = ?'),
      sql('UPDATE "inh_engineers" SET "patents" = ? WHERE "inh_engineers"."id" = ?'),
    ])
    pat.language = 'go'
    db.statements.length = 0
    await s.flush()
    expect(db.statements, 'only the joined table\'s column changed: the counter still moves').to.deep.equal([
      sql('UPDATE "inh_staff" SET "version" = ? WHERE "inh_staff"."id" = ? AND "inh_staff"."version" = ?'),
      sql('UPDATE "inh_engineers" SET "language" = ? WHERE "inh_engineers"."id" = ?'),
    ])
    await s.commit()
    // The other session keeps its values past its commit (so this works on one connection too).
    await using other = new AsyncSession(db.engine, { expireOnCommit: false })
    const stale = (await other.get(Principal, 4))!
    await other.commit()
    pat.patents = 9
    await s.commit()
    stale.patents = 1
    const err = await failure(other.flush())
    expect(err).to.be.instanceOf(StaleDataError)
    expect((err as Error).message).to.match(/^UPDATE of Principal \["4"\] lost a race: this session read version 3 of version, and another transaction has since written version 4\./)
    await other.rollback()
    await using check = new AsyncSession(db.engine)
    const read = (await check.get(Principal, 4))!
    expect([read.name, read.language, read.patents, read.version]).to.deep.equal(['Patricia', 'go', 9, 4])
  })

  it('deletes a joined-table object\'s rows newest table first, then the root\'s (exact statements)', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const [mia, pat] = [(await s.get(Manager, 2))!, (await s.get(Principal, 4))!]
    db.statements.length = 0
    await s.delete(mia)
    await s.delete(pat)
    await s.flush()
    const deletes = db.statements.filter((q) => q.startsWith('DELETE'))
    expect(deletes).to.have.members([
      sql('DELETE FROM "inh_staff" WHERE "inh_staff"."id" = ? AND "inh_staff"."version" = ?'),
      sql(`DELETE FROM "inh_engineers" WHERE "inh_engineers"."id" ${keyListSql(db.engine, 1)}`),
      sql('DELETE FROM "inh_staff" WHERE "inh_staff"."id" = ? AND "inh_staff"."version" = ?'),
    ])
    expect(deletes.indexOf(sql(`DELETE FROM "inh_engineers" WHERE "inh_engineers"."id" ${keyListSql(db.engine, 1)}`))).to.be.lessThan(deletes.lastIndexOf(sql('DELETE FROM "inh_staff" WHERE "inh_staff"."id" = ? AND "inh_staff"."version" = ?')))
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Staff).orderBy(Staff.c.id))).all().map((o) => o.name)).to.deep.equal(['Sam', 'Eve'])
    expect((await check.execute(select(Engineer.__table__.c.id))).all()).to.deep.equal([[3]])
  })

  it('a relationship to the base loads every class (select-in and joined); one to a subclass keeps to it; a subclass\'s own loads for its objects only', async () => {
    await seed()
    {
      await using s = new AsyncSession(db.engine)
      s.addAll([new Project({ id: 1, engineerId: 3 }), new Project({ id: 2, engineerId: 4 }), new Department({ id: 1, headId: 2 }), new Department({ id: 2, headId: 3 })])
      await s.commit()
    }
    await using s = new AsyncSession(db.engine)
    db.statements.length = 0
    const acme = (await s.scalars(select(Company).options(selectinload(Company.staff.ofType(Engineer)).selectinload(Engineer.projects)))).one()
    expect(acme.staff.map((o) => o.constructor)).to.deep.equal([Staff, Manager, Engineer, Principal])
    expect((acme.staff[2] as Engineer).projects.map((p) => p.id)).to.deep.equal([1])
    expect((acme.staff[3] as Principal).projects.map((p) => p.id)).to.deep.equal([2])
    expect(db.statements, 'companies, their staff, the engineers\' projects').to.have.length(3)
    expect(db.statements[2]).to.equal(sql(`SELECT "inh_projects"."id", "inh_projects"."engineerId" FROM "inh_projects" WHERE "inh_projects"."engineerId" ${keyListSql(db.engine, 2)} ORDER BY "inh_projects"."id" ASC`))
    await s.close()
    await using j = new AsyncSession(db.engine)
    db.statements.length = 0
    const viaJoin = (await j.scalars(select(Project).options(joinedload(Project.engineer)).orderBy(Project.c.id))).all()
    expect(viaJoin.map((p) => [p.engineer.constructor, p.engineer.name, p.engineer.language])).to.deep.equal([[Engineer, 'Eve', 'ts'], [Principal, 'Pat', 'rust']])
    expect(db.statements, 'a joined hierarchy: its tables joined in the one statement').to.deep.equal([sql(
      'SELECT "inh_projects"."id", "inh_projects"."engineerId", "inh_staff_1"."id", "inh_staff_1"."name", "inh_staff_1"."kind", "inh_staff_1"."companyId", "inh_staff_1"."version", "inh_engineers_1"."language", "inh_engineers_1"."patents" ' +
        'FROM "inh_projects" JOIN "inh_engineers" AS "inh_engineers_1" ON "inh_projects"."engineerId" = "inh_engineers_1"."id" LEFT OUTER JOIN "inh_staff" AS "inh_staff_1" ON "inh_staff_1"."id" = "inh_engineers_1"."id" ORDER BY "inh_projects"."id" ASC',
    )])
    await j.close()
    await using all = new AsyncSession(db.engine)
    db.statements.length = 0
    const staff = (await all.scalars(select(Company).options(joinedload(Company.staff)))).unique().one().staff
    expect(staff.map((o) => [o.constructor, o.name])).to.deep.equal([[Staff, 'Sam'], [Manager, 'Mia'], [Engineer, 'Eve'], [Principal, 'Pat']])
    expect((staff[3] as Principal).patents).to.equal(3)
    expect(db.statements).to.have.length(1)
    expect(db.statements[0]).to.include(sql('LEFT OUTER JOIN "inh_staff" AS "inh_staff_1" ON "inh_companies"."id" = "inh_staff_1"."companyId" LEFT OUTER JOIN "inh_engineers" AS "inh_engineers_1" ON "inh_engineers_1"."id" = "inh_staff_1"."id"'))
    await all.close()
    await using j2 = new AsyncSession(db.engine)
    const heads = (await j2.scalars(select(Department).options(joinedload(Department.head)).orderBy(Department.c.id))).all()
    expect(heads.map((d) => d.head?.name ?? null), 'department 2\'s head is an engineer, not a Manager').to.deep.equal(['Mia', null])
    expect(db.statements.at(-1)).to.match(/LEFT OUTER JOIN .inh_staff. AS .inh_staff_1. ON .*headId.* = .*inh_staff_1.\..id. AND .inh_staff_1.\..kind. IN /)
    await j2.close()
    await using sel = new AsyncSession(db.engine)
    const d2 = (await sel.scalars(select(Department).where(Department.c.id.eq(2)).options(selectinload(Department.head)))).one()
    expect(d2.head).to.equal(null)
  })

  it('a many-to-many to a single-table subclass keeps to its rows, loaded by join or by select-in', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    s.add(new Department({ id: 1, headId: 2 }))
    await s.commit()
    // Sam (a Staff), Mia (a Manager) and Eve (an Engineer) all advise department 1: only Mia is a Manager.
    for (const staffId of [1, 2, 3]) await s.execute(insert(advisors).values({ departmentId: 1, staffId }))
    await s.commit()
    for (const how of ['joined', 'selectin'] as const) {
      await using r = new AsyncSession(db.engine)
      const d = (await r.scalars(select(Department).options(how === 'joined' ? joinedload(Department.advisors) : selectinload(Department.advisors)))).one()
      expect(d.advisors.map((m) => [m.constructor, m.name]), how).to.deep.equal([[Manager, 'Mia']])
    }
  })

  it('an alias of a single-table subclass keeps to its rows; what one statement on one table cannot do is refused, saying what to do instead', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const boss = aliased(Manager, 'boss')
    const found = (await s.execute(select(boss, Staff.c.name).join(Staff.__table__, Staff.c.companyId.eq(boss.c.companyId)).where(Staff.c.id.eq(1)))).all()
    expect(found.map(([m, n]) => [m.constructor, m.name, n])).to.deep.equal([[Manager, 'Mia', 'Sam']])
    expect(db.statements.at(-1)).to.match(/WHERE .inh_staff.\..id. = .* AND .boss.\..kind. IN /)
    expect(() => aliased(Engineer, 'e')).to.throw(ArgumentError, /aliased\(Engineer\): Engineer's rows are stored in several tables/)
    expect(await failure(s.execute(insert(Manager).values({ id: 9, name: 'X' })))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/insert\(Manager\): Manager is in an inheritance hierarchy.*session\.addAll\(\)/)
    expect(() => update(Engineer)).to.throw(ArgumentError, /update\(\) was given .*Engineer.*, whose rows span several tables \(inh_staff, inh_engineers\)/)
    expect(await failure(s.execute(update(Manager).values({ name: 'X' })))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/update\(Manager\): Manager is in an inheritance hierarchy/)
    expect(await failure(s.upsert(new Engineer({ id: 9, name: 'X', language: 'c' }), { on: ['id'] }))).to.be.instanceOf(ArgumentError).with.property('message').that.matches(/a Engineer is stored in 2 \(inh_staff, inh_engineers\)/)
  })

  it('a joined subclass\'s column property over its own table loads for its objects, from the join of its tables', async () => {
    {
      await using s = new AsyncSession(db.engine)
      s.addAll([new Vehicle({ id: 1 }), new Car({ id: 2, model: 'mini' }), new Car({ id: 3, model: 'beetle' })])
      await s.commit()
    }
    await using s = new AsyncSession(db.engine)
    db.statements.length = 0
    const all = (await s.scalars(select(Vehicle).orderBy(Vehicle.c.id))).all()
    expect(all.map((v) => (v instanceof Car ? v.shout : null))).to.deep.equal([null, 'MINI', 'BEETLE'])
    expect(db.statements).to.have.length(2)
    expect(db.statements[1]).to.match(/FROM .inh_vehicles. JOIN .inh_cars. ON .* WHERE /)
    expect(db.statements[1]).to.contain(dialectSql(db.engine, `WHERE "inh_vehicles"."id" ${keyListSql(db.engine, 2)}`))
  })

  it('new objects of every class are pending until flushed and transient again after a rollback; a savepoint rollback restores a subclass\'s columns', async () => {
    await seed()
    await using s = new AsyncSession(db.engine)
    const pat = (await s.get(Principal, 4))!
    const sp = await s.beginNested()
    pat.patents = 10
    pat.name = 'P'
    await s.flush()
    await sp.rollback()
    expect([pat.name, pat.patents]).to.deep.equal(['Pat', 3])
    await s.commit()
    await using check = new AsyncSession(db.engine)
    const read = (await check.get(Principal, 4))!
    expect([read.name, read.patents]).to.deep.equal(['Pat', 3])
  })
})
