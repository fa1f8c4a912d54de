import { expect } from 'chai'
import { ArgumentError, AsyncSession, Integer, StaleDataError, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Account extends Base.model('ver_accounts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  owner: mappedColumn(String(40)),
  balance: mappedColumn(Integer),
  version: mappedColumn(Integer, { versionId: true }),
}) {}
let tokens = 0
class Doc extends Base.model('ver_docs', {
  id: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(String(40)),
  // A generated version: any value that changes on every write will do.
  rev: mappedColumn(String(20), { versionId: () => `r${++tokens}` }),
}) {}

/**
 * Version counters (`versionId`): every UPDATE and DELETE of the unit of work checks the version
 * it read, so a write based on a stale read fails with StaleDataError naming the object and both
 * versions, rolls back whole, and is retried by session.run().
 */
export const ormVersioningSuite: Suite = (ctx) => describe('ORM: version counters', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function seed(): Promise<number[]> {
    await using s = new AsyncSession(db.engine)
    const accounts = ['ann', 'bob', 'cy'].map((owner) => new Account({ owner, balance: 100 }))
    s.addAll(accounts)
    await s.commit()
    return accounts.map((a) => a.id)
  }

  it('starts at 1, checks and bumps the version in each UPDATE', async () => {
    const [id] = await seed()
    await using s = new AsyncSession(db.engine)
    const a = (await s.get(Account, id!))!
    expect(a.version).to.equal(1)
    db.statements.length = 0
    a.balance = 90
    await s.commit()
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.deep.equal([
      dialectSql(db.engine, 'UPDATE "ver_accounts" SET "balance" = ?, "version" = ? WHERE "ver_accounts"."id" = ? AND "ver_accounts"."version" = ?'),
    ])
    expect((await s.get(Account, id!))!.version).to.equal(2)
  })

  it('a write based on a stale read fails with StaleDataError naming the object and both versions, and writes nothing', async () => {
    const [id] = await seed()
    // Session B reads and keeps its values past its commit (so the example works on one connection too).
    await using b = new AsyncSession(db.engine, { expireOnCommit: false })
    const stale = (await b.get(Account, id!))!
    await b.commit()
    await new AsyncSession(db.engine).run(async (a) => {
      (await a.get(Account, id!))!.balance = 50
    })
    stale.balance = 70
    const e = await b.commit().then(() => undefined, (x: unknown) => x)
    expect(e).to.be.instanceOf(StaleDataError)
    expect((e as StaleDataError).code).to.equal('stale-version')
    expect((e as Error).message).to.equal(
      `UPDATE of Account ["${id}"] lost a race: this session read version 1 of version, and another transaction has since written version 2. ` +
        'Roll back and apply the change to the current row (session.run() retries the whole unit of work).',
    )
    await b.rollback()
    await using check = new AsyncSession(db.engine)
    expect((await check.get(Account, id!))!.balance, 'the other transaction\'s write stands').to.equal(50)
  })

  it('checks every row of a batched UPDATE, and names the one that is stale, writing none', async () => {
    const ids = await seed()
    await using b = new AsyncSession(db.engine, { expireOnCommit: false })
    const all = (await b.scalars(select(Account).orderBy(Account.c.id))).all()
    await b.commit()
    await new AsyncSession(db.engine).run(async (a) => {
      (await a.get(Account, ids[1]!))!.owner = 'robert'
    })
    for (const acc of all) acc.balance += 1
    db.statements.length = 0
    const e = await b.commit().then(() => undefined, (x: unknown) => x)
    // One statement for the three rows where UPDATE … RETURNING names the rows it wrote; else one per row, up to the stale one.
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.have.length(db.capabilities.returning.update ? 1 : 2)
    expect((e as Error).message).to.match(new RegExp(`^UPDATE of Account \\["${ids[1]}"\\] lost a race: this session read version 1 of version, and another transaction has since written version 2\\.`))
    await b.rollback()
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Account.c.balance).orderBy(Account.c.id))).all(), 'the failed flush wrote nothing').to.deep.equal([100, 100, 100])
  })

  it('checks the version in DELETE too, and says when the row is gone', async () => {
    const [id, id2] = await seed()
    await using b = new AsyncSession(db.engine, { expireOnCommit: false })
    const [x, y] = [(await b.get(Account, id!))!, (await b.get(Account, id2!))!]
    await b.commit()
    await new AsyncSession(db.engine).run(async (a) => {
      (await a.get(Account, id!))!.balance = 1
      await a.delete((await a.get(Account, id2!))!)
    })
    await b.delete(x)
    const stale = await b.commit().then(() => undefined, (e: unknown) => e)
    expect((stale as Error).message).to.match(new RegExp(`^DELETE of Account \\["${id}"\\] lost a race: this session read version 1 of version, and another transaction has since written version 2\\.`))
    await b.rollback()
    await b.delete(y)
    const gone = await b.commit().then(() => undefined, (e: unknown) => e)
    expect((gone as Error).message).to.match(new RegExp(`^DELETE of Account \\["${id2}"\\] found no row: another transaction deleted it after this session read version 1\\.`))
    await b.rollback()
  })

  it('session.run() retries a lost race: the next attempt reads the current version', async function () {
    // Another session writes while this one's transaction is open: needs a second connection.
    if (!db.capabilities.concurrentConnections) this.skip()
    const [id] = await seed()
    let attempts = 0
    await new AsyncSession(db.engine).run(async (s, attempt) => {
      attempts = attempt
      const acc = (await s.get(Account, id!))!
      if (attempt === 1) {
        // Another unit of work commits between this attempt's read and its write.
        await new AsyncSession(db.engine).run(async (o) => { (await o.get(Account, id!))!.balance += 5 })
      }
      acc.balance += 10
    })
    expect(attempts).to.equal(2)
    await using check = new AsyncSession(db.engine)
    const acc = (await check.get(Account, id!))!
    expect([acc.balance, acc.version]).to.deep.equal([115, 3])
  })

  it('takes a function that makes the next version (any type)', async () => {
    await using s = new AsyncSession(db.engine)
    const d = new Doc({ body: 'v1' })
    s.add(d)
    await s.commit()
    const first = d.rev
    d.body = 'v2'
    await s.commit()
    expect(first).to.match(/^r\d+$/)
    expect(d.rev).to.match(/^r\d+$/).and.not.equal(first)
  })

  it('refuses a definition it cannot count with, saying what to use', () => {
    expect(() => declarativeBase().model('ver_bad', { id: mappedColumn(Integer, { primaryKey: true }), v: mappedColumn(String(10), { versionId: true }) }))
      .to.throw(ArgumentError, /^Column 'v': versionId: true counts with integers, but the column is string; use an Integer column, or give versionId a function/)
  })
})
