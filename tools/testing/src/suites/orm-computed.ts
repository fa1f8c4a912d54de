import { expect } from 'chai'
import { ArgumentError, AsyncSession, Integer, MetaData, String, Table, column, declarativeBase, hybridProperty, mappedColumn, select } from '@athanor/core'
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

  it('a hybrid property reads as a getter on objects and as an expression in queries', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Line({ id: 1, first: 'Ann', last: 'Lee', price: 1, quantity: 1 }), new Line({ id: 2, first: 'Bob', last: 'Ray', price: 1, quantity: 1 })])
    await s.commit()
    const found = (await s.scalars(select(Line).where(Line.label.eq('Bob Ray')))).all()
    expect(found.map((l) => l.label)).to.deep.equal(['Bob Ray'])
    expect((await s.scalars(select(Line.label).orderBy(Line.label))).all()).to.deep.equal(['Ann Lee', 'Bob Ray'])
  })
})
