import { expect } from 'chai'
import { AsyncSession, Integer, String, declarativeBase, insert, mappedColumn, select } from '@athanor/core'
import type { Connection, Transaction } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Item extends Base.model('bound_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(40)),
}) {}

/**
 * The test-fixture recipe of docs/guide.md ("Tests that roll back"): each test runs in a
 * transaction on one connection that is rolled back after it; the code under test uses sessions
 * bound to that connection, whose commits only release savepoints.
 */
export const sessionBoundSuite: Suite = (ctx) => describe('session: joined into an external transaction (test fixtures)', () => {
  const db = useDatabase(ctx, Base.metadata)
  // Inner hooks: mocha runs an inner afterEach before the outer one that drops the tables.
  describe('with each test in a transaction rolled back after it', () => {
    let conn: Connection
    let outer: Transaction
    beforeEach(async () => {
      conn = await db.engine.connect()
      outer = await conn.begin()
    })
    afterEach(async () => {
      await outer.rollback()
      await conn.close()
    })
    const labels = async (): Promise<string[]> => (await conn.execute(select(Item.c.label).orderBy(Item.c.id))).scalars().all()
    const committedLabels = async (): Promise<string[]> => {
      await using other = await db.engine.connect()
      return (await other.execute(select(Item.c.label))).scalars().all()
    }

    it("a bound session's commit is visible inside the test's transaction, and nothing reaches the database", async () => {
      await using s = new AsyncSession(db.engine, { bind: conn })
      s.add(new Item({ label: 'a' }))
      await s.commit()
      expect(await labels()).to.deep.equal(['a'])
      // Bound sessions one after another see each other's work, as the code under test expects.
      await using next = new AsyncSession(db.engine, { bind: conn })
      const a = (await next.scalars(select(Item))).one()
      a.label = 'a2'
      await next.commit()
      expect(await labels()).to.deep.equal(['a2'])
      if (db.engine.dialect.capabilities.concurrentConnections) expect(await committedLabels()).to.deep.equal([])
    })

    it("a bound session's rollback undoes its own work only, back to where it joined", async () => {
      await conn.execute(insert(Item.__table__).values({ label: 'setup' }))
      await using s = new AsyncSession(db.engine, { bind: conn })
      s.add(new Item({ label: 'undone' }))
      await s.flush()
      expect(await labels()).to.deep.equal(['setup', 'undone'])
      await s.rollback()
      expect(await labels()).to.deep.equal(['setup'])
      s.add(new Item({ label: 'again' }))
      await s.commit()
      expect(await labels()).to.deep.equal(['setup', 'again'])
    })

    it('savepoints inside a bound session nest under its own', async () => {
      await using s = new AsyncSession(db.engine, { bind: conn })
      s.add(new Item({ label: 'kept' }))
      const sp = await s.beginNested()
      s.add(new Item({ label: 'dropped' }))
      await s.flush()
      await sp.rollback()
      await s.commit()
      expect(await labels()).to.deep.equal(['kept'])
    })

    it('the rollback after each test leaves the tables empty for the next (this test runs after the others)', async () => {
      expect(await labels()).to.deep.equal([])
    })
  })
})
