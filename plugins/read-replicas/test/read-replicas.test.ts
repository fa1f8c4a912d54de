import { expect } from 'chai'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AsyncSession, DatabaseError, Integer, Select, String, createAsyncEngine, declarativeBase, func, insert, mappedColumn, removePlugin, select, usePlugin } from '@athanor/core'
import type { Engine } from '@athanor/core'
import type { Suite, SuiteContext } from '@athanor/testing'
import { WRITING_FUNCTIONS, executeRouted, isReplicaRead, readReplicas, readYourWritesScope, usePrimary } from '@athanor/plugin-read-replicas'
import { onEveryBackend } from '../../../test/support/every-backend.js'

const Base = declarativeBase()
class Account extends Base.model('rr_accounts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  owner: mappedColumn(String(50)),
}) {}
/** Mapped, never created: reading it fails on every backend. */
const Other = declarativeBase()
class NeverCreated extends Other.model('rr_never_created', { id: mappedColumn(Integer, { primaryKey: true }) }) {}

/**
 * Primary and replicas are engines on the same database, so every engine sees the same rows and
 * the test checks which engine received each statement. An in-memory database exists once per
 * engine, so those backends use a shared temporary file instead.
 */
const FILE = join(tmpdir(), `athanor-rr-${process.pid}.db`)
function sharedUrl(ctx: SuiteContext): string {
  return ctx.url.includes(':memory:') ? `sqlite:///${FILE}` : ctx.url
}

