// transactions.ts — a transfer that commits as a whole or rolls back as a whole.
import { AsyncSession, Float, Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

class Account extends Base.model('accounts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
  balance: mappedColumn(Float),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

// Create initial accounts
{
  await using session = new AsyncSession(engine)
  session.addAll([new Account({ name: 'Alice', balance: 1000.0 }), new Account({ name: 'Bob', balance: 500.0 })])
  await session.commit()
}

// Simulate a transfer with error handling
{
  await using session = new AsyncSession(engine)
  try {
    const alice = await session.query(Account).filterBy({ name: 'Alice' }).first()
    const bob = await session.query(Account).filterBy({ name: 'Bob' }).first()
    if (!alice || !bob) throw new Error('account not found')

    // Transfer 200 from Alice to Bob
    alice.balance -= 200
    bob.balance += 200
    await session.commit()
    // toFixed(1) prints floats the way Python does (800.0)
    console.log(`Transfer successful: Alice=${alice.balance.toFixed(1)}, Bob=${bob.balance.toFixed(1)}`)
  } catch (e) {
    await session.rollback()
    console.log(`Transfer failed: ${e}`)
  }
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
