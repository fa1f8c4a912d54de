/**
 * A transaction that only reads costs no BEGIN and no ROLLBACK on PostgreSQL: at READ COMMITTED a
 * plain read (CompiledStatement.plainRead) runs ahead of the pending BEGIN, which waits for the
 * first statement that writes, locks or may set something (dialects/postgres/src/connection.ts,
 * core/src/compiler/plain-read.ts). What the session and its objects see does not change; what
 * does is only what the server is sent. Observed here from the server's side: between statements
 * a backend with a transaction open is "idle in transaction", one without is "idle".
 */
import { expect } from 'chai'
import {
  AsyncSession, DatabaseError, Integer, literal, String as StringType, createAsyncEngine, declarativeBase, func, literalColumn, mappedColumn, select, text, update, type Engine,
} from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import { PostgresCompiler, postgresCapabilities } from '../src/index.js'

const Base = declarativeBase()
class Note extends Base.model('athpg_readahead_notes', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  body: mappedColumn(StringType(40)),
}) {}

describe('postgres: reads ahead of a pending BEGIN', function () {
  describe('compile only: which statements are plain reads', function () {
    const compiler = new PostgresCompiler(postgresCapabilities)
    const plain = (stmt: unknown): boolean | undefined => compiler.compile(stmt).plainRead

    it('a SELECT of columns, filters, joins, aggregates and window functions is one', function () {
      expect(plain(select(Note).where(Note.c.body.like('a%'), Note.c.id.in([1, 2])).orderBy(Note.c.id).limit(5))).to.equal(true)
      expect(plain(select(func.count(Note.c.id), func.max(Note.c.body)).groupBy(Note.c.body))).to.equal(true)
      expect(plain(select(Note.c.id, func.rowNumber().over({ orderBy: Note.c.id })))).to.equal(true)
      expect(plain(select(Note.c.id).where(Note.c.id.in(select(Note.c.id).where(Note.c.body.eq('a')))))).to.equal(true)
      expect(plain(select(Note.c.id, select(func.count(Note.c.id)).scalarSubquery()))).to.equal(true)
    })

    it('a locking read, a function not known to be pure, SQL text and DML are not', function () {
      expect(plain(select(Note).forUpdate())).to.equal(false)
      expect(plain(select(Note).forShare())).to.equal(false)
      expect(plain(select(func.set_config!('app.user', '42', true)))).to.equal(false)
      expect(plain(select(func.pg_advisory_xact_lock!(1)))).to.equal(false)
      expect(plain(select(Note.c.id, select(func.nextval!('s')).scalarSubquery()))).to.equal(false)
      expect(plain(select(literalColumn('my_volatile_fn()', Integer)))).to.equal(false)
      expect(plain(text('SELECT 1'))).to.equal(false)
      expect(plain(update(Note).set({ body: 'x' }).where(Note.c.id.eq(1)))).to.equal(false)
    })
  })

  describe('live server', function () {
    let url: string
    let observer: Engine
    const engines: Engine[] = []
    let apps = 0

    before(async function () {
      const found = await resolveBackend('postgres')
      if ('skip' in found) {
        console.log(`[athanor] skipping postgres read-ahead tests: ${found.skip}`)
        this.skip()
      }
      url = found.url
      observer = createAsyncEngine(url, { pool: { size: 1 } })
      await Base.metadata.dropAll(observer, { checkFirst: true })
      await Base.metadata.createAll(observer)
    })
    beforeEach(async () => {
      await observer.begin(async (conn) => {
        await conn.execute(text('DELETE FROM athpg_readahead_notes'))
        await conn.execute(text("INSERT INTO athpg_readahead_notes (id, body) VALUES (1, 'one'), (2, 'two')"))
      })
    })
    afterEach(async () => {
      for (const e of engines.splice(0)) await e.dispose()
    })
    after(async () => {
      if (observer === undefined) return
      await Base.metadata.dropAll(observer, { checkFirst: true })
      await observer.dispose()
    })

    /** An engine of one connection, named so that its backend can be found in pg_stat_activity. */
    async function engineUnderTest(options: Record<string, unknown> = {}, connection: Record<string, string> = {}): Promise<{ engine: Engine; state: () => Promise<string> }> {
      const app = `athanor_readahead_${process.pid}_${++apps}`
      const engine = createAsyncEngine(url, { pool: { size: 1, maxOverflow: 0 }, driverOptions: { applicationName: app, connection }, ...options })
      engines.push(engine)
      // The connection's first transaction learns which isolation a plain BEGIN starts.
      await engine.begin(async (conn) => void (await conn.execute(select(Note.c.id))))
      const state = async (): Promise<string> => {
        const rows = await observer.begin(async (conn) => (await conn.execute(text('SELECT state FROM pg_stat_activity WHERE application_name = :app', { app }))).all())
        expect(rows, `one backend named ${app}`).to.have.length(1)
        return String(rows[0]![0])
      }
      return { engine, state }
    }

    it('a session that only reads keeps its connection out of any transaction, and sends no ROLLBACK', async function () {
      const { engine, state } = await engineUnderTest()
      const session = new AsyncSession(engine)
      const notes = (await session.scalars(select(Note).orderBy(Note.c.id))).all()
      expect(notes.map((n) => n.body)).to.deep.equal(['one', 'two'])
      expect((await session.get(Note, 2))?.body).to.equal('two')
      expect(session.inTransaction, 'the session has begun its transaction; only the BEGIN waits').to.equal(true)
      expect(await state()).to.equal('idle')
      await session.commit()
      expect(await state()).to.equal('idle')
    })

    it('the first write sends the BEGIN: the reads after it are inside the transaction, and a rollback undoes it', async function () {
      const { engine, state } = await engineUnderTest()
      const session = new AsyncSession(engine)
      const one = (await session.get(Note, 1))!
      expect(await state()).to.equal('idle')
      one.body = 'changed'
      session.add(new Note({ id: 3, body: 'three' }))
      const seen = (await session.scalars(select(Note.c.body).orderBy(Note.c.id))).all()
      expect(seen, 'autoflush wrote first, in the transaction').to.deep.equal(['changed', 'two', 'three'])
      expect(await state()).to.equal('idle in transaction')
      await session.rollback()
      const after = await observer.begin(async (conn) => (await conn.execute(select(Note.c.body).orderBy(Note.c.id))).scalars().all())
      expect(after).to.deep.equal(['one', 'two'])
    })

    it('a plain read that fails leaves the session needing a rollback, as inside a transaction, and the connection clean', async function () {
      const { engine, state } = await engineUnderTest()
      const session = new AsyncSession(engine)
      const failed = await session.scalar(select(Note.c.id.div(literal(0, Integer)))).then(() => undefined, (e: unknown) => e)
      expect(failed).to.be.instanceOf(DatabaseError)
      expect(await session.commit().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(Error)
      await session.rollback()
      expect(await state()).to.equal('idle')
      const next = new AsyncSession(engine)
      expect((await next.scalars(select(Note.c.id).orderBy(Note.c.id))).all()).to.deep.equal([1, 2])
      await next.close()
    })

    it('a function that may set something for the transaction runs inside it: set_config(…, true) lasts until the transaction ends', async function () {
      const { engine, state } = await engineUnderTest()
      const session = new AsyncSession(engine)
      await session.execute(select(func.set_config!('athanor.who', 'alice', true)))
      expect(await state()).to.equal('idle in transaction')
      expect(await session.scalar(select(func.current_setting!('athanor.who', true)))).to.equal('alice')
      await session.rollback()
    })

    it('a locking read runs inside the transaction and holds its lock', async function () {
      const { engine, state } = await engineUnderTest()
      const session = new AsyncSession(engine)
      await session.scalars(select(Note).where(Note.c.id.eq(1)).forUpdate())
      expect(await state()).to.equal('idle in transaction')
      await session.rollback()
    })

    it('REPEATABLE READ keeps every read in the transaction\'s one snapshot (engine isolation level)', async function () {
      const { engine, state } = await engineUnderTest({ isolationLevel: 'REPEATABLE READ' })
      await repeatableReads(engine, state)
    })

    it('so does a server or role whose default isolation is not READ COMMITTED, and a SET on the connection is noticed', async function () {
      const { engine, state } = await engineUnderTest({}, { default_transaction_isolation: 'repeatable read' })
      await repeatableReads(engine, state)
      // Pool of one: the same backend. SET it back to READ COMMITTED, and plain reads run ahead again.
      await engine.begin(async (conn) => void (await conn.execute(text("SET default_transaction_isolation = 'read committed'"))))
      await engine.begin(async (conn) => void (await conn.execute(select(Note.c.id))))
      const session = new AsyncSession(engine)
      await session.scalars(select(Note))
      expect(await state()).to.equal('idle')
      await session.close()
      await engine.begin(async (conn) => void (await conn.execute(text("SET default_transaction_isolation = 'serializable'"))))
      const strict = new AsyncSession(engine)
      await strict.scalars(select(Note))
      expect(await state(), 'after the SET, the connection asked again').to.equal('idle in transaction')
      await strict.close()
    })

    /** Two reads of one row with a committed change between them: both see the first snapshot. */
    async function repeatableReads(engine: Engine, state: () => Promise<string>): Promise<void> {
      const session = new AsyncSession(engine)
      expect(await session.scalar(select(Note.c.body).where(Note.c.id.eq(1)))).to.equal('one')
      expect(await state()).to.equal('idle in transaction')
      await observer.begin(async (conn) => void (await conn.execute(update(Note).set({ body: 'moved on' }).where(Note.c.id.eq(1)))))
      expect(await session.scalar(select(Note.c.body).where(Note.c.id.eq(1)))).to.equal('one')
      await session.close()
    }
  })
})
