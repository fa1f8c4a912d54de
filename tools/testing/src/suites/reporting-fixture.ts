/**
 * The fixture of the reporting suites: a small shop in eleven tables — regions, customers,
 * categories (a tree), suppliers, products, the products' suppliers (many-to-many), employees
 * (a hierarchy), orders, order items (a composite key), reviews and payments — mapped as
 * classes with relationships. The rows are plain data (`SEED`), so every test computes its
 * expected answer in JavaScript from the same rows and compares the database's row by row.
 */
import {
  DateTime, DateType, ForeignKey, Integer, JSON as Json, Numeric, PrimaryKeyConstraint, String, Table, Text, column, declarativeBase, insert,
  mappedColumn, relationship,
} from '@athanor/core'
import type { Engine } from '@athanor/core'

export const Base = declarativeBase()

export class Region extends Base.model('rp_regions', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(20)),
})<Region> {
  declare customers: Customer[]
  static customers = relationship(() => Customer, { backPopulates: 'region' })
}

export class Customer extends Base.model('rp_customers', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(40)),
  email: mappedColumn(String(80)),
  regionId: mappedColumn(Integer, ForeignKey('rp_regions.id'), { name: 'region_id' }),
  joined: mappedColumn(DateType),
  meta: mappedColumn(Json<{ tier: string; tags: string[]; vip?: boolean; referrer?: string | null }>()),
})<Customer> {
  declare region: Region
  static region = relationship(() => Region, { backPopulates: 'customers' })
  declare orders: Order[]
  static orders = relationship(() => Order, { backPopulates: 'customer' })
}

export class Category extends Base.model('rp_categories', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(30)),
  parentId: mappedColumn(Integer, ForeignKey('rp_categories.id'), { name: 'parent_id', nullable: true }),
})<Category> {
  declare parent: Category | null
  static parent = relationship(() => Category, { remoteSide: () => [Category.c.id], backPopulates: 'children' })
  declare children: Category[]
  static children = relationship(() => Category, { backPopulates: 'parent' })
}

export class Supplier extends Base.model('rp_suppliers', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(40)),
  regionId: mappedColumn(Integer, ForeignKey('rp_regions.id'), { name: 'region_id' }),
}) {}

export const productSuppliers = new Table('rp_product_suppliers', Base.metadata, {
  productId: column(Integer, ForeignKey('rp_products.id'), { name: 'product_id' }),
  supplierId: column(Integer, ForeignKey('rp_suppliers.id'), { name: 'supplier_id' }),
}, new PrimaryKeyConstraint(['productId', 'supplierId']))

export class Product extends Base.model('rp_products', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(40)),
  categoryId: mappedColumn(Integer, ForeignKey('rp_categories.id'), { name: 'category_id' }),
  price: mappedColumn(Numeric(10, 2)),
})<Product> {
  declare category: Category
  static category = relationship(() => Category)
  declare suppliers: Supplier[]
  static suppliers = relationship(() => Supplier, { secondary: productSuppliers })
  declare reviews: Review[]
  static reviews = relationship(() => Review, { backPopulates: 'product' })
}

export class Employee extends Base.model('rp_employees', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  name: mappedColumn(String(40)),
  managerId: mappedColumn(Integer, ForeignKey('rp_employees.id'), { name: 'manager_id', nullable: true }),
  regionId: mappedColumn(Integer, ForeignKey('rp_regions.id'), { name: 'region_id' }),
  salary: mappedColumn(Integer),
  hired: mappedColumn(DateType),
})<Employee> {
  declare manager: Employee | null
  static manager = relationship(() => Employee, { remoteSide: () => [Employee.c.id], backPopulates: 'reports' })
  declare reports: Employee[]
  static reports = relationship(() => Employee, { backPopulates: 'manager' })
}

