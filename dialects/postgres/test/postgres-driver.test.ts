import { execFile } from 'node:child_process'
import { createServer, type Socket as NetSocket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import {
  BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, Integer, JSON as JsonType, LargeBinary, Numeric,
  NativeType, NullType, SmallInteger, String as StringType, Text, Time, UUID, type SqlType,
} from '@athanor/core'
import {
  AthanorError, CommitOutcomeUnknownError, CompileError, ConcurrentUseError, DatabaseError, DeadlockError, IntegrityError,
  LockTimeoutError, OperationalError, ProgrammingError, SerializationError, StatementTimeoutError, ArgumentError,
} from '@athanor/core'
import type { DriverConnection } from '@athanor/core'
import {
  PostgresConnection, PostgresDriver, autoincrementDdl, bindProcessor, isDisconnect, parsePgTimestamp,
  postgresCapabilities, resultProcessor, serverInfo, translateError, typeDdl,
} from '../src/index.js'

// Development default: a database of its own, so that nothing collides with other suites.
const URL = process.env.ATHANOR_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/athanor_pgdev'
const T = 'athanor_pgdrv' // table prefix; every table is dropped in after()
const driver = new PostgresDriver()

function connect(extra: { statementTimeoutMs?: number; driverOptions?: Record<string, unknown> } = {}): Promise<PostgresConnection> {
  return driver.connect({ url: URL, connectTimeoutMs: 5000, ...extra })
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected the promise to reject')
}

/** Fails instead of hanging when a promise never settles (the postgres.js hang bugs). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms) }),
  ]).finally(() => clearTimeout(timer))
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await sleep(10)
  return cond()
}

// ---- no database needed -------------------------------------------------------------------------

describe('postgres values, DDL and error mapping (no database)', () => {
  it('parses timestamp text as UTC, with offsets, BC, 5-digit years and microseconds', () => {
    expect(parsePgTimestamp('2024-01-01 03:04:05.678').toISOString()).to.equal('2024-01-01T03:04:05.678Z')
    expect(parsePgTimestamp('2024-01-01 03:04:05').toISOString()).to.equal('2024-01-01T03:04:05.000Z')
    expect(parsePgTimestamp('2024-01-01 03:04:05.123956').toISOString()).to.equal('2024-01-01T03:04:05.123Z')
    expect(parsePgTimestamp('2024-01-01 03:04:05.5+00').toISOString()).to.equal('2024-01-01T03:04:05.500Z')
    expect(parsePgTimestamp('2024-01-01 03:04:05+05:30').toISOString()).to.equal('2023-12-31T21:34:05.000Z')
    expect(parsePgTimestamp('2024-01-01 03:04:05.1-05').toISOString()).to.equal('2024-01-01T08:04:05.100Z')
    expect(parsePgTimestamp('1890-01-01 08:25:15+05:21:10').toISOString()).to.equal('1890-01-01T03:04:05.000Z')
    expect(parsePgTimestamp('0044-03-15 10:00:00 BC').getUTCFullYear()).to.equal(-43)
    expect(parsePgTimestamp('0099-12-31 23:59:59').toISOString()).to.equal('0099-12-31T23:59:59.000Z')
    expect(parsePgTimestamp('12024-01-01 10:00:00').getUTCFullYear()).to.equal(12024)
    expect(Number.isNaN(parsePgTimestamp('infinity').getTime())).to.equal(true)
  })

  it('binds naive DateTime as ISO text and JSON once-encoded; leaves other kinds alone', () => {
    const d = new Date('2024-01-01T03:04:05.678Z')
    expect(bindProcessor(DateTime())?.(d)).to.equal('2024-01-01T03:04:05.678Z')
    expect(bindProcessor(DateTime({ timezone: true }))).to.equal(undefined)
    const json = bindProcessor(JsonType())?.({ a: [1, true] }) as { text: string }
    expect(json.text).to.equal('{"a":[1,true]}')
    expect(String(json)).to.equal('{"a":[1,true]}')
    expect(JSON.stringify([json])).to.equal('[{"a":[1,true]}]')
    for (const t of [Integer, BigInteger, SmallInteger, Float, Numeric(10, 2), Text, StringType(5), BooleanType, DateType, Time, UUID, LargeBinary, Enum(['a'])]) {
      expect(bindProcessor(t), t.description).to.equal(undefined)
    }
  })

  it('normalises numeric result drift and leaves the rest alone', () => {
    expect(resultProcessor(Integer)?.(5n)).to.equal(5)
    expect(resultProcessor(Integer)?.('7')).to.equal(7)
    expect(resultProcessor(Float)?.('1.5')).to.equal(1.5)
    expect(resultProcessor(BigInteger)?.(3)).to.equal(3n)
    expect(resultProcessor(BigInteger)?.('9007199254740993')).to.equal(9007199254740993n)
    expect(resultProcessor(Numeric())?.(12n)).to.equal('12')
    expect(resultProcessor(Numeric())?.('1.10')).to.equal('1.10')
    expect(resultProcessor(DateType)?.(new Date('2024-02-29T00:00:00Z'))).to.equal('2024-02-29')
    expect(resultProcessor(Integer)?.(null)).to.equal(null)
    for (const t of [Text, BooleanType, DateTime(), JsonType(), UUID, LargeBinary, Time, Enum(['a'])]) {
      expect(resultProcessor(t), t.description).to.equal(undefined)
    }
  })

  it('maps types to PostgreSQL DDL', () => {
    const cases: [SqlType<unknown>, string][] = [
      [Integer, 'INTEGER'], [BigInteger, 'BIGINT'], [SmallInteger, 'SMALLINT'], [Float, 'DOUBLE PRECISION'],
      [Numeric(10, 2), 'NUMERIC(10, 2)'], [Numeric(), 'NUMERIC'], [StringType(20), 'VARCHAR(20)'], [StringType(), 'VARCHAR'],
      [Text, 'TEXT'], [BooleanType, 'BOOLEAN'], [DateType, 'DATE'], [DateTime(), 'TIMESTAMP'],
      [DateTime({ timezone: true }), 'TIMESTAMP WITH TIME ZONE'], [Time, 'TIME'], [JsonType(), 'JSONB'], [UUID, 'UUID'],
      [LargeBinary, 'BYTEA'], [Enum(['a', 'bcd']), 'VARCHAR(3)'], [Enum(['a'], { name: 'Mood' }), '"Mood"'],
      [NativeType('tsvector'), 'tsvector'],
    ]
    for (const [t, ddl] of cases) expect(typeDdl(t), t.description).to.equal(ddl)
    expect(typeDdl(Enum(['a'], { name: 'mood' }), { quote: (s) => s })).to.equal('mood')
    expect(typeDdl(Integer, { identity: true })).to.equal('INTEGER GENERATED BY DEFAULT AS IDENTITY')
    expect(typeDdl(BigInteger, { identity: true })).to.equal('BIGINT GENERATED BY DEFAULT AS IDENTITY')
    expect(autoincrementDdl(BigInteger)).to.deep.equal({ type: 'BIGINT', suffix: ' GENERATED BY DEFAULT AS IDENTITY' })
    expect(() => typeDdl(Text, { identity: true })).to.throw(CompileError)
    expect(() => typeDdl(NullType)).to.throw(CompileError)
  })

  it('declares the capabilities', () => {
    expect(postgresCapabilities.returning).to.deep.equal({ insert: true, update: true, delete: true })
    expect(postgresCapabilities.isolationLevels).to.have.length(4)
    expect(postgresCapabilities.insertIdArithmetic).to.equal(false)
    expect(postgresCapabilities.deadlockEndsTransaction).to.equal(false)
  })

  it('translates client error codes and agrees with isDisconnect', () => {
    const err = (code: string | undefined, extra: object = {}): Error => Object.assign(new Error(`x ${code}`), code === undefined ? {} : { code }, extra)
    const cases: [unknown, string, boolean][] = [
      [err('CONNECTION_CLOSED'), 'connection-lost', true],
      [err('CONNECTION_DESTROYED'), 'connection-lost', true],
      [err('CONNECTION_ENDED'), 'connection-lost', true],
      [err('ECONNRESET'), 'connection-lost', true],
      [err('ECONNREFUSED'), 'connect-failed', true],
      [err('CONNECT_TIMEOUT'), 'connect-failed', true],
      [new TypeError("Cannot read properties of null (reading 'write')"), 'connection-lost', true],
      [err('UNDEFINED_VALUE'), 'programming', false],
      [err('57014'), 'statement-timeout', false],
      [err('57P01', { severity: 'FATAL' }), 'connection-lost', true],
      [err('08006', { severity: 'ERROR' }), 'connection-lost', true],
      [err('53300', { severity: 'FATAL' }), 'connect-failed', true],
      [err('28P01', { severity: 'FATAL' }), 'connect-failed', true],
      [err('40P01', { severity: 'ERROR' }), 'deadlock', false],
      [err('40001', { severity: 'ERROR' }), 'serialization', false],
      // A hot standby's recovery conflict: a running statement is cancelled (ERROR), a transaction idle in one is ended (FATAL).
      [err('40001', { severity: 'FATAL' }), 'connection-lost', true],
      [err('55P03', { severity: 'ERROR' }), 'lock-timeout', false],
      [err('57014', { severity: 'ERROR' }), 'statement-timeout', false],
      [err('22P02', { severity: 'ERROR' }), 'data', false],
      [err('42P01', { severity: 'ERROR' }), 'programming', false],
      [err('23P01', { severity: 'ERROR' }), 'integrity-other', false],
      [err('XX000', { severity: 'ERROR' }), 'database', false],
    ]
    for (const [e, code, disconnect] of cases) {
      const t = translateError(e, { sql: 'SELECT 1' })
      expect(t.code, String((e as Error).message)).to.equal(code)
      expect(t instanceof OperationalError && t.disconnect, code).to.equal(disconnect)
      expect(isDisconnect(e), code).to.equal(disconnect)
      expect(t.cause).to.equal(e)
    }
    const already = new ProgrammingError('x', undefined)
    expect(translateError(already, {})).to.equal(already)
  })

  it('shows DETAIL (which holds row values) only when parameters are shown', () => {
    const e = Object.assign(new Error('duplicate key value violates unique constraint "u"'), { code: '23505', severity: 'ERROR', detail: 'Key (email)=(a@b.c) already exists.' })
    expect(translateError(e, { sql: 'INSERT', params: ['a@b.c'] }).message).to.not.include('a@b.c')
    const shown = translateError(e, { sql: 'INSERT', params: ['a@b.c'], showParams: true }).message
    expect(shown).to.include('DETAIL: Key (email)=(a@b.c) already exists.')
    expect(shown).to.include('duplicate key value violates unique constraint "u" (SQLSTATE 23505)')
  })

  describe('which constraint failed (IntegrityError fields)', () => {
    const serverError = (code: string, message: string, fields: object): Error => Object.assign(new Error(message), { code, severity: 'ERROR', schema_name: 'public', ...fields })
    const translated = (e: Error, showParams = false): IntegrityError => {
      const t = translateError(e, { sql: 'INSERT …', params: ['secret@b.c'], showParams })
      expect(t).to.be.instanceOf(IntegrityError)
      return t as IntegrityError
    }
    const fields = (e: IntegrityError): object => ({ constraint: e.constraint, table: e.table, columns: e.columns, referencedTable: e.referencedTable })

    it('unique: the constraint and table from their fields, the columns from DETAIL\'s key list, never the value', () => {
      const e = translated(serverError('23505', 'duplicate key value violates unique constraint "users_email_key"', {
        constraint_name: 'users_email_key', table_name: 'users', detail: 'Key (email)=(secret@b.c) already exists.',
      }))
      expect(fields(e)).to.deep.equal({ constraint: 'users_email_key', table: 'users', columns: ['email'], referencedTable: undefined })
      expect(e.message).to.match(/^The unique constraint users_email_key on users \(email\) was violated: duplicate key value/)
      expect(e.message).to.not.include('secret')
      expect(Object.isFrozen(e.columns)).to.equal(true)
    })

    it('unique over several columns, quoted names, and an expression index (no column list)', () => {
      const multi = translated(serverError('23505', 'x', { constraint_name: 'uq', table_name: 't', detail: 'Key (org_id, "Mixed Case", "a""b")=(1, x, y) already exists.' }))
      expect(multi.columns).to.deep.equal(['org_id', 'Mixed Case', 'a"b'])
      const expression = translated(serverError('23505', 'x', { constraint_name: 'ix_lower', table_name: 't', detail: 'Key (lower(email))=(a) already exists.' }))
      expect(fields(expression)).to.deep.equal({ constraint: 'ix_lower', table: 't', columns: undefined, referencedTable: undefined })
      const localised = translated(serverError('23505', 'x', { constraint_name: 'uq', table_name: 't', detail: 'Schlüssel »(email)=(a)« existiert bereits.' }))
      expect(localised.columns).to.equal(undefined)
    })

    it('foreign key: the referencing columns and the referenced table on insert; only constraint and table on delete', () => {
      const child = translated(serverError('23503', 'insert or update on table "orders" violates foreign key constraint "orders_user_id_fkey"', {
        constraint_name: 'orders_user_id_fkey', table_name: 'orders', detail: 'Key (user_id)=(99) is not present in table "users".',
      }))
      expect(fields(child)).to.deep.equal({ constraint: 'orders_user_id_fkey', table: 'orders', columns: ['user_id'], referencedTable: 'users' })
      expect(child.message).to.match(/^The foreign key constraint orders_user_id_fkey on orders \(user_id\) referencing users was violated: /)
      // PostgreSQL names the referencing table, but DETAIL lists the referenced row's key.
      const parent = translated(serverError('23503', 'update or delete on table "users" violates foreign key constraint "orders_user_id_fkey" on table "orders"', {
        constraint_name: 'orders_user_id_fkey', table_name: 'orders', detail: 'Key (id)=(1) is still referenced from table "orders".',
      }))
      expect(fields(parent)).to.deep.equal({ constraint: 'orders_user_id_fkey', table: 'orders', columns: undefined, referencedTable: undefined })
    })

    it('not null: table and column; check: constraint and table; DETAIL\'s failing row is never read', () => {
      const nn = translated(serverError('23502', 'null value in column "name" of relation "users" violates not-null constraint', {
        table_name: 'users', column_name: 'name', detail: 'Failing row contains (1, null, secret@b.c).',
      }))
      expect(fields(nn)).to.deep.equal({ constraint: undefined, table: 'users', columns: ['name'], referencedTable: undefined })
      expect(nn.message).to.match(/^The not-null constraint on users \(name\) was violated: /).and.not.include('secret')
      const check = translated(serverError('23514', 'new row for relation "users" violates check constraint "age_positive"', {
        constraint_name: 'age_positive', table_name: 'users', detail: 'Failing row contains (1, -1, secret@b.c).',
      }))
      expect(fields(check)).to.deep.equal({ constraint: 'age_positive', table: 'users', columns: undefined, referencedTable: undefined })
      expect(translated(serverError('23514', 'x', { constraint_name: 'c', table_name: 't', detail: 'Failing row contains (secret@b.c).' }), true).message)
        .to.include('DETAIL: Failing row contains (secret@b.c).')
    })

    it('an exclusion violation (23P01, kind other) keeps constraint and table; no fields leaves the message as it was', () => {
      const other = translated(serverError('23P01', 'conflicting key value violates exclusion constraint "no_overlap"', { constraint_name: 'no_overlap', table_name: 'rooms' }))
      expect(other.kind).to.equal('other')
      expect(fields(other)).to.deep.equal({ constraint: 'no_overlap', table: 'rooms', columns: undefined, referencedTable: undefined })
      expect(other.message).to.match(/^The integrity constraint no_overlap on rooms was violated: /)
      const bare = translated(serverError('23505', 'duplicate key', {}))
      expect(fields(bare)).to.deep.equal({ constraint: undefined, table: undefined, columns: undefined, referencedTable: undefined })
      expect(bare.message).to.match(/^duplicate key \(SQLSTATE 23505\)/)
    })
  })

  it('gives up on a server that accepts and never answers after connectTimeoutMs', async () => {
    const held: NetSocket[] = []
    const server = createServer((s) => void held.push(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    try {
      const started = Date.now()
      const e = translateError(await rejection(within(driver.connect({ url: `postgres://u@127.0.0.1:${port}/db`, connectTimeoutMs: 300 }), 3000, 'connect to a black hole')), {})
      expect(e.code).to.equal('connect-failed')
      expect((e as OperationalError).driverCode).to.equal('CONNECT_TIMEOUT')
      expect(Date.now() - started).to.be.below(2500) // near connectTimeoutMs, not never
    } finally {
      for (const s of held) s.destroy()
      await new Promise((r) => server.close(r))
    }
  })

  it('rejects unknown driver options', async () => {
    const e = await rejection(driver.connect({ url: URL, connectTimeoutMs: 1000, driverOptions: { applicationname: 'x' } }))
    expect(e).to.be.instanceOf(ArgumentError)
  })
})

// ---- against PostgreSQL -------------------------------------------------------------------------

describe('PostgresDriver against PostgreSQL', function () {
  let conn: PostgresConnection
  let admin: PostgresConnection
  const faults: unknown[] = []
  const onFault = (e: unknown): void => {
    faults.push(e)
  }

  before(async function () {
    if (URL === 'skip') {
      console.log('[athanor] skipping postgres driver suite: ATHANOR_PG_URL=skip')
      this.skip()
    }
    try {
      admin = await driver.connect({ url: URL, connectTimeoutMs: 3000 })
    } catch (e) {
      console.log(`[athanor] skipping postgres driver suite: cannot connect to ${URL.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@')} (${(e as Error).message})`)
      this.skip()
    }
    process.on('uncaughtException', onFault)
    process.on('unhandledRejection', onFault)
    conn = await connect()
  })

  after(async () => {
    process.off('uncaughtException', onFault)
    process.off('unhandledRejection', onFault)
    if (admin === undefined) return
    const { rows } = await admin.execute(`SELECT tablename FROM pg_tables WHERE tablename LIKE '${T}%'`, [])
    for (const [name] of rows) await admin.execute(`DROP TABLE IF EXISTS "${String(name)}" CASCADE`, [])
    await admin.execute(`DROP TYPE IF EXISTS ${T}_mood`, [])
    await conn?.close()
    await admin.close()
  })

  afterEach(async () => {
    // Late faults (a setImmediate after a kill) would land after the test that caused them.
    await sleep(20)
    expect(faults.map((f) => String(f)), 'uncaught exceptions / unhandled rejections').to.deep.equal([])
    if (conn.closed) conn = await connect()
  })

  describe('statements', () => {
    before(async () => {
      await conn.execute(`CREATE TABLE ${T}_people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`, [])
    })

    it('returns positional rows, column names and rowsAffected', async () => {
      const ins = await conn.execute(`INSERT INTO ${T}_people (id, name) VALUES ($1, $2), ($3, $4) RETURNING id, name`, [1, 'Ann', 2, 'Bob'])
      expect(ins.rows).to.deep.equal([[1, 'Ann'], [2, 'Bob']])
      expect(ins.columnNames).to.deep.equal(['id', 'name'])
      expect(ins.rowsAffected).to.equal(2)
      const upd = await conn.execute(`UPDATE ${T}_people SET name = upper(name) WHERE id > $1`, [0])
      expect(upd.rows).to.deep.equal([])
      expect(upd.rowsAffected).to.equal(2)
      const sel = await conn.execute(`SELECT name, id FROM ${T}_people ORDER BY id`, [])
      expect(sel.rows).to.deep.equal([['ANN', 1], ['BOB', 2]])
      const ddl = await conn.execute(`CREATE INDEX ${T}_people_name ON ${T}_people (name)`, [])
      expect(ddl.rowsAffected).to.equal(0)
    })

    it('prepares a repeated statement once per connection', async () => {
      const sql = `SELECT name FROM ${T}_people WHERE id = $1 /* prepared-repeat */`
      for (const id of [1, 2, 1]) {
        const { rows } = await conn.execute(sql, [id], { prepare: true })
        expect(rows).to.deep.equal([[id === 1 ? 'ANN' : 'BOB']])
      }
      const { rows } = await conn.execute(`SELECT count(*)::int FROM pg_prepared_statements WHERE statement = $1`, [sql])
      expect(rows).to.deep.equal([[1]])
    })

    it('stops preparing new SQL past maxPreparedStatements', async () => {
      const c = await connect({ driverOptions: { maxPreparedStatements: 1 } })
      try {
        await c.execute(`SELECT $1::int /* cap-a */`, [1], { prepare: true })
        await c.execute(`SELECT $1::int /* cap-b */`, [1], { prepare: true })
        const { rows } = await c.execute(`SELECT count(*)::int FROM pg_prepared_statements WHERE statement LIKE '%/* cap-%'`, [])
        expect(rows).to.deep.equal([[1]])
      } finally {
        await c.close()
      }
    })

    it('streams through a cursor in batches, and closes it when the loop ends early', async () => {
      const sizes: number[] = []
      let sum = 0
      for await (const batch of conn.stream('SELECT g FROM generate_series(1, $1::int) g', [1050], { batchSize: 100 })) {
        sizes.push(batch.length)
        for (const [g] of batch) sum += g as number
      }
      expect(sizes).to.deep.equal([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50])
      expect(sum).to.equal((1050 * 1051) / 2)

      let first: readonly (readonly unknown[])[] = []
      for await (const batch of conn.stream('SELECT g FROM generate_series(1, 1000) g', [], { batchSize: 10 })) {
        first = batch
        break
      }
      expect(first).to.have.length(10)
      // The portal is closed and the connection idle: the next statement runs normally.
      expect((await conn.execute('SELECT 42', [])).rows).to.deep.equal([[42]])
      const empty: unknown[] = []
      for await (const batch of conn.stream('SELECT 1 WHERE false', [], { batchSize: 10 })) empty.push(batch)
      expect(empty).to.deep.equal([])
    })

    it('refuses too many or undefined parameters without touching the connection', async () => {
      // postgres.js 3.4.9 hangs on the second of two such queries in a row; they never reach it.
      const select = (n: number): string => `SELECT ${Array.from({ length: n }, (_, i) => `$${i + 1}::int`).slice(0, 2).join(', ')}`
      for (const n of [65534, 65535]) {
        const e = translateError(await rejection(within(conn.execute(select(n), new Array<number>(n).fill(1)), 2000, `${n} params`)), {})
        expect(e, String(n)).to.be.instanceOf(ProgrammingError)
        expect((e as ProgrammingError).driverCode).to.equal('MAX_PARAMETERS_EXCEEDED')
      }
      const undef = translateError(await rejection(within(conn.execute('SELECT $1::int', [undefined]), 2000, 'undefined param')), {})
      expect((undef as ProgrammingError).driverCode).to.equal('UNDEFINED_VALUE')
      expect(conn.closed).to.equal(false)
      const many = new Array<number>(postgresCapabilities.maxParams).fill(1)
      const sql = `SELECT count(*) FROM (VALUES ${many.map((_, i) => `($${i + 1}::int)`).join(',')}) v`
      expect((await conn.execute(sql, many)).rows).to.deep.equal([[BigInt(many.length)]])
    })

    it('refuses a second operation while a stream is open', async () => {
      const it = conn.stream('SELECT g FROM generate_series(1, 100) g', [], { batchSize: 10 })[Symbol.asyncIterator]()
      await it.next()
      expect(await rejection(conn.execute('SELECT 1', []))).to.be.instanceOf(ConcurrentUseError)
      await it.return?.()
      expect((await conn.execute('SELECT 1', [])).rows).to.deep.equal([[1]])
    })

    it('cancels a running statement when the signal aborts, and stays usable', async () => {
      const ac = new AbortController()
      setTimeout(() => ac.abort(), 100)
      const e = await rejection(within(conn.execute('SELECT pg_sleep(5)', [], { signal: ac.signal }), 3000, 'cancelled statement'))
      const t = translateError(e, { sql: 'SELECT pg_sleep(5)' })
      expect(t).to.be.instanceOf(StatementTimeoutError)
      expect(conn.closed).to.equal(false)
      expect((await conn.execute('SELECT 1', [])).rows).to.deep.equal([[1]])
    })

    it('one signal for many statements (the watchdog\'s) cancels only the statement running when it aborts', async () => {
      const ac = new AbortController()
      for (let i = 0; i < 3; i++) expect((await conn.execute('SELECT 1', [], { signal: ac.signal })).rows).to.deep.equal([[1]])
      setTimeout(() => ac.abort(), 100)
      const e = await rejection(within(conn.execute('SELECT pg_sleep(5)', [], { signal: ac.signal }), 3000, 'cancelled statement'))
      expect(translateError(e, { sql: 'SELECT pg_sleep(5)' })).to.be.instanceOf(StatementTimeoutError)
      // Another signal takes over; the first, aborted once, is no longer listened to.
      const other = new AbortController()
      expect((await conn.execute('SELECT 2', [], { signal: other.signal })).rows).to.deep.equal([[2]])
      other.abort()
      expect((await conn.execute('SELECT 3', [])).rows).to.deep.equal([[3]])
      expect(conn.closed).to.equal(false)
    })
  })

  describe('transactions', () => {
    before(async () => {
      await conn.execute(`CREATE TABLE ${T}_tx (id INTEGER PRIMARY KEY)`, [])
    })

    async function ids(): Promise<unknown[]> {
      return (await conn.execute(`SELECT id FROM ${T}_tx ORDER BY id`, [])).rows.map((r) => r[0])
    }

    it('commits, rolls back, and rolls back to a savepoint', async () => {
      await conn.begin({})
      await conn.execute(`INSERT INTO ${T}_tx VALUES (1)`, [])
      await conn.rollback()
      expect(await ids()).to.deep.equal([])

      await conn.begin({})
      await conn.execute(`INSERT INTO ${T}_tx VALUES (1)`, [])
      await conn.execute('SAVEPOINT sp1', [])
      await conn.execute(`INSERT INTO ${T}_tx VALUES (2)`, [])
      await conn.execute('ROLLBACK TO SAVEPOINT sp1', [])
      await conn.execute(`INSERT INTO ${T}_tx VALUES (3)`, [])
      await conn.execute('RELEASE SAVEPOINT sp1', [])
      await conn.commit()
      expect(await ids()).to.deep.equal([1, 3])
    })

    it('begins with an isolation level and READ ONLY', async () => {
      await conn.begin({ isolationLevel: 'REPEATABLE READ', readOnly: true })
      const { rows } = await conn.execute('SELECT current_setting(\'transaction_isolation\'), current_setting(\'transaction_read_only\')', [])
      expect(rows).to.deep.equal([['repeatable read', 'on']])
      await conn.rollback()
      expect(await rejection(conn.begin({ isolationLevel: 'SNAPSHOT' as never }))).to.be.instanceOf(ArgumentError)
    })

    it('skips the round trip for rollback() when no transaction is open', async () => {
      const lastQuery = async (): Promise<unknown> =>
        (await admin.execute('SELECT query FROM pg_stat_activity WHERE pid = $1', [conn.backendPid])).rows[0]?.[0]
      await conn.execute(`SELECT 'idle-marker'`, [])
      await conn.rollback()
      await conn.rollback()
      expect(await lastQuery()).to.equal(`SELECT 'idle-marker'`)
      // A raw BEGIN through execute() is tracked too.
      await conn.execute('BEGIN', [])
      await conn.rollback()
      expect(await lastQuery()).to.equal('ROLLBACK')
    })

    it('reports a COMMIT that PostgreSQL turned into ROLLBACK', async () => {
      await conn.begin({})
      await conn.execute(`INSERT INTO ${T}_tx VALUES (10)`, [])
      await rejection(conn.execute('SELECT 1/0', []))
      const e = await rejection(conn.commit())
      expect(e).to.be.instanceOf(DatabaseError)
      expect((e as DatabaseError).code).to.equal('transaction-aborted')
      expect(await ids()).to.not.include(10)
      await conn.rollback() // harmless
    })
  })

  describe('errors by SQLSTATE', () => {
    before(async () => {
      await conn.execute(`CREATE TABLE ${T}_parent (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0))`, [])
      await conn.execute(`CREATE TABLE ${T}_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES ${T}_parent (id))`, [])
      await conn.execute(`INSERT INTO ${T}_parent (id, email) VALUES (1, 'a@x.io')`, [])
    })

    async function failing(sql: string, params: unknown[] = []): Promise<AthanorError> {
      return translateError(await rejection(conn.execute(sql, params)), { sql, params })
    }

    it('unique, foreign key, not null and check → IntegrityError', async () => {
      const unique = await failing(`INSERT INTO ${T}_parent (id, email) VALUES ($1, $2)`, [2, 'a@x.io'])
      expect(unique).to.be.instanceOf(IntegrityError)
      expect((unique as IntegrityError).kind).to.equal('unique')
      expect((unique as IntegrityError).driverCode).to.equal('23505')
      expect(unique.message).to.include(`${T}_parent_email_key`).and.include('[SQL: INSERT').and.include('2 hidden')
      expect(unique).to.include({ constraint: `${T}_parent_email_key`, table: `${T}_parent` })
      expect((unique as IntegrityError).columns).to.deep.equal(['email'])
      expect(unique.message).to.not.include('a@x.io')
      const fk = await failing(`INSERT INTO ${T}_child VALUES (1, 99)`)
      expect((fk as IntegrityError).kind).to.equal('foreign-key')
      expect(fk).to.include({ constraint: `${T}_child_parent_id_fkey`, table: `${T}_child`, referencedTable: `${T}_parent` })
      expect((fk as IntegrityError).columns).to.deep.equal(['parent_id'])
      const restrict = await failing(`INSERT INTO ${T}_child VALUES (1, 1); DELETE FROM ${T}_parent WHERE id = 1`)
      expect((restrict as IntegrityError).kind).to.equal('foreign-key')
      const nn = await failing(`INSERT INTO ${T}_child (id) VALUES (2)`)
      expect((nn as IntegrityError).kind).to.equal('not-null')
      expect(nn).to.include({ table: `${T}_child`, constraint: undefined })
      expect((nn as IntegrityError).columns).to.deep.equal(['parent_id'])
      const check = await failing(`UPDATE ${T}_parent SET n = -1`)
      expect((check as IntegrityError).kind).to.equal('check')
      expect(conn.closed).to.equal(false)
    })

    it('syntax and unknown tables → ProgrammingError; bad input → data', async () => {
      expect(await failing('SELEC 1')).to.be.instanceOf(ProgrammingError)
      expect(await failing(`SELECT * FROM ${T}_missing`)).to.be.instanceOf(ProgrammingError)
      const data = await failing('SELECT $1::int', ['abc'])
      expect(data.code).to.equal('data')
      expect((data as DatabaseError).driverCode).to.equal('22P02')
    })

    it('statement timeout → StatementTimeoutError (statementTimeoutMs)', async () => {
      const c = await connect({ statementTimeoutMs: 150 })
      try {
        expect((await c.execute('SHOW statement_timeout', [])).rows).to.deep.equal([['150ms']])
        const e = translateError(await rejection(c.execute('SELECT pg_sleep(2)', [])), {})
        expect(e).to.be.instanceOf(StatementTimeoutError)
        expect(c.closed).to.equal(false)
      } finally {
        await c.close()
      }
    })

    it('lock timeout, serialization failure and deadlock', async function () {
      this.timeout(10_000)
      await conn.execute(`CREATE TABLE ${T}_locks (id INTEGER PRIMARY KEY, v INTEGER)`, [])
      await conn.execute(`INSERT INTO ${T}_locks VALUES (1, 0), (2, 0)`, [])
      const other = await connect()
      try {
        // 55P03: lock_timeout while another transaction holds the row.
        await other.begin({})
        await other.execute(`UPDATE ${T}_locks SET v = 1 WHERE id = 1`, [])
        await conn.begin({})
        await conn.execute(`SET LOCAL lock_timeout = 100`, [])
        expect(translateError(await rejection(conn.execute(`UPDATE ${T}_locks SET v = 2 WHERE id = 1`, [])), {})).to.be.instanceOf(LockTimeoutError)
        await conn.rollback()
        await other.commit()

        // 40001: REPEATABLE READ and a concurrent update of the same row.
        await conn.begin({ isolationLevel: 'REPEATABLE READ' })
        await conn.execute(`SELECT v FROM ${T}_locks WHERE id = 1`, [])
        await other.execute(`UPDATE ${T}_locks SET v = v + 1 WHERE id = 1`, [])
        expect(translateError(await rejection(conn.execute(`UPDATE ${T}_locks SET v = 5 WHERE id = 1`, [])), {})).to.be.instanceOf(SerializationError)
        await conn.rollback()

        // 40P01: rows (1, 2) against (2, 1).
        await conn.begin({})
        await other.begin({})
        await conn.execute(`UPDATE ${T}_locks SET v = 10 WHERE id = 1`, [])
        await other.execute(`UPDATE ${T}_locks SET v = 20 WHERE id = 2`, [])
        const outcomes = await Promise.allSettled([
          conn.execute(`UPDATE ${T}_locks SET v = 11 WHERE id = 2`, []),
          other.execute(`UPDATE ${T}_locks SET v = 21 WHERE id = 1`, []),
        ])
        const errors = outcomes.filter((o) => o.status === 'rejected').map((o) => translateError((o as PromiseRejectedResult).reason, {}))
        expect(errors).to.have.length(1)
        expect(errors[0]).to.be.instanceOf(DeadlockError)
        await conn.rollback()
        await other.rollback()
      } finally {
        await other.close()
      }
    })
  })

  describe('value round trips', () => {
    const cols: [string, SqlType<unknown>, unknown][] = [
      ['i', Integer, 2147483647],
      ['b', BigInteger, 2n ** 53n + 1n],
      ['bmin', BigInteger, -9223372036854775808n],
      ['s', SmallInteger, -32768],
      ['f', Float, 0.1 + 0.2],
      ['n', Numeric(30, 9), '12345678901234567890.123456789'],
      ['t', Text, 'héllo ☃ "quoted" \\ back'],
      ['ok', BooleanType, false],
      ['d', DateType, '2024-02-29'],
      ['dold', DateType, '0044-03-15'],
      ['ts', DateTime(), new Date('2024-07-01T03:04:05.678Z')],
      ['tstz', DateTime({ timezone: true }), new Date('1969-12-31T23:59:59.999Z')],
      ['tm', Time, '12:34:56.789'],
      ['j', JsonType(), { a: [1, { b: null, c: 'x' }], d: 1.5, e: 'ü' }],
      ['jtrue', JsonType(), true],
      ['jarr', JsonType(), [true, false, null]],
      ['jstr', JsonType(), '{"looks":"like json"}'],
      ['u', UUID, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
      ['bin', LargeBinary, Uint8Array.from({ length: 256 }, (_, i) => i)],
      ['mood', Enum(['happy', 'sad'], { name: `${T}_mood` }), 'sad'],
    ]

    it('round-trips every portable kind through bind and result processors', async () => {
      await conn.execute(`CREATE TYPE ${T}_mood AS ENUM ('happy', 'sad')`, [])
      await conn.execute(`CREATE TABLE ${T}_values (${cols.map(([c, t]) => `${c} ${typeDdl(t, { quote: (s) => s })}`).join(', ')})`, [])
      const bound = cols.map(([c, t, v]) => {
        const valid = t.validate(v, c)
        return bindProcessor(t)?.(valid) ?? valid
      })
      const placeholders = cols.map((_, i) => `$${i + 1}`).join(', ')
      const sql = `INSERT INTO ${T}_values VALUES (${placeholders})`
      await conn.execute(sql, bound, { prepare: true })
      await conn.execute(sql, bound, { prepare: true }) // the prepared path binds the same way
      const { rows } = await conn.execute(`SELECT ${cols.map(([c]) => c).join(', ')} FROM ${T}_values`, [])
      expect(rows).to.have.length(2)
      for (const row of rows) {
        cols.forEach(([c, t, v], i) => {
          const got = resultProcessor(t)?.(row[i]) ?? row[i]
          const want = t.validate(v, c)
          if (want instanceof Date) expect((got as Date).toISOString(), c).to.equal(want.toISOString())
          else if (want instanceof Uint8Array) expect(Buffer.from(got as Uint8Array).equals(Buffer.from(want)), c).to.equal(true)
          else expect(got, c).to.deep.equal(want)
        })
      }
      // JSON went in once-encoded: the string stayed a string, true stayed a boolean.
      const types = await conn.execute(`SELECT jsonb_typeof(jstr), jsonb_typeof(jtrue), jsonb_typeof(j), ts::text, d::text FROM ${T}_values LIMIT 1`, [])
      expect(types.rows).to.deep.equal([['string', 'boolean', 'object', '2024-07-01 03:04:05.678', '2024-02-29']])
    })

    it('returns int8 as bigint and numeric as exact text; count(*) labelled Integer becomes a number', async () => {
      const { rows } = await conn.execute(`SELECT 9223372036854775807::int8, count(*), '0.10'::numeric, avg(x) FROM (VALUES (1), (2)) v(x)`, [])
      expect(rows[0]).to.deep.equal([9223372036854775807n, 2n, '0.10', '1.5000000000000000'])
      expect(resultProcessor(Integer)?.(rows[0]![1])).to.equal(2)
      expect(resultProcessor(Float)?.(rows[0]![3])).to.equal(1.5)
    })

    it('round-trips timestamps under TZ=America/New_York (child process)', async function () {
      this.timeout(20_000)
      const fixture = fileURLToPath(new globalThis.URL('./fixtures/tz-roundtrip.ts', import.meta.url))
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', '--conditions=@athanor/source', fixture], {
          env: { ...process.env, TZ: 'America/New_York', ATHANOR_PG_URL: URL }, timeout: 15_000,
        }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)))
      })
      const r = JSON.parse(out) as Record<string, unknown>
      expect(r.offset).to.not.equal(0) // the child really ran outside UTC
      expect(r.ts).to.equal(r.sent)
      expect(r.tstz).to.equal(r.sent)
      expect(r.d).to.equal('2024-07-01')
      expect(r.tsText).to.equal('2024-07-01 03:04:05.678') // stored as UTC wall time
      expect(r.dfltSkewMs).to.be.below(60_000) // now() default on a timestamp column reads back as now
    })
  })

  describe('server info and connecting', () => {
    it('reads the server version (from startup, or SHOW server_version)', async () => {
      const info = await serverInfo(conn)
      expect(info.flavour).to.equal('postgresql')
      expect(info.version).to.match(/^\d+(\.\d+)?$/)
      const plain: DriverConnection = {
        execute: (sql, params, o) => conn.execute(sql, params, o), stream: (s, p, o) => conn.stream(s, p, o),
        begin: (o) => conn.begin(o), commit: () => conn.commit(), rollback: () => conn.rollback(), ping: () => conn.ping(),
        close: () => conn.close(), destroy: () => conn.destroy(), get closed() { return conn.closed },
      }
      expect(await serverInfo(plain)).to.deep.equal(info)
      expect(conn.serverParameters.TimeZone).to.equal('UTC')
      expect(conn.serverParameters.application_name).to.equal('athanor')
    })

    it('fails to connect with a disconnect-class OperationalError', async () => {
      const refused = translateError(await rejection(driver.connect({ url: 'postgres://postgres@127.0.0.1:1/x', connectTimeoutMs: 2000 })), {})
      expect(refused).to.be.instanceOf(OperationalError)
      expect(refused.code).to.equal('connect-failed')
      expect((refused as OperationalError).disconnect).to.equal(true)
      const noDb = translateError(await rejection(driver.connect({ url: URL.replace(/\/[^/?]*(\?|$)/, '/athanor_no_such_db$1'), connectTimeoutMs: 2000 })), {})
      expect(noDb.code).to.equal('connect-failed')
      expect((noDb as OperationalError).driverCode).to.equal('3D000')
    })
  })

  describe('a killed backend', () => {
    async function kill(pid: number): Promise<void> {
      // Only the backend this test opened.
      const { rows } = await admin.execute('SELECT pg_terminate_backend($1)', [pid])
      expect(rows).to.deep.equal([[true]])
    }

    function expectDisconnect(e: unknown): void {
      const t = translateError(e, { sql: 'x' })
      expect(t, String(e)).to.be.instanceOf(OperationalError)
      expect((t as OperationalError).disconnect, t.message).to.equal(true)
      expect(driver.isDisconnect(e)).to.equal(true)
    }

    it('while idle: closed becomes true and the next statement fails fast', async () => {
      const c = await connect()
      await kill(c.backendPid)
      expect(await waitUntil(() => c.closed, 2000)).to.equal(true)
      expectDisconnect(await rejection(within(c.execute('SELECT 1', []), 2000, 'statement on a killed connection')))
      await c.rollback() // a no-op on a dead connection
      await c.close()
    })

    it('while a statement runs', async () => {
      const c = await connect()
      const running = rejection(within(c.execute('SELECT pg_sleep(5)', []), 4000, 'killed statement'))
      await sleep(100)
      await kill(c.backendPid)
      expectDisconnect(await running)
      expect(c.closed).to.equal(true)
    })

    it('and a statement sent right after the kill, without waiting', async () => {
      for (let i = 0; i < 5; i++) {
        const c = await connect()
        await kill(c.backendPid)
        expectDisconnect(await rejection(within(c.execute('SELECT 1', []), 3000, 'statement right after a kill')))
        expect(c.closed).to.equal(true)
        expectDisconnect(await rejection(within(c.execute('SELECT 1', []), 1000, 'second statement')))
      }
    })

    it('between stream batches', async () => {
      const c = await connect()
      const it = c.stream('SELECT g FROM generate_series(1, 100000) g', [], { batchSize: 100 })[Symbol.asyncIterator]()
      await it.next()
      await kill(c.backendPid)
      await waitUntil(() => c.closed, 2000)
      const e = await within(it.next().then(() => undefined, (err: unknown) => err), 3000, 'stream after a kill')
      expectDisconnect(e)
      expect(c.closed).to.equal(true)
    })

    it('inside a transaction: COMMIT fails as a lost connection, rollback() is a no-op', async () => {
      const c = await connect()
      await c.execute(`CREATE TABLE IF NOT EXISTS ${T}_killed (id INTEGER)`, [])
      await c.begin({})
      await c.execute(`INSERT INTO ${T}_killed VALUES (1)`, [])
      await kill(c.backendPid)
      const e = await rejection(within(c.commit(), 3000, 'commit after a kill'))
      expectDisconnect(e)
      // Either it was known closed before COMMIT was sent (certainly not committed), or it broke during it.
      if (e instanceof CommitOutcomeUnknownError) expect(e.code).to.equal('commit-outcome-unknown')
      await c.rollback()
      expect((await conn.execute(`SELECT count(*)::int FROM ${T}_killed`, [])).rows).to.deep.equal([[0]])
    })

    it('destroy() drops a hung statement at once', async () => {
      const c = await connect()
      const running = rejection(c.execute('SELECT pg_sleep(10)', []))
      await sleep(50)
      c.destroy()
      expectDisconnect(await within(running, 1000, 'statement after destroy()'))
      expect(c.closed).to.equal(true)
      // The backend does not notice a vanished client while it sleeps; end it rather than leave it.
      await kill(c.backendPid)
    })
  })
})
