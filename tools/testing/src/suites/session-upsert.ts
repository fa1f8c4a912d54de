import { expect } from 'chai'
import { ArgumentError, AsyncSession, Integer, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Member extends Base.model('upsert_members', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(60), { unique: true }),
  name: mappedColumn(String(40)),
  visits: mappedColumn(Integer, { default: 0 }),
}) {}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

/** session.upsert(): insert-or-update by a unique key, one statement per batch, the identity map kept right. */
export const sessionUpsertSuite: Suite = (ctx) => describe('session: upsert', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function seed(...rows: [string, string, number][]): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.addAll(rows.map(([email, name, visits]) => new Member({ email, name, visits })))
    await s.commit()
    db.statements.length = 0
  }
  async function stored(): Promise<[string, string, number][]> {
    await using s = new AsyncSession(db.engine)
    return (await s.execute(select(Member.c.email, Member.c.name, Member.c.visits).orderBy(Member.c.email))).all()
  }

  it('inserts new rows and updates colliding ones in one INSERT, and returns the objects with their ids', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    const [ann, bob] = await s.upsert([new Member({ email: 'ann@x.io', name: 'Ann B', visits: 0 }), new Member({ email: 'bob@x.io', name: 'Bob' })], { on: ['email'], update: ['name'] })
    const writes = db.statements.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(q))
    expect(writes[0]).to.satisfy((q: string) => q.startsWith(dialectSql(db.engine, 'INSERT INTO "upsert_members" ("email", "name", "visits") VALUES (?, ?, ?), (?, ?, ?)')))
    // Where INSERT has RETURNING the rows come back with it; elsewhere one SELECT … IN by the key reads them.
    expect(writes).to.have.length(db.capabilities.returning.insert ? 1 : 2)
    if (!db.capabilities.returning.insert) expect(writes[1]).to.match(/^SELECT /)
    expect([ann!.email, ann!.name, ann!.visits]).to.deep.equal(['ann@x.io', 'Ann B', 3])
    expect([bob!.name, bob!.visits]).to.deep.equal(['Bob', 0])
    expect(ann!.id).to.be.a('number')
    expect(bob!.id).to.be.a('number').and.not.equal(ann!.id)
    await s.commit()
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann B', 3], ['bob@x.io', 'Bob', 0]])
    // They are the session's objects now: get() finds them without a query.
    db.statements.length = 0
    expect(await s.get(Member, bob!.id)).to.equal(bob)
  })

  it('by default updates every attribute given except the key; update: [] leaves existing rows as they are', async () => {
    await seed(['ann@x.io', 'Ann', 3], ['cy@x.io', 'Cy', 7])
    await using s = new AsyncSession(db.engine)
    await s.upsert(new Member({ email: 'ann@x.io', name: 'Ann C', visits: 10 }), { on: ['email'] })
    const [cy] = await s.upsert(new Member({ email: 'cy@x.io', name: 'ignored', visits: 0 }), { on: ['email'], update: [] })
    expect([cy!.name, cy!.visits], 'the object takes the row the database kept').to.deep.equal(['Cy', 7])
    await s.commit()
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann C', 10], ['cy@x.io', 'Cy', 7]])
  })

  it('refreshes the object the session already holds for the row and returns it; the object given stays new', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    const held = (await s.scalars(select(Member).where(Member.c.email.eq('ann@x.io')))).one()
    const given = new Member({ email: 'ann@x.io', name: 'Ann D' })
    const [back] = await s.upsert(given, { on: ['email'], update: ['name'] })
    expect(back).to.equal(held)
    expect(held.name).to.equal('Ann D')
    expect(given.id).to.equal(undefined)
    await s.commit()
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann D', 3]])
  })

  it('a rollback undoes it in memory too: held objects get their values back, new ones are new again', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    const held = (await s.scalars(select(Member))).one()
    const fresh = new Member({ email: 'dee@x.io', name: 'Dee' })
    await s.upsert([new Member({ email: 'ann@x.io', name: 'changed' }), fresh], { on: ['email'], update: ['name'] })
    await s.rollback()
    expect(held.name).to.equal('Ann')
    expect(fresh.id, 'the inserted row is gone, so its id is too').to.equal(undefined)
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann', 3]])
    // The new object can be upserted again.
    const [again] = await s.upsert(fresh, { on: ['email'] })
    await s.commit()
    expect(again).to.equal(fresh)
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann', 3], ['dee@x.io', 'Dee', 0]])
  })

  it('flushes pending changes first, so the upsert sees them', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    const held = (await s.scalars(select(Member))).one()
    held.visits = 5
    await s.upsert(new Member({ email: 'ann@x.io', name: 'Ann E' }), { on: ['email'], update: ['name'] })
    expect([held.name, held.visits]).to.deep.equal(['Ann E', 5])
    await s.commit()
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann E', 5]])
  })

  it('where an upsert reacts to any unique key (MySQL), refuses objects that also give another unique key', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    const withId = new Member({ id: 1000, email: 'eve@x.io', name: 'Eve' })
    if (db.capabilities.upsertAnyKey === true) {
      expect(await failure(s.upsert(withId, { on: ['email'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/reacts to a conflict on any unique key, and the objects also give \[id\]/)
      expect(await stored()).to.deep.equal([['ann@x.io', 'Ann', 3]])
    } else {
      const [eve] = await s.upsert(withId, { on: ['email'] })
      expect(eve!.id).to.equal(1000)
      await s.commit()
      expect(await stored()).to.deep.equal([['ann@x.io', 'Ann', 3], ['eve@x.io', 'Eve', 0]])
    }
  })

  it('refuses a key that is not unique, two objects with one key, and objects that are not new — and writes nothing', async () => {
    await seed(['ann@x.io', 'Ann', 3])
    await using s = new AsyncSession(db.engine)
    expect(await failure(s.upsert(new Member({ email: 'z@x.io', name: 'Z' }), { on: ['name'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/name is not a unique key of Member .*Its unique keys: \[id\], \[email\]/)
    expect(await failure(s.upsert([new Member({ email: 'z@x.io', name: 'A' }), new Member({ email: 'z@x.io', name: 'B' })], { on: ['email'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/same email \(z@x\.io\)/)
    const held = (await s.scalars(select(Member))).one()
    expect(await failure(s.upsert(held, { on: ['email'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/takes new objects; this Member is persistent/)
    expect(await failure(s.upsert(new Member({ name: 'no email' } as never), { on: ['email'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/must give its 'email'/)
    expect(await failure(s.upsert(new Member({ email: 'q@x.io', name: 'Q' }), { on: ['email'], update: ['nope' as 'name'] }))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/'nope', which is not a column attribute of Member/)
    await s.commit()
    expect(await stored()).to.deep.equal([['ann@x.io', 'Ann', 3]])
  })
})