export class Order extends Base.model('rp_orders', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  customerId: mappedColumn(Integer, ForeignKey('rp_customers.id'), { name: 'customer_id' }),
  employeeId: mappedColumn(Integer, ForeignKey('rp_employees.id'), { name: 'employee_id', nullable: true }),
  placedAt: mappedColumn(DateTime(), { name: 'placed_at' }),
  status: mappedColumn(String(10)),
})<Order> {
  declare customer: Customer
  static customer = relationship(() => Customer, { backPopulates: 'orders' })
  declare items: OrderItem[]
  static items = relationship(() => OrderItem, { backPopulates: 'order' })
  declare payments: Payment[]
  static payments = relationship(() => Payment)
}

export class OrderItem extends Base.model('rp_order_items', {
  orderId: mappedColumn(Integer, ForeignKey('rp_orders.id'), { name: 'order_id' }),
  productId: mappedColumn(Integer, ForeignKey('rp_products.id'), { name: 'product_id' }),
  quantity: mappedColumn(Integer),
  unitPrice: mappedColumn(Numeric(10, 2), { name: 'unit_price' }),
}, new PrimaryKeyConstraint(['orderId', 'productId']))<OrderItem> {
  declare order: Order
  static order = relationship(() => Order, { backPopulates: 'items' })
  declare product: Product
  static product = relationship(() => Product)
}

export class Review extends Base.model('rp_reviews', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  productId: mappedColumn(Integer, ForeignKey('rp_products.id'), { name: 'product_id' }),
  customerId: mappedColumn(Integer, ForeignKey('rp_customers.id'), { name: 'customer_id' }),
  rating: mappedColumn(Integer),
  body: mappedColumn(Text, { nullable: true }),
})<Review> {
  declare product: Product
  static product = relationship(() => Product, { backPopulates: 'reviews' })
}

export class Payment extends Base.model('rp_payments', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  orderId: mappedColumn(Integer, ForeignKey('rp_orders.id'), { name: 'order_id' }),
  amount: mappedColumn(Numeric(10, 2)),
  paidAt: mappedColumn(DateTime(), { name: 'paid_at' }),
  method: mappedColumn(String(10)),
}) {}

const day = (i: number): string => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)
const at = (i: number, hour: number): Date => new Date(Date.UTC(2025, 0, 1, hour, (i * 7) % 60, (i * 13) % 60) + i * 86_400_000)
const money = (cents: number): string => (cents / 100).toFixed(2)

