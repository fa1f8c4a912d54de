import { expect } from 'chai'
import { AsyncSession, Integer, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Member extends Base.model('members', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
}) {}

/**
 * `session.get()` and autoflush: a miss flushes only when a flush could change what the key
 * finds, so many lookups in one session cost one statement each (no scan of the identity map).
 */
export const sessionGetSuite: Suite = (ctx) => describe('AsyncSession.get and autoflush', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)
  const selectById = (): string => sql('SELECT "members"."id", "members"."name" FROM "members" WHERE "members"."id" = ?')

  async function seed(n: number): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.addAll(Array.from({ length: n }, (_, i) => new Member({ id: i + 1, name: `m${i + 1}` })))
    await s.commit()
    statements.length = 0
  }

  it('flushes a pending object before looking its key up, so get() finds it', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Member({ id: 7, name: 'new' }))
    const found = await s.get(Member, 7)
    expect(found?.name).to.equal('new')
    expect(statements[0]).to.match(/^INSERT INTO/)
  })

  it('runs one SELECT per missed key while a changed object waits for the next flush', async () => {
    await seed(3)
    await using s = new AsyncSession(db.engine)
    const first = (await s.get(Member, 1))!
    first.name = 'changed'
    const others = [await s.get(Member, 2), await s.get(Member, 3)]
    expect(others.map((m) => m?.name)).to.deep.equal(['m2', 'm3'])
    expect(statements).to.deep.equal([selectById(), selectById(), selectById()])
    expect(s.dirty).to.deep.equal([first])
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Member.c.name).orderBy(Member.c.id))).all()).to.deep.equal(['changed', 'm2', 'm3'])
  })

  it('flushes a change to an expired object before refreshing it, so the change is not lost', async () => {
    await seed(1)
    await using s = new AsyncSession(db.engine)
    const m = (await s.get(Member, 1))!
    await s.commit() // expires m
    m.name = 'after commit'
    expect(await s.get(Member, 1)).to.equal(m)
    expect(m.name).to.equal('after commit')
    expect(statements.some((q) => q.startsWith(sql('UPDATE "members"')))).to.equal(true)
  })
})
