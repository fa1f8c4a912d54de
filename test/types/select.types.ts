/**
 * Type tests for the expression language: rows are typed from the select list, nullability
 * follows the columns, inserts know their required columns, and wrong types do not compile.
 */
import {
  BigInteger, Boolean, DateTime, Enum, Integer, JSON, MetaData, Numeric, String, Table, Text, alias, caseWhen, column, del, func, insert, literal,
  select, text, union, update,
} from '@athanor/core'
import type { Connection, Expression, FunctionCall } from '@athanor/core'
import { expectType } from './expect-type.js'

const md = new MetaData()
const users = new Table('users', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50)),
  nickname: column(String(50), { nullable: true }),
  karma: column(BigInteger, { default: 0n }),
  balance: column(Numeric(10, 2), { nullable: true }),
  active: column(Boolean, { serverDefault: true }),
  joined: column(DateTime({ timezone: true })),
  role: column(Enum(['admin', 'member'] as const)),
  prefs: column(JSON<{ theme: string }>(), { nullable: true }),
})
const posts = new Table('posts', md, { id: column(Integer, { primaryKey: true }), title: column(Text), authorId: column(Integer, { nullable: true }) })

export async function rowsAreTuplesOfTheSelectList(conn: Connection): Promise<void> {
  const r = await conn.execute(select(users.c.id, users.c.name))
  expectType<[number, string][]>()(r.all())
  expectType<[number, string] | undefined>()(r.first())
  expectType<number | undefined>()(r.scalar())
  expectType<number[]>()(r.scalars().all())
  expectType<{ id: number; name: string }[]>()(r.mappings().all())

  const wide = (await conn.execute(select(users.c.karma, users.c.balance, users.c.active, users.c.joined, users.c.role, users.c.prefs))).one()
  expectType<[bigint, string | null, boolean, Date, 'admin' | 'member', { theme: string } | null]>()(wide)
}

export async function nullableColumnsGiveNullableValues(conn: Connection): Promise<void> {
  const [row] = (await conn.execute(select(users.c.nickname, posts.c.authorId, users.c.name))).all()
  expectType<[string | null, number | null, string] | undefined>()(row)
  expectType<FunctionCall<string>>()(func.coalesce(users.c.nickname, 'anon'))
  expectType<FunctionCall<number | null>>()(func.max(users.c.id))
}

export async function expressionsAndLabelsAreTyped(conn: Connection): Promise<void> {
  const r = await conn.execute(select(func.count().label('n'), users.c.id.add(1).label('next'), func.upper(users.c.name), literal(2), caseWhen([[users.c.id.gt(1), 'big']], 'small')))
  expectType<[number, number, string, number, string][]>()(r.all())
  expectType<{ n: number; next: number }[]>()(r.mappings().all())
  expectType<Expression<number>>()(users.c.name.cast(Integer))
  expectType<Expression<number>>()(literal(7, Integer))
  expectType<Expression<number | null>>()(literal(null, Integer))
  expectType<FunctionCall<bigint | null>>()(func.sum(users.c.karma))
}

export async function tablesAliasesSubqueriesAndUnionsAreTyped(conn: Connection): Promise<void> {
  // A table's columns have no order at the type level: its rows are typed as mappings.
  expectType<{ id: number; title: string; authorId: number | null }[]>()((await conn.execute(select(posts))).mappings().all())
  const a = alias(users, 'a')
  expectType<[string, string][]>()((await conn.execute(select(users.c.name, a.c.name).join(a, a.c.id.eq(users.c.id)))).all())
  const sq = select(posts.c.authorId, func.count().label('n')).groupBy(posts.c.authorId).subquery('sq')
  expectType<[number | null, number][]>()((await conn.execute(select(sq.c.authorId, sq.c.n))).all())
  expectType<[string][]>()((await conn.execute(union(select(users.c.name), select(posts.c.title)))).all())
  const scalar = select(func.count()).where(posts.c.authorId.eq(users.c.id)).scalarSubquery()
  expectType<Expression<number | null>>()(scalar)
}

export async function dmlReturningIsTyped(conn: Connection): Promise<void> {
  expectType<[number, string][]>()((await conn.execute(insert(users).values({ name: 'a', joined: new Date(), role: 'member' }).returning(users.c.id, users.c.name))).all())
  expectType<[number][]>()((await conn.execute(update(users).set({ name: 'b' }).returning(users.c.id))).all())
  expectType<[string | null][]>()((await conn.execute(del(users).returning(users.c.nickname))).all())
  expectType<[][]>()((await conn.execute(del(users))).all())
  expectType<{ n: number }[]>()((await conn.execute(text('SELECT 1 AS n').columns({ n: Integer }))).mappings().all())
}

export function insertValuesKnowRequiredAndOptionalColumns(): void {
  // Required: name, joined, role. Optional: id (autoincrement), defaults, server defaults, nullables.
  insert(users).values({ name: 'a', joined: new Date(), role: 'admin' })
  insert(users).values([{ name: 'a', joined: new Date(), role: 'admin', nickname: null, karma: 5n, prefs: { theme: 'dark' } }])
  insert(users).values({ name: users.c.nickname.concat('!'), joined: func.now(), role: 'member' })
  // @ts-expect-error name is required (no default, not nullable)
  insert(users).values({ joined: new Date(), role: 'admin' })
  // @ts-expect-error karma is a bigint column
  insert(users).values({ name: 'a', joined: new Date(), role: 'admin', karma: 5 })
  // @ts-expect-error role must be one of the enum's values
  insert(users).values({ name: 'a', joined: new Date(), role: 'owner' })
  // @ts-expect-error name is not nullable
  insert(users).values({ name: null, joined: new Date(), role: 'admin' })
  // @ts-expect-error unknown column
  insert(users).values({ name: 'a', joined: new Date(), role: 'admin', email: 'x' })
  // Updates set any subset of columns, with the same value types.
  update(users).set({ nickname: null })
  // @ts-expect-error joined takes a Date
  update(users).set({ joined: '2024-01-01' })
}

export function comparisonsMustMatchTheColumnType(): void {
  users.c.name.eq('Alice')
  users.c.id.in([1, 2])
  users.c.nickname.eq(null)
  users.c.name.eq(users.c.nickname)
  // @ts-expect-error a String column compared with a number
  users.c.name.eq(1)
  // @ts-expect-error an Integer column compared with a string
  users.c.id.gt('5')
  // @ts-expect-error IN values of the wrong type
  users.c.id.in(['1'])
  // @ts-expect-error comparing columns of different types
  users.c.id.eq(users.c.name)
  // @ts-expect-error LIKE needs a string column
  users.c.id.like('1%')
  // @ts-expect-error arithmetic needs a numeric column
  users.c.active.add(1)
  // @ts-expect-error where() takes a condition, not a value
  select(users.c.id).where(users.c.name)
  // @ts-expect-error unknown column
  select(users.c.email)
}
