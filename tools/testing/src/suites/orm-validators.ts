import { expect } from 'chai'
import { AsyncSession, Integer, String, ValidationError, declarativeBase, insert, mappedColumn, select } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Person extends Base.model('val_people', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(60), {
    validate: (v: string) => {
      if (!v.includes('@')) throw new Error(`'${v}' has no @`)
      return v.toLowerCase()
    },
  }),
  name: mappedColumn(String(40)),
  // The validator sees the object: a nickname may not repeat the name.
  nickname: mappedColumn(String(40), { nullable: true, validate: (v: string, obj: object) => {
    if (v === (obj as { name?: string }).name) throw new Error('repeats the name')
    return v
  } }),
}) {}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

/** Column validators (SQLAlchemy's @validates): run on construction and assignment, never on values read back. */
export const ormValidatorsSuite: Suite = (ctx) => describe('ORM: attribute validators', () => {
  const db = useDatabase(ctx, Base.metadata)

  it('run in the constructor and on assignment, may normalise the value, and name the model and attribute when they refuse', () => {
    const p = new Person({ email: 'Ann@X.io', name: 'Ann' })
    expect(p.email).to.equal('ann@x.io')
    const e = thrown(() => new Person({ email: 'nope', name: 'X' }))
    expect(e).to.be.instanceOf(ValidationError)
    expect([(e as ValidationError).model, (e as ValidationError).attribute, (e as ValidationError).code]).to.deep.equal(['Person', 'email', 'validation'])
    expect((e as Error).message).to.match(/^Person\.email refused the value given to it: 'nope' has no @/)
    const refused = thrown(() => { p.email = 'still nope' })
    expect(refused).to.be.instanceOf(ValidationError)
    expect(p.email, 'a refused value is not stored').to.equal('ann@x.io')
    p.email = 'ANN@Y.IO'
    expect(p.email).to.equal('ann@y.io')
    expect(thrown(() => { p.nickname = 'Ann' })).to.be.instanceOf(ValidationError).and.to.have.property('attribute', 'nickname')
    p.nickname = null // null and undefined are the database's NOT NULL business, not the validator's
    expect({ ...p }, 'the attributes stay own and enumerable').to.include({ email: 'ann@y.io', name: 'Ann', nickname: null })
    expect(JSON.parse(JSON.stringify(p))).to.include({ email: 'ann@y.io' })
  })

  it('a changed validated attribute is flushed as any other (one UPDATE of that column)', async () => {
    await using s = new AsyncSession(db.engine)
    const p = new Person({ email: 'b@x.io', name: 'Bo' })
    s.add(p)
    await s.commit()
    db.statements.length = 0
    p.email = 'BO@X.IO'
    await s.commit()
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.deep.equal([dialectSql(db.engine, 'UPDATE "val_people" SET "email" = ? WHERE "val_people"."id" = ?')])
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Person.c.email))).all()).to.deep.equal(['bo@x.io'])
  })

  it('values read from the database, generated keys and rollbacks are not checked', async () => {
    await db.engine.begin((conn) => conn.execute(insert(Person.__table__).values({ email: 'legacy-without-at', name: 'Old', nickname: 'Old' })))
    await using s = new AsyncSession(db.engine)
    const old = (await s.scalars(select(Person))).one()
    expect([old.email, old.nickname]).to.deep.equal(['legacy-without-at', 'Old'])
    old.name = 'Older'
    s.add(new Person({ email: 'c@x.io', name: 'Cy' }))
    await s.flush()
    await s.rollback()
    expect(old.name).to.equal('Old')
    expect(thrown(() => { old.email = 'still-without-at' })).to.be.instanceOf(ValidationError)
  })

  it('a refused value in a session loses nothing: the session goes on', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Person({ email: 'd@x.io', name: 'Di' }))
    expect(thrown(() => s.add(new Person({ email: 'bad', name: 'E' })))).to.be.instanceOf(ValidationError)
    await s.commit()
    expect((await s.scalars(select(Person.c.email))).all()).to.deep.equal(['d@x.io'])
  })
})
