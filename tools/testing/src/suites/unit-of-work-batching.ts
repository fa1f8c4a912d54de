import { expect } from 'chai'
import {
  AsyncSession, BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, Integer, JSON as JsonType, LargeBinary, Numeric, StaleDataError,
  String, Text, Time, declarativeBase, mappedColumn, select,
} from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Item extends Base.model('batch_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  qty: mappedColumn(Integer),
}) {}

// Wider than the 30 columns whose given/not-given pattern a flush groups new rows by as bits.
const fillers = Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`c${i + 1}`, mappedColumn(Integer, { nullable: true })])) as object
class Wide extends Base.model('batch_wide', {
  id: mappedColumn(Integer, { primaryKey: true }),
  c0: mappedColumn(Integer, { nullable: true }),
  ...fillers,
  c30: mappedColumn(Integer, { nullable: true }),
  c31: mappedColumn(Integer, { nullable: true }),
}) {}

// Every portable type, for batched writes whose rows disagree: NULLs first, long values later.
class Mixed extends Base.model('batch_mixed', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40), { nullable: true }),
  body: mappedColumn(Text, { nullable: true }),
  big: mappedColumn(BigInteger, { nullable: true }),
  price: mappedColumn(Numeric(30, 10), { nullable: true }),
  ratio: mappedColumn(Float, { nullable: true }),
  at: mappedColumn(DateTime(), { nullable: true }),
  day: mappedColumn(DateType, { nullable: true }),
  clock: mappedColumn(Time, { nullable: true }),
  flag: mappedColumn(BooleanType, { nullable: true }),
  doc: mappedColumn(JsonType<unknown>(), { nullable: true }),
  blob: mappedColumn(LargeBinary, { nullable: true }),
  mood: mappedColumn(Enum(['happy', 'sad', 'NULL'] as const), { nullable: true }),
}) {}

const MIXED_SEED = {
  name: 'seed', body: 'seed', big: 1n, price: '1.0000000000', ratio: 1.5, at: new Date('2000-01-01T00:00:00.000Z'), day: '2000-01-01',
  clock: '01:02:03', flag: true, doc: { seed: true }, blob: Uint8Array.from([9]), mood: 'happy' as const,
}
// Row 1 all NULL, row 2 awkward values, row 3 long ones: every column differs from the seed in each.
const MIXED_ROWS = [
  { name: null, body: null, big: null, price: null, ratio: null, at: null, day: null, clock: null, flag: null, doc: null, blob: null, mood: null },
  {
    name: "a,b 'single' \"double\" back\\slash {x} ünï", body: 'NULL', big: 2n ** 62n + 7n, price: '-12345678901234567890.0123456789', ratio: -0.1,
    at: new Date('2024-02-29T23:59:58.123Z'), day: '2024-02-29', clock: '23:59:59', flag: false, doc: { s: 'a "b"', n: [1, null] },
    blob: Uint8Array.from([0, 1, 39, 92, 254, 255]), mood: 'NULL' as const,
  },
  {
    name: 'x'.repeat(40), body: 'long '.repeat(12_000), big: -(2n ** 63n), price: '0.0000000001', ratio: 1e300, at: new Date('1970-01-01T00:00:00.001Z'),
    day: '1000-01-01', clock: '00:00:00', flag: false, doc: 'just a string', blob: new Uint8Array(60_000).fill(7), mood: 'sad' as const,
  },
]

/**
 * How a flush batches rows: new rows share multi-row INSERTs (see the session suite), and
 * changed objects of one class with the same changed columns share one UPDATE.
 */
