/**
 * R9, error mapping: one table of server error classes, each provoked for real on every backend
 * that has it, and the Athanor error it must come out as (class, integrity kind, `disconnect`),
 * with the driver's error kept as `cause`, its code as `driverCode` and the SQL on the error.
 * Bound parameter values never appear in a message unless the engine has `logParameters: true`
 * (row values hide in server texts too: PostgreSQL's DETAIL, MariaDB's "Duplicate entry '…'").
 *
 * The driver-level mappings are unit-tested per dialect (dialects/*\/test/*-driver.test.ts) and
 * the integrity kinds through the compliance suite (suites/schema-constraints.ts); this table
 * checks them end to end through the engine, next to the concurrency and connection errors.
 */
import { expect } from 'chai'
import {
  DatabaseError, DeadlockError, ForeignKey, IntegrityError, Integer, LockTimeoutError, MetaData, OperationalError, ProgrammingError,
  SerializationError, StatementTimeoutError, String, Table, column, createAsyncEngine, del, insert, text,
  type Capabilities, type DriverConnection, type Engine, type EngineOptions, type Executable, type IntegrityKind,
} from '@athanor/core'
import { forEachBackend, type BackendName } from './support/backends.js'
import { createKiller } from './support/killer.js'
import { serverKnobs, type ServerKnobs } from './support/server-knobs.js'
import { settleWithin, sleep } from './support/timing.js'
import { closedPort } from './support/ports.js'

/** A value bound as a parameter in every provoking statement that can take one. */
const CANARY = 'canary-7f3a9c'

const metadata = new MetaData()
const parents = new Table('rel_err_parents', metadata, {
  id: column(Integer, { primaryKey: true, autoincrement: false }),
  code: column(String(40), { unique: true }),
})
const children = new Table('rel_err_children', metadata, {
  id: column(Integer, { primaryKey: true, autoincrement: false }),
  parent_id: column(Integer, ForeignKey('rel_err_parents.id')),
  qty: column(Integer, { check: 'qty >= 0' }),
  note: column(String(40), { nullable: true }),
})

type ErrorClass = abstract new (...args: never[]) => DatabaseError

interface CaseContext {
  readonly backend: BackendName
  readonly url: string
  readonly knobs: ServerKnobs
  /** The engine the tables live on (logParameters off). */
  readonly engine: Engine
  /** Another engine on the same database, disposed after the test. */
  another(options?: EngineOptions): Engine
}

interface ErrorCase {
  /** The server error class, in words that hold for every backend. */
  readonly name: string
  /** How it is provoked. */
  readonly provoke: string
  readonly expected: { readonly type: ErrorClass; readonly kind?: IntegrityKind; readonly disconnect?: boolean; readonly code?: string }
  /** The failure happens before any statement (connecting): there is no SQL to put on the error. */
  readonly beforeStatements?: boolean
  /** Why this backend cannot produce the error, judged from its capabilities; undefined when it can. */
  readonly unsupported?: (caps: Capabilities) => string | undefined
  /** Runs the recipe; resolves to what it threw (or to undefined when nothing failed). */
  run(ctx: CaseContext): Promise<unknown>
}

const failure = (work: Promise<unknown>): Promise<unknown> => work.then(() => undefined, (e: unknown) => e)

/** Runs one statement on its own connection; resolves to what it threw. */
async function statementError<R extends readonly unknown[], M>(engine: Engine, statement: Executable<R, M>): Promise<unknown> {
  await using conn = await engine.connect()
  return await failure(conn.execute(statement))
}

