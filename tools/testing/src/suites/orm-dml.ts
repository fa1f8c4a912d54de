import { expect } from 'chai'
import { ArgumentError, AsyncSession, Integer, String, declarativeBase, del, func, insert, mappedColumn, select, update } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Item extends Base.model('dml_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40)),
  qty: mappedColumn(Integer, { default: 0 }),
}) {}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)
const writes = (statements: readonly string[]): string[] => statements.filter((q) => !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(q))

/** insert(Item) / update(Item) / del(Item): bulk statements on mapped classes, with the session's objects kept right. */
export const ormDmlSuite: Suite = (ctx) => describe('session: bulk statements on mapped classes', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function seed(...rows: [number, string, number][]): Promise<void> {
    await using s = new AsyncSession(db.engine)
    await s.execute(insert(Item).values(rows.map(([id, name, qty]) => ({ id, name, qty }))))
    await s.commit()
    db.statements.length = 0
  }
  async function stored(): Promise<[number, string, number][]> {
    await using s = new AsyncSession(db.engine)
    return (await s.execute(select(Item.c.id, Item.c.name, Item.c.qty).orderBy(Item.c.id))).all()
  }
  async function held(s: AsyncSession): Promise<Item[]> {
    return (await s.scalars(select(Item).orderBy(Item.c.id))).all()
  }

  describe('insert(Item)', () => {
    it('inserts rows given by attribute, one multi-row INSERT per batch the parameter limit allows, with column defaults filled in', async () => {
      await using s = new AsyncSession(db.engine)
      const rows = Array.from({ length: 10_001 }, (_, i) => ({ name: `item ${i}` }))
      const r = await s.execute(insert(Item).values(rows))
      expect(r.rowsAffected).to.equal(10_001)
      const inserts = writes(db.statements)
      // 10,001 rows of two columns: 20,002 parameters fit every dialect's limit, but a statement
      // takes at most 10,000 rows, so two statements on every backend.
      expect(inserts).to.have.length(2)
      expect(inserts[0]).to.satisfy((q: string) => q.startsWith(dialectSql(db.engine, 'INSERT INTO "dml_items" ("name", "qty") VALUES (?, ?), (?, ?)')))
      await s.commit()
      const all = await stored()
      expect(all).to.have.length(10_001)
      expect(all[10_000]!.slice(1)).to.deep.equal(['item 10000', 0])
    })

    it('returning(Item) yields objects the session holds; a rollback makes them new again', async () => {
      await using s = new AsyncSession(db.engine)
      const stmt = insert(Item).values([{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob', qty: 4 }]).returning(Item)
      if (!db.capabilities.returning.insert) {
        expect(await failure(s.execute(stmt))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/needs INSERT … RETURNING, which .* does not have\. Add the objects with session\.addAll\(\)/)
        expect(db.statements).to.deep.equal([])
        return
      }
      const items = (await s.execute(stmt)).scalars().all()
      expect(items.map((i) => [i.id, i.name, i.qty])).to.deep.equal([[1, 'Ann', 0], [2, 'Bob', 4]])
      db.statements.length = 0
      expect(await s.get(Item, 2)).to.equal(items[1])
      expect(db.statements, 'found in the identity map').to.deep.equal([])
      await s.rollback()
      expect(items[0]!.id, 'the row is gone, and with it the key').to.equal(undefined)
      expect(await stored()).to.deep.equal([])
    })
  })

  describe('update(Item)', () => {
    it("synchronizes the objects the session holds by default ('fetch'): RETURNING the keys where the dialect can, else one SELECT first", async () => {
      await seed([1, 'a', 1], [2, 'b', 2], [3, 'c', 3])
      await using s = new AsyncSession(db.engine)
      const [a, b, c] = await held(s)
      db.statements.length = 0
      const r = await s.execute(update(Item).where(Item.c.qty.ge(2)).values({ name: 'big', qty: Item.c.qty.mul(10) }))
      expect(r.rowsAffected).to.equal(2)
      const expected = db.capabilities.returning.update
        ? [dialectSql(db.engine, 'UPDATE "dml_items" SET "name" = ?, "qty" = "dml_items"."qty" * ? WHERE "dml_items"."qty" >= ? RETURNING "id"')]
        : [dialectSql(db.engine, 'SELECT "dml_items"."id" FROM "dml_items" WHERE "dml_items"."qty" >= ?'), dialectSql(db.engine, 'UPDATE "dml_items" SET "name" = ?, "qty" = "dml_items"."qty" * ? WHERE "dml_items"."qty" >= ?')]
      expect(writes(db.statements)).to.deep.equal(expected)
      expect([a, b, c].map((i) => [i!.name, i!.qty])).to.deep.equal([['a', 1], ['big', 20], ['big', 30]])
      db.statements.length = 0
      await s.commit()
      expect(writes(db.statements), 'the synced objects are not dirty').to.deep.equal([])
      expect(await stored()).to.deep.equal([[1, 'a', 1], [2, 'big', 20], [3, 'big', 30]])
    })

    it("'evaluate' matches the WHERE clause in memory: no extra statement", async () => {
      await seed([1, 'a', 1], [2, 'b', 2], [3, 'c', 3])
      await using s = new AsyncSession(db.engine)
      const [a, b, c] = await held(s)
      db.statements.length = 0
      await s.execute(update(Item).where(Item.c.qty.in([1, 3]), Item.c.name.ne('z')).values({ qty: Item.c.qty.add(100) }).executionOptions({ synchronizeSession: 'evaluate' }))
      expect(writes(db.statements)).to.deep.equal([dialectSql(db.engine, 'UPDATE "dml_items" SET "qty" = "dml_items"."qty" + ? WHERE "dml_items"."qty" IN (?, ?) AND "dml_items"."name" <> ?')])
      expect([a, b, c].map((i) => i!.qty)).to.deep.equal([101, 2, 103])
      await s.commit()
      expect(await stored()).to.deep.equal([[1, 'a', 101], [2, 'b', 2], [3, 'c', 103]])
    })

    it("'evaluate' refuses criteria only the database can compute, before anything runs", async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      await held(s)
      db.statements.length = 0
      const e = await failure(s.execute(update(Item).where(func.lower(Item.c.name).eq('a')).values({ qty: 5 }).executionOptions({ synchronizeSession: 'evaluate' })))
      expect(e).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/update\(Item\) cannot use synchronizeSession: 'evaluate': it contains a SQL function\. Use synchronizeSession: 'fetch'/)
      expect(writes(db.statements)).to.deep.equal([])
      await s.commit()
      expect(await stored()).to.deep.equal([[1, 'a', 1]])
    })

    it('a value only the database computes expires the object: the next query refreshes it', async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      const [a] = await held(s)
      await s.execute(update(Item).values({ name: func.upper(Item.c.name) }))
      await held(s)
      expect(a!.name).to.equal('A')
    })

    it('synchronizeSession: false leaves held objects as they were', async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      const [a] = await held(s)
      db.statements.length = 0
      await s.execute(update(Item).values({ qty: 9 }).executionOptions({ synchronizeSession: false }))
      expect(writes(db.statements)).to.deep.equal([dialectSql(db.engine, 'UPDATE "dml_items" SET "qty" = ?')])
      expect(a!.qty).to.equal(1)
    })

    it('refuses to sync a change of primary key, and runs it with synchronizeSession: false', async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      await held(s)
      db.statements.length = 0
      expect(await failure(s.execute(update(Item).values({ id: 5 })))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/update\(Item\) sets the primary key id, .* synchronizeSession: false/)
      expect(writes(db.statements)).to.deep.equal([])
      await s.execute(update(Item).values({ id: 5 }).executionOptions({ synchronizeSession: false }))
      await s.commit()
      expect(await stored()).to.deep.equal([[5, 'a', 1]])
    })

    it('a rollback gives held objects their values back', async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      const [a] = await held(s)
      await s.execute(update(Item).values({ name: 'changed' }))
      expect(a!.name).to.equal('changed')
      await s.rollback()
      expect(a!.name).to.equal('a')
      expect(await stored()).to.deep.equal([[1, 'a', 1]])
    })

    it('returning(Item) yields the updated objects where UPDATE has RETURNING, and says so where it has not', async () => {
      await seed([1, 'a', 1], [2, 'b', 2])
      await using s = new AsyncSession(db.engine)
      const [a] = await held(s)
      const stmt = update(Item).where(Item.c.id.eq(1)).values({ qty: 7 }).returning(Item)
      if (!db.capabilities.returning.update) {
        expect(await failure(s.execute(stmt))).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/needs UPDATE … RETURNING, which .* does not have\. Run the update, then select\(Item\) the rows/)
        return
      }
      const back = (await s.execute(stmt)).scalars().all()
      expect(back).to.deep.equal([a])
      expect(a!.qty).to.equal(7)
    })

    it('flushes pending changes first, so the statement sees them', async () => {
      await seed([1, 'a', 1])
      await using s = new AsyncSession(db.engine)
      const [a] = await held(s)
      a!.qty = 50
      s.add(new Item({ id: 2, name: 'new', qty: 60 }))
      await s.execute(update(Item).where(Item.c.qty.ge(50)).values({ name: 'many' }))
      await s.commit()
      expect(await stored()).to.deep.equal([[1, 'many', 50], [2, 'many', 60]])
    })
  })

  describe('del(Item)', () => {
    for (const mode of ['fetch', 'evaluate'] as const) {
      it(`takes the deleted rows' objects out of the session ('${mode}'); a rollback brings them back`, async () => {
        await seed([1, 'a', 1], [2, 'b', 2])
        await using s = new AsyncSession(db.engine)
        const [a, b] = await held(s)
        db.statements.length = 0
        await s.execute(del(Item).where(Item.c.qty.gt(1)).executionOptions({ synchronizeSession: mode }))
        const statement = dialectSql(db.engine, 'DELETE FROM "dml_items" WHERE "dml_items"."qty" > ?')
        const expected = mode === 'evaluate' ? [statement]
          : db.capabilities.returning.delete ? [`${statement} RETURNING ${dialectSql(db.engine, '"id"')}`]
          : [dialectSql(db.engine, 'SELECT "dml_items"."id" FROM "dml_items" WHERE "dml_items"."qty" > ?'), statement]
        expect(writes(db.statements)).to.deep.equal(expected)
        expect(await s.get(Item, 1)).to.equal(a)
        expect(await s.get(Item, 2)).to.equal(undefined)
        expect(await held(s)).to.deep.equal([a])
        await s.rollback()
        expect(await s.get(Item, 2), 'persistent again: the same object').to.equal(b)
        await s.close()
        expect(await stored()).to.deep.equal([[1, 'a', 1], [2, 'b', 2]])
      })
    }
  })

  it('a table is written as before; synchronizeSession is for mapped classes only', async () => {
    expect(() => update(Item.__table__).executionOptions({ synchronizeSession: 'fetch' })).to.throw(ArgumentError, /applies to update\(\) of a mapped class/)
    expect(() => insert({} as never)).to.throw(ArgumentError, /insert\(\) takes a table or a mapped class/)
    await using s = new AsyncSession(db.engine)
    await s.execute(insert(Item.__table__).values({ id: 1, name: 'plain' }))
    await s.commit()
    expect(await stored()).to.deep.equal([[1, 'plain', 0]])
  })
})
