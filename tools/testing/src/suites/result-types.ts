import { expect } from 'chai'
import { BigInteger, Float, Integer, MetaData, Numeric, Table, ValueError, column, func, insert, literalColumn, select } from '@athanor/core'
import type { Executable } from '@athanor/core'
import { rows } from './expressions-fixture.js'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const metadata = new MetaData()
const lines = new Table('rt_lines', metadata, {
  id: column(Integer, { primaryKey: true }),
  qty: column(Integer),
  big: column(BigInteger),
  price: column(Numeric(10, 2)),
  ratio: column(Float),
})
const l = lines.c

/**
 * What aggregates and arithmetic read back is the JavaScript type their expressions are typed
 * with, on every dialect, whatever the server computes them as (int8, DECIMAL, numeric text…):
 * the rule the type tests in test/types/reporting.types.ts state at compile time.
 */
export const resultTypesSuite: Suite = (ctx) => describe('result types: aggregates and arithmetic read back as typed', () => {
  const db = useDatabase(ctx, metadata)
  beforeEach(async () => {
    await using conn = await db.engine.connect()
    await conn.execute(insert(lines).values([
      { id: 1, qty: 3, big: 10n, price: '2.50', ratio: 0.5 },
      { id: 2, qty: 4, big: 20n, price: '1.25', ratio: 1.5 },
    ]))
    await conn.commit()
  })

  async function one<R extends readonly unknown[], M>(stmt: Executable<R, M>): Promise<unknown[]> {
    const [row] = await rows(db.engine, stmt)
    return [...row!]
  }

  it('gives numbers for count, integer sums and averages of integers and floats: JSON-safe', async () => {
    const row = await one(select(func.count(), func.sum(l.qty), func.avg(l.qty), func.avg(l.ratio), func.sum(l.ratio)))
    expect(row).to.deep.equal([2, 7, 3.5, 1, 2])
    expect(JSON.stringify(row)).to.equal('[2,7,3.5,1,2]')
  })

  it('gives a bigint for BigInteger sums and decimal strings for exact-decimal sums and averages', async () => {
    const row = await one(select(func.sum(l.big), func.sum(l.price), func.avg(l.price), func.avg(l.big)))
    expect(row[0]).to.equal(30n)
    expect(Number(row[1])).to.equal(3.75)
    expect(row[1]).to.be.a('string')
    expect(Number(row[2])).to.equal(1.875)
    expect(row[2]).to.be.a('string')
    expect(Number(row[3])).to.equal(15)
    expect(row[3]).to.be.a('string')
  })

  it('promotes arithmetic as SQL does: decimal wins, then float, then BigInteger', async () => {
    const row = await one(select(l.qty.mul(l.price), l.qty.mul(l.ratio), l.qty.mul(1.5), l.qty.add(l.big), l.qty.mul(l.qty), l.qty.mul('0.10')).where(l.id.eq(1)))
    expect(Number(row[0])).to.equal(7.5)
    expect(row[0]).to.be.a('string')
    expect(row.slice(1, 5)).to.deep.equal([1.5, 4.5, 13n, 9])
    // Typed as a decimal string everywhere; exact on PostgreSQL, while MySQL and SQLite compute
    // an integer times decimal text in floating point.
    expect(row[5]).to.be.a('string')
    expect(Number(row[5])).to.be.closeTo(0.3, 1e-9)
  })

  it('refuses an Integer expression whose value does not fit a JavaScript number, naming BigInteger', async () => {
    const wide = literalColumn('9007199254740993', Integer)
    let caught: unknown
    try {
      await one(select(wide))
    } catch (error) {
      caught = error
    }
    expect(caught).to.be.instanceOf(ValueError)
    expect((caught as Error).message).to.match(/9007199254740993.*typed Integer.*BigInteger/)
    expect(await one(select(literalColumn('9007199254740993', BigInteger)))).to.deep.equal([9007199254740993n])
  })
})
