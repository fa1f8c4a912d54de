import { expect } from 'chai'
import {
  AsyncSession, CompileError, DetachedInstanceError, ForeignKey, InvalidRequestError, Integer, String, UnloadedRelationshipError, declarativeBase,
  insert, literal, mappedColumn, relationship, select, selectinload, stateOf, update,
} from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Product extends Base.model('sr_products', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  stock: mappedColumn(Integer),
}) {}
class Shop extends Base.model('sr_shops', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Shop> {
  declare orders: Order[]
  static orders = relationship(() => Order, { backPopulates: 'shop' })
}
class Order extends Base.model('sr_orders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  shopId: mappedColumn(Integer, ForeignKey('sr_shops.id'), { name: 'shop_id', nullable: true }),
  note: mappedColumn(String(50), { nullable: true }),
})<Order> {
  declare shop: Shop | null
  static shop = relationship(() => Shop, { backPopulates: 'orders' })
}

/**
 * When a loaded row overwrites an object the session already holds (docs/DESIGN.md, "Session
 * internals"): expired objects, `populateExisting`, locking reads; and what a savepoint rollback
 * restores. Both issue-13 reproductions run here on every backend: a savepoint rollback that
 * brought back stale values, and a locking read that kept them.
 */
export const sessionRefreshSuite: Suite = (ctx) => describe('session: refresh rules, savepoints and misuse', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function seedProduct(stock = 100): Promise<number> {
    await using s = new AsyncSession(db.engine)
    const p = new Product({ name: 'widget', stock })
    s.add(p)
    await s.commit()
    return p.id
  }
  /** Another transaction changes the row and commits (run while the session holds no connection). */
  async function elsewhere(id: number, stock: number): Promise<void> {
    await db.engine.begin(async (conn) => { await conn.execute(update(Product.__table__).set({ stock }).where(Product.c.id.eq(id))) })
  }
  const byId = (s: AsyncSession, id: number, lock = false): Promise<Product> =>
    s.scalars(lock ? select(Product).where(Product.c.id.eq(id)).forUpdate() : select(Product).where(Product.c.id.eq(id))).then((r) => r.one())
  async function stockInDatabase(id: number): Promise<number> {
    await using s = new AsyncSession(db.engine)
    return (await s.scalar(select(Product.c.stock).where(Product.c.id.eq(id))))!
  }

  describe('savepoint rollback', () => {
    it('regression (issue 13.1): an object read inside a rolled-back savepoint is refreshed by the next query, so no update is lost', async () => {
      const id = await seedProduct(100)
      await using s = new AsyncSession(db.engine)
      const p = await byId(s, id)
      await s.commit() // p expires
      await elsewhere(id, 90)
      await s.beginNested(async () => {
        expect((await byId(s, id)).stock, 'the expired object is refreshed').to.equal(90)
        throw new Error('the order line failed')
      }).catch((e: unknown) => expect((e as Error).message).to.equal('the order line failed'))
      expect(await byId(s, id), 'the identity map keeps one object per row').to.equal(p)
      expect(p.stock, 'the next query refreshes it instead of keeping stale values').to.equal(90)
      p.stock -= 1
      await s.commit()
      expect(await stockInDatabase(id)).to.equal(89)
    })

    it('restores values and expiry as of the savepoint: changes inside it are undone, untouched objects keep their state', async () => {
      const id = await seedProduct(100)
      const other = await seedProduct(7)
      await using s = new AsyncSession(db.engine)
      const p = await byId(s, id)
      const q = await byId(s, other)
      await s.beginNested(async () => {
        p.stock = 1
        await s.flush()
        throw new Error('undo')
      }).catch(() => undefined)
      expect(p.stock, 'the flushed change is undone').to.equal(100)
      expect(s.dirty, 'nothing is left to write').to.deep.equal([])
      expect(q.stock).to.equal(7)
      await s.commit()
      expect(await stockInDatabase(id)).to.equal(100)
    })

    it('regression (model test): an object re-read inside an inner savepoint stays "touched" for the outer one', async () => {
      const id = await seedProduct(100)
      await using s = new AsyncSession(db.engine)
      const p = await byId(s, id)
      const outer = await s.beginNested()
      const inner = await s.beginNested()
      await s.scalars(select(Product).where(Product.c.id.eq(id)).forUpdate()) // re-read inside the inner savepoint
      await inner.rollback()
      expect(stateOf(p).expired, 'expired by the inner rollback').to.equal(true)
      await s.scalars(select(Product)) // refreshed again, inside the outer savepoint
      await outer.rollback()
      expect(stateOf(p).expired, 'and by the outer one, which it was read inside too').to.equal(true)
      await s.commit()
    })

    it('a rolled-back savepoint leaves the transaction usable and releases what was inserted inside it', async () => {
      await using s = new AsyncSession(db.engine)
      const kept = new Product({ name: 'kept', stock: 1 })
      s.add(kept)
      const sp = await s.beginNested()
      const dropped = new Product({ name: 'dropped', stock: 2 })
      s.add(dropped)
      await s.flush()
      await sp.rollback()
      expect(s.new, 'an object inserted inside the savepoint is transient again').to.deep.equal([])
      await s.commit()
      await using check = new AsyncSession(db.engine)
      expect((await check.scalars(select(Product.c.name))).all()).to.deep.equal(['kept'])
    })
  })

  describe('transaction rollback', () => {
    it('regression (model test): an object updated and then deleted in a rolled-back transaction gets its values from before it', async () => {
      const id = await seedProduct(100)
      await using s = new AsyncSession(db.engine)
      const p = await byId(s, id)
      p.stock = 5
      await s.flush() // UPDATE … stock = 5
      await s.delete(p)
      await s.flush() // DELETE
      await s.rollback()
      expect(stateOf(p).lifecycle).to.equal('persistent')
      expect(p.stock, 'not the value of the UPDATE the rollback undid').to.equal(100)
      expect(stateOf(p).expired, 'and expired like every object after a rollback').to.equal(true)
      p.name = 'renamed'
      await s.commit()
      expect(await stockInDatabase(id)).to.equal(100)
    })

    it('regression (model test): an object inserted and deleted in a rolled-back transaction is transient, not a ghost row', async () => {
      await using s = new AsyncSession(db.engine)
      const p = new Product({ name: 'ghost', stock: 1 })
      s.add(p)
      await s.flush()
      await s.delete(p)
      await s.flush()
      await s.rollback()
      expect(stateOf(p).lifecycle).to.equal('transient')
      expect([...s.identityMap.values()]).to.deep.equal([])
      s.add(p) // and it can be added again
      await s.commit()
      expect(await stockInDatabase(p.id)).to.equal(1)
    })
  })

  describe('locking reads and populateExisting', () => {
    it('regression (issue 13.2): a locking read refreshes an object the session already holds', async () => {
      const id = await seedProduct(100)
      await using s = new AsyncSession(db.engine, { expireOnCommit: false })
      const p = await byId(s, id)
      await s.commit() // not expired: a plain select would keep 100
      await elsewhere(id, 90)
      expect((await byId(s, id)).stock, 'a plain select keeps the held values').to.equal(100)
      expect(await byId(s, id, true)).to.equal(p)
      expect(p.stock, 'FOR UPDATE refreshes').to.equal(90)
      p.stock -= 1
      await s.commit()
      expect(await stockInDatabase(id)).to.equal(89)
    })

    it('forShare() refreshes too; populateExisting: false opts a lock out, populateExisting: true opts a plain select in', async () => {
      const id = await seedProduct(100)
      await using s = new AsyncSession(db.engine, { expireOnCommit: false })
      const p = await byId(s, id)
      await s.commit()
      await elsewhere(id, 80)
      await s.scalars(select(Product).where(Product.c.id.eq(id)).forUpdate().executionOptions({ populateExisting: false }))
      expect(p.stock, 'opted out').to.equal(100)
      await s.scalars(select(Product).where(Product.c.id.eq(id)).forShare())
      expect(p.stock, 'FOR SHARE refreshes').to.equal(80)
      await s.commit()
      await elsewhere(id, 70)
      await s.scalars(select(Product).where(Product.c.id.eq(id)).executionOptions({ populateExisting: true }))
      expect(p.stock, 'populateExisting on a plain select').to.equal(70)
      await s.commit()
    })

    it('populateExisting reloads the relationships the query loads, not only columns', async () => {
      await using s = new AsyncSession(db.engine, { expireOnCommit: false })
      const shop = new Shop({ name: 'corner', orders: [new Order({ note: 'a' })] })
      s.add(shop)
      await s.commit()
      await db.engine.begin(async (conn) => { await conn.execute(insert(Order.__table__).values({ shopId: shop.id, note: 'b' })) })
      await s.scalars(select(Shop).options(selectinload(Shop.orders)))
      expect(shop.orders.map((o) => o.note), 'a held, loaded collection is kept').to.deep.equal(['a'])
      await s.scalars(select(Shop).options(selectinload(Shop.orders)).executionOptions({ populateExisting: true }))
      expect(shop.orders.map((o) => o.note).sort(), 'and reloaded with populateExisting').to.deep.equal(['a', 'b'])
    })
  })

  describe('new objects after a flush', () => {
    it('keeps a new object\'s collections loaded after an autoflush, so they can be changed right away', async () => {
      await using s = new AsyncSession(db.engine)
      const shop = new Shop({ name: 'corner' })
      s.add(shop)
      await s.scalars(select(Product)) // autoflush inserts the shop; its orders were never read
      expect(shop.orders, 'loaded and empty, not "not loaded"').to.deep.equal([])
      shop.orders.push(new Order({ note: 'pushed' }))
      await s.commit()
      await using check = new AsyncSession(db.engine)
      expect((await check.scalars(select(Order.c.note).where(Order.c.shopId.eq(shop.id)))).all()).to.deep.equal(['pushed'])
    })

    it('finds members that point at a new object by foreign key in the same flush', async () => {
      await using s = new AsyncSession(db.engine)
      const shop = new Shop({ id: 41, name: 'keyed' })
      const order = new Order({ shopId: 41, note: 'by key' })
      s.addAll([shop, order])
      await s.flush()
      expect(shop.orders).to.deep.equal([order])
      await s.commit()
    })
  })

  describe('misuse says what is wrong', () => {
    it('refuses commit() and rollback() inside begin(fn), run(fn) and beginNested(fn), naming the block', async () => {
      const id = await seedProduct(5)
      await using s = new AsyncSession(db.engine)
      const inBegin = await s.begin(async () => {
        (await byId(s, id)).stock = 6
        await s.commit()
      }).then(() => undefined, (e: unknown) => e)
      expect(inBegin).to.be.instanceOf(InvalidRequestError).with.property('code', 'transaction-in-block')
      expect((inBegin as Error).message).to.match(/^commit\(\) was called inside session\.begin\(fn\), which commits when its function returns/)
      expect(await stockInDatabase(id), 'the block rolled back').to.equal(5)
      const inRun = await s.run(async (tx) => { await tx.rollback() }).then(() => undefined, (e: unknown) => e)
      expect((inRun as Error).message).to.match(/^rollback\(\) was called inside session\.run\(fn\)/)
      await s.begin(async () => {
        const nested = await s.beginNested(async () => { await s.commit() }).then(() => undefined, (e: unknown) => e)
        expect((nested as Error).message).to.match(/inside session\.beginNested\(fn\)/)
        ;(await byId(s, id)).stock = 7
      })
      expect(await stockInDatabase(id), 'the outer block still commits').to.equal(7)
    })

    it('says an object is detached in every error about it', async () => {
      await seedProduct(1)
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Shop({ name: 'gone' }))
        await s.commit()
      }
      let shop: Shop
      let product: Product
      {
        await using s = new AsyncSession(db.engine)
        shop = (await s.scalars(select(Shop))).one() // orders not loaded
        product = (await s.scalars(select(Product))).first()!
      }
      // The session is closed now.
      expect(() => shop.orders).to.throw(UnloadedRelationshipError, /this Shop is detached \(its session was closed, or it was expunged\).*session\.merge\(shop\)/)
      await using s = new AsyncSession(db.engine)
      for (const [what, call] of [
        ['delete()', () => s.delete(product)], ['refresh()', () => s.refresh(product)], ['load()', async () => { await s.load(shop, 'orders') }],
      ] as const) {
        const e = await Promise.resolve().then(call).then(() => undefined, (x: unknown) => x)
        expect(e, what).to.be.instanceOf(DetachedInstanceError)
        expect((e as Error).message.startsWith(`${what} got a detached `), (e as Error).message).to.equal(true)
        expect((e as Error).message).to.match(/: its session was closed, or it was expunged\. Attach it to this session first \(const attached = await session\.merge\(/)
      }
      expect(() => s.expunge(product)).to.throw(DetachedInstanceError, /detached Product/)
      const attached = await s.merge(product)
      expect(attached.stock).to.equal(1)
    })

    it('warns once about a cartesian product, or refuses it under cartesianProducts: raise; joined forms pass', async () => {
      const warnings: string[] = []
      const onWarning = (w: Error): void => {
        if (w.name === 'AthanorCartesianProductWarning') warnings.push(w.message)
      }
      process.on('warning', onWarning)
      try {
        await using s = new AsyncSession(db.engine)
        const cross = select(Order).where(Shop.c.name.eq('corner'))
        await s.scalars(cross)
        await s.scalars(select(Order).where(Shop.c.name.eq('other')))
        await new Promise((r) => setImmediate(r)) // process warnings are emitted on the next tick
        expect(warnings, 'one warning per statement shape').to.have.length(1)
        expect(warnings[0]).to.match(/This SELECT is a cartesian product: nothing connects table 'sr_orders' with table 'sr_shops'/)
        // Connected: a join, a WHERE condition between them, a correlated subquery.
        await s.scalars(select(Order).join(Shop).where(Shop.c.name.eq('corner')))
        await s.scalars(select(Order).where(Order.c.shopId.eq(Shop.c.id), Shop.c.name.eq('corner')))
        await s.scalars(select(Shop).where(select(Order.c.id).where(Order.c.shopId.eq(Shop.c.id)).exists()))
        await s.execute(select(Order.c.id, Shop.c.id).join(Shop, literal(true))) // a cross join on purpose
        await new Promise((r) => setImmediate(r))
        expect(warnings).to.have.length(1)
        const strict = ctx.createEngine({ cartesianProducts: 'raise' })
        await using st = new AsyncSession(strict)
        const refused = await st.scalars(cross).then(() => undefined, (e: unknown) => e)
        expect(refused).to.be.instanceOf(CompileError).with.property('code', 'cartesian-product')
      } finally {
        process.off('warning', onWarning)
      }
    })
  })
})
