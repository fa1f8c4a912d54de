import { expect } from 'chai'
import {
  ArgumentError, DatabaseError, Integer, InvalidRequestError, bindparam, MetaData, MultipleResultsError, NoResultError, String, Table, column, insert, select, text,
} from '@athanor/core'
import type { Engine } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const metadata = new MetaData()
const items = new Table('engine_items', metadata, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50)),
  qty: column(Integer, { nullable: true }),
})
const byId = select(items.c.id, items.c.name).orderBy(items.c.id)

async function seed(engine: Engine, count = 3): Promise<void> {
  await engine.begin(async (conn) => {
    await conn.execute(insert(items).values(Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, qty: i * 10 }))))
  })
}

async function countItems(engine: Engine): Promise<number> {
  await using conn = await engine.connect()
  return Number((await conn.execute(select(items.c.id))).rows.length)
}

/** Engine and Connection: statements, streaming, the Result API, scoped connections, echo, dispose. */
export const engineConnectionSuite: Suite = (ctx) => describe('Engine and Connection', () => {
  describe('executing', () => {
    const db = useDatabase(ctx, metadata)

    it('runs statements on a checked-out connection and returns typed rows', async () => {
      await seed(db.engine)
      await using conn = await db.engine.connect()
      const result = await conn.execute(byId)
      expect(result.columnNames).to.deep.equal(['id', 'name'])
      expect(result.all()).to.deep.equal([[1, 'item 1'], [2, 'item 2'], [3, 'item 3']])
      expect([...result].map(([id]) => id)).to.deep.equal([1, 2, 3])
    })

    it('reports rows affected by DML', async () => {
      await seed(db.engine)
      await using conn = await db.engine.connect()
      const res = await conn.execute(text('DELETE FROM engine_items WHERE id > :min', { min: 1 }))
      expect(res.rowsAffected).to.equal(2)
    })

    it('gives first/one/oneOrNone/scalar/scalars/mappings, and says when a row count is wrong', async () => {
      await seed(db.engine)
      await using conn = await db.engine.connect()
      const three = await conn.execute(byId)
      expect(three.first()).to.deep.equal([1, 'item 1'])
      expect(three.scalar()).to.equal(1)
      expect(three.scalars().all()).to.deep.equal([1, 2, 3])
      expect(() => three.one()).to.throw(MultipleResultsError, /at most one/)
      expect(() => three.oneOrNone()).to.throw(MultipleResultsError)
      const one = await conn.execute(byId.where(items.c.id.eq(2)))
      expect(one.one()).to.deep.equal([2, 'item 2'])
      expect(one.oneOrNone()).to.deep.equal([2, 'item 2'])
      expect(one.scalars().one()).to.equal(2)
      const none = await conn.execute(byId.where(items.c.id.eq(99)))
      expect(() => none.one()).to.throw(NoResultError, /oneOrNone\(\)/)
      expect(none.oneOrNone()).to.equal(undefined)
      expect(none.first()).to.equal(undefined)
      expect(none.scalar()).to.equal(undefined)
      expect(() => none.scalars().one()).to.throw(NoResultError)
      const labelled = await conn.execute(select(items.c.name, items.c.qty.label('amount')).where(items.c.id.le(2)).orderBy(items.c.id))
      expect(labelled.mappings().all()).to.deep.equal([{ name: 'item 1', amount: 0 }, { name: 'item 2', amount: 10 }])
    })

    it('streams rows in order across batches', async () => {
      await seed(db.engine, 7)
      await using conn = await db.engine.connect()
      const streamed: unknown[] = []
      for await (const [id, name] of conn.stream(byId, { batchSize: 3 })) streamed.push([id, name])
      expect(streamed).to.deep.equal((await conn.execute(byId)).all())
    })

    it('releases the stream when the loop breaks early, so the connection serves the next statement', async () => {
      await seed(db.engine, 7)
      const conn = await db.engine.connect()
      const seen: number[] = []
      for await (const [id] of conn.stream(byId, { batchSize: 2 })) {
        seen.push(id)
        if (seen.length === 3) break
      }
      expect(seen).to.deep.equal([1, 2, 3])
      expect((await conn.execute(select(items.c.id).where(items.c.id.eq(7)))).scalar()).to.equal(7)
      await conn.close()
      expect(db.engine.poolStatus.checkedOut).to.equal(0)
    })

    it('returns a connection left by `await using`, rolling back what it did not commit', async () => {
      await seed(db.engine, 1)
      {
        await using conn = await db.engine.connect()
        await conn.execute(insert(items).values({ id: 2, name: 'uncommitted' }))
        expect(conn.inTransaction).to.equal(true)
        expect(db.engine.poolStatus.checkedOut).to.equal(1)
      }
      expect(db.engine.poolStatus.checkedOut).to.equal(0)
      expect(await countItems(db.engine)).to.equal(1)
    })

    it('runs a statement outside any transaction, and refuses to while one is open', async () => {
      await seed(db.engine)
      await using conn = await db.engine.connect()
      expect((await conn.executeOutsideTransaction(select(items.c.id).orderBy(items.c.id))).scalars().all()).to.deep.equal([1, 2, 3])
      expect(conn.inTransaction).to.equal(false)
      await conn.execute(byId) // begins the connection's transaction
      const refused = await conn.executeOutsideTransaction(byId).then(() => undefined, (e: unknown) => e)
      expect(refused).to.be.instanceOf(InvalidRequestError).with.property('code', 'transaction-open')
      expect((refused as Error).message).to.match(/commit\(\) or rollback\(\) first/)
      // The refusal took nothing with it: the transaction and the connection go on.
      expect(conn.inTransaction).to.equal(true)
      expect((await conn.execute(byId)).all()).to.have.length(3)
    })

    it('rejects a statement it cannot compile (no throw at the call), and runs the next one', async () => {
      await seed(db.engine)
      await using conn = await db.engine.connect()
      const needsValue = select(items.c.id).where(items.c.id.eq(bindparam('wanted', Integer)))
      let pending: Promise<unknown> | undefined
      expect(() => { pending = conn.execute(needsValue) }).not.to.throw()
      const err = await pending!.then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(ArgumentError)
      expect((err as Error).message).to.match(/bind parameter 'wanted' but no parameters were given/)
      expect(() => { pending = conn.executeOutsideTransaction(needsValue) }).not.to.throw()
      expect(await pending!.then(() => undefined, (e: unknown) => e)).to.be.instanceOf(ArgumentError)
      expect((await conn.execute(needsValue, { wanted: 2 })).scalars().all()).to.deep.equal([2])
    })

    it('refuses statements on a closed connection, naming the fix', async () => {
      const conn = await db.engine.connect()
      await conn.close()
      await conn.execute(byId).then(() => expect.fail('a closed connection ran a statement'), (e: unknown) => {
        expect(e).to.be.instanceOf(InvalidRequestError).with.property('code', 'connection-closed')
        expect((e as Error).message).to.match(/engine\.connect\(\)/)
      })
    })
  })

  describe('echo', () => {
    const lines: string[] = []
    const quiet = useDatabase(ctx, metadata, { echo: (line) => lines.push(line) })
    const secret = 'hunter2'

    it('logs each statement and hides parameter values unless asked', async () => {
      await using conn = await quiet.engine.connect()
      lines.length = 0
      await conn.execute(select(items.c.id).where(items.c.name.eq(secret)))
      expect(lines).to.deep.equal([dialectSql(quiet.engine, 'SELECT "engine_items"."id" FROM "engine_items" WHERE "engine_items"."name" = ?'), '[1 params hidden]'])
      await conn.execute(insert(items).values({ id: 1, name: secret }))
      const err = await conn.execute(insert(items).values({ id: 1, name: secret })).catch((e: unknown) => e)
      expect(err).to.be.instanceOf(DatabaseError)
      expect((err as Error).message).to.include('[SQL: ').and.include('hidden').and.not.include(secret)
    })
  })

  describe('echo with logParameters', () => {
    const lines: string[] = []
    const loud = useDatabase(ctx, metadata, { echo: (line) => lines.push(line), logParameters: true })
    const secret = 'hunter2'

    it('logs and reports parameter values', async () => {
      await using conn = await loud.engine.connect()
      lines.length = 0
      await conn.execute(select(items.c.id).where(items.c.name.eq(secret)))
      expect(lines[1]).to.equal(`[params] ["${secret}"]`)
      await conn.execute(insert(items).values({ id: 1, name: secret }))
      const err = await conn.execute(insert(items).values({ id: 1, name: secret })).catch((e: unknown) => e)
      expect((err as Error).message).to.include(secret)
    })
  })

  describe('dispose()', () => {
    it('closes every pooled connection, after which the engine hands out none', async () => {
      const engine = ctx.createEngine()
      {
        await using conn = await engine.connect()
        expect((await conn.execute(text('SELECT 1'))).scalar()).to.equal(1)
      }
      expect(engine.poolStatus.total).to.be.greaterThan(0)
      await engine.dispose()
      expect(engine.poolStatus).to.include({ total: 0, disposed: true })
      await engine.connect().then(() => expect.fail('a disposed engine handed out a connection'), (e: unknown) => {
        expect(e).to.be.instanceOf(InvalidRequestError).with.property('code', 'pool-disposed')
      })
    })

    it('is what `await using` on an engine does', async () => {
      let outer: Engine
      {
        await using engine = ctx.createEngine()
        outer = engine
        await using conn = await engine.connect()
        await conn.execute(text('SELECT 1'))
      }
      expect(outer.poolStatus).to.include({ total: 0, disposed: true })
    })
  })
})
