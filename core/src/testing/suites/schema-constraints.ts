import { expect } from 'chai'
import { ForeignKey, IntegrityError, Integer, MetaData, String, Table, column, del, insert, select, update } from '../../index.js'
import type { Executable, IntegrityKind } from '../../index.js'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const metadata = new MetaData()
const owners = new Table('constraint_owners', metadata, {
  id: column(Integer, { primaryKey: true }),
  code: column(String(10), { unique: true }),
})
const things = new Table('constraint_things', metadata, {
  id: column(Integer, { primaryKey: true }),
  owner_id: column(Integer, ForeignKey('constraint_owners.id')),
  qty: column(Integer, { check: 'qty >= 0' }),
})

/** Constraint violations become IntegrityError with a portable `kind`, on every backend. */
export const schemaConstraintsSuite: Suite = (ctx) => describe('Constraint violations', () => {
  const db = useDatabase(ctx, metadata)

  beforeEach(async () => {
    await db.engine.begin(async (conn) => {
      await conn.execute(insert(owners).values({ id: 1, code: 'A' }))
      await conn.execute(insert(things).values({ id: 1, owner_id: 1, qty: 5 }))
    })
  })

  async function violation<R extends readonly unknown[], M>(statement: Executable<R, M>): Promise<IntegrityError> {
    await using conn = await db.engine.connect()
    const err = await conn.execute(statement).then(() => expect.fail('the statement broke a constraint but succeeded'), (e: unknown) => e)
    expect(err).to.be.instanceOf(IntegrityError)
    return err as IntegrityError
  }

  const cases: [IntegrityKind, string, () => Promise<IntegrityError>][] = [
    ['unique', 'a duplicate unique value', () => violation(insert(owners).values({ id: 2, code: 'A' }))],
    ['unique', 'a duplicate primary key', () => violation(insert(owners).values({ id: 1, code: 'B' }))],
    ['foreign-key', 'a reference to a missing row', () => violation(insert(things).values({ id: 2, owner_id: 99, qty: 1 }))],
    ['foreign-key', 'deleting a referenced row', () => violation(del(owners).where(owners.c.id.eq(1)))],
    ['not-null', 'NULL in a NOT NULL column', () => violation(insert(things).values({ id: 2, owner_id: 1, qty: null as unknown as number }))],
    ['not-null', 'an UPDATE to NULL', () => violation(update(owners).set({ code: null as unknown as string }).where(owners.c.id.eq(1)))],
    ['check', 'a value its CHECK rejects', () => violation(insert(things).values({ id: 2, owner_id: 1, qty: -1 }))],
  ]
  for (const [kind, what, provoke] of cases) {
    it(`reports ${what} as IntegrityError kind '${kind}'`, async () => {
      const err = await provoke()
      expect(err.kind).to.equal(kind)
      expect(err.code).to.equal(`integrity-${kind}`)
      expect(err.cause, 'the driver error is kept as cause').to.be.instanceOf(Error)
      expect(err.driverCode, 'the driver code is kept').to.be.a('string').and.not.equal('')
      expect(err.sql).to.be.a('string').and.not.equal('')
    })
  }

  it('leaves the rows as they were', async () => {
    await violation(insert(owners).values({ id: 2, code: 'A' }))
    await using conn = await db.engine.connect()
    const [owner] = (await conn.execute(select(owners.c.id, owners.c.code))).all()
    expect(owner).to.deep.equal([1, 'A'])
  })
})