const CASES: readonly ErrorCase[] = [
  {
    name: 'unique violation',
    provoke: 'INSERT a second parent with the same unique code',
    expected: { type: IntegrityError, kind: 'unique' },
    run: ({ engine }) => statementError(engine, insert(parents).values({ id: 2, code: CANARY })),
  },
  {
    name: 'foreign-key violation on insert',
    provoke: 'INSERT a child that references a missing parent',
    expected: { type: IntegrityError, kind: 'foreign-key' },
    run: ({ engine }) => statementError(engine, insert(children).values({ id: 3, parent_id: 99, qty: 1, note: CANARY })),
  },
  {
    name: 'foreign-key violation on delete',
    provoke: 'DELETE the parent a child references',
    expected: { type: IntegrityError, kind: 'foreign-key' },
    run: ({ engine }) => statementError(engine, del(parents).where(parents.c.code.eq(CANARY))),
  },
  {
    name: 'not-null violation',
    provoke: 'INSERT NULL into a NOT NULL column',
    expected: { type: IntegrityError, kind: 'not-null' },
    run: ({ engine }) => statementError(engine, insert(children).values({ id: 3, parent_id: 1, qty: null as unknown as number, note: CANARY })),
  },
  {
    name: 'check violation',
    provoke: 'INSERT a value the CHECK constraint rejects',
    expected: { type: IntegrityError, kind: 'check' },
    run: ({ engine }) => statementError(engine, insert(children).values({ id: 3, parent_id: 1, qty: -1, note: CANARY })),
  },
  {
    name: 'syntax error',
    provoke: 'a misspelt keyword',
    expected: { type: ProgrammingError },
    run: ({ engine }) => statementError(engine, text('SELEC :v', { v: CANARY })),
  },
  {
    name: 'deadlock',
    provoke: 'two transactions update rows 1 and 2 in opposite order',
    expected: { type: DeadlockError },
    unsupported: (caps) => (caps.rowLocks && caps.concurrentConnections ? undefined : 'one writer at a time: transactions never wait for each other in a cycle'),
    async run({ engine }) {
      const a = await engine.connect()
      const b = await engine.connect()
      try {
        await a.execute(text('UPDATE rel_err_children SET qty = 10 WHERE id = 1'))
        await b.execute(text('UPDATE rel_err_children SET qty = 20 WHERE id = 2'))
        const aWaits = failure(a.execute(text('UPDATE rel_err_children SET qty = 11 WHERE id = 2')))
        await sleep(50)
        const bWaits = failure(b.execute(text('UPDATE rel_err_children SET qty = 21 WHERE id = 1')))
        const errors = (await settleWithin(Promise.all([aWaits, bWaits]), 8000, 'the deadlock')).filter((e) => e !== undefined)
        expect(errors, 'exactly one victim').to.have.length(1)
        return errors[0]
      } finally {
        await a.close()
        await b.close()
      }
    },
  },
  {
    name: 'serialization failure',
    provoke: 'write skew: two SERIALIZABLE transactions read rows 1–2, then each updates one and commits',
    expected: { type: SerializationError },
    unsupported: (caps) =>
      !caps.isolationLevels.includes('SERIALIZABLE') ? 'no SERIALIZABLE isolation'
        : caps.serializationFailures !== true ? 'the engine serializes with locks: write skew makes the writer wait (then a lock timeout or deadlock), never a serialization failure' : undefined,
    async run({ knobs, another }) {
      // Two engines: a database with one connection per engine still gets two transactions.
      const options: EngineOptions = { isolationLevel: 'SERIALIZABLE', driverOptions: knobs.snapshotDriverOptions, watchdogMs: 5000 }
      const a = await another(options).connect()
      const b = await another(options).connect()
      try {
        const sum = text('SELECT sum(qty) FROM rel_err_children')
        await a.execute(sum)
        await b.execute(sum)
        await a.execute(text('UPDATE rel_err_children SET qty = qty + 1 WHERE id = 1'))
        await a.commit()
        return await failure((async () => {
          await b.execute(text('UPDATE rel_err_children SET qty = qty + 1 WHERE id = 2'))
          await b.commit() // PostgreSQL may report it here instead
        })())
      } finally {
        await a.close()
        await b.close()
      }
    },
  },
  {
    name: 'lock wait timeout',
    provoke: 'update a row another transaction has locked, with a short lock timeout',
    expected: { type: LockTimeoutError },
    async run({ engine, knobs, another }) {
      const holder = await engine.connect()
      const waiter = await another({ driverOptions: knobs.shortLockWaitDriverOptions, watchdogMs: 5000 }).connect()
      try {
        await holder.execute(text('UPDATE rel_err_children SET qty = 10 WHERE id = 1'))
        for (const sql of knobs.shortLockWait) await waiter.execute(text(sql))
        return await failure(waiter.execute(text('UPDATE rel_err_children SET qty = 20 WHERE id = 1')))
      } finally {
        await waiter.close()
        await holder.close()
      }
    },
  },
  {
    name: 'statement timeout',
    provoke: 'a statement that runs past the engine\'s statementTimeoutMs',
    expected: { type: StatementTimeoutError },
    unsupported: (caps) => (caps.statementTimeout ? undefined : 'no server-side statement timeout'),
    async run({ knobs, another }) {
      const slow = knobs.sleep(3)
      if (slow === undefined) throw new Error('a backend with statement timeouts needs a sleep statement in server-knobs.ts')
      await using conn = await another({ statementTimeoutMs: 200 }).connect()
      return await failure(conn.execute(text(slow)))
    },
  },
  {
    name: 'killed connection',
    provoke: 'the server ends the session (pg_terminate_backend, KILL CONNECTION; libSQL: the client is destroyed), then a statement',
    expected: { type: OperationalError, disconnect: true, code: 'connection-lost' },
    async run({ backend, url, another }) {
      const opened: DriverConnection[] = []
      const engine = another({ pool: { size: 1, maxOverflow: 0, listeners: { onConnect: (c) => void opened.push(c) } } })
      const killer = await createKiller(backend, url)
      await using conn = await engine.connect()
      try {
        await conn.execute(text('SELECT 1'))
        expect(await killer.kill(opened[0]!), 'the kill was issued').to.equal(true)
        await sleep(100)
        const error = await failure(conn.execute(text('SELECT 1')))
        expect(conn.invalidated, 'the connection is discarded, never returned to the pool').to.equal(true)
        await conn.rollback()
        return error
      } finally {
        await killer.close()
      }
    },
  },
  {
    name: 'connection refused',
    provoke: 'connect to a port nothing listens on (libSQL: a file in a directory that does not exist)',
    expected: { type: OperationalError, disconnect: true, code: 'connect-failed' },
    beforeStatements: true,
    async run({ backend, url }) {
      const nowhere = new URL(backend === 'libsql' ? 'sqlite:////nonexistent-athanor-dir/x/db.sqlite' : url)
      if (backend !== 'libsql') nowhere.port = `${await closedPort()}`
      const engine = createAsyncEngine(nowhere.toString(), { connectTimeoutMs: 5000, pool: { checkoutTimeoutMs: 5000 } })
      try {
        return await failure(engine.connect().then((c) => c.close()))
      } finally {
        await engine.dispose()
      }
    },
  },
]

