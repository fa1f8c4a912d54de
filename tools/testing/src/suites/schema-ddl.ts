import { expect } from 'chai'
import { DatabaseError, ForeignKey, Integer, MetaData, ProgrammingError, String, Table, column, insert, select } from '@athanor/core'
import type { Engine } from '@athanor/core'
import type { Suite } from '../suite.js'

// Declared child first, so only the foreign keys can put them in the right order.
const metadata = new MetaData()
const leaves = new Table('ddl_leaves', metadata, {
  id: column(Integer, { primaryKey: true }),
  branch_id: column(Integer, ForeignKey('ddl_branches.id')),
})
const branches = new Table('ddl_branches', metadata, {
  id: column(Integer, { primaryKey: true }),
  trunk_id: column(Integer, ForeignKey('ddl_trunks.id')),
})
const trunks = new Table('ddl_trunks', metadata, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(20), { index: true }),
})

/** The tables named in DDL statements, in the order they were run. */
function ddlOrder(engine: Engine, verb: RegExp): string[] {
  const seen: string[] = []
  engine.events.on('afterExecute', (e) => {
    const m = verb.exec(e.sql)
    const name = m?.[1]?.replace(/^[^\w]|[^\w]$/g, '')
    if (name !== undefined) seen.push(name)
  })
  return seen
}

/** metadata.createAll / dropAll: foreign-key order, checkFirst, and what they leave behind. */
export const schemaDdlSuite: Suite = (ctx) => describe('createAll / dropAll', () => {
  let engine: Engine
  beforeEach(async () => {
    engine = ctx.createEngine()
    await metadata.dropAll(engine)
  })
  afterEach(async () => {
    await metadata.dropAll(engine)
  })

  it('creates referenced tables first and drops them last', async () => {
    const created = ddlOrder(engine, /^CREATE TABLE (?:IF NOT EXISTS )?(\S+)/)
    await metadata.createAll(engine)
    expect(created).to.deep.equal(['ddl_trunks', 'ddl_branches', 'ddl_leaves'])
    const dropped = ddlOrder(engine, /^DROP TABLE (?:IF EXISTS )?(\S+)/)
    await metadata.dropAll(engine)
    expect(dropped).to.deep.equal(['ddl_leaves', 'ddl_branches', 'ddl_trunks'])
  })

  it('creates usable tables: rows go in and come back, foreign keys included', async () => {
    await metadata.createAll(engine)
    await engine.begin(async (conn) => {
      await conn.execute(insert(trunks).values({ id: 1, name: 'oak' }))
      await conn.execute(insert(branches).values({ id: 1, trunk_id: 1 }))
      await conn.execute(insert(leaves).values({ id: 1, branch_id: 1 }))
    })
    await using conn = await engine.connect()
    expect((await conn.execute(select(leaves.c.id, leaves.c.branch_id))).all()).to.deep.equal([[1, 1]])
  })

  it('with checkFirst (the default) leaves existing tables and their rows alone', async () => {
    await metadata.createAll(engine)
    await engine.begin(async (conn) => conn.execute(insert(trunks).values({ id: 1, name: 'oak' })))
    await metadata.createAll(engine)
    await metadata.createAll(engine, { checkFirst: true })
    await using conn = await engine.connect()
    expect((await conn.execute(select(trunks.c.name))).scalars().all()).to.deep.equal(['oak'])
  })

  it('without checkFirst fails on a table that exists, naming the statement', async () => {
    await metadata.createAll(engine)
    const err = await metadata.createAll(engine, { checkFirst: false }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(DatabaseError)
    expect((err as DatabaseError).sql).to.match(/^CREATE TABLE/)
  })

  it('drops every table, after which selecting from one is a ProgrammingError', async () => {
    await metadata.createAll(engine)
    await metadata.dropAll(engine)
    await using conn = await engine.connect()
    const err = await conn.execute(select(trunks.c.id)).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(ProgrammingError)
  })

  it('dropAll with checkFirst skips missing tables; without it, a missing table is an error', async () => {
    await metadata.dropAll(engine, { checkFirst: true })
    const err = await metadata.dropAll(engine, { checkFirst: false }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(DatabaseError)
    expect((err as DatabaseError).sql).to.match(/^DROP TABLE/)
  })
})
