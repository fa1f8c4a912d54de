import { expect } from 'chai'
import { ArgumentError, AsyncSession, ForeignKey, Integer, MetaData, String, Table, column, columnProperty, declarativeBase, func, hybridProperty, mappedColumn, relationship, select, selectinload } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Line extends Base.model('computed_lines', {
  id: mappedColumn(Integer, { primaryKey: true }),
  first: mappedColumn(String(20)),
  last: mappedColumn(String(20)),
  price: mappedColumn(Integer),
  quantity: mappedColumn(Integer),
  total: mappedColumn(Integer, { computed: 'price * quantity' }),
}) {
  /** The TypeScript side of a hybrid: a plain getter. */
  get label(): string {
    return `${this.first} ${this.last}`
  }
  /** Its SQL side, for queries. */
  static label = hybridProperty(() => Line.c.first.concat(' ').concat(Line.c.last))
}

class Basket extends Base.model('computed_baskets', {
  id: mappedColumn(Integer, { primaryKey: true }),
  owner: mappedColumn(String(20)),
})<Basket> {
  declare items: Item[]
  static items = relationship(() => Item, { backPopulates: 'basket' })
  /** How many items: SQL, loaded with the basket. */
  declare readonly itemCount: number
  static itemCount = columnProperty(() => select(func.count()).from(Item).where(Item.c.basket_id.eq(Basket.c.id)).scalarSubquery())
}
class Item extends Base.model('computed_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  basket_id: mappedColumn(Integer, ForeignKey('computed_baskets.id')),
})<Item> {
  declare basket: Basket
  static basket = relationship(() => Basket, { backPopulates: 'items' })
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

/** Generated columns (computed) and hybrid properties, on every backend. */
export const ormComputedSuite: Suite = (ctx) => describe('orm: computed columns and hybrid properties', () => {
  const db = useDatabase(ctx, Base.metadata)

  it('writes the generated column right after its type; VIRTUAL only where the database has it', () => {
    const compiler = db.engine.dialect.compiler
    const ddl = compiler.createTable(Line.__table__, { ifNotExists: false })[0]!
    expect(ddl).to.match(new RegExp(`${dialectSql(db.engine, '"total"')} \\w+ GENERATED ALWAYS AS \\(price \\* quantity\\) STORED`))
    const virtual = new Table('computed_virtual', new MetaData(), { id: column(Integer, { primaryKey: true }), twice: column(Integer, { computed: { sql: 'id * 2', stored: false } }) })
    if (db.engine.dialect.name.startsWith('postgres')) expect(() => compiler.createTable(virtual, { ifNotExists: false })).to.throw(ArgumentError, /PostgreSQL has only stored generated columns/)
    else expect(compiler.createTable(virtual, { ifNotExists: false })[0]).to.include('GENERATED ALWAYS AS (id * 2) VIRTUAL')
  })

  it('creates a generated column, never writes it, and reads it back after INSERT and UPDATE', async () => {
    await using s = new AsyncSession(db.engine)
    const a = new Line({ id: 1, first: 'Ann', last: 'Lee', price: 3, quantity: 4 })
    const b = new Line({ id: 2, first: 'Bob', last: 'Ray', price: 5, quantity: 1 })
    s.addAll([a, b])
    await s.flush()
    expect([a.total, b.total]).to.deep.equal([12, 5])
    expect(db.statements.filter((q) => q.startsWith('INSERT')).every((q) => !q.includes('total') || /RETURNING/.test(q))).to.equal(true)
    a.quantity = 10
    b.price = 7
    await s.flush()
    expect([a.total, b.total], 'read back after the UPDATE').to.deep.equal([30, 7])
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.execute(select(Line.c.id, Line.c.total).orderBy(Line.c.id))).all()).to.deep.equal([[1, 30], [2, 7]])
  })

  it('refuses a value given to a generated column at the flush, and writes nothing', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Line({ id: 1, first: 'A', last: 'B', price: 1, quantity: 1, total: 99 }))
    expect(await failure(s.flush())).to.be.instanceOf(ArgumentError).and.to.have.property('message').that.matches(/Line\.total is computed by the database \(price \* quantity\), so it cannot be set/)
    await s.rollback()
    const ok = new Line({ id: 2, first: 'A', last: 'B', price: 2, quantity: 2 })
    s.add(ok)
    await s.commit()
    ok.total = 1
    expect(await failure(s.flush())).to.be.instanceOf(ArgumentError)
  })

  it('a column property is loaded with its objects: top level and select-in, one statement per batch, again when refreshed', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Basket({ id: 1, owner: 'Ann', items: [new Item({ id: 1 }), new Item({ id: 2 })] }), new Basket({ id: 2, owner: 'Bob' })])
    await s.commit()
    db.statements.length = 0
    const baskets = (await s.scalars(select(Basket).orderBy(Basket.c.id))).all()
    expect(baskets.map((b) => b.itemCount)).to.deep.equal([2, 0])
    expect(db.statements.filter((q) => q.startsWith('SELECT')), 'the baskets, then their counts').to.have.length(2)
    db.statements.length = 0
    await s.scalars(select(Basket))
    expect(db.statements.filter((q) => q.startsWith('SELECT')), 'held and not expired: not read again').to.have.length(1)
    expect(Object.getOwnPropertyDescriptor(baskets[0], 'itemCount')?.writable, 'read-only').to.equal(false)
    s.add(new Item({ id: 3, basket_id: 2 }))
    await s.commit()
    const viaItems = (await s.scalars(select(Item).where(Item.c.id.eq(3)).options(selectinload(Item.basket)))).one()
    expect(viaItems.basket.itemCount, 'refreshed after the commit expired it').to.equal(1)
  })

  it('a hybrid property reads as a getter on objects and as an expression in queries', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Line({ id: 1, first: 'Ann', last: 'Lee', price: 1, quantity: 1 }), new Line({ id: 2, first: 'Bob', last: 'Ray', price: 1, quantity: 1 })])
    await s.commit()
    const found = (await s.scalars(select(Line).where(Line.label.eq('Bob Ray')))).all()
    expect(found.map((l) => l.label)).to.deep.equal(['Bob Ray'])
    expect((await s.scalars(select(Line.label).orderBy(Line.label))).all()).to.deep.equal(['Ann Lee', 'Bob Ray'])
  })
})
