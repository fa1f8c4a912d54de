// shop_orders.ts — a shop API under concurrent load: one session per request, a savepoint per
// order line, stock taken under SELECT … FOR UPDATE, and session.run() retrying deadlocks.
// Whatever the interleaving, every unit sold leaves the stock exactly once.
//   npx tsx --conditions=@athanor/source examples/shop_orders.ts
//   DATABASE_URL=postgres://postgres@localhost/test npx tsx --conditions=@athanor/source examples/shop_orders.ts
import { fileURLToPath } from 'node:url'
import {
  AsyncSession, ForeignKey, Integer, String, createAsyncEngine, declarativeBase, func, mappedColumn, relationship, select, type Engine,
} from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

export class Product extends Base.model('shop_products', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  stock: mappedColumn(Integer),
}) {}

export class ShopOrder extends Base.model('shop_orders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  customer: mappedColumn(String(50)),
})<ShopOrder> {
  declare lines: OrderLine[]
  static lines = relationship(() => OrderLine, { backPopulates: 'order' })
}

export class OrderLine extends Base.model('shop_order_lines', {
  id: mappedColumn(Integer, { primaryKey: true }),
  orderId: mappedColumn(Integer, ForeignKey('shop_orders.id'), { name: 'order_id' }),
  productId: mappedColumn(Integer, ForeignKey('shop_products.id'), { name: 'product_id' }),
  quantity: mappedColumn(Integer),
})<OrderLine> {
  declare order: ShopOrder
  static order = relationship(() => ShopOrder, { backPopulates: 'lines' })
}

class OutOfStock extends Error {}

/** One order request: its lines are (product id, quantity). */
export interface OrderRequest {
  readonly customer: string
  readonly lines: readonly (readonly [number, number])[]
}

/** How placeOrder() takes its locks, and who hears about retries. */
export interface OrderOptions {
  /**
   * Lock the products in id order (default): rows locked in one global order cannot deadlock.
   * `false` locks them in the order of the request, so concurrent orders deadlock and
   * session.run() retries them (the reliability test does this on purpose).
   */
  readonly sortLines?: boolean
  readonly onRetry?: () => void
}

/**
 * Places one order as one unit of work: each line in its own savepoint, so a line whose product
 * ran out is dropped and the rest of the order goes on. Returns the lines that were sold.
 */
export async function placeOrder(engine: Engine, request: OrderRequest, options: OrderOptions = {}): Promise<number> {
  const lines = options.sortLines === false ? request.lines : [...request.lines].sort(([x], [y]) => x - y)
  await using session = new AsyncSession(engine)
  return await session.run(async (s) => {
    const order = new ShopOrder({ customer: request.customer })
    s.add(order)
    let sold = 0
    for (const [productId, quantity] of lines) {
      try {
        await s.beginNested(async () => {
          const product = (await s.scalars(select(Product).where(Product.c.id.eq(productId)).forUpdate())).one()
          if (product.stock < quantity) throw new OutOfStock(product.name)
          product.stock -= quantity
          order.lines.push(new OrderLine({ productId, quantity }))
          await s.flush()
        })
        sold++
      } catch (e) {
        if (!(e instanceof OutOfStock)) throw e
      }
    }
    return sold
  }, { retries: 20, maxDelayMs: 100, onRetry: options.onRetry })
}

/** Stock left plus units sold, per product: equal to the initial stock when nothing was lost. */
export async function stockLedger(engine: Engine): Promise<{ name: string; stock: number; sold: number }[]> {
  await using s = new AsyncSession(engine)
  const sold = new Map((await s.execute(select(OrderLine.c.productId, func.sum(OrderLine.c.quantity)).groupBy(OrderLine.c.productId))).all().map(([id, n]) => [id, Number(n)]))
  return (await s.scalars(select(Product).orderBy(Product.c.id))).all().map((p) => ({ name: p.name, stock: p.stock, sold: sold.get(p.id) ?? 0 }))
}

/** Creates the tables and five products with 100 units each. */
export async function openShop(engine: Engine): Promise<void> {
  await Base.metadata.dropAll(engine, { checkFirst: true })
  await Base.metadata.createAll(engine)
  await using s = new AsyncSession(engine)
  s.addAll(['apples', 'bread', 'cheese', 'dates', 'eggs'].map((name) => new Product({ name, stock: 100 })))
  await s.commit()
}

export async function closeShop(engine: Engine): Promise<void> {
  await Base.metadata.dropAll(engine, { checkFirst: true })
}

/** `count` random requests of one to four lines (a deterministic generator, so runs compare). */
export function randomRequests(count: number, seed = 1): OrderRequest[] {
  let x = seed
  const next = (n: number): number => ((x = (x * 48271) % 2147483647), x % n)
  return Array.from({ length: count }, (_, i) => ({
    customer: `customer-${i + 1}`,
    lines: Array.from({ length: 1 + next(4) }, () => [1 + next(5), 1 + next(12)] as const),
  }))
}

async function main(): Promise<void> {
  const engine = createAsyncEngine(DATABASE_URL)
  try {
    await openShop(engine)
    const requests = randomRequests(50)
    const sold = await Promise.all(requests.map((r) => placeOrder(engine, r)))
    console.log(`${requests.length} orders placed at once, ${sold.reduce((a, b) => a + b, 0)} lines sold`)
    for (const { name, stock, sold: units } of await stockLedger(engine)) {
      console.log(`${name}: ${stock} in stock + ${units} sold = ${stock + units}`)
    }
    await closeShop(engine)
  } finally {
    await engine.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
