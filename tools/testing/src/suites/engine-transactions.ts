import { expect } from 'chai'
import { IntegrityError, Integer, InvalidRequestError, MetaData, String, Table, column, del, insert, select } from '@athanor/core'
import type { Connection, Engine, IsolationLevel } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const metadata = new MetaData()
const entries = new Table('engine_entries', metadata, {
  id: column(Integer, { primaryKey: true }),
  label: column(String(20)),
})

const add = (conn: Connection, id: number, label = `e${id}`): Promise<unknown> => conn.execute(insert(entries).values({ id, label }))

/** The committed ids, read on a connection of its own (call it with no other connection checked out). */
async function committed(engine: Engine): Promise<number[]> {
  await using conn = await engine.connect()
  return (await conn.execute(select(entries.c.id).orderBy(entries.c.id))).scalars().all()
}

/** Transactions on a connection: commit as you go, rollback, engine.begin(), savepoints, isolation levels. */
export const engineTransactionsSuite: Suite = (ctx) => describe('Transactions', () => {
  const db = useDatabase(ctx, metadata)

  it('begins on the first statement and keeps the work only when committed', async () => {
    {
      await using conn = await db.engine.connect()
      expect(conn.inTransaction).to.equal(false)
      await add(conn, 1)
      expect(conn.inTransaction).to.equal(true)
      await conn.commit()
      expect(conn.inTransaction).to.equal(false)
      await add(conn, 2)
      await conn.rollback()
      await add(conn, 3)
    } // closed with 3 uncommitted: rolled back on return to the pool
    expect(await committed(db.engine)).to.deep.equal([1])
  })

  it('engine.begin() commits when the function returns and rolls back when it throws', async () => {
    expect(await db.engine.begin(async (conn) => { await add(conn, 1); return 'done' })).to.equal('done')
    const boom = new Error('boom')
    const err = await db.engine.begin(async (conn) => { await add(conn, 2); throw boom }).catch((e: unknown) => e)
    expect(err).to.equal(boom)
    expect(await committed(db.engine)).to.deep.equal([1])
    expect(db.engine.poolStatus.checkedOut).to.equal(0)
  })

  it('refuses a second begin() and ending a transaction twice, saying what to do', async () => {
    await using conn = await db.engine.connect()
    const tx = await conn.begin()
    await conn.begin().then(() => expect.fail('begin() inside a transaction'), (e: unknown) => {
      expect(e).to.be.instanceOf(InvalidRequestError).with.property('code', 'transaction-open')
      expect((e as Error).message).to.match(/beginNested\(\)/)
    })
    await tx.commit()
    await tx.commit().then(() => expect.fail('committed twice'), (e: unknown) => expect(e).to.have.property('code', 'transaction-ended'))
  })

  it('rolls back a transaction handle left by `await using` unless it was committed', async () => {
    await using conn = await db.engine.connect()
    {
      await using tx = await conn.begin()
      await add(conn, 1)
      await tx.commit()
    }
    {
      await using _tx = await conn.begin()
      await add(conn, 2)
    }
    expect(conn.inTransaction).to.equal(false)
    await conn.close()
    expect(await committed(db.engine)).to.deep.equal([1])
  })

  it('refuses to commit after a failed statement until rollback, then works again', async () => {
    await using conn = await db.engine.connect()
    await add(conn, 1)
    const err = await add(conn, 1).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(IntegrityError)
    await conn.commit().then(() => expect.fail('committed a failed transaction'), (e: unknown) => {
      expect(e).to.be.instanceOf(InvalidRequestError).with.property('code', 'transaction-failed')
      expect((e as Error).message).to.match(/rollback\(\)/)
    })
    await conn.rollback()
    await add(conn, 2)
    await conn.commit()
    await conn.close()
    expect(await committed(db.engine)).to.deep.equal([2])
  })

  describe('savepoints', () => {
    beforeEach(function () {
      if (!db.capabilities.savepoints) this.skip()
    })

    it('commit and roll back inside an outer transaction, nested at any depth', async () => {
      await using conn = await db.engine.connect()
      await conn.begin()
      await add(conn, 1)
      await conn.beginNested(async () => add(conn, 2)) // released
      await conn.beginNested(async () => { await add(conn, 3); throw new Error('undo 3') }).catch(() => undefined)
      const outer = await conn.beginNested()
      await add(conn, 4)
      const inner = await conn.beginNested()
      await add(conn, 5)
      expect(conn.savepointDepth).to.equal(2)
      await inner.rollback()
      await outer.commit()
      expect(conn.savepointDepth).to.equal(0)
      await conn.commit()
      await conn.close()
      expect(await committed(db.engine)).to.deep.equal([1, 2, 4])
    })

    it('lose their released work when the outer transaction rolls back, and cannot be ended after it', async () => {
      await using conn = await db.engine.connect()
      await add(conn, 1)
      await conn.beginNested(async () => add(conn, 2))
      const open = await conn.beginNested()
      await conn.rollback()
      expect(open.active).to.equal(false)
      await open.rollback().then(() => expect.fail('rolled back a savepoint that no longer exists'), (e: unknown) => {
        expect(e).to.be.instanceOf(InvalidRequestError).with.property('code', 'savepoint-closed')
      })
      await conn.close()
      expect(await committed(db.engine)).to.deep.equal([])
    })

    it('recover from a failed statement, keeping the outer work', async () => {
      await using conn = await db.engine.connect()
      await add(conn, 1)
      const err = await conn.beginNested(async () => add(conn, 1)).catch((e: unknown) => e)
      expect(err).to.be.instanceOf(IntegrityError)
      await add(conn, 2)
      await conn.commit()
      await conn.close()
      expect(await committed(db.engine)).to.deep.equal([1, 2])
    })
  })

  describe('isolation levels', () => {
    it('begins at every level the dialect lists, per connection and per engine.begin()', async () => {
      for (const isolationLevel of db.capabilities.isolationLevels) {
        {
          await using conn = await db.engine.connect({ isolationLevel })
          await add(conn, 1)
          await conn.rollback()
        } // returned first: a dialect without concurrent connections has only the one
        await db.engine.begin(async (c) => add(c, 2), { isolationLevel })
        await db.engine.begin(async (c) => c.execute(del(entries).where(entries.c.id.eq(2))), { isolationLevel })
      }
      expect(await committed(db.engine)).to.deep.equal([])
    })

    // A second connection commits between two reads of the first: READ COMMITTED sees it,
    // REPEATABLE READ keeps its snapshot. The level comes from connect() or from the engine.
    const cases = [['READ COMMITTED', true, 'connect()'], ['REPEATABLE READ', false, 'the engine option']] as const
    for (const [level, visible, via] of cases) {
      it(`${level} (set through ${via}) ${visible ? 'sees' : 'does not see'} rows committed during the transaction`, async function () {
        // A database that runs every level as SERIALIZABLE (SQLite) keeps the snapshot too.
        const kept = db.capabilities.isolationLevels.includes(level as IsolationLevel) || (!visible && db.capabilities.isolationLevels.includes('SERIALIZABLE'))
        if (!db.capabilities.concurrentConnections || !kept) this.skip()
        await using reader = via === 'connect()' ? await db.engine.connect({ isolationLevel: level }) : await ctx.createEngine({ isolationLevel: level }).connect()
        expect(await reader.execute(select(entries.c.id)).then((r) => r.all())).to.deep.equal([])
        await db.engine.begin(async (writer) => add(writer, 1))
        const again = (await reader.execute(select(entries.c.id))).scalars().all()
        expect(again).to.deep.equal(visible ? [1] : [])
        await reader.commit()
      })
    }
  })
})
