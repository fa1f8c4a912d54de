/**
 * Model constructors: the mistakes users make most are compile errors. Each `@ts-expect-error`
 * below fails the typecheck when the line it guards compiles (TypeScript reports an unused
 * directive), so these are tests in both directions.
 */
import {
  DateTime, ForeignKey, ForeignKeyConstraint, Integer, String, declarativeBase, mappedColumn, relationship,
} from '@athanor/core'
import { expectType } from './expect-type.js'

const Base = declarativeBase()

class Customer extends Base.model('ct_customers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  email: mappedColumn(String(100)),
  nickname: mappedColumn(String(50), { nullable: true }),
  createdAt: mappedColumn(DateTime(), { default: () => new Date() }),
})<Customer> {
  declare orders: Order[]
  static orders = relationship(() => Order, { backPopulates: 'customer' })
  greet(): string {
    return `Hello, ${this.name}`
  }
}

class Order extends Base.model('ct_orders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  total: mappedColumn(Integer),
  customer_id: mappedColumn(Integer, ForeignKey('ct_customers.id')),
})<Order> {
  declare customer: Customer
  static customer = relationship(() => Customer, { backPopulates: 'orders' })
}

class Note extends Base.model('ct_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(String(200), { nullable: true }),
}) {}

class Shelf extends Base.model('ct_shelves', {
  region: mappedColumn(String(2), { primaryKey: true }),
  code: mappedColumn(Integer, { primaryKey: true }),
}) {}

class Box extends Base.model('ct_boxes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(20)),
  shelf_region: mappedColumn(String(2)),
  shelf_code: mappedColumn(Integer),
}, new ForeignKeyConstraint(['shelf_region', 'shelf_code'], ['ct_shelves.region', 'ct_shelves.code'])) {}

export function requiredColumns(): void {
  new Customer({ name: 'Ada', email: 'ada@example.com' })
  new Customer({ name: 'Ada', email: 'ada@example.com', nickname: null, createdAt: new Date(), id: 7 })
  // @ts-expect-error `email` is NOT NULL without a default: required
  new Customer({ name: 'Ada' })
  // @ts-expect-error a model with required columns needs its init object
  new Customer()
  // @ts-expect-error `nickname` may be null, `name` may not
  new Customer({ name: null, email: 'ada@example.com' })
  new Note()
  new Note({ body: null })
}

export function unknownKeys(): void {
  // @ts-expect-error a misspelt column is not an attribute of Customer
  new Customer({ nam: 'Ada', name: 'Ada', email: 'ada@example.com' })
  // @ts-expect-error methods are not constructor values
  new Customer({ name: 'Ada', email: 'ada@example.com', greet: () => 'hi' })
  // @ts-expect-error without the class as type argument, relationships are not constructor values
  new Note({ orders: [] })
}

export function relationshipValues(customer: Customer): void {
  // The foreign key column is left to the relationship.
  const order = new Order({ total: 5, customer })
  new Order({ total: 5, customer_id: 1 })
  new Customer({ name: 'Ada', email: 'ada@example.com', orders: [order] })
  // @ts-expect-error a relationship takes an object of its class, not a key
  new Order({ total: 5, customer: 42 })
  // @ts-expect-error a collection takes an array of its class
  new Customer({ name: 'Ada', email: 'ada@example.com', orders: order })
  // @ts-expect-error a collection of the wrong class
  new Customer({ name: 'Ada', email: 'ada@example.com', orders: [customer] })
  expectType<Customer>()(order.customer)
}

export function compositeForeignKeys(): void {
  // The columns of a table-level foreign key are, like single ones, left to relationships.
  new Box({ label: 'a' })
  new Box({ label: 'a', shelf_region: 'eu', shelf_code: 1 })
  // @ts-expect-error `label` is still required
  new Box({ shelf_region: 'eu' })
  new Shelf({ region: 'eu', code: 1 })
}

export function backPopulatesNamesAnAttributeOfTheTarget(): void {
  class Invoice extends Base.model('ct_invoices', {
    id: mappedColumn(Integer, { primaryKey: true }),
    order_id: mappedColumn(Integer, ForeignKey('ct_orders.id')),
  })<Invoice> {
    declare order: Order
    // @ts-expect-error Order has no attribute 'invoicez'
    static order = relationship(() => Order, { backPopulates: 'invoicez' })
  }
  void Invoice
}
