import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import fc from 'fast-check'
import {
  BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, Integer, IntegrityError, InvalidRequestError,
  JSON as JsonType, LargeBinary, LockTimeoutError, DatabaseError, Numeric, OperationalError, ProgrammingError, SerializationError,
  String as StringType, Text, Time, UUID, ValueError,
} from '@athanor/core'
import type { DriverConnection, SqlType } from '@athanor/core'
import {
  LibsqlConnection, LibsqlDriver, bindProcessor, libsqlCapabilities, parseLibsqlUrl, resultProcessor, typeDdl,
} from '../src/index.js'
import { constraintInfo } from '../src/errors.js'
import { createClient } from '@libsql/client'

const driver = new LibsqlDriver()

function connect(url: string, driverOptions: Record<string, unknown> = {}): Promise<LibsqlConnection> {
  return driver.connect({ url, connectTimeoutMs: 5000, driverOptions })
}

/** Runs `fn` and returns the Athanor error it threw, translated the way the engine will. */
async function failure(fn: () => Promise<unknown>, sql?: string): Promise<Error> {
  try {
    await fn()
  } catch (e) {
    return driver.translateError(e, { sql })
  }
  throw new Error('expected a failure')
}

async function rows(conn: DriverConnection, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return (await conn.execute(sql, params)).rows.map((r) => [...r])
}

