import { expect } from 'chai'
import {
  CheckConstraint, ForeignKey, IntegrityError, Integer, MetaData, String, Table, UniqueConstraint, column, del, insert, select, update,
} from '@athanor/core'
import type { Capabilities, ConstraintInfo, Executable, IntegrityErrorField, IntegrityErrorFields, IntegrityKind } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

// Every constraint is named, so that each server reports the same name.
const metadata = new MetaData()
/** The tables of this suite: named unique, foreign key and check constraints. */
export { metadata as constraintsMetadata }
const owners = new Table('constraint_owners', metadata, {
  id: column(Integer, { primaryKey: true }),
  code: column(String(10)),
}, new UniqueConstraint(['code'], { name: 'uq_constraint_owners_code' }))
const things = new Table('constraint_things', metadata, {
  id: column(Integer, { primaryKey: true }),
  owner_id: column(Integer, ForeignKey('constraint_owners.id', { name: 'fk_constraint_things_owner' })),
  qty: column(Integer),
}, new CheckConstraint('qty >= 0', { name: 'ck_constraint_things_qty' }))

/** Stands for "some name": a primary key's constraint is named by the server (`…_pkey`, `PRIMARY`). */
const ANY_NAME = Symbol('any name')
type Expected = { readonly [F in IntegrityErrorField]?: F extends 'columns' ? readonly string[] : string | typeof ANY_NAME }
const FIELDS: readonly IntegrityErrorField[] = ['constraint', 'table', 'columns', 'referencedTable']
const fkFields: Expected = { constraint: 'fk_constraint_things_owner', table: 'constraint_things', columns: ['owner_id'], referencedTable: 'constraint_owners' }

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

  // [kind, the violation as capabilities.integrityErrorFields names it, what, provoke, the fields' values]
  const cases: [IntegrityKind, keyof IntegrityErrorFields, string, () => Promise<IntegrityError>, Expected][] = [
    ['unique', 'unique', 'a duplicate unique value', () => violation(insert(owners).values({ id: 2, code: 'A' })),
      { constraint: 'uq_constraint_owners_code', table: 'constraint_owners', columns: ['code'] }],
    ['unique', 'unique', 'a duplicate primary key', () => violation(insert(owners).values({ id: 1, code: 'B' })),
      { constraint: ANY_NAME, table: 'constraint_owners', columns: ['id'] }],
    ['foreign-key', 'foreign-key', 'a reference to a missing row', () => violation(insert(things).values({ id: 2, owner_id: 99, qty: 1 })), fkFields],
    ['foreign-key', 'foreign-key-parent', 'deleting a referenced row', () => violation(del(owners).where(owners.c.id.eq(1))), fkFields],
    ['not-null', 'not-null', 'NULL in a NOT NULL column', () => violation(insert(things).values({ id: 2, owner_id: 1, qty: null as unknown as number })),
      { table: 'constraint_things', columns: ['qty'] }],
    ['not-null', 'not-null', 'an UPDATE to NULL', () => violation(update(owners).set({ code: null as unknown as string }).where(owners.c.id.eq(1))),
      { table: 'constraint_owners', columns: ['code'] }],
    ['check', 'check', 'a value its CHECK rejects', () => violation(insert(things).values({ id: 2, owner_id: 1, qty: -1 })),
      { constraint: 'ck_constraint_things_qty', table: 'constraint_things' }],
  ]
  for (const [kind, violationName, what, provoke, expected] of cases) {
    it(`reports ${what} as IntegrityError kind '${kind}'`, async () => {
      const err = await provoke()
      expect(err.kind).to.equal(kind)
      expect(err.code).to.equal(`integrity-${kind}`)
      expect(err.cause, 'the driver error is kept as cause').to.be.instanceOf(Error)
      expect(err.driverCode, 'the driver code is kept').to.be.a('string').and.not.equal('')
      expect(err.sql).to.be.a('string').and.not.equal('')
    })

    it(`names the constraint, table and columns of ${what} as far as the server reports them`, async () => {
      const err = await provoke()
      expectFields(err, expected, reportedFields(db.engine.dialect.capabilities, violationName))
    })
  }

  it('names what it can in the message, and hides the row values', async () => {
    const err = await violation(insert(owners).values({ id: 2, code: 'A' }))
    const info: ConstraintInfo = err
    for (const name of [info.constraint, info.table, ...(info.columns ?? [])]) if (name !== undefined) expect(err.message).to.include(name)
    if (info.table !== undefined) expect(err.message).to.include(`unique constraint ${info.constraint === undefined ? '' : info.constraint + ' '}on ${info.table}`)
    expect(err.message).to.not.match(/'A'|=\(A\)/)
  })

  it('leaves the rows as they were', async () => {
    await violation(insert(owners).values({ id: 2, code: 'A' }))
    await using conn = await db.engine.connect()
    const [owner] = (await conn.execute(select(owners.c.id, owners.c.code))).all()
    expect(owner).to.deep.equal([1, 'A'])
  })
})

/** The fields this backend's dialect says it fills for a violation. */
function reportedFields(caps: Capabilities, violation: keyof IntegrityErrorFields): readonly IntegrityErrorField[] {
  return caps.integrityErrorFields?.[violation] ?? []
}

/** Each reported field has exactly the expected value; every other field is undefined. */
function expectFields(err: IntegrityError, expected: Expected, reported: readonly IntegrityErrorField[]): void {
  for (const field of FIELDS) {
    const actual = err[field]
    if (!reported.includes(field)) {
      expect(actual, `${field}: not reported by this backend, so undefined`).to.equal(undefined)
      continue
    }
    const want = expected[field]
    expect(want, `the backend reports ${field}, which this violation has no value for`).to.not.equal(undefined)
    if (want === ANY_NAME) expect(actual, field).to.be.a('string').and.not.equal('')
    else expect(actual, field).to.deep.equal(want)
  }
}
