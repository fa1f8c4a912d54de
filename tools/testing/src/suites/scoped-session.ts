import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import { AsyncSession, InvalidRequestError, Integer, String, declarativeBase, mappedColumn, scopedSession, select, sessionmaker } from '@athanor/core'
import type { ScopedSession } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Visit extends Base.model('ss_visits', {
  id: mappedColumn(Integer, { primaryKey: true }),
  scope: mappedColumn(Integer),
  path: mappedColumn(String(40)),
}) {}

/** A pause that differs per scope, so that 200 scopes interleave at every await. */
const pause = (i: number): Promise<void> => new Promise((r) => (i % 3 === 0 ? setImmediate(r) : setTimeout(r, i % 5)))

/** Code deep in a request: it finds the request's session without being handed it. */
async function recordVisit(db: ScopedSession, scope: number, path: string): Promise<void> {
  db.session.add(new Visit({ scope, path }))
  await db.session.flush()
}

/**
 * Request scopes (`scopedSession`): one session per async context, reached from anywhere inside
 * it, never shared between concurrent scopes, closed when the scope ends.
 */
export const scopedSessionSuite: Suite = (ctx) => describe('scoped sessions: one session per request', () => {
  const db = useDatabase(ctx, Base.metadata)

  it('outside a scope, scoped.session says where it is available', () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    expect(scoped.active).to.equal(false)
    expect(() => scoped.session).to.throw(InvalidRequestError, /No session in this async context: scoped\.session is only available inside scoped\.withSession\(fn\)/)
  })

  it('200 overlapping scopes each keep their own session across every await, and return every connection', async () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    const seen = new Map<number, AsyncSession>()
    await Promise.all(Array.from({ length: 200 }, (_, i) => scoped.withSession(async (session) => {
      expect(scoped.session, `scope ${i} at its start`).to.equal(session)
      await pause(i)
      await recordVisit(scoped, i, `/a/${i}`)
      await pause(i + 1)
      expect(scoped.session, `scope ${i} after awaits`).to.equal(session)
      await recordVisit(scoped, i, `/b/${i}`)
      const mine = (await scoped.session.scalars(select(Visit.c.path).where(Visit.c.scope.eq(i)).orderBy(Visit.c.path))).all()
      expect(mine, `scope ${i} sees its own rows`).to.deep.equal([`/a/${i}`, `/b/${i}`])
      await session.commit()
      seen.set(i, session)
    })))
    expect(new Set(seen.values()).size, 'no two scopes shared a session').to.equal(200)
    expect(db.engine.poolStatus.checkedOut, 'every session was closed').to.equal(0)
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Visit.c.id))).all()).to.have.length(400)
    expect(scoped.active).to.equal(false)
  })

  it('the guide\'s node:http server: 50 concurrent requests, each handled with its own session', async () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    const server = http.createServer((req, res) => void scoped.withSession(async () => {
      const n = Number(req.url!.slice(1))
      await pause(n)
      await recordVisit(scoped, n, req.url!)
      const paths = (await scoped.session.scalars(select(Visit.c.path).where(Visit.c.scope.eq(n)))).all()
      await scoped.session.commit()
      res.end(JSON.stringify(paths))
    }).catch((e: unknown) => {
      res.statusCode = 500
      res.end(e instanceof Error ? e.message : 'failed')
    }))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { port } = server.address() as AddressInfo
      const bodies = await Promise.all(Array.from({ length: 50 }, async (_, n) => (await fetch(`http://127.0.0.1:${port}/${n}`)).text()))
      expect(bodies).to.deep.equal(Array.from({ length: 50 }, (_, n) => JSON.stringify([`/${n}`])))
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
    expect(db.engine.poolStatus.checkedOut).to.equal(0)
  })

  it('closes the session when the scope ends: what was not committed is rolled back; { commit: true } commits', async () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    await scoped.withSession(async () => recordVisit(scoped, 1, '/uncommitted'))
    await scoped.withSession(async () => recordVisit(scoped, 2, '/committed'), { commit: true })
    const failure = await scoped.withSession(async () => {
      await recordVisit(scoped, 3, '/failed')
      throw new Error('handler failed')
    }, { commit: true }).then(() => undefined, (e: unknown) => e)
    expect((failure as Error).message).to.equal('handler failed')
    expect(db.engine.poolStatus.checkedOut, 'every scope closed its session').to.equal(0)
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Visit.c.path))).all()).to.deep.equal(['/committed'])
  })

  it('a scope inside a scope has its own session; the outer one comes back after it', async () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    await scoped.withSession(async (outer) => {
      const inner = await scoped.withSession(async (s) => {
        expect(s).to.not.equal(outer)
        return scoped.session
      })
      expect(inner).to.not.equal(outer)
      expect(scoped.session).to.equal(outer)
    })
  })

  it('runWith() scopes a session it does not own, and leaves it open (for middleware that ends later)', async () => {
    const scoped = scopedSession(sessionmaker(db.engine))
    const session = new AsyncSession(db.engine)
    try {
      await scoped.runWith(session, async () => {
        await recordVisit(scoped, 7, '/kept')
      })
      expect(session.inTransaction, 'still open after runWith').to.equal(true)
      await session.commit()
    } finally {
      await session.close()
    }
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Visit.c.path))).all()).to.deep.equal(['/kept'])
  })
})