forEachBackend('R9 error mapping', (backend) => {
  const knobs = serverKnobs(backend.name)
  let engine: Engine
  let extra: Engine[]

  before(async () => {
    const probe = createAsyncEngine(backend.url)
    const concurrent = probe.dialect.capabilities.concurrentConnections
    await probe.dispose()
    // Two transactions at once where the database allows it (the deadlock row needs them).
    engine = createAsyncEngine(backend.url, { watchdogMs: 10_000, pool: concurrent ? { size: 2, maxOverflow: 2, checkoutTimeoutMs: 5000 } : { checkoutTimeoutMs: 5000 } })
    await metadata.dropAll(engine, { checkFirst: true })
    await metadata.createAll(engine)
  })
  after(async () => {
    // Runs even when the backend was skipped in before(): there is no engine then.
    if ((engine as Engine | undefined) === undefined) return
    await metadata.dropAll(engine, { checkFirst: true }).catch(() => undefined)
    await engine.dispose()
  })
  beforeEach(async () => {
    extra = []
    await engine.begin(async (conn) => {
      await conn.execute(del(children))
      await conn.execute(del(parents))
      await conn.execute(insert(parents).values({ id: 1, code: CANARY }))
      await conn.execute(insert(children).values([{ id: 1, parent_id: 1, qty: 5, note: null }, { id: 2, parent_id: 1, qty: 5, note: null }]))
    })
  })
  afterEach(async () => {
    for (const e of extra) await e.dispose()
  })

  const context = (): CaseContext => ({
    backend: backend.name, url: backend.url, knobs, engine,
    another: (options = {}) => {
      const e = createAsyncEngine(backend.url, { watchdogMs: 10_000, ...options })
      extra.push(e)
      return e
    },
  })

  for (const row of CASES) {
    const kind = row.expected.kind === undefined ? '' : ` kind '${row.expected.kind}'`
    const disconnect = row.expected.disconnect === undefined ? '' : ` with disconnect ${row.expected.disconnect ? 'true' : 'false'}`
    it(`${row.name} (${row.provoke}) → ${row.expected.type.name}${kind}${disconnect}`, async function () {
      const why = row.unsupported?.(engine.dialect.capabilities)
      if (why !== undefined) {
        console.log(`[R9 ${backend.name}] ${row.name}: not applicable (${why})`)
        this.skip()
      }
      const error = await row.run(context())
      expect(error, 'the recipe raised an error').to.be.instanceOf(Error)
      expect(error, `${(error as Error).name}: ${(error as Error).message}`).to.be.instanceOf(row.expected.type)
      const e = error as DatabaseError
      if (row.expected.kind !== undefined) expect((e as IntegrityError).kind).to.equal(row.expected.kind)
      if (row.expected.disconnect !== undefined) expect((e as OperationalError).disconnect).to.equal(row.expected.disconnect)
      if (row.expected.code !== undefined) expect(e.code, 'the same code on every dialect').to.equal(row.expected.code)
      // Concurrency errors are retryable, not connection losses.
      if (e instanceof OperationalError && row.expected.disconnect === undefined) expect(e.disconnect, 'disconnect').to.equal(false)
      expect(e.cause, 'the driver error is kept as cause').to.be.instanceOf(Error)
      expect(e.driverCode, 'the driver\'s code is kept').to.be.a('string').and.not.equal('')
      if (row.beforeStatements !== true) expect(e.sql, 'the failing SQL is on the error').to.be.a('string').and.not.equal('')
      expect(e.message, 'a bound value leaked into the message').to.not.include(CANARY)
    })
  }

  it('shows bound values (and the server\'s row detail) in the message only with logParameters: true', async () => {
    const shown = context().another({ logParameters: true })
    const hidden = await statementError(engine, insert(parents).values({ id: 2, code: CANARY })) as IntegrityError
    const visible = await statementError(shown, insert(parents).values({ id: 2, code: CANARY })) as IntegrityError
    expect(hidden).to.be.instanceOf(IntegrityError)
    expect(hidden.message).to.not.include(CANARY)
    expect(hidden.message).to.match(/hidden/)
    expect(visible).to.be.instanceOf(IntegrityError)
    expect(visible.message).to.include(CANARY)
    expect(visible.params).to.deep.include(CANARY)
  })
})
