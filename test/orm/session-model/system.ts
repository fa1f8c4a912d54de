/**
 * The real side of the session-model test: one engine, 2–4 sessions on it, and the check that
 * after every step each session's identity map, objects and pending/deleted sets and the
 * committed database are exactly what the model says.
 */
import { expect } from 'chai'
import { AsyncSession, Integer, declarativeBase, del, insert, mappedColumn, select, stateOf, type Engine } from '@athanor/core'
import type { Model, Row } from './model.js'

const Base = declarativeBase()
export class Item extends Base.model('sm_items', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  a: mappedColumn(Integer),
  b: mappedColumn(Integer),
}) {}
export const metadata = Base.metadata

/** The rows every program starts from. */
export const SEED: ReadonlyMap<number, Row> = new Map([[1, { a: 10, b: 20 }], [2, { a: 30, b: 40 }], [3, { a: 50, b: 60 }]])

/** What session.beginNested() without a function returns. */
interface SavepointHandle {
  commit(): Promise<void>
  rollback(): Promise<void>
}

export class RealSystem {
  readonly engine: Engine
  readonly sessions: AsyncSession[]
  /** Open savepoint handles per session, innermost last. */
  readonly savepoints: SavepointHandle[][]
  /** The object each session gave for each row id, to prove it never gives two. */
  readonly seen: Map<number, Item>[]

  private constructor(engine: Engine, sessions: number) {
    this.engine = engine
    this.sessions = Array.from({ length: sessions }, () => new AsyncSession(engine, { nPlusOne: { mode: 'off' } }))
    this.savepoints = this.sessions.map(() => [])
    this.seen = this.sessions.map(() => new Map())
  }

  /** Resets the table to SEED and opens `sessions` sessions. */
  static async start(engine: Engine, sessions: number): Promise<RealSystem> {
    await engine.begin(async (conn) => {
      await conn.execute(del(Item.__table__))
      await conn.execute(insert(Item.__table__).values([...SEED].map(([id, row]) => ({ id, ...row }))))
    })
    return new RealSystem(engine, sessions)
  }

  async close(): Promise<void> {
    for (const s of this.sessions) await s.close().catch(() => undefined)
  }

  /** The session's object for row `id` (from its identity map). */
  object(session: number, id: number): Item {
    for (const obj of this.sessions[session]!.identityMap.values()) if ((obj as Item).id === id) return obj as Item
    throw new Error(`session ${session} holds no object for row ${id}`)
  }

  /** Records objects a query returned; the same row must always come back as the same object. */
  remember(session: number, objects: readonly Item[]): void {
    const seen = this.seen[session]!
    for (const o of objects) {
      const before = seen.get(o.id)
      const lifecycle = before === undefined ? undefined : stateOf(before).lifecycle
      if (before !== undefined && lifecycle === 'persistent') expect(o, `session ${session}: row ${o.id} came back as a second object`).to.equal(before)
      seen.set(o.id, o)
    }
  }

  /** Checks every session and, when it can be read without blocking, the committed database. */
  async verify(model: Model): Promise<void> {
    model.sessions.forEach((m, i) => {
      const s = this.sessions[i]!
      if (m.failed) return // objects settle at rollback(); the session refuses work until then
      const held = [...s.identityMap.values()] as Item[]
      expect(held.map((o) => o.id).sort((x, y) => x - y), `session ${i}: rows in the identity map`).to.deep.equal([...m.identity.keys()].sort((x, y) => x - y))
      expect(new Set(held).size, `session ${i}: one object per row`).to.equal(held.length)
      for (const o of held) {
        const want = m.identity.get(o.id)!
        expect({ a: o.a, b: o.b }, `session ${i}: row ${o.id} values`).to.deep.equal(want.values)
        expect(stateOf(o).expired, `session ${i}: row ${o.id} expired`).to.equal(want.expired)
      }
      expect((s.new as Item[]).map((o) => o.id).sort(), `session ${i}: pending`).to.deep.equal([...m.pending.keys()].sort())
      expect((s.deleted as Item[]).map((o) => o.id).sort(), `session ${i}: marked for deletion`).to.deep.equal([...m.marked].sort())
      expect(s.inTransaction, `session ${i}: holds a transaction`).to.equal(m.inTx)
    })
    if (!model.concurrent && model.sessions.some((m) => m.inTx)) return
    const rows = await this.engine.begin(async (conn) => (await conn.execute(select(Item.c.id, Item.c.a, Item.c.b).orderBy(Item.c.id))).all())
    expect(rows, 'the committed database (no acknowledged write lost)').to.deep.equal([...model.db].sort(([x], [y]) => x - y).map(([id, r]) => [id, r.a, r.b]))
  }
}