export const unitOfWorkBatchingSuite: Suite = (ctx) => describe('unit of work batching', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)

  async function seed(n: number): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.addAll(Array.from({ length: n }, (_, i) => new Item({ id: i + 1, name: `item ${i + 1}`, qty: i })))
    await s.commit()
    statements.length = 0
  }

  async function rows(): Promise<unknown[][]> {
    await using s = new AsyncSession(db.engine)
    return (await s.execute(select(Item.c.id, Item.c.name, Item.c.qty).orderBy(Item.c.id))).all()
  }

  it('writes objects with the same changed columns in one UPDATE (the dialect\'s own, or … CASE), and others apart', async () => {
    await seed(4)
    await using s = new AsyncSession(db.engine)
    const items = (await s.scalars(select(Item).orderBy(Item.c.id))).all()
    statements.length = 0
    for (const item of items.slice(0, 3)) item.name += ' (edited)'
    items[3]!.qty = 99
    await s.commit()
    // A dialect with a batched UPDATE of its own (PostgreSQL's arrays) has its SQL tested in its package.
    const compiler = db.engine.dialect.compiler
    const own = compiler.updateByKey?.({ table: Item.__table__, key: Item.c.id, columns: [Item.c.name], keys: [1, 2, 3], values: [['1', '2', '3']] })
    const batched = own === undefined
      ? sql(
        'UPDATE "batch_items" SET "name" = CASE "batch_items"."id" WHEN ? THEN ? WHEN ? THEN ? WHEN ? THEN ? ' +
          'ELSE "batch_items"."name" END WHERE "batch_items"."id" IN (?, ?, ?)',
      )
      : compiler.compile(own).sql
    expect(statements).to.deep.equal([batched, sql('UPDATE "batch_items" SET "qty" = ? WHERE "batch_items"."id" = ?')])
    expect(await rows()).to.deep.equal([
      [1, 'item 1 (edited)', 0], [2, 'item 2 (edited)', 1], [3, 'item 3 (edited)', 2], [4, 'item 4', 99],
    ])
  })

  it('groups new rows by the columns they give: one multi-row INSERT per group, narrow and wide tables alike', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Item({ id: 10, name: 'a', qty: 1 }), new Item({ name: 'b', qty: 2 }), new Item({ id: 11, name: 'c', qty: 3 }), new Item({ name: 'd', qty: 4 })])
    const wide = [new Wide({ id: 1, c0: 0, c31: 31 }), new Wide({ id: 2, c0: 0 }), new Wide({ id: 3, c0: 1, c31: 32 })]
    s.addAll(wide)
    await s.commit()
    const inserts = statements.filter((q) => q.startsWith('INSERT'))
    expect(inserts.filter((q) => q.includes('batch_items'))).to.have.length(2)
    expect(inserts.filter((q) => q.includes('batch_wide'))).to.have.length(2)
    expect((await rows()).map((r) => r[1])).to.have.members(['a', 'b', 'c', 'd'])
    await using check = new AsyncSession(db.engine)
    const back = (await check.execute(select(Wide.c.id, Wide.c.c0, Wide.c.c30, Wide.c.c31).orderBy(Wide.c.id))).all()
    expect(back).to.deep.equal([[1, 0, null, 31], [2, 0, null, null], [3, 1, null, 32]])
  })

  it('writes rows that disagree (NULLs first, long values later) exactly, in one batched INSERT and one batched UPDATE', async () => {
    // Per row and column, so a failure names the value (a 60 kB diff would not).
    const plain = (m: Record<string, unknown>): Record<string, unknown> => ({ ...m, blob: m['blob'] instanceof Uint8Array ? Buffer.from(m['blob']).toString('hex') : m['blob'] })
    const expected = (rows: readonly object[]): Record<string, unknown>[] => rows.map((r, i) => plain({ id: i + 1, ...r }))
    const read = async (): Promise<Record<string, unknown>[]> => {
      await using s = new AsyncSession(db.engine)
      return (await s.scalars(select(Mixed).orderBy(Mixed.c.id))).all().map((m) => plain({ ...m }))
    }
    const same = (got: Record<string, unknown>[], want: Record<string, unknown>[], when: string): void => {
      expect(got.length, when).to.equal(want.length)
      want.forEach((row, i) => Object.keys(row).forEach((k) => expect(got[i]![k], `${when}: row ${i + 1}, ${k}`).to.deep.equal(row[k])))
    }
    {
      await using s = new AsyncSession(db.engine)
      s.addAll(MIXED_ROWS.map((r, i) => new Mixed({ id: i + 1, ...r })))
      await s.commit()
    }
    expect(statements.filter((q) => q.startsWith('INSERT')), 'one INSERT for the three rows').to.have.length(1)
    same(await read(), expected(MIXED_ROWS), 'inserted')
    {
      await using s = new AsyncSession(db.engine)
      for (const m of (await s.scalars(select(Mixed))).all()) Object.assign(m, MIXED_SEED)
      await s.commit()
    }
    same(await read(), expected(MIXED_ROWS.map(() => MIXED_SEED)), 'reset')
    statements.length = 0
    {
      await using s = new AsyncSession(db.engine)
      const all = (await s.scalars(select(Mixed).orderBy(Mixed.c.id))).all()
      all.forEach((m, i) => Object.assign(m, MIXED_ROWS[i]))
      await s.commit()
    }
    expect(statements.filter((q) => q.startsWith('UPDATE')), 'one UPDATE for the three rows').to.have.length(1)
    same(await read(), expected(MIXED_ROWS), 'updated')
  })

  it('reports a batch that found fewer rows than objects as stale data', async () => {
    await seed(2)
    await using s = new AsyncSession(db.engine)
    const items = (await s.scalars(select(Item).orderBy(Item.c.id))).all()
    await s.commit()
    {
      await using other = new AsyncSession(db.engine)
      await other.delete((await other.get(Item, 2))!)
      await other.commit()
    }
    for (const item of items) item.name = 'gone?'
    const err = await s.commit().then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(StaleDataError)
    expect((err as Error).message).to.match(/2 Item/)
    await s.rollback()
    expect(await rows()).to.deep.equal([[1, 'item 1', 0]])
  })
})
