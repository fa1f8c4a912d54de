// reporting_queries.ts — the reporting queries of the guide: ranking, top-N per group,
// year-over-year sums, EXISTS along relationships, a self-join with aliased().
import {
  AsyncSession, DateTime, ForeignKey, Integer, Numeric, String, aliased, createAsyncEngine, declarativeBase, extract, func, mappedColumn,
  relationship, select,
} from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class Employee extends Base.model('rq_employees', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  department: mappedColumn(String(50)),
  salary: mappedColumn(Integer),
  manager_id: mappedColumn(Integer, ForeignKey('rq_employees.id'), { nullable: true }),
})<Employee> {
  declare manager: Employee | null
  static manager = relationship(() => Employee, { remoteSide: () => [Employee.c.id] })
}

class Customer extends Base.model('rq_customers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Customer> {
  declare orders: Order[]
  static orders = relationship(() => Order, { backPopulates: 'customer' })
}

class Product extends Base.model('rq_products', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  category: mappedColumn(String(50)),
}) {}

class Order extends Base.model('rq_orders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  customer_id: mappedColumn(Integer, ForeignKey('rq_customers.id')),
  placed_at: mappedColumn(DateTime()),
})<Order> {
  declare customer: Customer
  static customer = relationship(() => Customer, { backPopulates: 'orders' })
  declare lines: OrderLine[]
  static lines = relationship(() => OrderLine, { cascade: 'all, delete-orphan' })
}

class OrderLine extends Base.model('rq_order_lines', {
  id: mappedColumn(Integer, { primaryKey: true }),
  order_id: mappedColumn(Integer, ForeignKey('rq_orders.id')),
  product_id: mappedColumn(Integer, ForeignKey('rq_products.id')),
  quantity: mappedColumn(Integer),
  price: mappedColumn(Numeric(10, 2)),
})<OrderLine> {
  declare product: Product
  static product = relationship(() => Product)
}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

{
  await using session = new AsyncSession(engine)
  const ada = new Employee({ name: 'Ada', department: 'Engineering', salary: 120 })
  session.addAll([
    ada,
    new Employee({ name: 'Bob', department: 'Engineering', salary: 95, manager: ada }),
    new Employee({ name: 'Cyd', department: 'Engineering', salary: 95, manager: ada }),
    new Employee({ name: 'Dee', department: 'Sales', salary: 90, manager: ada }),
    new Employee({ name: 'Eli', department: 'Sales', salary: 70 }),
  ])
  const [book, novel, rake, spade] = [
    new Product({ name: 'Atlas', category: 'Books' }), new Product({ name: 'Saga', category: 'Books' }),
    new Product({ name: 'Rake', category: 'Garden' }), new Product({ name: 'Spade', category: 'Garden' }),
  ]
  const line = (product: Product, quantity: number, price: string): OrderLine => new OrderLine({ product, quantity, price })
  session.addAll([
    new Customer({ name: 'Alice', orders: [
      new Order({ placed_at: new Date('2025-03-02T10:00:00Z'), lines: [line(book, 2, '12.00'), line(rake, 1, '25.00')] }),
      new Order({ placed_at: new Date('2026-01-15T09:30:00Z'), lines: [line(novel, 1, '18.00')] }),
    ] }),
    new Customer({ name: 'Bruno', orders: [
      new Order({ placed_at: new Date('2025-11-20T16:45:00Z'), lines: [line(spade, 3, '30.00')] }),
      new Order({ placed_at: new Date('2026-06-01T12:00:00Z'), lines: [line(rake, 2, '25.00'), line(book, 1, '12.00')] }),
    ] }),
    new Customer({ name: 'Chloe' }),
  ])
  await session.commit()
}

{
  await using session = new AsyncSession(engine)

  // Window ranking: each employee's rank by salary within the department
  const rank = func.rank().over({ partitionBy: Employee.c.department, orderBy: Employee.c.salary.desc() }).label('rank')
  const ranked = await session.execute(select(Employee.c.department, Employee.c.name, rank).orderBy(Employee.c.department, rank, Employee.c.name))
  for (const [department, name, r] of ranked) console.log(`${department}: #${r} ${name}`)

  // Top-N per group: the best-selling product of each category
  const sold = func.sum(OrderLine.c.quantity)
  const byCategory = select(Product.c.category, Product.c.name, sold.label('sold'), func.rowNumber().over({ partitionBy: Product.c.category, orderBy: [sold.desc(), Product.c.name] }).label('pos'))
    .join(OrderLine).groupBy(Product.c.category, Product.c.name).subquery('by_category')
  const best = await session.execute(select(byCategory.c.category, byCategory.c.name, byCategory.c.sold).where(byCategory.c.pos.eq(1)).orderBy(byCategory.c.category))
  for (const [category, name, n] of best) console.log(`Best in ${category}: ${name} (${n} sold)`)

  // Year-over-year sums: revenue per year, next to the year before
  const year = extract('year', Order.c.placed_at)
  const revenue = func.sum(OrderLine.c.price.mul(OrderLine.c.quantity))
  const yearly = select(year.label('year'), revenue.label('revenue'), func.lag(revenue).over({ orderBy: year }).label('previous'))
    .join(OrderLine).groupBy(year).orderBy(year)
  for (const [y, total, previous] of await session.execute(yearly)) {
    console.log(`${y}: ${Number(total).toFixed(2)}${previous === null ? '' : ` (previous year ${Number(previous).toFixed(2)})`}`)
  }

  // EXISTS along relationships: who bought garden tools, and who never ordered
  const gardeners = await session.scalars(select(Customer).where(Customer.orders.any(Order.lines.any(OrderLine.product.has(Product.c.category.eq('Garden'))))).orderBy(Customer.c.name))
  console.log(`Bought garden tools: ${gardeners.all().map((c) => c.name).join(', ')}`)
  const idle = await session.scalars(select(Customer).where(Customer.orders.any().not()))
  console.log(`Never ordered: ${idle.all().map((c) => c.name).join(', ')}`)

  // Self-join with aliased(): each employee next to their manager
  const Manager = aliased(Employee, 'manager')
  const pairs = await session.execute(select(Employee, Manager).join(Employee.manager.of(Manager)).orderBy(Employee.c.name))
  for (const [employee, manager] of pairs) console.log(`${employee.name} reports to ${manager.name}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
