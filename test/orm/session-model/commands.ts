/**
 * The steps of a session program: each one checks its precondition against the model (a step
 * that would block on another transaction's lock is skipped, so a program never waits), runs
 * on the real sessions and on the model, and then the whole system is verified.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { DeadlockError, InvalidRequestError, PendingRollbackError, StaleDataError, select, update } from '@athanor/core'
import type { AsyncSession } from '@athanor/core'
import type { Column, Model, ObjModel, Row, SessionModel } from './model.js'
import { Item, type RealSystem } from './system.js'

type Step = fc.AsyncCommand<Model, RealSystem>

const at = (m: Model, s: number): SessionModel => m.sessions[s % m.sessions.length]!
const pickFrom = <T>(items: readonly T[], pick: number): T | undefined => (items.length === 0 ? undefined : items[pick % items.length])
const held = (m: SessionModel): ObjModel[] => [...m.identity.values()].sort((x, y) => x.id - y.id)

/** Runs work that may autoflush: on a predicted failure it must fail with the flush's error and leave the session needing a rollback. */
async function flushing<T>(m: Model, sm: SessionModel, session: AsyncSession, work: () => Promise<T>): Promise<T | undefined> {
  const fails = sm.failed === false && m.flushWouldFail(sm)
  if (!fails) return work()
  const error = await work().then(() => undefined, (e: unknown) => e)
  expect(error, 'an UPDATE/DELETE of a row another transaction deleted fails the flush').to.be.instanceOf(StaleDataError)
  m.flush(sm)
  const next = await session.flush().then(() => undefined, (e: unknown) => e)
  expect(next, 'then the session refuses work until rollback()').to.be.instanceOf(PendingRollbackError)
  return undefined
}

/** A read that may autoflush is allowed when its flush would not block and it may take a connection. */
const mayRead = (m: Model, sm: SessionModel): boolean => !sm.failed && !m.flushWouldBlock(sm) && m.mayConnect(sm)

/** Model of session.get(): from the identity map when held and fresh, else autoflush and one SELECT. */
function modelGet(m: Model, sm: SessionModel, id: number): ObjModel | undefined | 'failed' {
  const hit = sm.identity.get(id)
  if (hit !== undefined && !hit.expired) return sm.marked.has(id) ? undefined : hit
  if (hit !== undefined || sm.pending.size > 0 || sm.marked.size > 0) {
    if (!m.flush(sm)) return 'failed'
  }
  sm.inTx = true
  return m.visible(sm, id) === undefined ? undefined : m.load(sm, id, false)
}

/** Steps that ran (passed their precondition), for the test's report. */
export const executed = { count: 0 }

class Verified implements Step {
  readonly label: string
  readonly precondition: (m: Model) => boolean
  readonly body: (m: Model, r: RealSystem) => Promise<void>
  constructor(label: string, precondition: (m: Model) => boolean, body: (m: Model, r: RealSystem) => Promise<void>) {
    this.label = label
    this.precondition = precondition
    this.body = body
  }
  check(m: Readonly<Model>): boolean {
    // fast-check hands the model over as Readonly; preconditions only read it.
    return this.precondition(m as Model)
  }
  async run(m: Model, r: RealSystem): Promise<void> {
    await this.body(m, r)
    await r.verify(m)
    executed.count++
  }
  toString(): string {
    return this.label
  }
}

const session = fc.nat(3)
const pick = fc.nat(50)
const column = fc.constantFrom<Column>('a', 'b')
const value = fc.integer({ min: -3, max: 3 })

