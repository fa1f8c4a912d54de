import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import {
  ArgumentError, AsyncSession, Integer, JSON as JsonType, Numeric, String, Text, ValueError, declarativeBase, literal, mappedColumn, select, text, typeDecorator,
} from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

/** A money amount as a value class: what a TypeDecorator gives the application instead of a string. */
class Money {
  readonly amount: string
  constructor(amount: string) {
    if (!/^-?\d+\.\d{2}$/.test(amount)) throw new Error(`'${amount}' is not an amount with two decimals`)
    this.amount = amount
  }
  plus(other: Money): Money {
    const cents = Math.round(Number(this.amount) * 100) + Math.round(Number(other.amount) * 100)
    return new Money((cents / 100).toFixed(2))
  }
}
const MoneyType = typeDecorator(Numeric(12, 2), { name: 'Money', toDriver: (m: Money) => m.amount, fromDriver: (s) => new Money(s) })

// An encrypted string: the database only ever holds ciphertext (AES-256-GCM, base64).
const key = createHash('sha256').update('athanor-compliance-suite').digest()
const Encrypted = typeDecorator(Text, {
  name: 'Encrypted',
  toDriver: (plain: string) => {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', key, iv)
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')
  },
  fromDriver: (stored) => {
    const raw = Buffer.from(stored, 'base64')
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
    d.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
  },
})

// Typed JSON with a run-time check in both directions.
interface Settings { theme: 'light' | 'dark'; fontSize: number }
function checkSettings(v: unknown): Settings {
  const s = v as Partial<Settings>
  if (typeof s !== 'object' || s === null || (s.theme !== 'light' && s.theme !== 'dark') || typeof s.fontSize !== 'number') {
    throw new Error('expected { theme: "light" | "dark", fontSize: number }')
  }
  return { theme: s.theme, fontSize: s.fontSize }
}
const SettingsType = typeDecorator(JsonType<unknown>(), { name: 'Settings', toDriver: (s: Settings) => checkSettings(s), fromDriver: (v) => checkSettings(v) })

const Base = declarativeBase()
class Customer extends Base.model('td_customers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40)),
  balance: mappedColumn(MoneyType),
  ssn: mappedColumn(Encrypted),
  settings: mappedColumn(SettingsType, { nullable: true }),
}) {}

/**
 * Custom types (`typeDecorator`): a type built from another with conversions of its own, applied
 * in inserts, updates, where clauses and results, on every backend.
 */
export const typesDecoratedSuite: Suite = (ctx) => describe('types: decorated (custom) types', () => {
  const db = useDatabase(ctx, Base.metadata)

  it('round-trips a value class, an encrypted string and a checked JSON through the ORM', async () => {
    {
      await using s = new AsyncSession(db.engine)
      s.add(new Customer({ name: 'Ann', balance: new Money('12.50'), ssn: '123-45-6789', settings: { theme: 'dark', fontSize: 14 } }))
      await s.commit()
    }
    await using s = new AsyncSession(db.engine)
    const ann = (await s.scalars(select(Customer))).one()
    expect(ann.balance).to.be.instanceOf(Money)
    expect(ann.balance.amount).to.equal('12.50')
    expect(ann.ssn).to.equal('123-45-6789')
    expect(ann.settings).to.deep.equal({ theme: 'dark', fontSize: 14 })
    // The database holds the underlying values: a decimal, ciphertext, JSON.
    const [stored] = (await s.execute(text('SELECT ssn FROM td_customers'))).all() as unknown as [[string]]
    expect(stored[0]).to.not.include('123-45-6789')
    expect(Buffer.from(stored[0], 'base64').length).to.equal(28 + '123-45-6789'.length)
  })

  it('converts where-clause values, and updates only what changed', async () => {
    await using s = new AsyncSession(db.engine)
    s.addAll([new Customer({ name: 'Ann', balance: new Money('12.50'), ssn: 'a' }), new Customer({ name: 'Bob', balance: new Money('99.99'), ssn: 'b' })])
    await s.commit()
    const rich = (await s.scalars(select(Customer.c.name).where(Customer.c.balance.gt(new Money('50.00'))))).all()
    expect(rich).to.deep.equal(['Bob'])
    const ann = (await s.scalars(select(Customer).where(Customer.c.name.eq('Ann')))).one()
    db.statements.length = 0
    ann.balance = new Money('12.50') // an equal value: not a change
    await s.flush()
    expect(db.statements.filter((q) => q.startsWith('UPDATE')), 'an equal Money is no change').to.deep.equal([])
    ann.balance = ann.balance.plus(new Money('0.75'))
    await s.commit()
    expect((await s.scalars(select(Customer.c.balance).where(Customer.c.name.eq('Ann')))).one().amount).to.equal('13.25')
  })

  it('refuses a value its conversion refuses, naming the column, and loses nothing', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Customer({ name: 'Cy', balance: new Money('1.00'), ssn: 'c', settings: { theme: 'blue', fontSize: 3 } as unknown as Settings }))
    const e = await s.flush().then(() => undefined, (x: unknown) => x)
    expect(e).to.be.instanceOf(ValueError)
    expect((e as Error).message).to.match(/^td_customers\.settings \(Settings\) cannot take an object \(Object\): expected \{ theme: "light" \| "dark", fontSize: number \}/)
  })

  it('refuses a primary key of a decorated type, saying what to map instead', () => {
    class Keyed extends declarativeBase().model('td_keyed', { id: mappedColumn(MoneyType, { primaryKey: true }) }) {}
    expect(() => new Keyed({ id: new Money('1.00') })).to.throw(ArgumentError, /^Keyed\.id is a primary key of the custom type Money\(Numeric\(12, 2\)\); identity keys need the stored value/)
  })

  it('is a type of its own in the compiled-statement cache: the same SQL with another type reads differently', async () => {
    await using s = new AsyncSession(db.engine)
    const asMoney = (await s.scalars(select(literal(new Money('3.10'), MoneyType)))).one()
    const asNumeric = (await s.scalars(select(literal('3.10', Numeric(12, 2))))).one()
    expect(asMoney).to.be.instanceOf(Money)
    expect(asNumeric).to.equal('3.10')
  })
})
