import { expect } from 'chai'
import {
  AsyncSession, ConcurrentUseError, Float, IntegrityError, InvalidRequestError, Integer, PendingRollbackError, String, declarativeBase, func,
  mappedColumn, select, sessionmaker, stateOf, update,
} from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Account extends Base.model('accounts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50), { unique: true }),
  balance: mappedColumn(Float, { default: 0 }),
}) {}

export const ormSessionSuite: Suite = (ctx) => describe('ORM session', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)

  async function seed(...names: string[]): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.addAll(names.map((name) => new Account({ name, balance: 100 })))
    await s.commit()
    statements.length = 0
  }
  /** Changes a row behind the session's back, from another connection. */
  async function elsewhere(name: string, balance: number): Promise<void> {
    await db.engine.begin(async (conn) => { await conn.execute(update(Account.__table__).set({ balance }).where(Account.c.name.eq(name))) })
  }
  const byName = (s: AsyncSession, name: string): Promise<Account> => s.scalars(select(Account).where(Account.c.name.eq(name))).then((r) => r.one())

  describe('membership', () => {
    it('tracks new, dirty and deleted objects through their lifecycle', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const bob = new Account({ name: 'bob' })
      expect(stateOf(bob).lifecycle).to.equal('transient')
      s.add(bob)
      expect(stateOf(bob).lifecycle).to.equal('pending')
      expect(s.new).to.deep.equal([bob])
      const alice = await byName(s, 'alice') // autoflush inserted bob first
      expect(s.new).to.deep.equal([])
      expect(stateOf(bob).lifecycle).to.equal('persistent')
      alice.balance = 50
      expect(s.dirty).to.deep.equal([alice])
      await s.delete(bob)
      expect(s.deleted).to.deep.equal([bob])
      expect(await s.get(Account, bob.id)).to.equal(undefined) // marked for deletion
      await s.commit()
      expect(stateOf(bob).lifecycle).to.equal('deleted')
      // Deleting a pending object just takes it out again.
      const carl = new Account({ name: 'carl' })
      s.add(carl)
      await s.delete(carl)
      expect(stateOf(carl).lifecycle).to.equal('transient')
      expect(s.new).to.deep.equal([])
    })

    it('does not autoflush when autoflush is off', async () => {
      await using s = new AsyncSession(db.engine, { autoflush: false })
      s.add(new Account({ name: 'dora' }))
      expect((await s.scalars(select(Account))).all()).to.deep.equal([])
      await s.flush()
      expect((await s.scalars(select(Account))).all()).to.have.length(1)
    })
  })

  describe('get and the identity map', () => {
    it('answers from the identity map without a query, and from one SELECT otherwise', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const a = await s.get(Account, 1)
      expect(statements).to.deep.equal([sql('SELECT "accounts"."id", "accounts"."name", "accounts"."balance" FROM "accounts" WHERE "accounts"."id" = ?')])
      expect(await s.get(Account, 1)).to.equal(a)
      expect(await byName(s, 'alice')).to.equal(a)
      expect(statements).to.have.length(2)
      expect(await s.get(Account, 999)).to.equal(undefined)
      await s.get(Account, [1, 2]).then(() => expect.fail('should reject'), (e: unknown) => expect((e as Error).message).to.match(/1-column primary key/))
    })
  })

  describe('expiry', () => {
    it('expires everything on commit, so the next query sees other transactions\' changes', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const a = await byName(s, 'alice')
      await s.commit()
      await elsewhere('alice', 7)
      expect(a.balance).to.equal(100) // no hidden I/O: the value stays until something reloads it
      expect(await byName(s, 'alice')).to.equal(a)
      expect(a.balance).to.equal(7)
    })

    it('keeps loaded values across commit with expireOnCommit: false (sessionmaker options)', async () => {
      await seed('alice')
      const Session = sessionmaker(db.engine, { expireOnCommit: false })
      await using s = Session()
      expect(s.expireOnCommit).to.equal(false)
      expect(Session({ expireOnCommit: true }).expireOnCommit).to.equal(true) // per-session override
      const a = await byName(s, 'alice')
      await s.commit()
      await elsewhere('alice', 7)
      await byName(s, 'alice')
      expect(a.balance).to.equal(100) // the identity map wins for unexpired objects
    })

    it('expire() and refresh() reload an object; refresh() drops unflushed changes', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine, { expireOnCommit: false })
      const a = await byName(s, 'alice')
      await s.commit()
      await elsewhere('alice', 7)
      a.balance = 1000
      s.expire(a)
      expect(s.dirty).to.deep.equal([]) // the unflushed change is dropped, so the query does not write it
      await byName(s, 'alice')
      expect(a.balance).to.equal(7)
      await s.commit()
      await elsewhere('alice', 8)
      a.name = 'renamed'
      await s.refresh(a)
      expect([a.name, a.balance]).to.deep.equal(['alice', 8])
      expect(s.dirty).to.deep.equal([])
    })
  })

  describe('expunge, close and merge', () => {
    it('expunge() detaches one object; close() detaches all and returns the connection', async () => {
      await seed('alice', 'bob')
      const s = new AsyncSession(db.engine)
      const a = await byName(s, 'alice')
      const b = await byName(s, 'bob')
      expect(db.engine.poolStatus.checkedOut).to.equal(1)
      s.expunge(a)
      expect(stateOf(a).lifecycle).to.equal('detached')
      const again = await byName(s, 'alice')
      expect(again).to.not.equal(a)
      await s.close()
      expect(stateOf(b).lifecycle).to.equal('detached')
      expect(db.engine.poolStatus.checkedOut).to.equal(0)
      // A closed session can be used again, like SQLAlchemy's.
      expect(await byName(s, 'bob')).to.not.equal(b)
      await s.close()
    })

    it('close() of a session that only read leaves its ROLLBACK to the pool, which finishes it before the connection is reused', async () => {
      await seed('alice')
      const events: string[] = []
      db.engine.events.on('rollback', () => void events.push('rollback'))
      const s = new AsyncSession(db.engine)
      const locked = select(Account).where(Account.c.name.eq('alice'))
      const alice = (await s.scalars(db.engine.dialect.capabilities.rowLocks ? locked.forUpdate() : locked)).one()
      alice.balance = 1 // changed but never flushed: close() still reverts it
      await s.close()
      expect(alice.balance).to.equal(100)
      expect(stateOf(alice).lifecycle).to.equal('detached')
      expect(events, 'the rollback is still reported').to.deep.equal(['rollback'])
      expect(db.engine.poolStatus.checkedOut).to.equal(0)
      // The row lock taken above is gone: the next session writes the row and commits.
      await using next = new AsyncSession(db.engine)
      ;(await byName(next, 'alice')).balance = 5
      await next.commit()
      expect((await byName(next, 'alice')).balance).to.equal(5)
    })

    for (const listening of [false, true]) {
      it(`close() after flushes it did not commit undoes them and detaches every object${listening ? ', an afterRollback listener seeing them rolled back but still held' : ''}`, async () => {
        await seed('alice', 'bob', 'carl')
        const s = new AsyncSession(db.engine, { autoflush: false })
        const seen: string[] = []
        if (listening) s.events.on('afterRollback', () => void seen.push(`${stateOf(alice).lifecycle} ${alice.balance} ${s.identityMap.size}`))
        const alice = await byName(s, 'alice')
        const bob = await byName(s, 'bob')
        const carl = await byName(s, 'carl')
        const dave = new Account({ name: 'dave', balance: 1 })
        s.add(dave)
        alice.balance = 1
        await s.delete(carl)
        await s.flush() // dave inserted, alice updated, carl deleted: all inside the transaction
        bob.balance = 2 // changed after the flush, never flushed
        const erin = new Account({ name: 'erin' })
        s.add(erin) // pending, never flushed
        await s.close()
        expect([alice.balance, bob.balance, carl.balance]).to.deep.equal([100, 100, 100])
        expect([alice, bob, carl].map((o) => stateOf(o).lifecycle)).to.deep.equal(['detached', 'detached', 'detached'])
        expect([stateOf(dave).lifecycle, dave.id, stateOf(erin).lifecycle]).to.deep.equal(['transient', undefined, 'transient'])
        expect([alice, bob, carl].map((o) => stateOf(o).expired)).to.deep.equal([true, true, true])
        expect(s.identityMap.size).to.equal(0)
        expect(seen).to.deep.equal(listening ? ['persistent 100 3'] : [])
        expect(db.engine.poolStatus.checkedOut).to.equal(0)
        await using check = new AsyncSession(db.engine)
        expect((await check.scalars(select(Account.c.name).orderBy(Account.c.name))).all()).to.deep.equal(['alice', 'bob', 'carl'])
      })
    }

    it('`await using` closes the session at the end of the block', async () => {
      await seed('alice')
      let a: Account
      {
        await using s = new AsyncSession(db.engine)
        a = await byName(s, 'alice')
        expect(db.engine.poolStatus.checkedOut).to.equal(1)
      }
      expect(db.engine.poolStatus.checkedOut).to.equal(0)
      expect(stateOf(a).lifecycle).to.equal('detached')
    })

    it('merge() copies a detached object onto the session\'s copy and writes only what changed', async () => {
      await seed('alice')
      let a: Account
      {
        await using s = new AsyncSession(db.engine)
        a = await byName(s, 'alice')
      }
      a.balance = 42
      await using s = new AsyncSession(db.engine)
      const inSession = await byName(s, 'alice')
      statements.length = 0
      const merged = await s.merge(a)
      expect(merged).to.equal(inSession)
      expect(merged.balance).to.equal(42)
      expect(stateOf(a).lifecycle).to.equal('detached') // the argument itself is not attached
      await s.commit()
      expect(statements).to.deep.equal([sql('UPDATE "accounts" SET "balance" = ? WHERE "accounts"."id" = ?')])
      // Adding the detached original instead would clash with the session's copy.
      expect(() => s.add(a)).to.throw(InvalidRequestError, /merge/)
    })
  })

  describe('transactions', () => {
    it('begin(fn) commits when fn returns and rolls back when it throws', async () => {
      await using s = new AsyncSession(db.engine)
      const n = await s.begin(async () => {
        s.add(new Account({ name: 'kept' }))
        return 1
      })
      expect(n).to.equal(1)
      const lost = new Account({ name: 'lost' })
      await s.begin(async () => {
        s.add(lost)
        await s.flush()
        throw new Error('abort')
      }).catch(() => undefined)
      expect(stateOf(lost).lifecycle).to.equal('transient')
      expect((await s.scalars(select(Account.c.name))).all()).to.deep.equal(['kept'])
    })

    it('begin() as an explicit call, refusing a second begin while one is open', async () => {
      await using s = new AsyncSession(db.engine)
      await s.begin()
      expect(s.inTransaction).to.equal(true)
      await s.begin().then(() => expect.fail('should refuse'), (e: unknown) => expect(e).to.be.instanceOf(InvalidRequestError))
      s.add(new Account({ name: 'x' }))
      await s.commit()
      expect(s.inTransaction).to.equal(false)
      expect(await s.scalar(select(Account.c.name))).to.equal('x')
    })

    it('rolls a savepoint back and restores the objects changed inside it', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const a = await byName(s, 'alice')
      a.balance = 90 // flushed by beginNested(): part of the outer transaction
      const tmp = new Account({ name: 'tmp' })
      await s.beginNested(async () => {
        a.balance = 10
        s.add(tmp)
        await s.flush()
        throw new Error('undo')
      }).catch(() => undefined)
      expect(a.balance).to.equal(90)
      expect(stateOf(tmp).lifecycle).to.equal('transient')
      await s.commit()
      expect((await s.execute(select(Account.c.name, Account.c.balance))).all()).to.deep.equal([['alice', 90]])
    })

    it('brings back objects deleted inside a rolled-back savepoint', async () => {
      await seed('alice', 'bob')
      await using s = new AsyncSession(db.engine)
      const bob = await byName(s, 'bob')
      await s.beginNested(async () => {
        await s.delete(bob)
        await s.flush()
        expect(stateOf(bob).lifecycle).to.equal('deleted')
        throw new Error('undo')
      }).catch(() => undefined)
      expect(stateOf(bob).lifecycle).to.equal('persistent')
      statements.length = 0
      expect(await s.get(Account, bob.id)).to.equal(bob)
      expect(statements).to.deep.equal([]) // back in the identity map
      bob.balance = 1
      await s.commit()
      expect(await s.scalar(select(Account.c.balance).where(Account.c.name.eq('bob')))).to.equal(1)
    })

    it('beginNested() as explicit calls: commit releases, rollback undoes', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const a = await byName(s, 'alice')
      const sp = await s.beginNested()
      a.balance = 1
      await sp.commit()
      const sp2 = await s.beginNested()
      a.balance = 2
      await s.flush()
      await sp2.rollback()
      expect(a.balance).to.equal(1)
      await s.commit()
      expect(await s.scalar(select(Account.c.balance))).to.equal(1)
    })

    it('after a failed flush refuses all work until rollback, which restores the objects', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const a = await byName(s, 'alice')
      a.balance = 5
      const dup = new Account({ name: 'alice' })
      s.add(dup)
      expect(await s.flush().catch((e: unknown) => e)).to.be.instanceOf(IntegrityError)
      for (const attempt of [() => s.flush(), () => s.commit(), () => s.get(Account, 1), () => s.scalars(select(Account))]) {
        await attempt().then(() => expect.fail('should refuse'), (e: unknown) => expect(e).to.be.instanceOf(PendingRollbackError).with.property('message').match(/rollback\(\)/))
      }
      expect(() => s.add(new Account({ name: 'z' }))).to.throw(PendingRollbackError)
      await s.rollback()
      expect(a.balance).to.equal(100)
      expect(stateOf(dup).lifecycle).to.equal('transient')
      expect([s.new, s.dirty, s.deleted]).to.deep.equal([[], [], []])
      expect(await byName(s, 'alice')).to.equal(a)
    })

    it('rollback brings back objects whose DELETE was flushed in the transaction', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      const alice = await byName(s, 'alice')
      await s.delete(alice)
      await s.flush()
      await s.rollback()
      expect(stateOf(alice).lifecycle).to.equal('persistent')
      expect(await byName(s, 'alice')).to.equal(alice)
      await s.delete(alice) // and it can be deleted again
      await s.commit()
      expect(await s.scalar(select(func.count()).from(Account))).to.equal(0)
    })

    it('refuses concurrent use with a clear error instead of interleaving', async () => {
      await seed('alice')
      await using s = new AsyncSession(db.engine)
      s.add(new Account({ name: 'bob' }))
      const [flush, query] = await Promise.allSettled([s.flush(), s.get(Account, 1)])
      expect(flush.status).to.equal('fulfilled')
      expect((query as PromiseRejectedResult).reason).to.be.instanceOf(ConcurrentUseError).with.property('message').match(/own session/)
    })
  })
})
