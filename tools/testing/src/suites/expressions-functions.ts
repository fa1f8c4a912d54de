import { expect } from 'chai'
import { Integer, Numeric, String, Text, caseWhen, cast, func, literal, select, text, typed } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { column0, metadata, rows, seed, staff } from './expressions-fixture.js'

/** func.*, CAST, CASE and text(), executed. */
export const expressionsFunctionsSuite: Suite = (ctx) => describe('expression language: functions, CAST, CASE, text()', () => {
  const db = useDatabase(ctx, metadata)
  beforeEach(() => seed(db.engine))
  const s = staff.c

  it('computes coalesce, lower, upper and length (in characters)', async () => {
    expect(await rows(db.engine, select(func.coalesce(s.salary, 0), func.lower(s.name), func.upper(s.name), func.length(s.name)).where(s.id.eq(3)))).to.deep.equal([[0, 'cy', 'CY', 2]])
    expect(await column0(db.engine, select(func.coalesce(s.deptId, s.bossId, 0)).orderBy(s.id))).to.deep.equal([1, 1, 2, 2, 2, 2])
    expect(await column0(db.engine, select(func.length(literal('héllo 🙂', Text))))).to.deep.equal([7])
  })

  it('returns the current time from now() as a Date', async () => {
    const [now] = await column0(db.engine, select(func.now()))
    expect(now).to.be.instanceOf(Date)
    // Not a timing check: a time-zone mix-up shows as a whole number of hours off.
    expect(Math.abs((now as Date).getTime() - Date.now())).to.be.below(5 * 60_000)
  })

  it('calls functions by any name, typed with typed()', async () => {
    const replaced = typed(func.replace!(s.name, 'a', 'o'), Text)
    expect(await column0(db.engine, select(replaced).where(s.id.eq(4)))).to.deep.equal(['Don_1'])
    expect(await column0(db.engine, select(func.abs(s.salary.neg())).where(s.id.eq(1)))).to.deep.equal([100])
    expect(await column0(db.engine, select(typed(func.nullif!(s.salary, 80), Integer)).where(s.id.in([1, 2])).orderBy(s.id))).to.deep.equal([100, null])
  })

  it('casts between text, integers and decimals', async () => {
    expect(await rows(db.engine, select(s.salary.cast(String(10)), cast(literal('42', Text), Integer), s.salary.cast(Numeric(10, 2))).where(s.id.eq(1)))).to.deep.equal([['100', 42, '100.00']])
    expect(await column0(db.engine, select(s.id).where(s.name.cast(Text).eq('Bob')))).to.deep.equal([2])
  })

  it('chooses values with CASE, falling back to ELSE for NULL and unmatched rows', async () => {
    const band = caseWhen([[s.salary.ge(100), 'high'], [s.salary.ge(80), 'mid']], 'low').label('band')
    expect(await column0(db.engine, select(band).orderBy(s.id))).to.deep.equal(['high', 'mid', 'low', 'low', 'high', 'mid'])
    const noElse = caseWhen([[s.deptId.isNull(), s.name]])
    expect(await column0(db.engine, select(noElse).orderBy(s.id))).to.deep.equal([null, null, null, 'Dan_1', null, null])
    // count(), not sum(): PostgreSQL types CASE … THEN $1 as text when no branch gives a type.
    expect(await column0(db.engine, select(func.count(caseWhen([[s.salary.ge(90), 'yes']]))))).to.deep.equal([3])
  })

  it('runs text() with named parameters, converting columns declared with columns()', async () => {
    const q = text('SELECT id, name FROM xp_staff WHERE salary > :min OR name = :name ORDER BY id', { min: 95, name: 'Cy' }).columns({ id: Integer, name: Text })
    await using conn = await db.engine.connect()
    const r = await conn.execute(q)
    expect(r.all()).to.deep.equal([[1, 'Ada'], [3, 'Cy'], [5, 'Eve 100%']])
    expect(r.mappings().all()[0]).to.deep.equal({ id: 1, name: 'Ada' })
    const same = await conn.execute(text('SELECT count(*) AS n FROM xp_staff WHERE salary = :s OR salary = :s', { s: 90 }).columns({ n: Integer }))
    expect(same.all()).to.deep.equal([[1]])
  })
})
