import { expect } from 'chai'
import { AsyncSession, aliased, containsEager, func, select, union } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { Base, Category, Customer, Employee, Order, OrderItem, Product, SEED, seedShop } from './reporting-fixture.js'

/**
 * Reporting with mapped classes, executed: EXISTS along relationships (`any`, `has`), key
 * comparisons (`is`, `contains`), `aliased()` entities in self-joins and correlated subqueries,
 * joins along relationships with extra ON criteria or to an alias, `containsEager` filling a
 * relationship from the query's own join, and attribute keys that differ from column names in
 * rows, mappings, subqueries, CTEs, unions and aliases.
 */
export const reportingOrmSuite: Suite = (ctx) => describe('reporting queries: mapped classes', () => {
  const db = useDatabase(ctx, Base.metadata)
  beforeEach(() => seedShop(db.engine))
  const orderedBy = (customerId: number): typeof SEED.orders => SEED.orders.filter((o) => o.customerId === customerId)
  const bought = (customerId: number, categoryId: number): boolean =>
    orderedBy(customerId).some((o) => SEED.orderItems.some((x) => x.orderId === o.id && SEED.products.find((p) => p.id === x.productId)!.categoryId === categoryId))

  it('finds rows by EXISTS along relationships: any() on collections, has() on many-to-one, nested', async () => {
    await using s = new AsyncSession(db.engine)
    const tools = (await s.scalars(select(Customer).where(Customer.orders.any(Order.items.any(OrderItem.product.has(Product.c.categoryId.eq(4))))).orderBy(Customer.c.id))).all()
    expect(tools.map((c) => c.id)).to.deep.equal(SEED.customers.filter((c) => bought(c.id, 4)).map((c) => c.id))
    const noOrders = (await s.scalars(select(Customer).where(Customer.orders.any().not()))).all()
    expect(noOrders.map((c) => c.id)).to.deep.equal(SEED.customers.filter((c) => orderedBy(c.id).length === 0).map((c) => c.id))
    const south = (await s.scalars(select(Order.c.id).where(Order.customer.has(Customer.c.regionId.eq(2))).orderBy(Order.c.id))).all()
    expect(south).to.deep.equal(SEED.orders.filter((o) => SEED.customers.find((c) => c.id === o.customerId)!.regionId === 2).map((o) => o.id))
    const managers = (await s.scalars(select(Employee.c.name).where(Employee.reports.any(Employee.c.salary.gt(5000))).orderBy(Employee.c.id))).all()
    expect(managers).to.deep.equal(SEED.employees.filter((m) => SEED.employees.some((e) => e.managerId === m.id && e.salary > 5000)).map((m) => m.name))
  })

  it('compares relationships with objects: is() and contains()', async () => {
    await using s = new AsyncSession(db.engine)
    const ada = (await s.get(Customer, 1))!
    const hers = (await s.scalars(select(Order.c.id).where(Order.customer.is(ada)).orderBy(Order.c.id))).all()
    expect(hers).to.deep.equal(orderedBy(1).map((o) => o.id))
    const order = (await s.get(Order, hers[0]!))!
    expect((await s.scalars(select(Customer.c.name).where(Customer.orders.contains(order)))).all()).to.deep.equal(['Ada'])
    const top = (await s.scalars(select(Employee.c.name).where(Employee.manager.is(null)))).all()
    expect(top).to.deep.equal(SEED.employees.filter((e) => e.managerId === null).map((e) => e.name))
    const crime = (await s.get(Category, 5))!
    const product = (await s.scalars(select(Product).where(Product.category.is(crime)).orderBy(Product.c.id))).all()
    expect(product.map((p) => p.id)).to.deep.equal(SEED.products.filter((p) => p.categoryId === 5).map((p) => p.id))
  })

  it('selects and joins an aliased class: employees with their managers, as objects', async () => {
    await using s = new AsyncSession(db.engine)
    const Manager = aliased(Employee, 'manager')
    const pairs = (await s.execute(select(Employee, Manager).join(Employee.manager.of(Manager)).orderBy(Employee.c.id))).all()
    expect(pairs.map(([e, m]) => [e.name, m.name])).to.deep.equal(SEED.employees.filter((e) => e.managerId !== null).map((e) => [e.name, SEED.employees.find((m) => m.id === e.managerId)!.name]))
    // The same row is the same object, whichever side of the self-join it came from.
    const zoeAsManager = pairs.find(([, m]) => m.name === 'Zoe')![1]
    expect(await s.get(Employee, 1)).to.equal(zoeAsManager)
    const withAll = (await s.execute(select(Employee.c.name, Manager.c.name).outerJoin(Employee.manager.of(Manager)).orderBy(Employee.c.id))).all()
    expect(withAll).to.deep.equal(SEED.employees.map((e) => [e.name, SEED.employees.find((m) => m.id === e.managerId)?.name ?? null]))
  })

  it('uses an aliased class in a correlated subquery: reports per manager, and a comparison', async () => {
    await using s = new AsyncSession(db.engine)
    const Manager = aliased(Employee, 'manager')
    const reports = select(func.count()).where(Employee.c.managerId.eq(Manager.c.id)).scalarSubquery()
    const got = (await s.execute(select(Manager.c.name, reports.label('reports')).from(Manager).orderBy(Manager.c.id))).all()
    expect(got).to.deep.equal(SEED.employees.map((m) => [m.name, SEED.employees.filter((e) => e.managerId === m.id).length]))
    const closeToBoss = (await s.scalars(select(Employee.c.name).join(Employee.manager.of(Manager)).where(Employee.c.salary.mul(10).ge(Manager.c.salary.mul(7))).orderBy(Employee.c.id))).all()
    expect(closeToBoss).to.deep.equal(SEED.employees.filter((e) => { const m = SEED.employees.find((x) => x.id === e.managerId); return m !== undefined && e.salary * 10 >= m.salary * 7 }).map((e) => e.name))
  })

  it('joins along a relationship with extra ON criteria, or with its ON replaced', async () => {
    await using s = new AsyncSession(db.engine)
    const n = func.count(Order.c.id).label('paid')
    const paid = (await s.execute(select(Customer.c.id, n).outerJoin(Customer.orders.and(Order.c.status.eq('paid'))).groupBy(Customer.c.id).orderBy(Customer.c.id))).all()
    expect(paid).to.deep.equal(SEED.customers.map((c) => [c.id, orderedBy(c.id).filter((o) => o.status === 'paid').length]))
    const sameRegion = (await s.execute(select(Customer.c.id, func.count()).join(Customer.orders, Order.c.customerId.eq(Customer.c.id).and(Order.c.employeeId.isNotNull())).groupBy(Customer.c.id).orderBy(Customer.c.id))).all()
    expect(sameRegion).to.deep.equal(SEED.customers.map((c) => [c.id, orderedBy(c.id).filter((o) => o.employeeId !== null).length]).filter(([, k]) => (k ?? 0) > 0))
  })

  it('fills relationships from the query’s own joins with containsEager (one statement)', async () => {
    await using s = new AsyncSession(db.engine)
    const statements: string[] = []
    db.engine.events.on('beforeExecute', (e) => void statements.push(e.sql))
    const orders = (await s.scalars(select(Order).join(Order.customer).where(Customer.c.regionId.eq(1)).orderBy(Order.c.id).options(containsEager(Order.customer)))).all()
    expect(statements).to.have.length(1)
    expect(orders.map((o) => [o.id, o.customer.name])).to.deep.equal(SEED.orders.filter((o) => SEED.customers.find((c) => c.id === o.customerId)!.regionId === 1).map((o) => [o.id, SEED.customers.find((c) => c.id === o.customerId)!.name]))
    // A filtered join fills the collection with the matching members only.
    const customers = (await s.scalars(select(Customer).join(Customer.orders.and(Order.c.status.eq('pending'))).orderBy(Customer.c.id).options(containsEager(Customer.orders)).executionOptions({ populateExisting: true }))).all()
    expect(customers.map((c) => [c.id, c.orders.map((o) => o.id).sort((a, b) => a - b)])).to.deep.equal(
      SEED.customers.map((c) => [c.id, orderedBy(c.id).filter((o) => o.status === 'pending').map((o) => o.id)]).filter(([, ids]) => (ids as number[]).length > 0))
    const Manager = aliased(Employee, 'boss')
    const staff = (await s.scalars(select(Employee).join(Employee.manager.of(Manager)).where(Manager.c.regionId.eq(1)).orderBy(Employee.c.id).options(containsEager(Employee.manager, Manager)))).all()
    expect(staff.map((e) => [e.name, e.manager?.name])).to.deep.equal(SEED.employees.filter((e) => SEED.employees.find((m) => m.id === e.managerId)?.regionId === 1).map((e) => [e.name, SEED.employees.find((m) => m.id === e.managerId)!.name]))
  })

  it('names result columns by attribute key everywhere: rows, mappings, subqueries, CTEs, unions, aliases', async () => {
    await using s = new AsyncSession(db.engine)
    const C = Customer.c
    const mapped = (await s.execute(select(C.id, C.regionId).where(C.id.eq(2)))).mappings().all()
    expect(mapped).to.deep.equal([{ id: 2, regionId: SEED.customers[1]!.regionId }])
    const sq = select(C.id, C.regionId).subquery('sq')
    expect((await s.execute(select(sq.c.regionId, func.count()).groupBy(sq.c.regionId).orderBy(sq.c.regionId))).mappings().all().map((r) => r['regionId'])).to.deep.equal([1, 2, 3])
    const cte = select(Order.c.customerId, Order.c.placedAt).cte('placed')
    expect((await s.execute(select(cte.c.customerId).where(cte.c.customerId.eq(1)).limit(1))).mappings().all()).to.deep.equal([{ customerId: 1 }])
    const u = union(select(C.regionId).where(C.id.eq(1)), select(C.regionId).where(C.id.eq(2))).orderBy(C.regionId)
    expect((await s.execute(u)).mappings().all()).to.deep.equal([{ regionId: 1 }, { regionId: 2 }])
    const Other = aliased(Customer, 'other')
    expect((await s.execute(select(Other.c.regionId).from(Other).where(Other.c.id.eq(3)))).mappings().all()).to.deep.equal([{ regionId: 3 }])
  })
})
