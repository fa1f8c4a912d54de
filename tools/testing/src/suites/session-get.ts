import { expect } from 'chai'
import { AsyncSession, BigInteger, Integer, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Member extends Base.model('members', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
}) {}
class Ledger extends Base.model('ledgers', {
  id: mappedColumn(BigInteger, { primaryKey: true }),
  name: mappedColumn(String(50)),
}) {}
class Code extends Base.model('codes', {
  code: mappedColumn(String(20), { primaryKey: true }),
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

  // Identity keys are numbers for whole-number keys up to 2^42 and text beyond and for other
  // values (core/src/orm/identity-key.ts): every size class, and text that only looks like a
  // number, must still give one object per row.
  it('holds one object per row whatever its key: small, large and huge integers, and text that looks like a number', async () => {
    const huge = 2n ** 42n + 1n
    {
      await using s = new AsyncSession(db.engine)
      s.addAll([1, 2_000_000, 2_147_483_647].map((id) => new Member({ id, name: `m${id}` })))
      s.addAll([5n, huge].map((id) => new Ledger({ id, name: `l${id}` })))
      s.addAll(['7', '007', 'x7'].map((code) => new Code({ code, name: `c${code}` })))
      await s.commit()
    }
    statements.length = 0
    await using s = new AsyncSession(db.engine)
    const members = (await s.scalars(select(Member).orderBy(Member.c.id))).all()
    const ledgers = (await s.scalars(select(Ledger).orderBy(Ledger.c.id))).all()
    const codes = (await s.scalars(select(Code).orderBy(Code.c.code))).all()
    expect(statements).to.have.length(3)
    expect(members.map((m) => m.id)).to.deep.equal([1, 2_000_000, 2_147_483_647])
    expect(ledgers.map((l) => l.id)).to.deep.equal([5n, huge])
    expect(codes.map((c) => c.code)).to.deep.equal(['007', '7', 'x7'])
    // Found in the identity map: the same objects, no statement.
    expect(await s.get(Member, 1)).to.equal(members[0])
    expect(await s.get(Member, 2_000_000)).to.equal(members[1])
    expect(await s.get(Member, 2_147_483_647)).to.equal(members[2])
    expect(await s.get(Ledger, 5n)).to.equal(ledgers[0])
    expect(await s.get(Ledger, huge)).to.equal(ledgers[1])
    expect(await s.get(Code, '7')).to.equal(codes[1])
    expect(await s.get(Code, '007')).to.equal(codes[0])
    expect(await s.get(Code, 'x7')).to.equal(codes[2])
    expect(statements).to.have.length(3)
    // A key of another class with the same value is another row.
    expect(await s.get(Ledger, 1n)).to.equal(undefined)
    // Loaded again, each row meets its object: still one per row.
    const again = (await s.scalars(select(Member).orderBy(Member.c.id))).all()
    expect(again.every((m, i) => m === members[i])).to.equal(true)
    expect(s.identityMap.size).to.equal(8)
  })
})
