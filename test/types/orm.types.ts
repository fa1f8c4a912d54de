/**
 * Type tests for the ORM face of the expression language: `session.scalars(select(User))` gives
 * `User` instances, entity and column items mix in one row, and wrong comparisons do not compile.
 */
import { AsyncSession, ForeignKey, Integer, String, declarativeBase, del, func, insert, mappedColumn, relationship, select, update } from '@athanor/core'
import type { ScalarResult, WriteOnlyCollection } from '@athanor/core'
import { selectinload } from '@athanor/core'
import { expectType } from './expect-type.js'

const Base = declarativeBase()
class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(30)),
  fullname: mappedColumn(String(100), { nullable: true }),
})<User> {
  declare addresses: Address[]
  static addresses = relationship(() => Address, { backPopulates: 'user' })
}
class Address extends Base.model('addresses', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(100)),
  user_id: mappedColumn(Integer, ForeignKey('users.id')),
})<Address> {
  declare user: User
  static user = relationship(() => User, { backPopulates: 'addresses' })
}

export async function scalarsOfAnEntityAreInstances(session: AsyncSession): Promise<void> {
  const users = await session.scalars(select(User).where(User.c.name.eq('spongebob')))
  expectType<ScalarResult<User>>()(users)
  expectType<User[]>()(users.all())
  expectType<User>()(users.one())
  expectType<User | undefined>()(await session.get(User, 1))
  const [first] = users.all()
  if (first) {
    expectType<string>()(first.name)
    expectType<string | null>()(first.fullname)
    expectType<Address[]>()(first.addresses)
  }
}

export async function entitiesAndColumnsMixInOneRow(session: AsyncSession): Promise<void> {
  const rows = (await session.execute(select(User, Address.c.email).join(Address))).all()
  expectType<[User, string][]>()(rows)
  expectType<(string | null)[]>()((await session.scalars(select(User.c.fullname))).all())
  expectType<number | undefined>()(await session.scalar(select(func.count()).from(User)))
}

export function wrongComparisonsDoNotCompile(): void {
  select(User).where(User.c.name.eq('x'), User.c.id.in([1, 2]), User.c.fullname.isNull())
  // @ts-expect-error a String column compared with a number
  select(User).where(User.c.name.eq(1))
  // @ts-expect-error an Integer column compared with a string
  select(User).where(User.c.id.eq('1'))
  // @ts-expect-error unknown column
  select(User).where(User.c.nickname.eq('x'))
  // @ts-expect-error instance fields are typed too
  new User({ name: 'x' }).name = 5
  // @ts-expect-error the constructor checks column value types
  new User({ name: 5 })
}

export async function upserts(session: AsyncSession): Promise<void> {
  // session.upsert() returns the class it was given, and its keys are the object's attributes.
  expectType<User[]>()(await session.upsert(new User({ name: 'ann' }), { on: ['name'], update: ['fullname'] }))
  // @ts-expect-error `on` names attributes of the objects
  await session.upsert(new User({ name: 'ann' }), { on: ['nmae'] })
  // @ts-expect-error so does `update`
  await session.upsert([new User({ name: 'ann' })], { on: ['name'], update: ['email'] })
}

export async function bulkStatementsOnClasses(session: AsyncSession): Promise<void> {
  // insert(User) takes the class's attributes, and returning(User) yields User objects.
  const users = (await session.execute(insert(User).values([{ name: 'ann' }, { name: 'bob', fullname: null }]).returning(User))).scalars().all()
  expectType<User[]>()(users)
  // @ts-expect-error an attribute the class does not have
  insert(User).values({ nmae: 'ann' })
  // @ts-expect-error a value of the wrong type
  update(User).values({ name: 5 })
  // @ts-expect-error synchronizeSession takes 'fetch', 'evaluate' or false
  del(User).where(User.c.id.eq(1)).executionOptions({ synchronizeSession: 'auto' })
  await session.execute(update(User).where(User.c.id.eq(1)).values({ fullname: User.c.name }).executionOptions({ synchronizeSession: 'evaluate' }))
}

class Feed extends Base.model('feeds', { id: mappedColumn(Integer, { primaryKey: true }) })<Feed> {
  declare entries: WriteOnlyCollection<Entry>
  static entries = relationship(() => Entry, { writeOnly: true })
}
class Entry extends Base.model('entries', { id: mappedColumn(Integer, { primaryKey: true }), feed_id: mappedColumn(Integer, ForeignKey('feeds.id')) }) {}

export async function writeOnlyCollections(session: AsyncSession, feed: Feed): Promise<void> {
  feed.entries.add(new Entry({ feed_id: 1 }))
  // @ts-expect-error a write-only collection takes its target class only
  feed.entries.add(new User({ name: 'x' }))
  expectType<Entry[]>()((await session.scalars(feed.entries.select().limit(20))).all())
  // @ts-expect-error a write-only collection is never loaded: no loader option takes it
  await session.scalars(select(Feed).options(selectinload(Feed.entries)))
}

export function validators(): void {
  // A validator's parameter is checked against the column's type.
  mappedColumn(String(10), { validate: (v: string) => v.trim() })
  // @ts-expect-error a number validator on a string column
  mappedColumn(String(10), { validate: (v: number) => v + 1 })
}
