/**
 * A libSQL file database behind a real pool: reads run beside the one writer (WAL), writers of
 * this process queue for the write lock instead of meeting SQLITE_BUSY, a unit of work that only
 * reads never takes the lock, and whoever holds it is named in the pool status and in timeouts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import { createClient } from '@libsql/client'
import {
  ArgumentError, AsyncSession, Integer, LockTimeoutError, PoolTimeoutError, SerializationError, String as StringType,
  createAsyncEngine, declarativeBase, mappedColumn, select,
} from '@athanor/core'
import type { Engine } from '@athanor/core'
import { isWrite } from '../src/connection.js'
import '../src/index.js'

const Base = declarativeBase()
class Counter extends Base.model('counters', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(StringType(20)),
  n: mappedColumn(Integer),
}) {}

async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a failure')
}

describe('libSQL file database with a pool', () => {
  let dir: string
  let path: string
  let engine: Engine
  const engines: Engine[] = []
  const open = (options: Parameters<typeof createAsyncEngine>[1] = {}): Engine => {
    const e = createAsyncEngine(`sqlite:///${path}`, options)
    engines.push(e)
    return e
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-file-pool-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  beforeEach(async () => {
    path = join(dir, `db${++n}.sqlite`)
    engine = open({ pool: { size: 4, maxOverflow: 0 } })
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    s.addAll(Array.from({ length: 5 }, (_, i) => new Counter({ name: `c${i + 1}`, n: 0 })))
    await s.commit()
  })
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.dispose()
  })

  it('takes the pool options of the server dialects; :memory: keeps one connection and says why', async () => {
    expect(engine.dialect.capabilities.concurrentConnections).to.equal(true)
    await using a = await engine.connect()
    await using b = await engine.connect()
    await a.execute(select(Counter.c.id))
    await b.execute(select(Counter.c.id))
    expect(engine.poolStatus).to.include({ size: 4, checkedOut: 2 })
    const e = await failure(Promise.resolve().then(() => createAsyncEngine('sqlite://:memory:', { pool: { size: 4 } })))
    expect(e).to.be.instanceOf(ArgumentError)
    expect(e.message).to.match(/one connection per engine for an in-memory database \(each connection would open its own, empty database; use a file, sqlite:\/\/\/app\.db, for a pool\)/)
  })

  it('a unit of work that only reads takes no write lock: it runs while another process holds it', async () => {
    const other = createClient({ url: `file:${path}` })
    try {
      const held = await other.transaction('write') // another process is writing
      await held.execute("UPDATE counters SET n = 99 WHERE id = 1")
      await using s = new AsyncSession(engine)
      const rows = (await s.scalars(select(Counter).orderBy(Counter.c.id))).all()
      expect(rows.map((c) => c.n), 'the last committed values, without waiting').to.deep.equal([0, 0, 0, 0, 0])
      expect(engine.poolStatus.writeLock, 'a reader holds no write lock').to.equal(undefined)
      await s.commit()
      await held.rollback()
    } finally {
      other.close()
    }
  })

  it('a long read never blocks a writer, and a writer does not block readers', async () => {
    await using reader = new AsyncSession(engine)
    expect((await reader.scalars(select(Counter.c.n).where(Counter.c.id.eq(1)))).one()).to.equal(0) // its snapshot
    // A writer commits while the reader's transaction is open.
    await new AsyncSession(engine).run(async (s) => {
      (await s.get(Counter, 1))!.n = 1
    })
    expect((await reader.scalars(select(Counter.c.n).where(Counter.c.id.eq(1)))).one(), 'the snapshot holds').to.equal(0)
    await reader.commit()
    // A writer holds the lock (flushed, not committed); readers still read the committed rows.
    await using writer = new AsyncSession(engine)
    ;(await writer.get(Counter, 2))!.n = 2
    await writer.flush()
    const lock = engine.poolStatus.writeLock
    expect(lock, 'the pool names the writer').to.not.equal(undefined)
    expect(lock!.heldMs).to.be.at.least(0)
    const seen = await Promise.all([1, 2, 3].map(async () => {
      await using s = new AsyncSession(engine)
      return (await s.scalars(select(Counter.c.n).orderBy(Counter.c.id))).all()
    }))
    expect(seen).to.deep.equal([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    await writer.commit()
    expect(engine.poolStatus.writeLock).to.equal(undefined)
  })

  it('writers queue for the lock instead of failing with SQLITE_BUSY', async () => {
    const order: string[] = []
    await using first = new AsyncSession(engine)
    first.add(new Counter({ name: 'first', n: 1 }))
    await first.flush() // holds the write lock
    const second = (async () => {
      await using s = new AsyncSession(engine)
      s.add(new Counter({ name: 'second', n: 2 }))
      await s.commit() // waits for `first`
      order.push('second committed')
    })()
    await sleep(50)
    order.push('first commits')
    await first.commit()
    await second
    expect(order).to.deep.equal(['first commits', 'second committed'])
    await using s = new AsyncSession(engine)
    expect((await s.scalars(select(Counter.c.name).where(Counter.c.id.gt(5)).orderBy(Counter.c.id))).all()).to.deep.equal(['first', 'second'])
  })

  it('a writer that waits too long fails with LockTimeoutError naming the holder; the pool timeout names it too', async () => {
    const short = open({ pool: { size: 1, maxOverflow: 0, checkoutTimeoutMs: 200, debug: true }, driverOptions: { busyTimeoutMs: 200 } })
    await using holder = new AsyncSession(short)
    ;(await holder.get(Counter, 1))!.n = 5
    await holder.flush()
    const status = short.poolStatus.writeLock
    expect(status?.checkedOutAt, 'debug mode names the call site').to.match(/file-pool\.test\.ts/)
    // Another engine on the same file waits for this process's lock, then gives up.
    await using waiter = new AsyncSession(open({ driverOptions: { busyTimeoutMs: 200 } }))
    ;(await waiter.get(Counter, 2))!.n = 6
    const e = await failure(waiter.commit())
    expect(e).to.be.instanceOf(LockTimeoutError)
    expect(e.message).to.match(/Waited \d+ ms \(the busyTimeoutMs driver option\) for the write lock of .*db\d+\.sqlite: another transaction of this process has held it for \d+ ms/)
    expect((e as LockTimeoutError).driverCode).to.equal('write-lock-timeout')
    await waiter.rollback()
    // A checkout on the holder's own engine times out and says who holds the lock.
    const p = await failure(short.connect())
    expect(p).to.be.instanceOf(PoolTimeoutError)
    expect(p.message).to.match(/holding the database's write lock for \d+ ms/).and.match(/file-pool\.test\.ts/)
    await holder.rollback()
    expect(short.poolStatus.writeLock).to.equal(undefined)
  })

  it('names the connection of its own pool that holds the lock when a wait times out', async () => {
    const short = open({ pool: { size: 2, maxOverflow: 0 }, driverOptions: { busyTimeoutMs: 150 } })
    await using holder = new AsyncSession(short)
    holder.add(new Counter({ name: 'h', n: 0 }))
    await holder.flush()
    await using waiter = new AsyncSession(short)
    waiter.add(new Counter({ name: 'w', n: 0 }))
    const e = await failure(waiter.commit())
    expect(e).to.be.instanceOf(LockTimeoutError)
    expect(e.message).to.match(/It is connection #\d+ of this engine's pool \(create the pool with debug: true to see where it was checked out\)\./)
    expect(e.message, 'the failing statement is kept').to.match(/\[SQL: INSERT INTO "counters"/)
  })

  it('a read-then-write outrun by another writer fails with SerializationError, and session.run() retries it to success', async () => {
    await using s = new AsyncSession(engine)
    const c = (await s.get(Counter, 1))!
    await new AsyncSession(engine).run(async (o) => {
      (await o.get(Counter, 1))!.n = 10
    })
    c.n = c.n + 1
    const e = await failure(s.commit())
    expect(e).to.be.instanceOf(SerializationError)
    expect(e.message).to.match(/another connection committed after this transaction started reading/)
    await s.rollback()
    let attempts = 0
    await new AsyncSession(engine).run(async (o, attempt) => {
      attempts = attempt
      const row = (await o.get(Counter, 1))!
      if (attempt === 1) {
        // Someone else commits between this attempt's read and its write.
        await new AsyncSession(engine).run(async (x) => {
          (await x.get(Counter, 1))!.n += 100
        })
      }
      row.n += 1
    })
    expect(attempts, 'the retry took the lock at its first statement and could not be outrun').to.equal(2)
    await using check = new AsyncSession(engine)
    expect((await check.get(Counter, 1))!.n).to.equal(111)
  })

  it("transactionMode 'write' takes the lock at the first statement of every read-write transaction", async () => {
    const eager = open({ pool: { size: 2 }, driverOptions: { transactionMode: 'write' } })
    await using s = new AsyncSession(eager)
    await s.scalars(select(Counter))
    expect(eager.poolStatus.writeLock).to.not.equal(undefined)
    await s.commit()
    expect(eager.poolStatus.writeLock).to.equal(undefined)
    await using ro = await eager.connect({ readOnly: true })
    await ro.execute(select(Counter.c.id))
    expect(eager.poolStatus.writeLock, 'read-only transactions never take it').to.equal(undefined)
  })

  it('50 concurrent requests mixing reads and writes finish with no timeout and no BUSY error', async () => {
    const errors: unknown[] = []
    let increments = 0
    await Promise.all(Array.from({ length: 50 }, async (_, k) => {
      try {
        if (k % 10 < 3) {
          // A write: read-modify-write as a unit of work, with other I/O before its write.
          await new AsyncSession(engine).run(async (s) => {
            const c = (await s.get(Counter, 1 + (k % 5)))!
            await sleep(1)
            c.n += 1
          })
          increments++
        } else {
          // A read: a page of rows, other I/O, another query in the same transaction.
          await using s = new AsyncSession(engine)
          const first = (await s.scalars(select(Counter).orderBy(Counter.c.id))).all()
          await sleep(2)
          const again = (await s.scalars(select(Counter).orderBy(Counter.c.id))).all()
          expect(again.map((c) => c.n), 'one snapshot per transaction').to.deep.equal(first.map((c) => c.n))
        }
      } catch (e) {
        errors.push(e)
      }
    }))
    expect(errors.map(String)).to.deep.equal([])
    await using s = new AsyncSession(engine)
    const total = (await s.scalars(select(Counter.c.n))).all().reduce((a, b) => a + b, 0)
    expect(total, 'no increment lost').to.equal(increments)
    expect(increments).to.equal(15)
  })

  it('classifies statements: only those that cannot write begin DEFERRED without the lock', () => {
    for (const sql of ['SELECT 1', '  select * from t', 'VALUES (1)', 'EXPLAIN QUERY PLAN SELECT 1', 'SAVEPOINT sp_1', 'RELEASE sp_1',
      'ROLLBACK TO sp_1', 'PRAGMA table_info(t)', 'PRAGMA journal_mode', 'PRAGMA journal_mode = WAL', 'PRAGMA foreign_keys = OFF', 'WITH x AS (SELECT 1) SELECT * FROM x']) {
      expect(isWrite(sql), sql).to.equal(false)
    }
    for (const sql of ['INSERT INTO t VALUES (1)', 'UPDATE t SET a = 1', 'DELETE FROM t', 'REPLACE INTO t VALUES (1)', 'CREATE TABLE t (a)',
      'DROP TABLE t', 'PRAGMA user_version = 3', 'WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'VACUUM']) {
      expect(isWrite(sql), sql).to.equal(true)
    }
  })
})