/** Every kind of step, with its arguments drawn by fast-check. */
export const steps: fc.Arbitrary<Step>[] = [
  fc.record({ s: session, a: value, b: value }).map(({ s, a, b }) => new Verified(`add(s${s}, a=${a}, b=${b})`, (m) => !at(m, s).failed, async (m, r) => {
    const sm = at(m, s)
    const id = m.nextId++
    const row: Row = { a, b }
    r.sessions[s % m.sessions.length]!.add(new Item({ id, ...row }))
    sm.pending.set(id, { id, values: row, committed: row, token: 0, expired: false, txSnapshot: undefined, insertedInTx: false })
  })),

  fc.record({ s: session, p: pick, col: column, v: value }).map(({ s, p, col, v }) => new Verified(`set(s${s}, #${p}.${col} = ${v})`,
    (m) => !at(m, s).failed && held(at(m, s)).some((o) => !at(m, s).marked.has(o.id)),
    async (m, r) => {
      const sm = at(m, s)
      const o = pickFrom(held(sm).filter((x) => !sm.marked.has(x.id)), p)!
      r.object(s % m.sessions.length, o.id)[col] = v
      o.values = { ...o.values, [col]: v }
    })),

  fc.record({ s: session, p: pick }).map(({ s, p }) => new Verified(`increment(s${s}, #${p}.a)`,
    (m) => !at(m, s).failed && held(at(m, s)).some((o) => !at(m, s).marked.has(o.id)),
    async (m, r) => {
      const sm = at(m, s)
      const o = pickFrom(held(sm).filter((x) => !sm.marked.has(x.id)), p)!
      r.object(s % m.sessions.length, o.id).a += 1 // computed from the value the object holds, as app code does
      o.values = { ...o.values, a: o.values.a + 1 }
    })),

  fc.record({ s: session, p: pick }).map(({ s, p }) => new Verified(`delete(s${s}, #${p})`,
    (m) => !at(m, s).failed && held(at(m, s)).some((o) => !at(m, s).marked.has(o.id)),
    async (m, r) => {
      const sm = at(m, s)
      const o = pickFrom(held(sm).filter((x) => !sm.marked.has(x.id)), p)!
      await r.sessions[s % m.sessions.length]!.delete(r.object(s % m.sessions.length, o.id))
      sm.marked.add(o.id)
    })),

  session.map((s) => new Verified(`flush(s${s})`, (m) => mayRead(m, at(m, s)), async (m, r) => {
    const sm = at(m, s)
    const real = r.sessions[s % m.sessions.length]!
    await flushing(m, sm, real, async () => {
      await real.flush()
      m.flush(sm)
    })
  })),

  session.map((s) => new Verified(`commit(s${s})`, (m) => mayRead(m, at(m, s)), async (m, r) => {
    const sm = at(m, s)
    const i = s % m.sessions.length
    await flushing(m, sm, r.sessions[i]!, async () => {
      await r.sessions[i]!.commit()
      m.flush(sm)
      m.commit(sm)
      r.savepoints[i]!.length = 0
    })
  })),

  session.map((s) => new Verified(`rollback(s${s})`, () => true, async (m, r) => {
    const i = s % m.sessions.length
    await r.sessions[i]!.rollback()
    m.rollback(at(m, s))
    r.savepoints[i]!.length = 0
  })),

  session.map((s) => new Verified(`selectAll(s${s})`, (m) => mayRead(m, at(m, s)), async (m, r) => {
    const sm = at(m, s)
    const i = s % m.sessions.length
    await flushing(m, sm, r.sessions[i]!, async () => {
      const got = (await r.sessions[i]!.scalars(select(Item).orderBy(Item.c.id))).all()
      m.flush(sm)
      sm.inTx = true
      const want = m.visibleIds(sm).map((id) => m.load(sm, id, false).id)
      expect(got.map((o) => o.id), 'the rows the session sees').to.deep.equal(want)
      r.remember(i, got)
    })
  })),

  fc.record({ s: session, p: pick, share: fc.boolean() }).map(({ s, p, share }) => new Verified(`lockingRead(s${s}, #${p}, ${share ? 'FOR SHARE' : 'FOR UPDATE'})`,
    (m) => {
      const sm = at(m, s)
      const id = pickFrom(m.visibleIds(sm), p)
      return id !== undefined && mayRead(m, sm) && !m.lockedByOthers(sm, id)
    },
    async (m, r) => {
      const sm = at(m, s)
      const i = s % m.sessions.length
      const id = pickFrom(m.visibleIds(sm), p)!
      await flushing(m, sm, r.sessions[i]!, async () => {
        const query = select(Item).where(Item.c.id.eq(id))
        const got = (await r.sessions[i]!.scalars(share ? query.forShare() : query.forUpdate())).all()
        m.flush(sm)
        sm.inTx = true
        const want = m.visible(sm, id) === undefined ? [] : [m.load(sm, id, true).id]
        if (want.length > 0) sm.locks.add(id)
        expect(got.map((o) => o.id)).to.deep.equal(want)
        r.remember(i, got)
      })
    })),

  fc.record({ s: session, p: pick }).map(({ s, p }) => new Verified(`get(s${s}, #${p})`,
    (m) => mayRead(m, at(m, s)),
    async (m, r) => {
      const sm = at(m, s)
      const i = s % m.sessions.length
      const ids = [...new Set([...m.visibleIds(sm), ...sm.identity.keys(), m.nextId + 100])].sort((x, y) => x - y)
      const id = pickFrom(ids, p)!
      const hit = sm.identity.get(id)
      const flushes = (hit === undefined || hit.expired) && (hit !== undefined || sm.pending.size > 0 || sm.marked.size > 0)
      if (flushes && m.flushWouldFail(sm)) {
        await flushing(m, sm, r.sessions[i]!, () => r.sessions[i]!.get(Item, id))
        return
      }
      const got = await r.sessions[i]!.get(Item, id)
      const want = modelGet(m, sm, id)
      expect(got?.id, `get(${id})`).to.equal(want === undefined || want === 'failed' ? undefined : want.id)
      if (got !== undefined) r.remember(i, [got])
    })),

  fc.record({ s: session, p: pick }).map(({ s, p }) => new Verified(`expire(s${s}, #${p})`,
    (m) => !at(m, s).failed && held(at(m, s)).length > 0,
    async (m, r) => {
      const sm = at(m, s)
      const o = pickFrom(held(sm), p)!
      r.sessions[s % m.sessions.length]!.expire(r.object(s % m.sessions.length, o.id))
      o.values = o.committed
      o.expired = true
    })),

  fc.record({ s: session, p: pick }).map(({ s, p }) => new Verified(`refresh(s${s}, #${p})`,
    (m) => mayRead(m, at(m, s)) && held(at(m, s)).some((o) => !at(m, s).marked.has(o.id)),
    async (m, r) => {
      const sm = at(m, s)
      const i = s % m.sessions.length
      const o = pickFrom(held(sm).filter((x) => !sm.marked.has(x.id)), p)!
      o.values = o.committed
      o.expired = true
      const real = r.sessions[i]!
      const obj = r.object(i, o.id)
      if (m.flushWouldFail(sm)) {
        await flushing(m, sm, real, () => real.refresh(obj))
        return
      }
      const error = await real.refresh(obj).then(() => undefined, (e: unknown) => e)
      m.flush(sm)
      sm.inTx = true
      if (m.visible(sm, o.id) === undefined) {
        expect(error, 'refresh() of a row that is gone').to.be.instanceOf(InvalidRequestError).with.property('code', 'stale-data')
      } else {
        expect(error).to.equal(undefined)
        m.load(sm, o.id, false)
      }
    })),

  session.map((s) => new Verified(`beginNested(s${s})`, (m) => mayRead(m, at(m, s)), async (m, r) => {
    const sm = at(m, s)
    const i = s % m.sessions.length
    await flushing(m, sm, r.sessions[i]!, async () => {
      r.savepoints[i]!.push(await r.sessions[i]!.beginNested())
      m.flush(sm)
      m.beginNested(sm)
    })
  })),

  session.map((s) => new Verified(`rollbackNested(s${s})`, (m) => !at(m, s).failed && at(m, s).savepoints.length > 0, async (m, r) => {
    await r.savepoints[s % m.sessions.length]!.pop()!.rollback()
    m.rollbackNested(at(m, s))
  })),

  session.map((s) => new Verified(`releaseNested(s${s})`, (m) => mayRead(m, at(m, s)) && at(m, s).savepoints.length > 0, async (m, r) => {
    const sm = at(m, s)
    const i = s % m.sessions.length
    await flushing(m, sm, r.sessions[i]!, async () => {
      await r.savepoints[i]![r.savepoints[i]!.length - 1]!.commit()
      r.savepoints[i]!.pop()
      m.flush(sm)
      sm.savepoints.pop()
    })
  })),

  fc.record({ p: pick, col: column, v: value }).map(({ p, col, v }) => new Verified(`otherWrite(#${p}.${col} = ${v})`,
    (m) => {
      const id = pickFrom([...m.db.keys()].sort((x, y) => x - y), p)
      return id !== undefined && m.sessions.every((sm) => !sm.locks.has(id)) && (m.concurrent || m.sessions.every((sm) => !sm.inTx))
    },
    async (m, r) => {
      const id = pickFrom([...m.db.keys()].sort((x, y) => x - y), p)!
      await r.engine.begin(async (conn) => { await conn.execute(update(Item.__table__).set({ [col]: v }).where(Item.c.id.eq(id))) })
      m.db.set(id, { ...m.db.get(id)!, [col]: v })
    })),

  fc.record({ s: session, p: pick, failFirst: fc.boolean() }).map(({ s, p, failFirst }) => new Verified(`run(s${s}, #${p}.a += 1${failFirst ? ', first attempt a deadlock victim' : ''})`,
    (m) => {
      const sm = at(m, s)
      const id = pickFrom(m.visibleIds(sm), p)
      return id !== undefined && !sm.inTx && mayRead(m, sm) && !m.flushWouldFail(sm) && !sm.marked.has(id) && !m.lockedByOthers(sm, id) && !sm.pending.has(id)
    },
    async (m, r) => {
      const sm = at(m, s)
      const i = s % m.sessions.length
      const id = pickFrom(m.visibleIds(sm), p)!
      await r.sessions[i]!.run(async (tx, attempt) => {
        const item = (await tx.get(Item, id))!
        item.a += 1
        if (failFirst && attempt === 1) throw new DeadlockError('simulated deadlock victim', undefined)
      }, { retries: 1, baseDelayMs: 0 })
      const attempt = (): void => {
        const o = modelGet(m, sm, id) as ObjModel
        o.values = { ...o.values, a: o.values.a + 1 }
      }
      attempt()
      if (failFirst) (m.rollback(sm), attempt())
      m.flush(sm)
      m.commit(sm)
      r.savepoints[i]!.length = 0
    })),
]
