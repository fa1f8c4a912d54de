import { expect } from 'chai'
import {
  CompileError, Integer, Text, dateTrunc, extract, func, inline, literal, namedWindow, rollup, select, trueValue, tuple, union,
} from '@athanor/core'
import type { Engine, Executable } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { Base, Category, Customer, Employee, Order, OrderItem, Payment, Product, SEED, Supplier, productSuppliers, seedShop, totalCents } from './reporting-fixture.js'

async function rows<R extends readonly unknown[], M>(engine: Engine, stmt: Executable<R, M>): Promise<R[]> {
  await using conn = await engine.connect()
  return (await conn.execute(stmt)).all()
}
const dec = (v: unknown): string => Number(v).toFixed(2)
const cents = (v: unknown): number => Math.round(Number(v) * 100)
const byKey = <T, K>(list: readonly T[], key: (t: T) => K): Map<K, T[]> => {
  const m = new Map<K, T[]>()
  for (const t of list) (m.get(key(t)) ?? m.set(key(t), []).get(key(t))!).push(t)
  return m
}
const itemCents = (x: { quantity: number; unitPrice: string }): number => x.quantity * cents(x.unitPrice)

/**
 * Reporting queries on an eleven-table shop, executed: aggregates and HAVING, labels in ORDER BY
 * and GROUP BY, windows (ranking, running totals, lag, named windows), top-N per group, date
 * parts and truncation, year-over-year, filtered aggregates, JSON paths, string aggregation,
 * recursive CTEs with column lists, unions, tuple IN, inline literals, and the constructs only
 * some databases have (ROLLUP, LATERAL, DISTINCT ON), which the others refuse by name. Every
 * expected answer is computed in JavaScript from the seed rows.
 */
