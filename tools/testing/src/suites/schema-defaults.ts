import { expect } from 'chai'
import {
  AsyncSession, DateTime, Integer, String, declarativeBase, insert, mappedColumn, select, sqlDefault, update,
} from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

let ticket = 0
const nextTicket = (): number => ++ticket
let revision = 0
const nextRevision = (): number => ++revision

const Base = declarativeBase()
class Order extends Base.model('default_orders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  item: mappedColumn(String(30)),
  status: mappedColumn(String(20), { default: 'new' }),
  ticket: mappedColumn(Integer, { default: nextTicket }),
  revision: mappedColumn(Integer, { default: 0, onupdate: nextRevision }),
  region: mappedColumn(String(10), { serverDefault: 'eu' }),
  priority: mappedColumn(Integer, { serverDefault: 3 }),
  placed_at: mappedColumn(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') }),
}) {}
const orders = Order.__table__

/** Client defaults (a value, a function, onupdate) and server defaults read back after INSERT. */
export const schemaDefaultsSuite: Suite = (ctx) => describe('Column defaults', () => {
  const db = useDatabase(ctx, Base.metadata)
  beforeEach(() => {
    ticket = 0
    revision = 0
  })

  it('fills client defaults in insert(): a value, and a function called once per row', async () => {
    await db.engine.begin(async (conn) => conn.execute(insert(orders).values([{ id: 1, item: 'pen' }, { id: 2, item: 'ink' }])))
    await using conn = await db.engine.connect()
    const rows = (await conn.execute(select(orders.c.id, orders.c.status, orders.c.ticket, orders.c.revision).orderBy(orders.c.id))).all()
    expect(rows).to.deep.equal([[1, 'new', 1, 0], [2, 'new', 2, 0]])
  })

  it('applies onupdate in update() unless the column is set', async () => {
    await db.engine.begin(async (conn) => {
      await conn.execute(insert(orders).values({ id: 1, item: 'pen' }))
      await conn.execute(update(orders).set({ item: 'red pen' }).where(orders.c.id.eq(1)))
      await conn.execute(update(orders).set({ item: 'blue pen' }).where(orders.c.id.eq(1)))
      expect((await conn.execute(select(orders.c.revision))).scalar()).to.equal(2)
      await conn.execute(update(orders).set({ item: 'pencil', revision: 100 }).where(orders.c.id.eq(1)))
    })
    await using conn = await db.engine.connect()
    expect((await conn.execute(select(orders.c.item, orders.c.revision))).one()).to.deep.equal(['pencil', 100])
  })

  it('lets the server fill server defaults and leaves given values alone', async () => {
    await db.engine.begin(async (conn) => conn.execute(insert(orders).values([{ id: 1, item: 'pen' }])))
    await db.engine.begin(async (conn) => conn.execute(insert(orders).values([{ id: 2, item: 'ink', region: 'us', priority: 1 }])))
    await using conn = await db.engine.connect()
    const rows = (await conn.execute(select(orders.c.region, orders.c.priority).orderBy(orders.c.id))).all()
    expect(rows).to.deep.equal([['eu', 3], ['us', 1]])
    expect((await conn.execute(select(orders.c.placed_at).where(orders.c.id.eq(1)))).scalar()).to.be.instanceOf(Date)
  })

  it('gives ORM objects their client defaults and fetches server defaults back at flush', async () => {
    await using session = new AsyncSession(db.engine)
    const order = new Order({ item: 'pen' })
    const custom = new Order({ item: 'ink', region: 'us' })
    session.addAll([order, custom])
    await session.flush()
    expect(order).to.include({ status: 'new', ticket: 1, revision: 0, region: 'eu', priority: 3 })
    expect(order.id).to.be.a('number')
    expect(order.placed_at).to.be.instanceOf(Date)
    expect(custom).to.include({ ticket: 2, region: 'us', priority: 3 })
    await session.commit()
  })

  it('runs onupdate when the ORM flushes a change', async () => {
    await using session = new AsyncSession(db.engine)
    const order = new Order({ item: 'pen' })
    session.add(order)
    await session.commit()
    order.item = 'red pen'
    await session.commit()
    expect(order.revision).to.equal(1)
    expect(await session.scalar(select(orders.c.revision))).to.equal(1)
  })
})