const suite: Suite = (ctx) => describe('read-replicas', () => {
  let primary: Engine
  let replicas: Engine[]
  const log = new Map<Engine, string[]>()
  const ran = (e: Engine): string[] => log.get(e)!.map((s) => s.split(' ')[0]!)

  beforeEach(async () => {
    const url = sharedUrl(ctx)
    const pool = url.startsWith('sqlite') ? {} : { pool: { size: 2 } }
    primary = createAsyncEngine(url, pool)
    replicas = [createAsyncEngine(url, pool), createAsyncEngine(url, pool)]
    await Base.metadata.dropAll(primary, { checkFirst: true })
    await Base.metadata.createAll(primary)
    await primary.begin(async (c) => { await c.execute(insert(Account.__table__).values([{ owner: 'ann' }, { owner: 'bob' }])) })
    for (const e of [primary, ...replicas]) {
      const list: string[] = []
      log.set(e, list)
      e.events.on('afterExecute', (ev) => { list.push(ev.sql) })
    }
    usePlugin(primary, readReplicas(replicas))
  })
  // The database in WAL mode leaves its -wal and -shm files beside it.
  after(() => { for (const f of [FILE, `${FILE}-wal`, `${FILE}-shm`]) rmSync(f, { force: true }) })
  afterEach(async () => {
    removePlugin(primary, 'read-replicas')
    await Base.metadata.dropAll(primary, { checkFirst: true })
    for (const e of [primary, ...replicas]) await e.dispose()
  })

  it('sends a session\'s reads outside a transaction to the replicas, round robin', async () => {
    for (let i = 0; i < 2; i++) {
      await using s = new AsyncSession(primary)
      expect((await s.scalars(select(Account).orderBy(Account.c.id))).all().map((a) => a.owner)).to.deep.equal(['ann', 'bob'])
    }
    expect([ran(primary), ran(replicas[0]!), ran(replicas[1]!)]).to.deep.equal([[], ['SELECT'], ['SELECT']])
  })

  it('moves the session to the primary at its first flush, and it then reads its own writes there', async () => {
    await using s = new AsyncSession(primary)
    const ann = (await s.scalars(select(Account).where(Account.c.owner.eq('ann')))).one()
    ann.owner = 'anne'
    expect((await s.scalars(select(Account.c.owner).orderBy(Account.c.id))).all()).to.deep.equal(['anne', 'bob'])
    await s.commit()
    expect(ran(replicas[0]!)).to.deep.equal(['SELECT'])
    expect(ran(primary)).to.deep.equal(['UPDATE', 'SELECT'])
    // Read-your-writes: having committed a write, the session reads on the primary from now on
    // (a replica may not have replayed the UPDATE yet).
    await s.scalars(select(Account))
    expect(ran(primary)).to.deep.equal(['UPDATE', 'SELECT', 'SELECT'])
    expect(ran(replicas[1]!)).to.deep.equal([])
  })

  it('keeps routing a session that committed only reads, and every session with readYourWrites: off', async () => {
    {
      await using s = new AsyncSession(primary)
      await s.scalars(select(Account))
      await s.commit()
      await s.scalars(select(Account))
    }
    removePlugin(primary, 'read-replicas')
    usePlugin(primary, readReplicas(replicas, { readYourWrites: 'off' }))
    await using w = new AsyncSession(primary)
    ;(await w.get(Account, 1))!.owner = 'anne'
    await w.commit()
    await w.scalars(select(Account))
    expect([ran(replicas[0]!), ran(replicas[1]!)]).to.deep.equal([['SELECT', 'SELECT'], ['SELECT', 'SELECT']])
    expect(ran(primary)).to.deep.equal(['UPDATE'])
  })

  it('readYourWritesScope(): once a session in the scope commits a write, every session in it reads on the primary', async () => {
    await readYourWritesScope(async () => {
      await using reader = new AsyncSession(primary)
      await reader.scalars(select(Account))
      await reader.commit()
      {
        await using writer = new AsyncSession(primary)
        writer.add(new Account({ owner: 'cy' }))
        await writer.commit()
      }
      await using later = new AsyncSession(primary)
      expect((await later.scalars(select(Account.c.owner).where(Account.c.owner.eq('cy')))).all()).to.deep.equal(['cy'])
      await reader.scalars(select(Account))
    })
    // Outside the scope a new session reads on a replica again.
    await using outside = new AsyncSession(primary)
    await outside.scalars(select(Account))
    expect(ran(primary)).to.deep.equal(['INSERT', 'SELECT', 'SELECT'])
    expect([...ran(replicas[0]!), ...ran(replicas[1]!)]).to.deep.equal(['SELECT', 'SELECT'])
  })

  it('sends a SELECT calling a function that writes to the primary (nextval, advisory and named locks, your own)', async () => {
    expect(isReplicaRead(select(func.nextval!('order_ids')))).to.equal(false)
    expect(isReplicaRead(select(Account.c.id, func.pg_try_advisory_lock!(7)))).to.equal(false)
    expect(isReplicaRead(select(func.GET_LOCK!('job', 0)))).to.equal(false)
    expect(isReplicaRead(select(func.count()).from(Account.__table__))).to.equal(true)
    removePlugin(primary, 'read-replicas')
    usePlugin(primary, readReplicas(replicas, { writingFunctions: [...WRITING_FUNCTIONS, 'upper'] }))
    await using s = new AsyncSession(primary)
    expect((await s.scalars(select(func.upper(Account.c.owner)).where(Account.c.id.eq(1)))).one()).to.equal('ANN')
    await s.commit()
    await s.scalars(select(func.lower(Account.c.owner)))
    expect(ran(primary)).to.deep.equal(['SELECT'])
    expect(ran(replicas[0]!)).to.deep.equal(['SELECT'])
  })

  it('says in an error raised on a replica that the read was routed there, and how to read the primary', async () => {
    await using s = new AsyncSession(primary)
    const err = await s.scalars(select(NeverCreated)).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(DatabaseError)
    expect((err as Error).message).to.match(/\[read-replicas: this statement ran on read replica 1 of 2 \(.*\), where the plugin routes reads outside a transaction\. If it must see the primary \(a replica lags\), add \.options\(usePrimary\(\)\)/)
    expect((err as Error).stack).to.include('[read-replicas: this statement ran on read replica 1 of 2')
  })

  it('keeps explicit transactions, row locks and usePrimary() on the primary', async () => {
    await using s = new AsyncSession(primary)
    await s.begin()
    await s.scalars(select(Account))
    await s.commit()
    await s.scalars(select(Account).forUpdate())
    await s.rollback()
    await s.scalars(select(Account).options(usePrimary()))
    await s.rollback()
    expect(ran(primary)).to.deep.equal(['SELECT', 'SELECT', 'SELECT'])
    expect([...ran(replicas[0]!), ...ran(replicas[1]!)]).to.deep.equal([])
  })

  it('routes engine-level execution: reads to a replica, writes and overrides to the primary', async () => {
    expect((await executeRouted(primary, select(Account.c.owner).orderBy(Account.c.id))).scalars().all()).to.deep.equal(['ann', 'bob'])
    await executeRouted(primary, insert(Account.__table__).values({ owner: 'cy' }))
    await executeRouted(primary, select(Account.c.id), { primary: true })
    expect(ran(replicas[0]!)).to.deep.equal(['SELECT'])
    expect(ran(primary)).to.deep.equal(['INSERT', 'SELECT'])
    expect(primary.route(select(Account.c.id))).to.equal(replicas[1])
  })

  it("applies the primary's statement transforms on the replicas", async () => {
    usePlugin(primary, { name: 'only-ann', install: (h) => h.transformStatement((st) => (st instanceof Select ? st.where(Account.c.owner.eq('ann')) : st)) })
    await using s = new AsyncSession(primary)
    expect((await s.scalars(select(Account.c.owner))).all()).to.deep.equal(['ann'])
    expect(ran(primary)).to.deep.equal([])
    removePlugin(primary, 'only-ann')
  })

  it('sends everything to the primary once removed', async () => {
    removePlugin(primary, 'read-replicas')
    await using s = new AsyncSession(primary)
    await s.scalars(select(Account))
    expect(ran(primary)).to.deep.equal(['SELECT'])
    expect(replicas[0]!.extensions.statements.size).to.equal(0)
  })
})

onEveryBackend([suite])