export const reportingSqlSuite: Suite = (ctx) => describe('reporting queries: the expression language', () => {
  const db = useDatabase(ctx, Base.metadata)
  beforeEach(() => seedShop(db.engine))
  const C = Customer.c, O = Order.c, I = OrderItem.c, P = Product.c, E = Employee.c

  it('counts per customer with a LEFT JOIN, ordered by a label (descending) and name', async () => {
    // Ties break by id: names would sort by each database's collation.
    const n = func.count(O.id).label('orders')
    const got = await rows(db.engine, select(C.name, n).outerJoin(Order).groupBy(C.id, C.name).orderBy(n.desc(), C.id))
    const counts = SEED.customers.map((c) => [c.name, SEED.orders.filter((o) => o.customerId === c.id).length] as const)
    expect(got).to.deep.equal([...counts].sort((a, b) => b[1] - a[1]))
  })

  it('groups by a labelled expression and filters groups with HAVING', async () => {
    const qty = func.sum(I.quantity).label('qty')
    const got = await rows(db.engine, select(P.name, qty).join(OrderItem).groupBy(P.name).having(func.sum(I.quantity).ge(20)).orderBy(qty.desc(), P.name))
    const expected = SEED.products.map((p) => [p.name, SEED.orderItems.filter((x) => x.productId === p.id).reduce((n, x) => n + x.quantity, 0)] as const)
      .filter(([, q]) => q >= 20).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    expect(got.map(([name, q]) => [name, Number(q)])).to.deep.equal(expected)
    expect(expected.length).to.be.greaterThan(1)
  })

  it('groups by the same bound value it selects (one parameter on PostgreSQL)', async () => {
    const initial = func.upper(func.substr(C.name, 1, 1)).label('initial')
    const got = await rows(db.engine, select(initial, func.count()).groupBy(initial).orderBy(initial))
    const expected = [...byKey(SEED.customers, (c) => c.name[0]!.toUpperCase())].map(([k, v]) => [k, v.length]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
    // Compared as sorted in code: 'É' sorts by each database's collation.
    expect([...got].sort((a, b) => (a[0]! < b[0]! ? -1 : 1))).to.deep.equal(expected)
  })

  it('divides a decimal sum by a count (average line value)', async () => {
    const [avg] = (await rows(db.engine, select(func.sum(I.unitPrice.mul(I.quantity)).div(func.count()))))[0]!
    const expected = SEED.orderItems.reduce((n, x) => n + itemCents(x), 0) / SEED.orderItems.length / 100
    expect(Number(avg)).to.be.closeTo(expected, 0.005)
  })

  it('ranks within partitions, with a named window shared by several functions', async () => {
    const w = namedWindow('by_region', { partitionBy: E.regionId, orderBy: E.salary.desc() })
    const got = await rows(db.engine, select(E.name, func.rank().over(w), func.denseRank().over(w), func.rowNumber().over({ orderBy: [E.salary.desc(), E.name] })).orderBy(E.name))
    const sorted = [...SEED.employees].sort((a, b) => b.salary - a.salary || (a.name < b.name ? -1 : 1))
    const expected = SEED.employees.map((e) => {
      const peers = SEED.employees.filter((x) => x.regionId === e.regionId)
      const rank = peers.filter((x) => x.salary > e.salary).length + 1
      const dense = new Set(peers.filter((x) => x.salary > e.salary).map((x) => x.salary)).size + 1
      return [e.name, rank, dense, sorted.indexOf(e) + 1]
    }).sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
    expect(got).to.deep.equal(expected)
  })

  it('keeps the top two products by revenue per category (a window ranked in a subquery)', async () => {
    const revenue = func.sum(I.unitPrice.mul(I.quantity))
    const ranked = select(P.categoryId, P.name, revenue.label('revenue'), func.rowNumber().over({ partitionBy: P.categoryId, orderBy: [revenue.desc(), P.name] }).label('pos'))
      .join(OrderItem).groupBy(P.categoryId, P.name).subquery('ranked')
    const got = await rows(db.engine, select(ranked.c.categoryId, ranked.c.name, ranked.c.revenue).where(ranked.c.pos.le(2)).orderBy(ranked.c.categoryId, ranked.c.pos))
    const rev = SEED.products.map((p) => ({ p, cents: SEED.orderItems.filter((x) => x.productId === p.id).reduce((n, x) => n + itemCents(x), 0), sold: SEED.orderItems.some((x) => x.productId === p.id) }))
    const expected = [...byKey(rev.filter((r) => r.sold), (r) => r.p.categoryId)].sort((a, b) => a[0] - b[0])
      .flatMap(([cat, list]) => list.sort((a, b) => b.cents - a.cents || (a.p.name < b.p.name ? -1 : 1)).slice(0, 2).map((r) => [cat, r.p.name, dec(r.cents / 100)]))
    expect(got.map(([c, n, r]) => [c, n, dec(r)])).to.deep.equal(expected)
  })

  it('computes running totals and the previous value with ROWS frames and lag()', async () => {
    const Pa = Payment.c
    const got = await rows(db.engine, select(Pa.id, func.sum(Pa.amount).over({ partitionBy: Pa.method, orderBy: [Pa.paidAt, Pa.id], rows: [null, 0] }), func.lag(Pa.amount, 1, '0').over({ partitionBy: Pa.method, orderBy: [Pa.paidAt, Pa.id] })).orderBy(Pa.id))
    const expected = SEED.payments.map((p) => {
      const same = SEED.payments.filter((x) => x.method === p.method).sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime() || a.id - b.id)
      const upTo = same.slice(0, same.indexOf(p) + 1)
      return [p.id, dec(upTo.reduce((n, x) => n + cents(x.amount), 0) / 100), dec(same[same.indexOf(p) - 1]?.amount ?? 0)]
    })
    expect(got.map(([id, run, prev]) => [id, dec(run), dec(prev)])).to.deep.equal(expected)
  })

  it('sums revenue per year with extract(), and compares each year with the one before', async () => {
    const year = extract('year', O.placedAt)
    const total = func.sum(I.unitPrice.mul(I.quantity))
    const got = await rows(db.engine, select(year.label('year'), total.label('total'), func.lag(total).over({ orderBy: year }).label('previous')).join(OrderItem).groupBy(year).orderBy(year))
    const perYear = [...byKey(SEED.orderItems, (x) => SEED.orders.find((o) => o.id === x.orderId)!.placedAt.getUTCFullYear())].sort((a, b) => a[0] - b[0])
      .map(([y, list]) => [y, list.reduce((n, x) => n + itemCents(x), 0)] as const)
    expect(got.map(([y, t, p]) => [y, dec(t), p === null ? null : dec(p)])).to.deep.equal(perYear.map(([y, c], i) => [y, dec(c / 100), i === 0 ? null : dec(perYear[i - 1]![1] / 100)]))
    expect(perYear.length).to.equal(2)
  })

  it('reads every date part the same way on every database', async () => {
    const parts = ['year', 'quarter', 'month', 'week', 'day', 'dow', 'doy', 'hour', 'minute', 'second'] as const
    const got = await rows(db.engine, select(O.id, ...parts.map((f) => extract(f, O.placedAt)), extract('epoch', O.placedAt)).orderBy(O.id))
    const isoWeek = (d: Date): number => {
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
      t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7))
      return Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 / 7) + 1
    }
    const expected = SEED.orders.map((o) => {
      const d = o.placedAt
      const doy = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1
      return [o.id, d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) + 1, d.getUTCMonth() + 1, isoWeek(d), d.getUTCDate(), d.getUTCDay(), doy, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getTime() / 1000]
    })
    expect(got.map((r) => r.map((v) => Number(v)))).to.deep.equal(expected)
  })

  it('truncates timestamps and dates to months, quarters and ISO weeks', async () => {
    const month = dateTrunc('month', O.placedAt)
    const got = await rows(db.engine, select(month.label('month'), func.count()).groupBy(month).orderBy(month))
    const key = (d: Date): number => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    const expected = [...byKey(SEED.orders, (o) => key(o.placedAt))].sort((a, b) => a[0] - b[0]).map(([k, list]) => [new Date(k).toISOString(), list.length])
    expect(got.map(([m, n]) => [(m as Date).toISOString(), n])).to.deep.equal(expected)
    const [q, w, joinedMonth] = (await rows(db.engine, select(dateTrunc('quarter', O.placedAt), dateTrunc('week', O.placedAt), dateTrunc('month', C.joined)).join(Customer).where(O.id.eq(10))))[0]!
    const o = SEED.orders[9]!
    const d = o.placedAt
    expect((q as Date).toISOString()).to.equal(new Date(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1)).toISOString())
    expect((w as Date).toISOString()).to.equal(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7))).toISOString())
    expect(joinedMonth).to.equal(SEED.customers.find((c) => c.id === o.customerId)!.joined.slice(0, 8) + '01')
  })

  it('counts only some rows of a group with filtered aggregates', async () => {
    const got = await rows(db.engine, select(C.name, func.count().filter(O.status.eq('paid')), func.count(O.id).filter(O.status.ne('paid')), func.sum(O.id).filter(O.status.eq('pending')))
      .join(Order).groupBy(C.id, C.name).orderBy(C.id))
    const expected = [...byKey(SEED.orders, (o) => o.customerId)].sort((a, b) => a[0] - b[0]).map(([id, list]) => {
      const name = SEED.customers.find((c) => c.id === id)!.name
      const pending = list.filter((o) => o.status === 'pending')
      return [name, list.filter((o) => o.status === 'paid').length, list.filter((o) => o.status !== 'paid').length, pending.length ? pending.reduce((n, o) => n + o.id, 0) : null]
    })
    expect(got.map(([n, a, b, c]) => [n, a, b, c === null ? null : Number(c)])).to.deep.equal(expected)
  })

  it('reads JSON paths: values, array elements, text, JSON null and missing keys', async () => {
    const got = await rows(db.engine, select(C.id, C.meta.jsonText('tier'), C.meta.json('tags', 0), C.meta.json('vip'), C.meta.jsonText('referrer'), C.meta.json('nope', 'deeper')).orderBy(C.id))
    const expected = SEED.customers.map((c) => [c.id, c.meta.tier, c.meta.tags[0] ?? null, c.meta.vip ?? null, c.meta.referrer ?? null, null])
    expect(got).to.deep.equal(expected)
    const gold = await rows(db.engine, select(C.name).where(C.meta.jsonText('tier').eq('gold')).orderBy(C.name))
    expect(gold.map(([n]) => n)).to.deep.equal(SEED.customers.filter((c) => c.meta.tier === 'gold').map((c) => c.name).sort())
  })

  it('joins a group’s strings with stringAgg()', async () => {
    const got = await rows(db.engine, select(P.name, func.stringAgg(Supplier.c.name, ', ')).join(productSuppliers).join(Supplier).groupBy(P.name).orderBy(P.name))
    const expected = SEED.products.map((p) => [p.name, SEED.productSupplier.filter((x) => x.productId === p.id).map((x) => SEED.suppliers.find((s) => s.id === x.supplierId)!.name).sort()] as const)
      .filter(([, s]) => s.length > 0).sort((a, b) => (a[0] < b[0] ? -1 : 1))
    expect(got.map(([n, s]) => [n, (s ?? '').split(', ').sort()])).to.deep.equal(expected)
  })

  it('walks the category tree with a recursive CTE whose columns are named', async () => {
    const Cat = Category.c
    // The path grows past the name's VARCHAR(30): the first member says its type, as SQL requires.
    const tree = select(Cat.id, Cat.name.cast(Text), inline(0, Integer)).where(Cat.parentId.isNull()).cte('tree', { recursive: true, columns: ['id', 'path', 'depth'] })
    const walked = tree.unionAll(select(Cat.id, tree.c.path.concat(' / ').concat(Cat.name), tree.c.depth.add(1)).join(tree, Cat.parentId.eq(tree.c.id)))
    const got = await rows(db.engine, select(walked.c.id, walked.c.path, walked.c.depth).from(walked).orderBy(walked.c.id))
    const pathOf = (id: number): string[] => { const c = SEED.categories.find((x) => x.id === id)!; return c.parentId === null ? [c.name] : [...pathOf(c.parentId), c.name] }
    expect(got).to.deep.equal(SEED.categories.map((c) => [c.id, pathOf(c.id).join(' / '), pathOf(c.id).length - 1]))
  })

  it('unions customers and suppliers of a region, and filters pairs with tuple IN', async () => {
    const names = await rows(db.engine, union(select(C.name).where(C.regionId.eq(1)), select(Supplier.c.name).where(Supplier.c.regionId.eq(1))).orderBy(C.name))
    expect(names.map(([n]) => n)).to.deep.equal([...SEED.customers.filter((c) => c.regionId === 1).map((c) => c.name), ...SEED.suppliers.filter((s) => s.regionId === 1).map((s) => s.name)].sort())
    const pairs = [[1, 1], [2, 3], [4, 2]] as const
    const got = await rows(db.engine, select(productSuppliers.c.productId, productSuppliers.c.supplierId).where(tuple(productSuppliers.c.productId, productSuppliers.c.supplierId).inValues(pairs)).orderBy(productSuppliers.c.productId))
    expect(got).to.deep.equal(pairs.filter(([p, s]) => SEED.productSupplier.some((x) => x.productId === p && x.supplierId === s)).map((x) => [...x]))
  })

  it('pages through ordered rows with LIMIT/OFFSET, an inline constant in the list', async () => {
    const page = await rows(db.engine, select(inline('order').label('kind'), O.id).orderBy(O.placedAt.desc(), O.id).limit(5).offset(5))
    const sorted = [...SEED.orders].sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime() || a.id - b.id)
    expect(page).to.deep.equal(sorted.slice(5, 10).map((o) => ['order', o.id]))
  })

  it('matches case-insensitively the same way everywhere (ASCII)', async () => {
    const got = await rows(db.engine, select(C.name).where(C.name.ilike('%A%')).orderBy(C.id))
    expect(got.map(([n]) => n)).to.deep.equal(SEED.customers.filter((c) => /a/i.test(c.name)).map((c) => c.name))
  })

  it('subtotals with ROLLUP where the database has it, and says so where it has not', async function () {
    // No ORDER BY: MariaDB cannot order a rollup (the compiler says so); the rows are sorted here.
    const stmt = select(C.regionId, func.count(O.id)).join(Order).groupBy(rollup(C.regionId))
    if (db.capabilities.rollup === undefined) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /capability rollup/)
      return
    }
    const got = await rows(db.engine, stmt)
    const perRegion = [...byKey(SEED.orders, (o) => SEED.customers.find((c) => c.id === o.customerId)!.regionId)].sort((a, b) => a[0] - b[0]).map(([r, l]) => [r, l.length])
    // The grand total's region is NULL; databases sort NULL first or last.
    expect([...got].sort((a, b) => (a[0] ?? 99) - (b[0] ?? 99))).to.deep.equal([...perRegion, [null, SEED.orders.length]])
  })

  it('keeps each customer’s latest order with LATERAL where the database has it', async function () {
    const latest = select(O.id, O.placedAt).where(O.customerId.eq(C.id)).orderBy(O.placedAt.desc()).limit(1).lateral('latest')
    const stmt = select(C.name, latest.c.id).join(latest, trueValue()).orderBy(C.id)
    if (db.capabilities.lateral !== true) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /capability lateral/)
      return
    }
    const got = await rows(db.engine, stmt)
    const expected = SEED.customers.map((c) => [c.name, [...SEED.orders.filter((o) => o.customerId === c.id)].sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime())[0]?.id])
      .filter(([, id]) => id !== undefined)
    expect(got).to.deep.equal(expected)
  })

  it('keeps the first row per group with DISTINCT ON where the database has it', async function () {
    const stmt = select(E.regionId, E.name).distinct(E.regionId).orderBy(E.regionId, E.salary.desc(), E.name)
    if (db.capabilities.distinctOn !== true) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /capability distinctOn/)
      return
    }
    const got = await rows(db.engine, stmt)
    expect(got).to.deep.equal([...byKey(SEED.employees, (e) => e.regionId)].sort((a, b) => a[0] - b[0]).map(([r, l]) => [r, [...l].sort((a, b) => b.salary - a.salary || (a.name < b.name ? -1 : 1))[0]!.name]))
  })

  it('computes with the typed functions: round, greatest, least, nullif, mod, coalesce, trim', async () => {
    const got = await rows(db.engine, select(P.id, func.round(P.price, 0), func.greatest(P.id, literal(5)), func.least(P.id, 4), func.nullif(P.categoryId, 4), func.mod(P.id, 3), func.trim(inline('  x  '))).orderBy(P.id))
    expect(got.map(([id, r, g, l, n, m, t]) => [id, dec(r), g, l, n, m, t])).to.deep.equal(SEED.products.map((p) => [
      p.id, dec(Math.round(Number(p.price))), Math.max(p.id, 5), Math.min(p.id, 4), p.categoryId === 4 ? null : p.categoryId, p.id % 3, 'x',
    ]))
    const [lineTotal] = (await rows(db.engine, select(func.sum(I.unitPrice.mul(I.quantity))).where(I.orderId.eq(1))))[0]!
    expect(cents(lineTotal)).to.equal(totalCents(1))
  })
})
