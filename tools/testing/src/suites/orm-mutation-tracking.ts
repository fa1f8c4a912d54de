import { expect } from 'chai'
import { AsyncSession, DateTime, Integer, JSON as JsonType, LargeBinary, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

interface Prefs { tags: string[]; limits: { daily: number } }
const Base = declarativeBase()
class Profile extends Base.model('mt_profiles', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
  prefs: mappedColumn(JsonType<Prefs>()),
  seen: mappedColumn(DateTime()),
  avatar: mappedColumn(LargeBinary, { nullable: true }),
}) {}

/**
 * Values changed in place — a JSON document, bytes — are found at flush by comparing with a copy
 * taken when the row was read or written (snapshot comparison, no wrappers). Dates by rule: a new
 * Date must be assigned; a change in place is reported outside production.
 */
export const ormMutationTrackingSuite: Suite = (ctx) => describe('ORM: values changed in place', () => {
  const db = useDatabase(ctx, Base.metadata)
  const seen = new Date('2026-01-02T03:04:05.678Z')

  async function seed(): Promise<number> {
    await using s = new AsyncSession(db.engine)
    const p = new Profile({ name: 'ann', prefs: { tags: ['a'], limits: { daily: 1 } }, seen, avatar: Buffer.from([1, 2, 3]) })
    s.add(p)
    await s.commit()
    return p.id
  }
  async function reload(id: number): Promise<Profile> {
    await using s = new AsyncSession(db.engine)
    return (await s.get(Profile, id))!
  }
  const updates = (): string[] => db.statements.filter((q) => q.startsWith('UPDATE'))

  it('flushes a JSON document changed in place: a pushed array element and a nested property', async () => {
    const id = await seed()
    await using s = new AsyncSession(db.engine)
    const p = (await s.get(Profile, id))!
    p.prefs.tags.push('b')
    p.prefs.limits.daily = 5
    expect(s.dirty, 'the session sees the change before flushing').to.deep.equal([p])
    await s.commit()
    expect((await reload(id)).prefs).to.deep.equal({ tags: ['a', 'b'], limits: { daily: 5 } })
  })

  it('flushes bytes changed in place; a Date changed in place is not saved, by rule, and a warning says so', async () => {
    const id = await seed()
    const warnings: Error[] = []
    const listen = (w: Error): void => void warnings.push(w)
    process.on('warning', listen)
    try {
      await using s = new AsyncSession(db.engine)
      const p = (await s.get(Profile, id))!
      p.avatar![0] = 9
      p.seen.setUTCFullYear(2027)
      await s.commit()
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', listen)
    }
    const again = await reload(id)
    expect([...again.avatar!]).to.deep.equal([9, 2, 3])
    expect(again.seen.toISOString(), 'assign a new Date to change a DateTime column').to.equal(seen.toISOString())
    const dateWarnings = warnings.filter((w) => w.name === 'AthanorDateMutationWarning')
    expect(dateWarnings.map((w) => w.message)).to.have.length(1)
    expect(dateWarnings[0]!.message).to.match(/^Profile\.seen was changed in place .* Write seen = new Date\(…\) instead\./)
    // Assigning a new Date is saved.
    await using s = new AsyncSession(db.engine)
    const p = (await s.get(Profile, id))!
    p.seen = new Date('2028-01-01T00:00:00.000Z')
    await s.commit()
    expect((await reload(id)).seen.toISOString()).to.equal('2028-01-01T00:00:00.000Z')
  })

  it('sends no UPDATE when nothing changed, and keeps tracking after a flush and after an expiry', async () => {
    const id = await seed()
    await using s = new AsyncSession(db.engine)
    const p = (await s.scalars(select(Profile).where(Profile.c.id.eq(id)))).one()
    db.statements.length = 0
    await s.flush()
    expect(updates(), 'read only').to.deep.equal([])
    p.prefs.tags.push('x')
    await s.flush()
    expect(updates()).to.have.length(1)
    p.prefs.tags.push('y') // after the flush: compared with what the flush wrote
    await s.commit()
    expect(updates()).to.have.length(2)
    // Expired by the commit and reloaded: the reloaded values are tracked the same way.
    p.prefs.limits.daily = 7
    await s.commit()
    expect((await reload(id)).prefs).to.deep.equal({ tags: ['a', 'x', 'y'], limits: { daily: 7 } })
  })

  it('a rolled-back savepoint undoes an in-place change as well', async () => {
    const id = await seed()
    await using s = new AsyncSession(db.engine)
    const p = (await s.get(Profile, id))!
    await s.beginNested(async () => {
      p.prefs.tags.push('inside')
      await s.flush()
      throw new Error('undo')
    }).catch(() => undefined)
    expect(p.prefs.tags).to.deep.equal(['a'])
    await s.commit()
    expect((await reload(id)).prefs.tags).to.deep.equal(['a'])
  })
})
