import { expect } from 'chai'
import { CompileError, Integer, MetaData, String, Table, column, del, func, insert, select, text, update } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'
import { column0, rows } from './expressions-fixture.js'

const metadata = new MetaData()
const items = new Table('xq_items', metadata, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(30)),
  qty: column(Integer, { nullable: true }),
})
const archive = new Table('xq_archive', metadata, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(30)),
  qty: column(Integer, { nullable: true }),
})

/** INSERT, UPDATE and DELETE (with RETURNING where the database has it) and text(), executed. */
export const expressionsDmlSuite: Suite = (ctx) => describe('expression language: insert, update, delete', () => {
  const db = useDatabase(ctx, metadata)
  const all = () => rows(db.engine, select(items.c.name, items.c.qty).orderBy(items.c.id))
  const seedItems = () => db.engine.begin((conn) => conn.execute(insert(items).values([{ name: 'a', qty: 1 }, { name: 'b', qty: 2 }, { name: 'c', qty: null }])))

  it('inserts one row and many rows', async () => {
    await db.engine.begin(async (conn) => {
      const one = await conn.execute(insert(items).values({ name: 'solo', qty: 7 }))
      expect(one.rowsAffected).to.equal(1)
      const many = await conn.execute(insert(items).values([{ name: 'x', qty: 1 }, { name: 'y', qty: null }]))
      expect(many.rowsAffected).to.equal(2)
    })
    expect(await all()).to.deep.equal([['solo', 7], ['x', 1], ['y', null]])
  })

  it('returns generated keys and expressions from INSERT … RETURNING (or refuses where unsupported)', async () => {
    const stmt = insert(items).values([{ name: 'r1', qty: 3 }, { name: 'r2', qty: 4 }]).returning(items.c.id, items.c.name, items.c.qty.mul(10).label('ten'))
    if (!db.capabilities.returning.insert) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /RETURNING/)
      return
    }
    const back = await db.engine.begin((conn) => conn.execute(stmt))
    const sorted = back.all().sort((p, q) => p[0] - q[0])
    expect(sorted.map((r) => [r[1], r[2]])).to.deep.equal([['r1', 30], ['r2', 40]])
    expect(sorted[1]![0]).to.be.greaterThan(sorted[0]![0])
    expect(back.mappings().all().map((m) => m.name).sort()).to.deep.equal(['r1', 'r2'])
  })

  it('inserts the rows of a select', async () => {
    await seedItems()
    const copied = await db.engine.begin((conn) => conn.execute(insert(archive).fromSelectQuery(['name', 'qty'], select(items.c.name, items.c.qty.mul(100)).where(items.c.qty.isNotNull()))))
    expect(copied.rowsAffected).to.equal(2)
    expect(await rows(db.engine, select(archive.c.name, archive.c.qty).orderBy(archive.c.name))).to.deep.equal([['a', 100], ['b', 200]])
  })

  it('updates matching rows with values and expressions', async () => {
    await seedItems()
    const r = await db.engine.begin((conn) => conn.execute(update(items).set({ qty: items.c.qty.add(10), name: 'big' }).where(items.c.qty.ge(2))))
    expect(r.rowsAffected).to.equal(1)
    const nulls = await db.engine.begin((conn) => conn.execute(update(items).set({ qty: 0 }).where(items.c.qty.isNull())))
    expect(nulls.rowsAffected).to.equal(1)
    expect(await all()).to.deep.equal([['a', 1], ['big', 12], ['c', 0]])
  })

  it('returns updated rows from UPDATE … RETURNING (or refuses where unsupported)', async () => {
    await seedItems()
    const stmt = update(items).set({ qty: items.c.qty.mul(2) }).where(items.c.qty.isNotNull()).returning(items.c.name, items.c.qty)
    if (!db.capabilities.returning.update) {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /RETURNING/)
      return
    }
    const back = await db.engine.begin((conn) => conn.execute(stmt))
    expect(back.all().sort()).to.deep.equal([['a', 2], ['b', 4]])
  })

  it('deletes matching rows, returning them where the database can', async () => {
    await seedItems()
    const gone = await db.engine.begin((conn) => conn.execute(del(items).where(items.c.qty.lt(2))))
    expect(gone.rowsAffected).to.equal(1)
    const stmt = del(items).where(items.c.qty.isNull()).returning(items.c.name)
    if (db.capabilities.returning.delete) {
      expect((await db.engine.begin((conn) => conn.execute(stmt))).all()).to.deep.equal([['c']])
    } else {
      expect(() => db.engine.dialect.compiler.compile(stmt)).to.throw(CompileError, /RETURNING/)
      await db.engine.begin((conn) => conn.execute(del(items).where(items.c.qty.isNull())))
    }
    expect(await all()).to.deep.equal([['b', 2]])
  })

  it('stores and finds text holding quotes, backslashes and LIKE wildcards literally', async () => {
    const names = ["O'Brien", 'a\\b', '50%', 'x_y', 'xay', '"q"']
    await db.engine.begin((conn) => conn.execute(insert(items).values(names.map((name) => ({ name })))))
    expect(await column0(db.engine, select(items.c.name).orderBy(items.c.id))).to.deep.equal(names)
    const find = (cond: Parameters<ReturnType<typeof select>['where']>[0]) => column0(db.engine, select(items.c.name).where(cond).orderBy(items.c.id))
    expect(await find(items.c.name.contains('\\'))).to.deep.equal(['a\\b'])
    expect(await find(items.c.name.eq('a\\b'))).to.deep.equal(['a\\b'])
    expect(await find(items.c.name.startsWith('x_'))).to.deep.equal(['x_y'])
    expect(await find(items.c.name.endsWith('%'))).to.deep.equal(['50%'])
    expect(await find(items.c.name.contains("'"))).to.deep.equal(["O'Brien"])
    expect(await find(items.c.name.like('x_y'))).to.deep.equal(['x_y', 'xay'])
  })

  it('runs text() statements with named parameters', async () => {
    await db.engine.begin(async (conn) => {
      await conn.execute(text('INSERT INTO xq_items (name, qty) VALUES (:n, :q)', { n: 'via text', q: 5 }))
      await conn.execute(text('UPDATE xq_items SET qty = qty + :d WHERE name = :n', { n: 'via text', d: 1 }))
    })
    expect(await all()).to.deep.equal([['via text', 6]])
    expect(await rows(db.engine, select(func.count()).from(items))).to.deep.equal([[1]])
  })
})
