/**
 * Type tests for decorated types (checked by `npm run typecheck`): a column of a decorated type
 * holds the decorator's type on instances, in constructors and in expressions.
 */
import { Integer, Numeric, declarativeBase, mappedColumn, select, typeDecorator } from '@athanor/core'
import type { AsyncSession } from '@athanor/core'
import { expectType } from './expect-type.js'

class Money {
  readonly amount: string
  constructor(amount: string) {
    this.amount = amount
  }
}
const MoneyType = typeDecorator(Numeric(12, 2), { name: 'Money', toDriver: (m: Money) => m.amount, fromDriver: (s) => new Money(s) })

const Base = declarativeBase()
class Item extends Base.model('td_items', { id: mappedColumn(Integer, { primaryKey: true }), price: mappedColumn(MoneyType) }) {}

export async function decoratedTypes(session: AsyncSession): Promise<void> {
  const item = new Item({ price: new Money('1.00') })
  expectType<Money>()(item.price)
  // @ts-expect-error the column holds Money, not the decimal string the database stores
  void new Item({ price: '1.00' })
  expectType<Money[]>()((await session.scalars(select(Item.c.price).where(Item.c.price.gt(new Money('0.50'))))).all())
  // @ts-expect-error comparisons take the decorator's type too
  void Item.c.price.gt('0.50')
}
