/**
 * The fixture of the expression-language suites: three departments and six staff, chosen so
 * every construct has rows to find and rows to miss (a NULL salary, a NULL department, a
 * department without staff, names holding LIKE wildcards).
 */
import { ForeignKey, Integer, MetaData, String, Table, column, insert } from '@athanor/core'
import type { Engine, Executable } from '@athanor/core'

export const metadata = new MetaData()
export const depts = new Table('xp_depts', metadata, {
  id: column(Integer, { primaryKey: true, autoincrement: false }),
  name: column(String(20)),
})
export const staff = new Table('xp_staff', metadata, {
  id: column(Integer, { primaryKey: true, autoincrement: false }),
  name: column(String(20)),
  deptId: column(Integer, ForeignKey('xp_depts.id'), { nullable: true }),
  bossId: column(Integer, ForeignKey('xp_staff.id'), { nullable: true }),
  salary: column(Integer, { nullable: true }),
})

//  id  name        dept     boss  salary
//  1   Ada         1 Eng    -     100
//  2   Bob         1 Eng    1     80
//  3   Cy          2 Sales  1     NULL
//  4   Dan_1       NULL     2     50
//  5   Eve 100%    2 Sales  3     120
//  6   Danny       2 Sales  3     90
//      (department 3, Legal, has nobody)
export async function seed(engine: Engine): Promise<void> {
  await engine.begin(async (conn) => {
    await conn.execute(insert(depts).values([{ id: 1, name: 'Eng' }, { id: 2, name: 'Sales' }, { id: 3, name: 'Legal' }]))
    await conn.execute(insert(staff).values([
      { id: 1, name: 'Ada', deptId: 1, bossId: null, salary: 100 },
      { id: 2, name: 'Bob', deptId: 1, bossId: 1, salary: 80 },
      { id: 3, name: 'Cy', deptId: 2, bossId: 1, salary: null },
      { id: 4, name: 'Dan_1', deptId: null, bossId: 2, salary: 50 },
      { id: 5, name: 'Eve 100%', deptId: 2, bossId: 3, salary: 120 },
      { id: 6, name: 'Danny', deptId: 2, bossId: 3, salary: 90 },
    ]))
  })
}

/** Runs a statement on a fresh connection and returns its rows. */
export async function rows<R extends readonly unknown[], M>(engine: Engine, stmt: Executable<R, M>): Promise<R[]> {
  await using conn = await engine.connect()
  return (await conn.execute(stmt)).all()
}

/** The first column of every row. */
export async function column0<R extends readonly unknown[], M>(engine: Engine, stmt: Executable<R, M>): Promise<R[0][]> {
  return (await rows(engine, stmt)).map((r) => r[0])
}
