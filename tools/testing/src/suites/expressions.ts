import { expect } from 'chai'
import { Integer, and, func, literal, not, or, select } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { column0, depts, metadata, rows, seed, staff } from './expressions-fixture.js'

/** SELECT lists, WHERE predicates, ORDER BY / LIMIT, GROUP BY / HAVING and DISTINCT, executed. */
export const expressionsSuite: Suite = (ctx) => describe('expression language: select and filter', () => {
  const db = useDatabase(ctx, metadata)
  beforeEach(() => seed(db.engine))
  const ids = (...conditions: Parameters<ReturnType<typeof select>['where']>) => column0(db.engine, select(staff.c.id).where(...conditions).orderBy(staff.c.id))
  const s = staff.c

  it('selects columns, whole tables and labelled expressions', async () => {
    expect(await rows(db.engine, select(s.name, s.salary).where(s.salary.ge(90)).orderBy(s.id))).to.deep.equal([['Ada', 100], ['Eve 100%', 120], ['Danny', 90]])
    expect(await rows(db.engine, select(depts).orderBy(depts.c.id))).to.deep.equal([[1, 'Eng'], [2, 'Sales'], [3, 'Legal']])
    await using conn = await db.engine.connect()
    const r = await conn.execute(select(s.name, s.salary.mul(2).add(1).label('x')).where(s.id.eq(2)))
    expect(r.mappings().all()).to.deep.equal([{ name: 'Bob', x: 161 }])
    expect((await conn.execute(select(literal(7, Integer).label('n')))).all()).to.deep.equal([[7]])
  })

  it('filters with and / or / not, and with empty and() / or()', async () => {
    expect(await ids(or(and(s.deptId.eq(1), s.salary.lt(90)), s.name.eq('Cy')))).to.deep.equal([2, 3])
    expect(await ids(not(or(s.deptId.eq(2), s.deptId.isNull())))).to.deep.equal([1, 2])
    expect(await ids(and())).to.deep.equal([1, 2, 3, 4, 5, 6])
    expect(await ids(or())).to.deep.equal([])
    expect(await ids(s.salary.gt(60), s.deptId.eq(2))).to.deep.equal([5, 6])
  })

  it('compares with = <> < <= > >= (NULL never matches) and column to column', async () => {
    expect(await ids(s.salary.eq(90))).to.deep.equal([6])
    expect(await ids(s.salary.ne(100))).to.deep.equal([2, 4, 5, 6])
    expect(await ids(s.salary.lt(80))).to.deep.equal([4])
    expect(await ids(s.salary.le(80))).to.deep.equal([2, 4])
    expect(await ids(s.salary.gt(100))).to.deep.equal([5])
    expect(await ids(s.salary.ge(100))).to.deep.equal([1, 5])
    expect(await ids(s.bossId.eq(s.deptId))).to.deep.equal([2])
    // String order follows the column's collation; these names sort the same in all of them.
    expect(await ids(s.name.gt('Cz'))).to.deep.equal([4, 5, 6])
  })

  it('tests NULL with isNull / isNotNull and eq(null) / ne(null)', async () => {
    expect(await ids(s.salary.isNull())).to.deep.equal([3])
    expect(await ids(s.salary.eq(null))).to.deep.equal([3])
    expect(await ids(s.deptId.isNotNull())).to.deep.equal([1, 2, 3, 5, 6])
    expect(await ids(s.deptId.ne(null))).to.deep.equal([1, 2, 3, 5, 6])
  })

  it('filters with IN / NOT IN, where an empty list matches nothing / everything', async () => {
    expect(await ids(s.id.in([1, 3, 99]))).to.deep.equal([1, 3])
    expect(await ids(s.id.notIn([1, 2]))).to.deep.equal([3, 4, 5, 6])
    expect(await ids(s.id.in([]))).to.deep.equal([])
    expect(await ids(s.id.notIn([]))).to.deep.equal([1, 2, 3, 4, 5, 6])
    expect(await ids(s.id.in([]).or(s.id.eq(4)))).to.deep.equal([4])
    expect(await ids(not(s.id.in([])))).to.deep.equal([1, 2, 3, 4, 5, 6])
    expect(await ids(s.salary.notIn([100]))).to.deep.equal([2, 4, 5, 6])
    expect(await ids(s.name.in(['Bob', 'Cy']))).to.deep.equal([2, 3])
  })

  it('filters with BETWEEN (inclusive) and NOT BETWEEN', async () => {
    expect(await ids(s.salary.between(80, 100))).to.deep.equal([1, 2, 6])
    expect(await ids(s.salary.between(80, 100).not())).to.deep.equal([4, 5])
  })

  it('matches LIKE wildcards, and text literally in startsWith / endsWith / contains', async () => {
    expect(await ids(s.name.like('Dan%'))).to.deep.equal([4, 6])
    expect(await ids(s.name.like('Dan_%'))).to.deep.equal([4, 6])
    expect(await ids(s.name.startsWith('Dan_'))).to.deep.equal([4])
    expect(await ids(s.name.notLike('D%'))).to.deep.equal([1, 2, 3, 5])
    expect(await ids(s.name.like('%0!%', { escape: '!' }))).to.deep.equal([5])
    expect(await ids(s.name.contains('100%'))).to.deep.equal([5])
    expect(await ids(s.name.contains('%'))).to.deep.equal([5])
    expect(await ids(s.name.contains('_'))).to.deep.equal([4])
    expect(await ids(s.name.endsWith('_1'))).to.deep.equal([4])
    expect(await ids(s.name.endsWith('y'))).to.deep.equal([3, 6])
  })

  it('matches case-insensitively with ilike and the caseInsensitive option', async () => {
    expect(await ids(s.name.ilike('ada'))).to.deep.equal([1])
    expect(await ids(s.name.ilike('%DAN%'))).to.deep.equal([4, 6])
    expect(await ids(s.name.contains('EVE', { caseInsensitive: true }))).to.deep.equal([5])
    expect(await ids(s.name.startsWith('dan_', { caseInsensitive: true }))).to.deep.equal([4])
  })

  it('computes + - * % unary minus and || with NULL propagating', async () => {
    const stmt = select(s.id, s.salary.add(10), s.salary.sub(s.id), s.salary.mul(3), s.salary.mod(7), s.salary.neg()).where(s.id.in([1, 3, 4])).orderBy(s.id)
    expect(await rows(db.engine, stmt)).to.deep.equal([[1, 110, 99, 300, 2, -100], [3, null, null, null, null, null], [4, 60, 46, 150, 1, -50]])
    expect(await column0(db.engine, select(s.name.concat('!')).where(s.id.le(2)).orderBy(s.id))).to.deep.equal(['Ada!', 'Bob!'])
    expect(await ids(s.salary.mul(2).add(s.id).gt(201))).to.deep.equal([5])
  })

  it('orders ascending, descending and by several keys', async () => {
    expect(await column0(db.engine, select(s.name).where(s.name.notLike('Dan%')).orderBy(s.name.desc()).limit(3))).to.deep.equal(['Eve 100%', 'Cy', 'Bob'])
    expect(await column0(db.engine, select(s.id).where(s.deptId.isNotNull()).orderBy(s.deptId.desc(), s.name))).to.deep.equal([3, 6, 5, 1, 2])
  })

  it('puts NULLs first or last on request (natively or emulated)', async () => {
    const order = (o: ReturnType<typeof s.salary.asc>) => column0(db.engine, select(s.id).orderBy(o, s.id))
    expect(await order(s.salary.asc({ nulls: 'first' }))).to.deep.equal([3, 4, 2, 6, 1, 5])
    expect(await order(s.salary.asc({ nulls: 'last' }))).to.deep.equal([4, 2, 6, 1, 5, 3])
    expect(await order(s.salary.desc({ nulls: 'first' }))).to.deep.equal([3, 5, 1, 6, 2, 4])
    expect(await order(s.salary.desc({ nulls: 'last' }))).to.deep.equal([5, 1, 6, 2, 4, 3])
    expect(await column0(db.engine, select(s.id).orderBy(s.deptId.desc({ nulls: 'last' }), s.name))).to.deep.equal([3, 6, 5, 1, 2, 4])
  })

  it('pages with LIMIT and OFFSET, including a bare OFFSET and LIMIT 0', async () => {
    const base = select(s.id).orderBy(s.id)
    expect(await column0(db.engine, base.limit(2).offset(1))).to.deep.equal([2, 3])
    expect(await column0(db.engine, base.offset(4))).to.deep.equal([5, 6])
    expect(await column0(db.engine, base.limit(0))).to.deep.equal([])
    expect(await column0(db.engine, base.limit(10).offset(6))).to.deep.equal([])
  })

  it('groups with aggregates and filters groups with HAVING', async () => {
    const stmt = select(s.deptId, func.count().label('n'), func.sum(s.salary).label('total'), func.min(s.salary), func.max(s.salary), func.count(s.salary))
      .where(s.deptId.isNotNull()).groupBy(s.deptId).having(func.count().ge(2)).orderBy(s.deptId)
    expect(await rows(db.engine, stmt)).to.deep.equal([[1, 2, 180, 80, 100, 2], [2, 3, 210, 90, 120, 2]])
    // avg() is a decimal string whose scale differs by database ('90', '90.0000', …).
    const avg = await column0(db.engine, select(func.avg(s.salary)).where(s.deptId.eq(1)))
    expect(avg.map(Number)).to.deep.equal([90])
    expect(await rows(db.engine, select(func.count(s.deptId, { distinct: true }), func.count()))).to.deep.equal([[2, 6]])
    expect(await rows(db.engine, select(s.deptId, func.count()).groupBy(s.deptId).having(func.max(s.salary).gt(110)))).to.deep.equal([[2, 3]])
  })

  it('removes duplicate rows with DISTINCT', async () => {
    expect(await rows(db.engine, select(s.deptId).distinct().where(s.deptId.isNotNull()).orderBy(s.deptId))).to.deep.equal([[1], [2]])
    expect(await rows(db.engine, select(s.bossId, s.deptId).distinct().where(s.bossId.eq(3)))).to.deep.equal([[3, 2]])
  })
})