function seedRows() {
  const regions = [{ id: 1, name: 'North' }, { id: 2, name: 'South' }, { id: 3, name: 'East' }]
  const tiers = ['gold', 'silver', 'bronze']
  const customers = ['Ada', 'bob', 'Cyd', 'Dana', 'Émile', 'Finn', 'Gus', 'hana'].map((name, i) => ({
    id: i + 1, name, email: `${name.toLowerCase()}@shop.test`, regionId: (i % 3) + 1, joined: day(i * 40),
    meta: { tier: tiers[i % 3]!, tags: i % 2 === 0 ? ['early', `c${i}`] : [], ...(i === 0 ? { vip: true } : {}), referrer: i === 3 ? null : `r${i}` },
  }))
  const categories = [
    { id: 1, name: 'Books', parentId: null }, { id: 2, name: 'Garden', parentId: null },
    { id: 3, name: 'Novels', parentId: 1 }, { id: 4, name: 'Tools', parentId: 2 }, { id: 5, name: 'Crime', parentId: 3 },
  ]
  const suppliers = [{ id: 1, name: 'Acme', regionId: 1 }, { id: 2, name: 'Bolt', regionId: 2 }, { id: 3, name: 'Crane', regionId: 1 }]
  const products = ['Atlas', 'Rake', 'Mystery', 'Spade', 'Saga', 'Hoe', 'Noir', 'Guide'].map((name, i) => ({
    id: i + 1, name, categoryId: [1, 4, 5, 4, 3, 2, 5, 1][i]!, price: money(500 + i * 275),
  }))
  const productSupplier = products.flatMap((p) => suppliers.filter((s) => (p.id + s.id) % 3 !== 0).map((s) => ({ productId: p.id, supplierId: s.id })))
  const employees = [
    { id: 1, name: 'Zoe', managerId: null, regionId: 1, salary: 9000, hired: day(0) },
    { id: 2, name: 'Yann', managerId: 1, regionId: 1, salary: 7000, hired: day(30) },
    { id: 3, name: 'Xena', managerId: 1, regionId: 2, salary: 7000, hired: day(60) },
    { id: 4, name: 'Walt', managerId: 2, regionId: 1, salary: 5000, hired: day(90) },
    { id: 5, name: 'Vera', managerId: 3, regionId: 2, salary: 5500, hired: day(120) },
    { id: 6, name: 'Uma', managerId: 3, regionId: 3, salary: 4000, hired: day(150) },
  ]
  const statuses = ['paid', 'paid', 'pending', 'shipped', 'paid']
  // 24 orders over two years, every customer but hana (8) ordering.
  const orders = Array.from({ length: 24 }, (_, i) => ({
    id: i + 1, customerId: (i * 5) % 7 + 1, employeeId: i % 4 === 3 ? null : (i % 6) + 1, placedAt: at(i * 31 + (i % 3) * 5, 9 + (i % 8)), status: statuses[i % 5]!,
  }))
  const orderItems = orders.flatMap((o) => products.filter((p) => (p.id * 7 + o.id * 3) % 5 < 2).slice(0, 3).map((p, k) => ({
    orderId: o.id, productId: p.id, quantity: ((o.id + p.id + k) % 4) + 1, unitPrice: p.price,
  })))
  const reviews = Array.from({ length: 14 }, (_, i) => ({ id: i + 1, productId: (i % 8) + 1, customerId: (i % 7) + 1, rating: (i * 3) % 5 + 1, body: i % 4 === 0 ? null : `Review ${i + 1}` }))
  const payments = orders.filter((o) => o.status !== 'pending').map((o, i) => ({
    id: i + 1, orderId: o.id, amount: money(orderTotalCents(orderItems, o.id)), paidAt: new Date(o.placedAt.getTime() + 3_600_000), method: i % 2 === 0 ? 'card' : 'bank',
  }))
  return { regions, customers, categories, suppliers, products, productSupplier, employees, orders, orderItems, reviews, payments }
}

function orderTotalCents(items: readonly { orderId: number; quantity: number; unitPrice: string }[], orderId: number): number {
  return items.filter((x) => x.orderId === orderId).reduce((n, x) => n + x.quantity * Math.round(Number(x.unitPrice) * 100), 0)
}

/** The rows every reporting test starts from (and computes its expected answers with). */
export const SEED = seedRows()
export type Seed = typeof SEED
/** An order's total in cents, from the seed. */
export const totalCents = (orderId: number): number => orderTotalCents(SEED.orderItems, orderId)

/** Inserts the seed. */
export async function seedShop(engine: Engine): Promise<void> {
  const t = (cls: { readonly __table__: unknown }): Table => cls.__table__ as Table
  await engine.begin(async (conn) => {
    await conn.execute(insert(t(Region)).values(SEED.regions as never))
    await conn.execute(insert(t(Customer)).values(SEED.customers as never))
    await conn.execute(insert(t(Category)).values(SEED.categories as never))
    await conn.execute(insert(t(Supplier)).values(SEED.suppliers as never))
    await conn.execute(insert(t(Product)).values(SEED.products as never))
    await conn.execute(insert(productSuppliers).values(SEED.productSupplier as never))
    await conn.execute(insert(t(Employee)).values(SEED.employees as never))
    await conn.execute(insert(t(Order)).values(SEED.orders as never))
    await conn.execute(insert(t(OrderItem)).values(SEED.orderItems as never))
    await conn.execute(insert(t(Review)).values(SEED.reviews as never))
    await conn.execute(insert(t(Payment)).values(SEED.payments as never))
  })
}
