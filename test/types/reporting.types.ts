/**
 * Type tests for the reporting API: window and typed functions give result types, arithmetic
 * mixes numeric expressions, date parts are numbers, JSON paths are JSON or text, a CTE's named
 * columns are typed by position, keys that differ from column names type rows and mappings,
 * `func.name(…)` needs no `!` for declared names, and an aliased class selects its instances.
 */
import {
  AsyncSession, DateTime, ForeignKey, Integer, JSON, MetaData, Numeric, String, Table, aliased, column, containsEager, dateTrunc, declarativeBase, extract,
  func, inline, mappedColumn, relationship, select,
} from '@athanor/core'
import type { ColumnRef, Connection, Expression, FunctionCall, Loaded } from '@athanor/core'
import { expectType } from './expect-type.js'

const md = new MetaData()
const items = new Table('items', md, {
  itemId: column(Integer, { primaryKey: true, name: 'item_id' }),
  price: column(Numeric(10, 2)),
  qty: column(Integer),
  at: column(DateTime()),
  doc: column(JSON<{ a: number }>()),
})
const i = items.c

export async function windowAndTypedFunctionsHaveResultTypes(conn: Connection): Promise<void> {
  const r = await conn.execute(select(
    func.rank().over({ orderBy: i.qty }), func.lag(i.price).over({ orderBy: i.at }), func.round(i.price, 1), func.greatest(i.qty, 3),
    func.nullif(i.qty, 0), func.stringAgg(func.lower('x'), ','), func.percentRank().over(), func.count().filter(i.qty.gt(1)),
  ))
  expectType<[number, string | null, string, number, number | null, string | null, number, number][]>()(r.all())
  expectType<FunctionCall<unknown>>()(func.call('jsonb_typeof', i.doc))
  expectType<FunctionCall<unknown>>()(func.date_part('year', i.at))
}

export function arithmeticMixesNumericExpressions(): void {
  expectType<Expression<string | null>>()(func.sum(i.price).div(func.count()))
  // SQL's promotion: an exact decimal with an integer is an exact decimal (read as a string).
  expectType<Expression<string>>()(i.qty.mul(i.price))
  expectType<Expression<string>>()(i.price.add(1))
  expectType<Expression<number>>()(i.qty.mul(1.5))
  expectType<Expression<string>>()(i.qty.mul('1.10'))
}

export async function datesAndJsonAreTyped(conn: Connection): Promise<void> {
  const r = await conn.execute(select(extract('year', i.at), dateTrunc('month', i.at), i.doc.json('a'), i.doc.jsonText('a'), inline('k')))
  expectType<[number, Date, unknown, string | null, string][]>()(r.all())
}

export async function keysAndCteColumnsTypeRows(conn: Connection): Promise<void> {
  expectType<{ itemId: number; qty: number }[]>()((await conn.execute(select(i.itemId, i.qty))).mappings().all())
  const sq = select(i.itemId, i.price).subquery('sq')
  expectType<ColumnRef<number, 'itemId'>>()(sq.c.itemId)
  const named = select(i.itemId, func.sum(i.qty)).groupBy(i.itemId).cte('totals', { columns: ['id', 'total'] })
  expectType<ColumnRef<number, 'id'>>()(named.c.id)
  expectType<ColumnRef<number | null, 'total'>>()(named.c.total)
  // @ts-expect-error: the CTE's columns are the names given, not the query's
  void named.c.itemId
}

const Base = declarativeBase()
class Employee extends Base.model('employees', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
  managerId: mappedColumn(Integer, ForeignKey('employees.id'), { nullable: true, name: 'manager_id' }),
})<Employee> {
  declare manager: Employee | null
  static manager = relationship(() => Employee, { remoteSide: () => [Employee.c.id] })
}

export async function aliasedClassesSelectInstances(session: AsyncSession): Promise<void> {
  const Manager = aliased(Employee, 'manager')
  expectType<ColumnRef<string, 'name'>>()(Manager.c.name)
  const pairs = (await session.execute(select(Employee, Manager).join(Employee.manager.of(Manager)))).all()
  expectType<[Employee, Employee][]>()(pairs)
  const filled = await session.scalars(select(Employee).join(Employee.manager.of(Manager)).options(containsEager(Employee.manager, Manager)))
  expectType<Loaded<Employee, 'manager'>[]>()(filled.all())
  expectType<Expression<boolean>>()(Employee.manager.has(Manager.c.name.eq('x')))
}
