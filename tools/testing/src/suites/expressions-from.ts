import { expect } from 'chai'
import { CompileError, alias, except, exists, func, intersect, select, union, unionAll } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { column0, depts, metadata, rows, seed, staff } from './expressions-fixture.js'

/** JOINs, aliases, subqueries, CTEs and set operations, executed. */
export const expressionsFromSuite: Suite = (ctx) => describe('expression language: joins, subqueries, CTEs, set operations', () => {
  const db = useDatabase(ctx, metadata)
  beforeEach(() => seed(db.engine))
  const s = staff.c
  const d = depts.c
  const byJs = <T extends readonly unknown[]>(list: T[]): T[] => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

  it('inner-joins with an explicit ON, and with ON inferred from the foreign key', async () => {
    expect(await rows(db.engine, select(s.name, d.name).join(depts, s.deptId.eq(d.id)).orderBy(s.id))).to.deep.equal([
      ['Ada', 'Eng'], ['Bob', 'Eng'], ['Cy', 'Sales'], ['Eve 100%', 'Sales'], ['Danny', 'Sales'],
    ])
    expect(await column0(db.engine, select(s.id).join(depts).where(d.name.eq('Eng')).orderBy(s.id))).to.deep.equal([1, 2])
    await using conn = await db.engine.connect()
    const r = await conn.execute(select(s.name, d.name).join(depts).where(s.id.eq(1)))
    expect(r.mappings().all()).to.deep.equal([{ name: 'Ada', name_1: 'Eng' }])
  })

  it('left-joins, keeping the department without staff', async () => {
    expect(await rows(db.engine, select(d.name, s.name).outerJoin(staff).orderBy(d.id, s.id))).to.deep.equal([
      ['Eng', 'Ada'], ['Eng', 'Bob'], ['Sales', 'Cy'], ['Sales', 'Eve 100%'], ['Sales', 'Danny'], ['Legal', null],
    ])
  })

  it('full-joins, keeping unmatched rows of both sides (or refuses where unsupported)', async () => {
    const stmt = select(d.name, s.name).fullJoin(staff)
    if (!db.capabilities.fullJoin) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /FULL OUTER JOIN is not supported/)
      return
    }
    expect(byJs(await rows(db.engine, stmt))).to.deep.equal(byJs([
      ['Eng', 'Ada'], ['Eng', 'Bob'], ['Sales', 'Cy'], ['Sales', 'Eve 100%'], ['Sales', 'Danny'], ['Legal', null], [null, 'Dan_1'],
    ]))
  })

  it('self-joins through an alias', async () => {
    const boss = alias(staff, 'boss')
    expect(await rows(db.engine, select(s.name, boss.c.name.label('boss')).join(boss, s.bossId.eq(boss.c.id)).orderBy(s.id))).to.deep.equal([
      ['Bob', 'Ada'], ['Cy', 'Ada'], ['Dan_1', 'Bob'], ['Eve 100%', 'Cy'], ['Danny', 'Cy'],
    ])
    const peer = alias(staff, 'peer')
    const pairs = select(s.id, peer.c.id).join(peer, s.deptId.eq(peer.c.deptId).and(s.id.lt(peer.c.id))).orderBy(s.id, peer.c.id)
    expect(await rows(db.engine, pairs)).to.deep.equal([[1, 2], [3, 5], [3, 6], [5, 6]])
  })

  it('joins to a subquery in FROM', async () => {
    const totals = select(s.deptId, func.count().label('n')).groupBy(s.deptId).subquery('totals')
    expect(await rows(db.engine, select(d.name, totals.c.n).join(totals, totals.c.deptId.eq(d.id)).orderBy(d.id))).to.deep.equal([['Eng', 2], ['Sales', 3]])
    const rich = select(s.id, s.name).where(s.salary.ge(90)).subquery('rich')
    expect(await column0(db.engine, select(rich.c.name).where(rich.c.id.gt(1)).orderBy(rich.c.id))).to.deep.equal(['Eve 100%', 'Danny'])
  })

  it('uses a correlated scalar subquery as a column and in WHERE', async () => {
    const n = select(func.count()).where(s.deptId.eq(d.id)).scalarSubquery()
    expect(await rows(db.engine, select(d.name, n.label('n')).orderBy(d.id))).to.deep.equal([['Eng', 2], ['Sales', 3], ['Legal', 0]])
    expect(await column0(db.engine, select(d.name).where(n.gt(2)))).to.deep.equal(['Sales'])
    const top = select(func.max(s.salary)).scalarSubquery()
    expect(await column0(db.engine, select(s.name).where(s.salary.eq(top)))).to.deep.equal(['Eve 100%'])
  })

  it('filters with IN / NOT IN over a subquery (NOT IN over a NULL finds nothing, as in SQL)', async () => {
    expect(await column0(db.engine, select(d.name).where(d.id.in(select(s.deptId).where(s.salary.gt(95)))).orderBy(d.id))).to.deep.equal(['Eng', 'Sales'])
    expect(await column0(db.engine, select(d.name).where(d.id.notIn(select(s.deptId))))).to.deep.equal([])
    expect(await column0(db.engine, select(d.name).where(d.id.notIn(select(s.deptId).where(s.deptId.isNotNull()))))).to.deep.equal(['Legal'])
  })

  it('filters with correlated EXISTS and NOT EXISTS', async () => {
    const hasStaff = select(s.id).where(s.deptId.eq(d.id))
    expect(await column0(db.engine, select(d.name).where(exists(hasStaff)).orderBy(d.id))).to.deep.equal(['Eng', 'Sales'])
    expect(await column0(db.engine, select(d.name).where(hasStaff.exists().not()))).to.deep.equal(['Legal'])
  })

  it('reads from a CTE, and from a CTE built on another', async () => {
    const rich = select(s.id, s.name, s.deptId).where(s.salary.ge(90)).cte('rich')
    expect(await column0(db.engine, select(rich.c.name).from(rich).orderBy(rich.c.id))).to.deep.equal(['Ada', 'Eve 100%', 'Danny'])
    const richSales = select(rich.c.id).from(rich).where(rich.c.deptId.eq(2)).cte('rich_sales')
    expect(await column0(db.engine, select(s.name).where(s.id.in(select(richSales.c.id).from(richSales))).orderBy(s.id))).to.deep.equal(['Eve 100%', 'Danny'])
  })

  it('walks a hierarchy with a recursive CTE', async () => {
    const tree = select(s.id, s.name).where(s.id.eq(3)).cte('tree', { recursive: true })
    const all = tree.unionAll(select(s.id, s.name).join(tree, s.bossId.eq(tree.c.id)))
    expect(await rows(db.engine, select(all.c.id, all.c.name).from(all).orderBy(all.c.id))).to.deep.equal([[3, 'Cy'], [5, 'Eve 100%'], [6, 'Danny']])
    const fromAda = select(s.id).where(s.id.eq(1)).cte('down', { recursive: true })
    const everyone = fromAda.unionAll(select(s.id).join(fromAda, s.bossId.eq(fromAda.c.id)))
    expect(await column0(db.engine, select(func.count()).from(everyone))).to.deep.equal([6])
  })

  it('combines selects with UNION and UNION ALL, ordered and limited', async () => {
    const u = union(select(s.deptId).where(s.deptId.isNotNull()), select(d.id)).orderBy(s.deptId)
    expect(await column0(db.engine, u)).to.deep.equal([1, 2, 3])
    expect(await column0(db.engine, u.limit(2))).to.deep.equal([1, 2])
    const all = unionAll(select(d.id).where(d.id.le(2)), select(d.id).where(d.id.ge(2)))
    expect((await column0(db.engine, all)).sort()).to.deep.equal([1, 2, 2, 3])
    expect(await column0(db.engine, select(s.name).where(s.id.eq(1)).union(select(d.name).where(d.id.eq(3))).orderBy(s.name))).to.deep.equal(['Ada', 'Legal'])
  })

  it('intersects and subtracts selects (or refuses where unsupported)', async () => {
    // coalesce() makes the column non-null, so both members have [number] rows.
    const both = intersect(select(d.id), select(func.coalesce(s.deptId, 0)))
    const only = except(select(d.id), select(func.coalesce(s.deptId, 0)))
    if (!db.capabilities.intersectExcept) {
      expect(() => db.engine.dialect.compiler.compile(both)).to.throw(CompileError, /INTERSECT is not supported/)
      return
    }
    expect((await column0(db.engine, both)).sort()).to.deep.equal([1, 2])
    expect(await column0(db.engine, only)).to.deep.equal([3])
    expect(await column0(db.engine, select(d.id).except(select(func.coalesce(s.deptId, 0))).orderBy(d.id))).to.deep.equal([3])
  })

  it('counts the rows of a compound select used as a subquery', async () => {
    const names = union(select(s.name), select(d.name)).subquery('names')
    expect(await column0(db.engine, select(func.count()).from(names))).to.deep.equal([9])
  })
})
