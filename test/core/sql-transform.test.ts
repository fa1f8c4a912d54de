import { expect } from 'chai'
import { Binary, Bind, Case, Integer, inferFroms, MetaData, Select, SqlCompiler, String, Table, column, select, transform, update } from '@athanor/core'
import type { Keyed } from '@athanor/core'
import { ansiCaps } from './compile-helpers.js'

const md = new MetaData()
const items = new Table('items', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50)),
  tenant: column(Integer),
})

/** Adds `tenant = 7` to every SELECT of items: a typical statement transform. */
const tenantOnly = (node: Keyed): Keyed => (node instanceof Select && inferFroms(node.state.columns).includes(items) ? node.where(items.c.tenant.eq(7)) : node)

describe('transform(): immutable statement rewrites', () => {
  const compiler = new SqlCompiler(ansiCaps)

  it('returns the very same tree when the visitor changes nothing', () => {
    const stmt = select(items.c.id).where(items.c.name.eq('a').and(items.c.id.gt(1))).orderBy(items.c.id)
    expect(transform(stmt, { leave: (n) => n })).to.equal(stmt)
  })

  it('rebuilds only the path to a changed node and leaves the original untouched', () => {
    const left = items.c.name.eq('a')
    const stmt = select(items.c.id).where(left.and(items.c.id.gt(1)))
    const out = transform(stmt, { leave: (n) => (n instanceof Bind && n.value === 1 ? new Bind(2, Integer) : n) })
    expect(out).to.not.equal(stmt)
    expect(compiler.compile(out).params).to.deep.equal(['a', 2])
    expect(compiler.compile(stmt).params).to.deep.equal(['a', 1])
    const where = out.state.where as unknown as { items: Keyed[] }
    expect(where.items[0]).to.equal(left)
  })

  it('rewrites the subject of a simple CASE as well as its branches', () => {
    const stmt = select(new Case([[new Bind(1, Integer), new Bind('a', String())]], undefined, String(), new Bind(1, Integer)).label('k'))
    const out = transform(stmt, { leave: (n) => (n instanceof Bind && n.value === 1 ? new Bind(2, Integer) : n) })
    expect(compiler.compile(out).sql).to.equal('SELECT CASE ? WHEN ? THEN ? END AS "k"')
    expect(compiler.compile(out).params).to.deep.equal([2, 2, 'a'])
    expect(compiler.compile(stmt).params).to.deep.equal([1, 1, 'a'])
  })

  it('reaches selects inside subqueries, and a rewritten subquery keeps its columns usable', () => {
    const sub = select(items.c.id, items.c.name).subquery('s')
    const stmt = select(sub.c.name).where(sub.c.id.in(select(items.c.id)))
    const out = transform(stmt, { leave: tenantOnly })
    expect(compiler.compile(out).sql).to.equal(
      'SELECT "s"."name" FROM (SELECT "items"."id", "items"."name" FROM "items" WHERE "items"."tenant" = ?) AS "s" ' +
        'WHERE "s"."id" IN (SELECT "items"."id" FROM "items" WHERE "items"."tenant" = ?)',
    )
  })

  it('rewrites DML too', () => {
    const stmt = update(items).set({ name: 'b' }).where(items.c.id.eq(1))
    const out = transform(stmt, { leave: (n) => (n instanceof Binary && n.op === '=' ? new Binary(n.left, '<>', n.right, n.type) : n) })
    expect(compiler.compile(out).sql).to.equal('UPDATE "items" SET "name" = ? WHERE "items"."id" <> ?')
  })

  it('keeps the compiled-SQL cache: a rewritten statement compiled twice is one miss and one hit', () => {
    const c = new SqlCompiler(ansiCaps)
    const memo = new WeakMap<object, Keyed>()
    const sub = select(items.c.id).subquery('s')
    const run = (name: string): void => void c.compile(transform(select(sub.c.id).where(sub.c.id.ne(name.length)), { leave: tenantOnly }, { memo }))
    run('a')
    expect(c.stats).to.deep.equal({ hits: 0, misses: 1 })
    run('b')
    expect(c.stats).to.deep.equal({ hits: 1, misses: 1 })
  })
})