describe('@athanor/libsql driver', () => {
  let dir: string
  const open: LibsqlConnection[] = []
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-libsql-'))
  })
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close()
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  async function memory(): Promise<LibsqlConnection> {
    const c = await connect('sqlite://:memory:')
    open.push(c)
    return c
  }
  let fileN = 0
  function fileUrl(): string {
    // join() gives an absolute path, so this is the four-slash (absolute) form
    return `sqlite:///${join(dir, `db${++fileN}.db`)}`
  }
  async function file(url: string, options: Record<string, unknown> = {}): Promise<LibsqlConnection> {
    const c = await connect(url, options)
    open.push(c)
    return c
  }

  describe('parseLibsqlUrl', () => {
    const cases: [string, string, string][] = [
      ['sqlite://', ':memory:', 'memory'],
      ['sqlite://:memory:', ':memory:', 'memory'],
      ['sqlite:///:memory:', ':memory:', 'memory'],
      ['sqlite://:memory:?cache=shared', 'file::memory:?cache=shared', 'memory'],
      ['sqlite:///data/app.db', 'file:data/app.db', 'file'],
      ['sqlite:////var/db/app.db', 'file:/var/db/app.db', 'file'],
      ['SQLite+libsql:///app.db', 'file:app.db', 'file'],
      ['sqlite+libsql://db.example.turso.io?authToken=x', 'libsql://db.example.turso.io?authToken=x', 'remote'],
      ['file:app.db', 'file:app.db', 'file'],
      ['file:///abs/app.db', 'file:///abs/app.db', 'file'],
      ['file::memory:', 'file::memory:', 'memory'],
      ['libsql://db.example.turso.io', 'libsql://db.example.turso.io', 'remote'],
      ['https://db.example.com', 'https://db.example.com', 'remote'],
    ]
    for (const [input, url, kind] of cases) {
      it(`${input} → ${url}`, () => expect(parseLibsqlUrl(input)).to.deep.equal({ url, kind }))
    }
    it('rejects hosts on plain sqlite: URLs and foreign schemes with the fix', () => {
      expect(() => parseLibsqlUrl('sqlite://host/app.db')).to.throw(/libsql:\/\/host/)
      expect(() => parseLibsqlUrl('postgresql://x/y')).to.throw(/not postgresql:/)
      expect(() => parseLibsqlUrl('sqlite:app.db')).to.throw(/sqlite:\/\/\/relative/)
    })
  })

  describe('native binding and @libsql/client give the same answers', () => {
    const run = async (nativeBinding: boolean): Promise<unknown[]> => {
      const c = await file(fileUrl(), { nativeBinding })
      const out: unknown[] = []
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, big INTEGER, name TEXT UNIQUE, b BLOB, f REAL)', [])
      const ins = await c.execute('INSERT INTO t (big, name, b, f) VALUES (?, ?, ?, ?)', [2n ** 60n, 'a', Buffer.from([1, 2]), 1.5])
      out.push(ins.rowsAffected, ins.insertId)
      await c.begin({})
      out.push((await c.execute('INSERT INTO t (big, name) VALUES (?, ?) RETURNING id, name', [true, 'b'])).rows)
      await c.rollback()
      await c.begin({})
      await c.execute('UPDATE t SET f = ? WHERE id = ?', [2.5, 1])
      await c.commit()
      const [row] = (await c.execute('SELECT id, big, name, b, f FROM t', [])).rows as unknown[][]
      out.push([row![0], row![1], row![2], [...(Buffer.isBuffer(row![3]) ? row![3] : Buffer.from(row![3] as ArrayBuffer))], row![4]])
      const e = await failure(() => c.execute('INSERT INTO t (name) VALUES (?)', ['a']))
      out.push(e.constructor.name, (e as IntegrityError).kind, (e as IntegrityError).driverCode)
      const syntax = await failure(() => c.execute('SELEC 1', []))
      out.push(syntax.constructor.name)
      return out
    }
    it('rows, counts, ids, bigints, blobs, transactions and errors', async () => {
      const native = await run(true)
      expect(native).to.deep.equal([1, 1, [[2, 'b']], [1, 2n ** 60n, 'a', [1, 2], 2.5], 'IntegrityError', 'unique', 'SQLITE_CONSTRAINT_UNIQUE', 'ProgrammingError'])
      expect(await run(false)).to.deep.equal(native)
    })
  })

  describe('statements', () => {
    it('returns positional rows, column names, rowsAffected and insertId', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v REAL)', [])
      const ins = await c.execute('INSERT INTO t (name, v) VALUES (?, ?)', ['a', 1.5])
      expect(ins.rowsAffected).to.equal(1)
      expect(ins.insertId).to.equal(1)
      const two = await c.execute('INSERT INTO t (name, v) VALUES (?, ?), (?, ?)', ['b', 2, 'c', null])
      expect(two.rowsAffected).to.equal(2)
      expect(two.insertId, 'last_insert_rowid is the last row, so not reported for several').to.equal(undefined)
      const r = await c.execute('SELECT id, name, v, id AS name FROM t ORDER BY id', [])
      expect(r.columnNames).to.deep.equal(['id', 'name', 'v', 'name'])
      expect(r.rows).to.deep.equal([[1, 'a', 1.5, 1], [2, 'b', 2, 2], [3, 'c', null, 3]])
      expect(Array.isArray(r.rows[0])).to.equal(true)
      const upd = await c.execute('UPDATE t SET v = 0 WHERE id > ?', [1])
      expect(upd.rowsAffected).to.equal(2)
      expect(upd.insertId).to.equal(undefined)
    })

    it('reports RETURNING rows and counts them as rowsAffected (libsql says 0)', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)', [])
      const r = await c.execute('INSERT INTO t (name) VALUES (?), (?) RETURNING id, name', ['x', 'y'])
      expect(r.rows).to.deep.equal([[1, 'x'], [2, 'y']])
      expect(r.rowsAffected).to.equal(2)
      const d = await c.execute('DELETE FROM t WHERE id = 2 RETURNING id', [])
      expect(d.rows).to.deep.equal([[2]])
      expect(d.rowsAffected).to.equal(1)
    })

    it('keeps integers past 2^53 exact as bigint and gives smaller ones as numbers', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, big INTEGER)', [])
      const big = 2n ** 62n + 1n
      await c.execute('INSERT INTO t (id, big) VALUES (?, ?), (?, ?)', [1, big, 2, -(2n ** 63n)])
      await c.execute('INSERT INTO t (id, big) VALUES (?, ?)', [3, 2n ** 53n - 1n])
      expect(await rows(c, 'SELECT big FROM t ORDER BY id')).to.deep.equal([[big], [-(2n ** 63n)], [2 ** 53 - 1]])
      expect(await rows(c, 'SELECT count(*) FROM t')).to.deep.equal([[3]])
      expect(resultProcessor(BigInteger)!((await rows(c, 'SELECT big FROM t WHERE id = 3'))[0]![0])).to.equal(2n ** 53n - 1n)
    })

    it('round-trips a BLOB as a Buffer of exactly its bytes', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE b (v BLOB)', [])
      const bytes = new Uint8Array([0, 1, 2, 250, 255, 0])
      const view = new Uint8Array(new Uint8Array([9, 9, 7, 8, 9]).buffer, 2, 2)
      await c.execute('INSERT INTO b VALUES (?), (?)', [bytes, view])
      const [[a], [b]] = (await rows(c, 'SELECT v FROM b ORDER BY rowid')) as [[unknown], [unknown]]
      // The native binding returns a Buffer (the client returned an ArrayBuffer); both read as a Buffer.
      expect(Buffer.isBuffer(a) || a instanceof ArrayBuffer).to.equal(true)
      const toBuffer = resultProcessor(LargeBinary)!
      expect(toBuffer(a)).to.deep.equal(Buffer.from(bytes))
      expect(toBuffer(b)).to.deep.equal(Buffer.from([7, 8]))
      expect(toBuffer(null)).to.equal(null)
    })

    it('ping() and stream() in batches', async () => {
      const c = await memory()
      await c.ping()
      await c.execute('CREATE TABLE s (n INTEGER)', [])
      await c.execute(`INSERT INTO s WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 25) SELECT n FROM k`, [])
      const batches: (readonly (readonly unknown[])[])[] = []
      for await (const batch of c.stream('SELECT n FROM s WHERE n > ? ORDER BY n', [0], { batchSize: 10 })) batches.push(batch)
      expect(batches.map((b) => b.length)).to.deep.equal([10, 10, 5])
      expect(batches.flat().map((r) => r[0])).to.deep.equal(Array.from({ length: 25 }, (_, i) => i + 1))
      const none: unknown[] = []
      for await (const batch of c.stream('SELECT n FROM s WHERE n < 0', [], { batchSize: 10 })) none.push(batch)
      expect(none).to.deep.equal([])
    })

    it('refuses transaction control written as SQL, which libsql would silently undo', async () => {
      const c = await memory()
      for (const sql of ['BEGIN', ' begin immediate', 'COMMIT', 'END TRANSACTION', 'ROLLBACK', 'SAVEPOINT s1']) {
        const e = await failure(() => c.execute(sql, []))
        expect(e, sql).to.be.instanceOf(InvalidRequestError)
      }
    })
  })

  describe('transactions', () => {
    it('commits and rolls back through client.transaction(), with statements routed into it', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await c.begin({})
      expect(c.inTransaction).to.equal(true)
      await c.execute('INSERT INTO t VALUES (1)', []) // on :memory: the client alone would say TRANSACTION_ACTIVE
      await c.commit()
      expect(c.inTransaction).to.equal(false)
      await c.begin({ isolationLevel: 'SERIALIZABLE' })
      await c.execute('INSERT INTO t VALUES (2)', [])
      expect(await rows(c, 'SELECT count(*) FROM t')).to.deep.equal([[2]])
      await c.rollback()
      expect(await rows(c, 'SELECT id FROM t')).to.deep.equal([[1]])
    })

    it('rolls back DDL with the transaction', async () => {
      const c = await memory()
      await c.begin({})
      await c.execute('CREATE TABLE gone (id INTEGER)', [])
      await c.rollback()
      expect(await failure(() => c.execute('SELECT * FROM gone', []))).to.be.instanceOf(ProgrammingError)
    })

    it('treats rollback() with no open transaction as a no-op, and refuses commit()/nested begin()', async () => {
      const c = await memory()
      await c.rollback()
      await c.rollback()
      expect(await failure(() => c.commit())).to.be.instanceOf(InvalidRequestError)
      await c.begin({})
      expect(await failure(() => c.begin({}))).to.be.instanceOf(InvalidRequestError)
      await c.rollback()
    })

    it('runs SAVEPOINT / ROLLBACK TO / RELEASE inside the transaction', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await c.begin({})
      await c.execute('INSERT INTO t VALUES (1)', [])
      await c.execute('SAVEPOINT "sp1"', [])
      await c.execute('INSERT INTO t VALUES (2)', [])
      await c.execute('SAVEPOINT sp2', [])
      await c.execute('INSERT INTO t VALUES (3)', [])
      await c.execute('RELEASE SAVEPOINT sp2', [])
      await c.execute('ROLLBACK TO SAVEPOINT "sp1"', [])
      await c.execute('RELEASE "sp1"', [])
      await c.execute('SAVEPOINT sp3', [])
      await c.execute('INSERT INTO t VALUES (4)', [])
      await c.execute('ROLLBACK TRANSACTION TO sp3', [])
      await c.execute('INSERT INTO t VALUES (5)', [])
      await c.commit()
      expect(await rows(c, 'SELECT id FROM t ORDER BY id')).to.deep.equal([[1], [5]])
    })

    it('keeps the transaction open after a failed statement (SQLite rolls back only the statement)', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await c.begin({})
      await c.execute('INSERT INTO t VALUES (1)', [])
      expect(await failure(() => c.execute('INSERT INTO t VALUES (1)', []))).to.be.instanceOf(IntegrityError)
      await c.execute('INSERT INTO t VALUES (2)', [])
      await c.commit()
      expect(await rows(c, 'SELECT count(*) FROM t')).to.deep.equal([[2]])
    })

    it('enforces readOnly transactions and clears query_only afterwards', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await c.begin({ readOnly: true })
      expect(await rows(c, 'SELECT count(*) FROM t')).to.deep.equal([[0]])
      const e = await failure(() => c.execute('INSERT INTO t VALUES (1)', []))
      expect(e).to.be.instanceOf(DatabaseError)
      expect((e as DatabaseError).code).to.equal('read-only')
      expect(e.message).to.match(/readonly.*readOnly in the session or begin\(\)/)
      await c.commit()
      await c.execute('INSERT INTO t VALUES (1)', [])
      await c.begin({ readOnly: true })
      await c.rollback()
      await c.execute('INSERT INTO t VALUES (2)', [])
    })

    it('releases a transaction the database already ended', async () => {
      const c = await memory()
      await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      // RAISE(ROLLBACK) in a trigger ends the whole transaction from inside SQLite.
      await c.execute(`CREATE TRIGGER nope BEFORE INSERT ON t WHEN NEW.id = 99 BEGIN SELECT RAISE(ROLLBACK, 'no 99'); END`, [])
      await c.begin({})
      await c.execute('INSERT INTO t VALUES (1)', [])
      await failure(() => c.execute('INSERT INTO t VALUES (99)', []))
      // The next statement must not run in autocommit mode as if the transaction were still open.
      const next = await failure(() => c.execute('INSERT INTO t VALUES (2)', []))
      expect((next as OperationalError).code).to.equal('transaction-closed')
      const e = await failure(() => c.commit())
      expect(e).to.be.instanceOf(OperationalError)
      expect((e as OperationalError).code).to.equal('transaction-closed')
      expect(c.inTransaction).to.equal(false)
      await c.begin({})
      await failure(() => c.execute('INSERT INTO t VALUES (99)', []))
      await c.rollback() // the ended transaction is released without an error
      expect(await rows(c, 'SELECT count(*) FROM t')).to.deep.equal([[0]])
    })
  })

  describe('file databases', () => {
    it('sets WAL and foreign keys, and keeps data across connections', async () => {
      const url = fileUrl()
      const a = await file(url)
      expect(await rows(a, 'PRAGMA journal_mode')).to.deep.equal([['wal']])
      expect(await rows(a, 'PRAGMA foreign_keys')).to.deep.equal([[1]])
      expect(await rows(a, 'PRAGMA busy_timeout'), 'SQLite must never sleep inside the event loop').to.deep.equal([[0]])
      await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await a.begin({})
      await a.execute('INSERT INTO t VALUES (1)', [])
      await a.commit()
      await a.close()
      expect(a.closed).to.equal(true)
      const b = await file(url)
      expect(await rows(b, 'SELECT id FROM t')).to.deep.equal([[1]])
    })

    it('waits for another connection\'s write lock without blocking the event loop (execute and begin)', async () => {
      const url = fileUrl()
      const a = await file(url)
      const b = await file(url)
      await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await a.begin({})
      await a.execute('INSERT INTO t VALUES (1)', [])

      let ticks = 0
      const timer = setInterval(() => ticks++, 10)
      const started = Date.now()
      setTimeout(() => void a.commit(), 300)
      try {
        await b.execute('INSERT INTO t VALUES (2)', [])
      } finally {
        clearInterval(timer)
      }
      const waited = Date.now() - started
      expect(waited).to.be.at.least(250)
      expect(ticks, `timer ticks during a ${waited} ms wait`).to.be.at.least(10)
      // read from the other connection: b's own view would include an uncommitted row
      expect(await rows(a, 'SELECT id FROM t ORDER BY id')).to.deep.equal([[1], [2]])

      await a.begin({})
      setTimeout(() => void a.rollback(), 200)
      await b.begin({}) // BEGIN IMMEDIATE is retried the same way
      await b.execute('INSERT INTO t VALUES (3)', [])
      await b.commit()
      expect(await rows(a, 'SELECT count(*) FROM t')).to.deep.equal([[3]])
    })

    it('gives up with LockTimeoutError after busyTimeoutMs when another process holds the lock', async () => {
      const url = fileUrl()
      const a = await file(url)
      const b = await file(url, { busyTimeoutMs: 150 })
      await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      // Another process: a client of its own, outside this process's write-lock queue.
      const other = createClient({ url: `file:${url.slice('sqlite:///'.length)}` })
      try {
        const held = await other.transaction('write')
        const started = Date.now()
        const e = await failure(() => b.execute('INSERT INTO t VALUES (2)', []), 'INSERT INTO t VALUES (2)')
        expect(Date.now() - started).to.be.within(140, 3000) // gives up near 150 ms, not never
        expect(e).to.be.instanceOf(LockTimeoutError)
        expect(e.message).to.match(/database is locked \(waited \d+ ms\)/).and.match(/\[SQL: INSERT INTO t VALUES \(2\)\]/)
        await b.begin({})
        expect(await failure(() => b.execute('INSERT INTO t VALUES (2)', [])), 'BEGIN IMMEDIATE at the first write').to.be.instanceOf(LockTimeoutError)
        expect(b.inTransaction).to.equal(false)
        await held.rollback()
      } finally {
        other.close()
      }
      // b hit SQLITE_BUSY, which leaves a libsql connection unable to commit: its writes must still land
      await b.execute('INSERT INTO t VALUES (3)', [])
      await b.begin({})
      await b.execute('INSERT INTO t VALUES (4)', [])
      await b.commit()
      expect(await rows(a, 'SELECT id FROM t ORDER BY id')).to.deep.equal([[3], [4]])
    })

    it('fails a busy statement inside a transaction at once, refuses to commit it, and recovers the connection', async () => {
      const url = fileUrl()
      const a = await file(url)
      const b = await file(url)
      await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      const other = createClient({ url: `file:${url.slice('sqlite:///'.length)}` })
      try {
        await b.begin({})
        await b.execute('SELECT count(*) FROM t', []) // a deferred transaction: no lock yet
        const held = await other.transaction('write') // another process takes the write lock
        await held.execute('INSERT INTO t VALUES (1)')
        const started = Date.now()
        const e = await failure(() => b.execute('INSERT INTO t VALUES (2)', []))
        expect(Date.now() - started).to.be.below(2500) // not the busy timeout (5 s)
        expect(e).to.be.instanceOf(LockTimeoutError)
        expect(e.message).to.match(/inside a transaction cannot wait/)
        await held.commit()
      } finally {
        other.close()
      }
      const c = await failure(() => b.commit())
      expect(c).to.be.instanceOf(LockTimeoutError)
      expect(c.message).to.match(/rolled back; run the whole transaction again/)
      expect(b.inTransaction).to.equal(false)
      expect(b.writeLockSince, 'the process write lock went with the transaction').to.equal(undefined)
      await b.execute('INSERT INTO t VALUES (3)', [])
      expect(await rows(a, 'SELECT id FROM t ORDER BY id')).to.deep.equal([[1], [3]])
      await b.begin({})
      await b.execute('INSERT INTO t VALUES (4)', [])
      await b.commit()
      expect(await rows(a, 'SELECT count(*) FROM t')).to.deep.equal([[3]])
    })

    it('canary: libsql still leaves a SQLITE_BUSY statement in progress (libsql-client-ts#352)', async () => {
      // When this fails, libsql resets failed statements and LibsqlConnection#replaceClient can go.
      // A garbage collection between the two INSERTs finalizes the failed statement and hides the
      // bug for that round, hence up to three rounds.
      const { createClient } = await import('@libsql/client')
      const committedAfterBusy: boolean[] = []
      for (let round = 0; round < 3 && !committedAfterBusy.includes(false); round++) {
        const url = `file:${join(dir, `canary${++fileN}.db`)}`
        const [holder, victim, observer] = [createClient({ url }), createClient({ url }), createClient({ url })]
        try {
          await holder.execute('PRAGMA journal_mode = WAL')
          await holder.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)')
          const tx = await holder.transaction('write')
          await victim.execute('INSERT INTO t VALUES (1)').catch(() => undefined) // SQLITE_BUSY
          await tx.rollback()
          await victim.execute('INSERT INTO t VALUES (2)') // resolves, but…
          committedAfterBusy.push((await observer.execute('SELECT count(*) FROM t')).rows[0]![0] === 1)
        } finally {
          for (const c of [holder, victim, observer]) c.close()
        }
      }
      expect(committedAfterBusy, 'a write after SQLITE_BUSY stays uncommitted on the same libsql connection').to.include(false)
    })

    it('retries a busy COMMIT instead of losing the transaction (rollback journal, reader holding a lock)', async () => {
      const url = fileUrl()
      const writer = await file(url, { wal: false })
      const reader = await file(url, { wal: false, transactionMode: 'deferred' })
      expect(await rows(writer, 'PRAGMA journal_mode')).to.deep.equal([['delete']])
      await writer.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await reader.begin({})
      await reader.execute('SELECT count(*) FROM t', []) // SHARED lock until the reader ends
      await writer.begin({})
      await writer.execute('INSERT INTO t VALUES (1)', [])
      setTimeout(() => void reader.rollback(), 200)
      await writer.commit() // SQLITE_BUSY until the reader lets go; tx.commit() would have dropped the row
      expect(await rows(reader, 'SELECT id FROM t')).to.deep.equal([[1]])
    })

    it('fails fast with SerializationError on SQLITE_BUSY_SNAPSHOT (deferred transaction outrun by a writer)', async () => {
      const url = fileUrl()
      const a = await file(url)
      const b = await file(url, { transactionMode: 'deferred', busyTimeoutMs: 5000 })
      await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
      await b.begin({})
      await b.execute('SELECT count(*) FROM t', []) // b's snapshot
      await a.execute('INSERT INTO t VALUES (1)', [])
      const started = Date.now()
      const e = await failure(() => b.execute('INSERT INTO t VALUES (2)', []))
      expect(Date.now() - started).to.be.below(2500) // not the busy timeout (5 s)
      expect(e).to.be.instanceOf(SerializationError)
      expect((e as SerializationError).driverCode).to.equal('SQLITE_BUSY_SNAPSHOT')
      await b.rollback()
    })
  })

  describe('errors', () => {
    let c: LibsqlConnection
    beforeEach(async () => {
      c = await memory()
      await c.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY)', [])
      await c.execute(
        `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT NOT NULL DEFAULT 'x',
           age INTEGER CHECK (age >= 0), parent_id INTEGER REFERENCES parent (id), score INTEGER,
           CONSTRAINT score_max CHECK (score <= 100))`,
        [],
      )
      await c.execute('INSERT INTO users (id, email) VALUES (1, ?)', ['a@x'])
    })

    const none = { constraint: undefined, table: undefined, columns: undefined, referencedTable: undefined }
    const cases: [string, string, unknown[], string, RegExp, object][] = [
      ['unique', 'INSERT INTO users (id, email) VALUES (2, ?)', ['a@x'], 'SQLITE_CONSTRAINT_UNIQUE',
        /^The unique constraint on users \(email\) was violated: UNIQUE constraint failed: users\.email\n\[SQL: /, { ...none, table: 'users', columns: ['email'] }],
      ['unique', 'INSERT INTO users (id) VALUES (1)', [], 'SQLITE_CONSTRAINT_PRIMARYKEY', /^The unique constraint on users \(id\) was violated: UNIQUE constraint failed: users\.id/,
        { ...none, table: 'users', columns: ['id'] }],
      ['foreign-key', 'INSERT INTO users (id, parent_id) VALUES (3, 42)', [], 'SQLITE_CONSTRAINT_FOREIGNKEY', /^FOREIGN KEY constraint failed/, none],
      ['not-null', 'INSERT INTO users (id, name) VALUES (4, NULL)', [], 'SQLITE_CONSTRAINT_NOTNULL', /^The not-null constraint on users \(name\) was violated: NOT NULL constraint failed: users\.name/,
        { ...none, table: 'users', columns: ['name'] }],
      // An unnamed CHECK is reported by its expression, which is not a name.
      ['check', 'INSERT INTO users (id, age) VALUES (5, -1)', [], 'SQLITE_CONSTRAINT_CHECK', /^CHECK constraint failed: age >= 0/, none],
      ['check', 'INSERT INTO users (id, score) VALUES (6, 200)', [], 'SQLITE_CONSTRAINT_CHECK', /^The check constraint score_max was violated: CHECK constraint failed: score_max/,
        { ...none, constraint: 'score_max' }],
    ]
    for (const [kind, sql, params, driverCode, message, fields] of cases) {
      it(`${driverCode} → IntegrityError '${kind}' (${JSON.stringify(fields)})`, async () => {
        const e = await failure(() => c.execute(sql, params), sql)
        expect(e).to.be.instanceOf(IntegrityError)
        const ie = e as IntegrityError
        expect(ie.kind).to.equal(kind)
        expect(ie.driverCode).to.equal(driverCode)
        expect(ie.sql).to.equal(sql)
        expect(ie.message).to.match(message)
        expect(ie.cause).to.be.instanceOf(Error)
        expect({ constraint: ie.constraint, table: ie.table, columns: ie.columns, referencedTable: ie.referencedTable }).to.deep.equal(fields)
      })
    }

    it('parses the constraint messages of local and remote servers alike', () => {
      expect(constraintInfo('unique', 'UNIQUE constraint failed: users.org_id, users.email')).to.deep.equal({ table: 'users', columns: ['org_id', 'email'] })
      expect(constraintInfo('unique', "UNIQUE constraint failed: index 'ix_lower_email'")).to.deep.equal({ constraint: 'ix_lower_email' })
      expect(constraintInfo('unique', 'SQLite error: UNIQUE constraint failed: t.a')).to.deep.equal({ table: 't', columns: ['a'] })
      expect(constraintInfo('not-null', 'NOT NULL constraint failed: users.name')).to.deep.equal({ table: 'users', columns: ['name'] })
      expect(constraintInfo('check', 'CHECK constraint failed: ck_age')).to.deep.equal({ constraint: 'ck_age' })
      expect(constraintInfo('check', 'CHECK constraint failed: age >= 0 AND age < 200')).to.deep.equal({})
      expect(constraintInfo('foreign-key', 'FOREIGN KEY constraint failed')).to.deep.equal({})
      // Two tables, or a name the parse cannot split: nothing rather than something wrong.
      expect(constraintInfo('unique', 'UNIQUE constraint failed: a.x, b.y')).to.deep.equal({})
      expect(constraintInfo('unique', 'UNIQUE constraint failed: weird')).to.deep.equal({})
    })

    it('syntax errors and unknown tables or columns → ProgrammingError', async () => {
      for (const sql of ['SELEC 1', 'SELECT * FROM nope', 'SELECT nope FROM users']) {
        const e = await failure(() => c.execute(sql, []), sql)
        expect(e, sql).to.be.instanceOf(ProgrammingError)
        expect(e.message).to.not.match(/^SQLITE_ERROR:/)
      }
    })

    it('values the client cannot bind → ValueError; an aborted signal stops the statement', async () => {
      const e = await failure(() => c.execute('SELECT ?', [undefined]))
      expect(e.name).to.equal('ValueError')
      const ac = new AbortController()
      ac.abort(new Error('watchdog'))
      const aborted = await failure(() => c.execute('SELECT 1', [], { signal: ac.signal }))
      expect(aborted.message).to.equal('watchdog')
    })

    it('a closed connection is a disconnect', async () => {
      await c.close()
      expect(c.closed).to.equal(true)
      let raw: unknown
      try {
        await c.execute('SELECT 1', [])
      } catch (e) {
        raw = e
      }
      expect(driver.isDisconnect(raw)).to.equal(true)
      const e = driver.translateError(raw, {})
      expect(e).to.be.instanceOf(OperationalError)
      expect((e as OperationalError).disconnect).to.equal(true)
      expect(driver.isDisconnect(new Error('UNIQUE constraint failed'))).to.equal(false)
      expect(driver.isDisconnect(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).to.equal(true)
      c.destroy() // idempotent
    })

    it('a file that cannot be opened fails at connect', async () => {
      const e = await failure(() => connect(`sqlite:///${join(dir, 'no', 'such', 'dir', 'x.db')}`))
      expect(e).to.be.instanceOf(OperationalError)
      expect((e as OperationalError).driverCode).to.match(/^SQLITE_CANTOPEN/)
    })
  })

  describe('values through real columns', () => {
    /** Creates a column with typeDdl, binds through validate + bindProcessor, reads through resultProcessor. */
    async function roundTrip<T>(type: SqlType<T>, value: unknown): Promise<unknown> {
      const c = await memory()
      await c.execute(`CREATE TABLE v (x ${typeDdl(type)})`, [])
      const bind = bindProcessor(type)
      const validated = type.validate(value, 'v.x')
      await c.execute('INSERT INTO v VALUES (?)', [bind ? bind(validated) : validated])
      const raw = (await c.execute('SELECT x FROM v', [])).rows[0]![0]
      const read = resultProcessor(type)
      return read ? read(raw) : raw
    }

    it('integers, bigints, floats and booleans', async () => {
      expect(await roundTrip(Integer, 42)).to.equal(42)
      expect(await roundTrip(BigInteger, 2n ** 63n - 1n)).to.equal(2n ** 63n - 1n)
      expect(await roundTrip(BigInteger, 7n)).to.equal(7n)
      expect(await roundTrip(Float, 0.1)).to.equal(0.1)
      expect(await roundTrip(Float, 3)).to.equal(3)
      expect(await roundTrip(BooleanType, true)).to.equal(true)
      expect(await roundTrip(BooleanType, false)).to.equal(false)
    })

    it('numerics keep their digits: NUMERIC affinity up to 15 digits, TEXT beyond', async () => {
      expect(typeDdl(Numeric(10, 2))).to.equal('NUMERIC(10, 2)')
      expect(await roundTrip(Numeric(10, 2), '12.50')).to.equal('12.50')
      expect(await roundTrip(Numeric(10, 2), '12')).to.equal('12.00')
      expect(await roundTrip(Numeric(15, 2), '-9999999999999.99')).to.equal('-9999999999999.99')
      expect(typeDdl(Numeric(30, 10))).to.equal('DECIMAL_TEXT(30, 10)')
      expect(await roundTrip(Numeric(30, 10), '12345678901234567890.1234567890')).to.equal('12345678901234567890.1234567890')
      expect(await roundTrip(Numeric(), '12.50')).to.equal('12.50')
      // NUMERIC(10, 2) columns compare and sort as numbers
      const c = await memory()
      await c.execute(`CREATE TABLE p (x ${typeDdl(Numeric(10, 2))})`, [])
      await c.execute('INSERT INTO p VALUES (?), (?), (?)', ['9.50', '10.00', '100.25'])
      const read = resultProcessor(Numeric(10, 2))!
      expect((await rows(c, 'SELECT x FROM p WHERE x > ? ORDER BY x', ['9.6'])).map((r) => read(r[0]))).to.deep.equal(['10.00', '100.25'])
      expect(read(await rows(c, 'SELECT avg(x) FROM p').then((r) => r[0]![0]))).to.equal('39.92')
    })

    it('datetimes as sortable UTC text with milliseconds', async () => {
      const d = new Date('2024-03-05T06:07:08.009Z')
      const c = await memory()
      await c.execute(`CREATE TABLE d (x ${typeDdl(DateTime())})`, [])
      await c.execute('INSERT INTO d VALUES (?)', [bindProcessor(DateTime())!(d)])
      expect(await rows(c, 'SELECT x, typeof(x) FROM d')).to.deep.equal([['2024-03-05 06:07:08.009', 'text']])
      expect(await roundTrip(DateTime(), d)).to.deep.equal(d)
      expect(await roundTrip(DateTime({ timezone: true }), d)).to.deep.equal(d)
      const read = resultProcessor(DateTime())!
      expect(read('2024-03-05 06:07:08')).to.deep.equal(new Date('2024-03-05T06:07:08Z'))
      expect(read('2024-03-05T06:07:08+02:00')).to.deep.equal(new Date('2024-03-05T04:07:08Z'))
      expect(read(d.getTime())).to.deep.equal(d)
      expect(read(null)).to.equal(null)
      expect(() => bindProcessor(DateTime())!(new Date('+010000-01-01T00:00:00Z'))).to.throw(/0000–9999/)
      expect(() => bindProcessor(DateTime())!(new Date('-000001-12-31T00:00:00Z'))).to.throw(/0000–9999.*got -000001-12-31T00:00:00\.000Z/)
      // Every instant of the years 0000–9999 is written as its ISO form with a space, to the millisecond.
      const write = bindProcessor(DateTime())!
      fc.assert(fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (at) => {
        const iso = at.toISOString()
        expect(write(at)).to.equal(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`)
      }), { numRuns: 2000 })
      expect(write(new Date('0005-06-07T08:09:10.011Z'))).to.equal('0005-06-07 08:09:10.011')
      // CURRENT_TIMESTAMP-style text reads as UTC
      // Text another program wrote that is no day (SQLite keeps any text) stays as it is: new
      // Date() would read '2024-02-30' as March 1, and a zero month or day as another day too.
      await c.execute('INSERT INTO d VALUES (?), (?), (?)', ['2024-02-30 10:00:00', '2023-02-29', '2024-00-10T00:00:00Z'])
      const foreign = (await rows(c, "SELECT x FROM d WHERE x NOT LIKE '2024-03-05%' ORDER BY rowid")).map((r) => read(r[0]))
      expect(foreign).to.deep.equal(['2024-02-30 10:00:00', '2023-02-29', '2024-00-10T00:00:00Z'])
      expect(read('2024-02-29 10:00')).to.deep.equal(new Date('2024-02-29T10:00:00Z'))
      const now = read((await rows(c, "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"))[0]![0]) as Date
      expect(Math.abs(now.getTime() - Date.now())).to.be.below(5000)
    })

    it('dates, times, text, uuids, enums as text', async () => {
      expect(await roundTrip(DateType, '2024-02-29')).to.equal('2024-02-29')
      expect(await roundTrip(DateType, new Date('2024-02-29T10:00:00Z'))).to.equal('2024-02-29')
      expect(await roundTrip(Time, '10:11:12.5')).to.equal('10:11:12.5')
      expect(await roundTrip(StringType(5), 'héllo')).to.equal('héllo')
      expect(await roundTrip(Text, '123')).to.equal('123')
      expect(await roundTrip(UUID, '0E8400E2-9B1D-41D4-A716-446655440000')).to.equal('0e8400e2-9b1d-41d4-a716-446655440000')
      expect(typeDdl(UUID)).to.equal('CHAR(36)')
      expect(await roundTrip(Enum(['draft', 'published'] as const), 'draft')).to.equal('draft')
      expect(typeDdl(Enum(['draft', 'published'] as const))).to.equal('VARCHAR(9)')
    })

    it('JSON documents of every shape', async () => {
      for (const doc of [{ a: [1, 'x', null], b: { c: true } }, [1, 2], 'text', '123', 12, 1.5, true, null]) {
        const expected = doc === null ? null : doc
        expect(await roundTrip(JsonType(), doc), JSON.stringify(doc)).to.deep.equal(expected)
      }
    })

    it('needs no processor for the plain kinds', () => {
      for (const t of [Integer, Float, Text, StringType(10), DateType, Time, UUID]) {
        expect(bindProcessor(t), t.description).to.equal(undefined)
        if (t !== Integer) expect(resultProcessor(t), t.description).to.equal(undefined)
      }
    })

    it('reads Integer as a safe number and refuses a wider one instead of rounding it', async () => {
      // The connection hands integers beyond 2^53 over as bigint; an Integer column must not pass one on.
      const read = resultProcessor(Integer)!
      const c = await memory()
      const [[safe, wide]] = (await c.execute('SELECT 9007199254740991, 1152921504606846976', [])).rows as [[unknown, unknown]]
      expect(wide).to.equal(2n ** 60n)
      expect(read(safe)).to.equal(2 ** 53 - 1)
      expect(() => read(wide)).to.throw(ValueError, /returned 1152921504606846976 for an expression typed Integer.*Read it as BigInteger/)
    })
  })

  describe('capabilities match the bundled SQLite', () => {
    it('has RETURNING, FULL JOIN, NULLS LAST, row values, INTERSECT/EXCEPT; no ILIKE', async () => {
      const c = await memory()
      const [[version]] = (await rows(c, 'SELECT sqlite_version()')) as [[string]]
      const [maj, min] = version.split('.').map(Number) as [number, number]
      expect(maj * 1000 + min, version).to.be.at.least(3039)
      await c.execute('CREATE TABLE a (id INTEGER PRIMARY KEY)', [])
      await c.execute('CREATE TABLE b (id INTEGER PRIMARY KEY)', [])
      await c.execute('INSERT INTO a VALUES (1), (2)', [])
      await c.execute('INSERT INTO b VALUES (2), (3)', [])
      expect(libsqlCapabilities.fullJoin).to.equal(true)
      expect(await rows(c, 'SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id ORDER BY a.id NULLS LAST')).to.deep.equal([
        [1, null], [2, 2], [null, 3],
      ])
      expect(await rows(c, 'SELECT id FROM a WHERE (id, id) IN (VALUES (2, 2), (3, 3))')).to.deep.equal([[2]])
      expect(await rows(c, 'SELECT id FROM a INTERSECT SELECT id FROM b')).to.deep.equal([[2]])
      expect(await rows(c, 'SELECT id FROM a EXCEPT SELECT id FROM b')).to.deep.equal([[1]])
      expect(await rows(c, 'UPDATE a SET id = id + 10 WHERE id = 1 RETURNING id')).to.deep.equal([[11]])
      expect(libsqlCapabilities.ilike).to.equal(false)
      expect(await failure(() => c.execute("SELECT 'A' ILIKE 'a'", []))).to.be.instanceOf(ProgrammingError)
    })

    it(`accepts ${libsqlCapabilities.maxParams} parameters and not one more`, async () => {
      const c = await memory()
      const n = libsqlCapabilities.maxParams
      const params = Array.from({ length: n }, (_, i) => i)
      const inList = (k: number) => `SELECT 1 WHERE 0 IN (${Array.from({ length: k }, () => '?').join(',')})`
      expect(await rows(c, inList(n), params)).to.deep.equal([[1]])
      expect(await failure(() => c.execute(inList(n + 1), [...params, 0]))).to.be.instanceOf(ProgrammingError)
    })
  })
})
