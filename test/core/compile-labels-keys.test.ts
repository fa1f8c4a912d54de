/**
 * Labels and attribute keys, compiled on every dialect: a label is orderable and groupable (by
 * its name where the select list holds it, by its expression elsewhere); a column whose key is
 * not its SQL name is selected `AS key`, so rows, mappings and the `.c` of subqueries, CTEs,
 * unions and aliases all go by the key; one bound value used twice is one PostgreSQL parameter.
 */
import { expect } from 'chai'
import { Integer, MetaData, String, Table, alias, column, func, select, union } from '@athanor/core'
import { compileOn, expectSql, users } from './compile-helpers.js'

const md = new MetaData()
const items = new Table('items', md, {
  itemId: column(Integer, { primaryKey: true, name: 'item_id' }),
  itemName: column(String(40), { name: 'item_name' }),
  price: column(Integer),
})

describe('compile: labels in ORDER BY and GROUP BY', () => {
  const n = func.count().label('n')
  it('orders by a selected label’s name, and groups by its expression', () => {
    expectSql(select(users.c.name, n).groupBy(users.c.name).orderBy(n.desc()),
      'SELECT "users"."name", count(*) AS "n" FROM "users" GROUP BY "users"."name" ORDER BY "n" DESC', [])
    const upper = func.upper(users.c.name).label('upper')
    expectSql(select(upper, n).groupBy(upper).orderBy(upper),
      'SELECT upper("users"."name") AS "upper", count(*) AS "n" FROM "users" GROUP BY upper("users"."name") ORDER BY "upper" ASC', [])
  })
  it('renders a label the select list does not hold as its expression, wherever it is', () => {
    const big = users.c.age.gt(30).label('big')
    expectSql(select(users.c.id).where(big).orderBy(n),
      'SELECT "users"."id" FROM "users" WHERE "users"."age" > ? ORDER BY count(*) ASC', [30])
  })
  it('sorts by the expression where NULLS FIRST/LAST is emulated around it', () => {
    const age = users.c.age.label('a')
    expectSql(select(age).orderBy(age.desc({ nulls: 'last' })), 'SELECT "users"."age" AS "a" FROM "users" ORDER BY "a" DESC NULLS LAST', [], {
      ansi: 'SELECT "users"."age" AS "a" FROM "users" ORDER BY CASE WHEN "users"."age" IS NULL THEN 1 ELSE 0 END, "users"."age" DESC',
      mysql: 'SELECT `users`.`age` AS `a` FROM `users` ORDER BY CASE WHEN `users`.`age` IS NULL THEN 1 ELSE 0 END, `users`.`age` DESC',
    })
  })
  it('orders a union by a label of its first member', () => {
    const total = func.sum(users.c.age).label('total')
    expectSql(union(select(users.c.name, total).groupBy(users.c.name), select(users.c.name, total).groupBy(users.c.name)).orderBy(total.desc()),
      'SELECT "users"."name", sum("users"."age") AS "total" FROM "users" GROUP BY "users"."name" UNION SELECT "users"."name", sum("users"."age") AS "total" FROM "users" GROUP BY "users"."name" ORDER BY "total" DESC', [])
  })
})

describe('compile: attribute keys that differ from column names', () => {
  it('selects such a column AS its key, alone and in a whole-table select', () => {
    expectSql(select(items.c.itemId, items.c.price), 'SELECT "items"."item_id" AS "itemId", "items"."price" FROM "items"', [])
    expectSql(select(items), 'SELECT "items"."item_id" AS "itemId", "items"."item_name" AS "itemName", "items"."price" FROM "items"', [])
    expect(select(items.c.itemId, items.c.itemName.label('label')).resultColumns.map((c) => c.name)).to.deep.equal(['itemId', 'label'])
  })
  it('gives subqueries and CTEs columns by key, referring to the aliased names', () => {
    const sq = select(items.c.itemId, items.c.price).subquery('sq')
    expect(Object.keys(sq.c)).to.deep.equal(['itemId', 'price'])
    expectSql(select(sq.c.itemId).where(sq.c.price.gt(1)),
      'SELECT "sq"."itemId" FROM (SELECT "items"."item_id" AS "itemId", "items"."price" FROM "items") AS "sq" WHERE "sq"."price" > ?', [1])
    const cte = select(items.c.itemName).cte('names')
    expectSql(select(cte.c.itemName), 'WITH "names" AS (SELECT "items"."item_name" AS "itemName" FROM "items") SELECT "names"."itemName" FROM "names"', [])
  })
  it('keeps keys through aliases, and orders a union by the key', () => {
    const i2 = alias(items, 'i2')
    expectSql(select(i2.c.itemId).where(i2.c.itemId.gt(3)), 'SELECT "i2"."item_id" AS "itemId" FROM "items" AS "i2" WHERE "i2"."item_id" > ?', [3])
    expectSql(union(select(items.c.itemId), select(i2.c.itemId)).orderBy(items.c.itemId),
      'SELECT "items"."item_id" AS "itemId" FROM "items" UNION SELECT "i2"."item_id" AS "itemId" FROM "items" AS "i2" ORDER BY "itemId" ASC', [])
  })
})

describe('compile: one bound value used twice', () => {
  it('is one numbered parameter on PostgreSQL (the same expression in SELECT and GROUP BY)', () => {
    const part = func['date_part']!('year', users.c.seen).label('y')
    expect(compileOn('postgres', select(part, func.count()).groupBy(part))).to.deep.equal([
      'SELECT date_part($1, "users"."seen") AS "y", count(*) FROM "users" GROUP BY date_part($1, "users"."seen")', ['year'],
    ])
    expect(compileOn('libsql', select(part, func.count()).groupBy(part))[1]).to.deep.equal(['year', 'year'])
  })
})
