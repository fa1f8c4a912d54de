import v8 from 'node:v8'
import vm from 'node:vm'
import { expect } from 'chai'
import {
  BigInteger, Boolean as BooleanType, ConcurrentUseError, DateTime, DateType, DeadlockError, Enum, Float, Integer,
  IntegrityError, InvalidRequestError, JSON as JsonType, LargeBinary, LockTimeoutError, Numeric, OperationalError,
  ProgrammingError, SmallInteger, StatementTimeoutError, String as StringType, Text, Time, UUID, ValueError,
  type AthanorError, type Capabilities, type SqlType,
} from '@athanor/core'
import {
  bindProcessor, mysqlCapabilities, MysqlDriver, resultProcessor, serverInfo, translateMysqlError, typeDdl,
  type MysqlConnection, type MysqlServerInfo,
} from '../src/index.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

// Drives MysqlConnection directly with SQL strings against a live MySQL/MariaDB.
// Tables are prefixed `athd_` and dropped afterwards; only connections opened here are killed.
const URL = process.env['ATHANOR_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/athanor_mydev'

const driver = new MysqlDriver()
const opened: MysqlConnection[] = []
let info: MysqlServerInfo
let caps: Capabilities
let admin: MysqlConnection

async function open(options: { statementTimeoutMs?: number } = {}): Promise<MysqlConnection> {
  const conn = await driver.connect({ url: URL, connectTimeoutMs: 5000, ...options })
  opened.push(conn)
  return conn
}

/** The rejection of `p`; fails the test when `p` resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected the promise to reject')
}

/** Translates a driver error and checks isDisconnect agrees with the translation. */
function translate(e: unknown, sql?: string): AthanorError {
  const err = driver.translateError(e, { sql })
  expect(driver.isDisconnect(e), 'isDisconnect agrees with translateError').to.equal(err instanceof OperationalError && err.disconnect)
  return err
}

async function scalar(conn: MysqlConnection, sql: string, params: unknown[] = []): Promise<unknown> {
  return (await conn.execute(sql, params)).rows[0]?.[0]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits until `fn` is true (events from the socket arrive asynchronously). */
async function until(fn: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!fn() && Date.now() < end) await sleep(10)
}

describe('mysql driver (live server)', function () {
  before(async function () {
    if (URL === 'skip') {
      console.log('[athanor] skipping mysql driver suite: ATHANOR_MYSQL_URL=skip')
      this.skip()
    }
    try {
      admin = await driver.connect({ url: URL, connectTimeoutMs: 3000 })
    } catch (e) {
      console.log(`[athanor] skipping mysql driver suite: ${URL.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@')} unreachable (${(e as Error).message})`)
      this.skip()
    }
    info = await serverInfo(admin)
    caps = mysqlCapabilities(info)
    await admin.execute('DROP TABLE IF EXISTS athd_child, athd_parent, athd_items, athd_values, athd_locks, athd_ballast', [])
    await admin.execute('CREATE TABLE athd_items (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), n INT) ENGINE=InnoDB', [])
  })

  after(async function () {
    for (const c of opened) c.destroy()
    if (admin !== undefined && !admin.closed) {
      await admin.execute('DROP TABLE IF EXISTS athd_child, athd_parent, athd_items, athd_values, athd_locks, athd_ballast', [])
      await admin.close()
    }
  })

  beforeEach(async function () {
    if (admin !== undefined) await admin.execute('DELETE FROM athd_items', [])
  })

  describe('server info and capabilities', function () {
    it('reads version, flavour and @@auto_increment_increment', async function () {
      expect(info.flavour).to.be.oneOf(['mariadb', 'mysql'])
      expect(info.versionNumbers[0]).to.be.greaterThan(4)
      expect(info.clusterAutoIncrement).to.equal(false)
      // The handshake (no round trip) agrees with SELECT VERSION().
      expect(admin.flavour).to.equal(info.flavour)
      expect(driver.flavour).to.equal(info.flavour)
    })

    it('intersectExcept matches what the server accepts', async function () {
      const run = async (sql: string): Promise<unknown> => {
        try {
          return (await admin.execute(sql, [])).rows
        } catch (e) {
          return translate(e)
        }
      }
      const intersect = await run('SELECT 1 INTERSECT SELECT 1')
      const except = await run('SELECT 1 EXCEPT SELECT 2')
      if (caps.intersectExcept) {
        expect(intersect).to.deep.equal([[1]])
        expect(except).to.deep.equal([[1]])
      } else {
        expect(intersect).to.be.instanceOf(ProgrammingError)
      }
    })

    it('sets the session time zone to UTC', async function () {
      const now = await scalar(admin, 'SELECT NOW(3)')
      const parsed = resultProcessor(DateTime())!(now) as Date
      expect(Math.abs(parsed.getTime() - Date.now())).to.be.lessThan(60_000)
      expect(await scalar(admin, 'SELECT @@session.time_zone')).to.equal('+00:00')
    })
  })

  describe('execute', function () {
    it('returns positional rows and column names', async function () {
      await admin.execute("INSERT INTO athd_items (name, n) VALUES ('a', 1), ('b', 2)", [])
      const r = await admin.execute('SELECT name, n FROM athd_items WHERE n >= ? ORDER BY n', [1])
      expect(r.rows).to.deep.equal([['a', 1], ['b', 2]])
      expect(r.columnNames).to.deep.equal(['name', 'n'])
    })

    it('keeps nothing of a result once it is returned: an idle connection does not hold its last rows', async function () {
      const conn = await open()
      // With parameters (binary protocol) and without (text protocol).
      for (const [sql, params] of [['SELECT ? AS n', [1]], ['SELECT 1 AS n', []]] as const) {
        const ref = await (async () => {
          const { rows } = await conn.execute(sql, params)
          expect(rows).to.deep.equal([[1]])
          return new WeakRef(rows)
        })()
        // A WeakRef holds its target until the current job ends.
        await new Promise((resolve) => setImmediate(resolve))
        gc()
        expect(ref.deref(), sql).to.equal(undefined)
      }
    })

    it('reports the first insertId of a multi-row insert; the others follow by @@auto_increment_increment', async function () {
      const r = await admin.execute('INSERT INTO athd_items (name, n) VALUES (?, ?), (?, ?), (?, ?)', ['x', 1, 'y', 2, 'z', 3])
      expect(r.rowsAffected).to.equal(3)
      expect(r.insertId).to.be.a('number')
      const first = BigInt(r.insertId!)
      const ids = (await admin.execute('SELECT id, name FROM athd_items ORDER BY id', [])).rows
      const step = BigInt((await admin.execute('SELECT @@session.auto_increment_increment', [])).rows[0]![0] as string)
      expect(r.insertIdStep).to.equal(Number(step))
      expect(ids.map((row) => [BigInt(row[0] as string), row[1]])).to.deep.equal([[first, 'x'], [first + step, 'y'], [first + 2n * step, 'z']])
      expect(caps.insertIdArithmetic).to.equal(true)
    })

    it('an insert without AUTO_INCREMENT reports no insertId', async function () {
      await admin.execute('CREATE TEMPORARY TABLE athd_tmp (a INT)', [])
      const r = await admin.execute('INSERT INTO athd_tmp VALUES (?)', [1])
      expect(r.insertId).to.equal(undefined)
      await admin.execute('DROP TEMPORARY TABLE athd_tmp', [])
    })

    it('UPDATE reports matched rows, not changed rows (FOUND_ROWS)', async function () {
      await admin.execute("INSERT INTO athd_items (name, n) VALUES ('a', 1), ('b', 1), ('c', 2)", [])
      const r = await admin.execute('UPDATE athd_items SET n = ? WHERE n = ?', [1, 1])
      expect(r.rowsAffected).to.equal(2)
    })

    it('INSERT … RETURNING returns rows in VALUES order (when the server has it)', async function () {
      if (!caps.returning.insert) this.skip()
      const names = Array.from({ length: 400 }, (_, i) => `n${(i * 7919) % 400}`)
      const sql = `INSERT INTO athd_items (name) VALUES ${names.map(() => '(?)').join(', ')} RETURNING id, name`
      const r = await admin.execute(sql, names)
      expect(r.rows.map((row) => row[1])).to.deep.equal(names)
      const ids = r.rows.map((row) => BigInt(row[0] as string))
      for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).to.equal(true)
      expect(r.rowsAffected).to.equal(400)
      expect(caps.orderedReturning).to.equal(true)
    })

    it('DELETE … RETURNING returns the deleted rows (when the server has it)', async function () {
      if (!caps.returning.delete) this.skip()
      await admin.execute("INSERT INTO athd_items (name, n) VALUES ('a', 1), ('b', 2)", [])
      const r = await admin.execute('DELETE FROM athd_items WHERE n = ? RETURNING name', [2])
      expect(r.rows).to.deep.equal([['b']])
    })

    it('UPDATE … RETURNING is refused as the capability says', async function () {
      if (caps.returning.update) this.skip()
      const e = await rejection(admin.execute('UPDATE athd_items SET n = ? RETURNING id', [1]))
      expect(translate(e)).to.be.instanceOf(ProgrammingError)
    })

    it('runs SAVEPOINT, DDL and SET without parameters through the text protocol', async function () {
      const conn = await open()
      await conn.begin()
      await conn.execute('SAVEPOINT sp_a', [])
      await conn.execute('RELEASE SAVEPOINT sp_a', [])
      await conn.rollback()
      await conn.execute('SET @athd_x = 1', [])
      expect(await scalar(conn, 'SELECT @athd_x + ?', [1])).to.equal(2)
    })

    it('binds a BIGINT exactly, also in arithmetic', async function () {
      const bind = bindProcessor(BigInteger)!
      const r = await scalar(admin, 'SELECT ? + 1', [bind(9007199254740993n)])
      expect(resultProcessor(BigInteger)!(r)).to.equal(9007199254740994n)
    })

    it('refuses a second operation while one is running', async function () {
      const conn = await open()
      const first = conn.execute('SELECT SLEEP(?)', [0.2])
      const e = await rejection(conn.execute('SELECT 1', []))
      expect(e).to.be.instanceOf(ConcurrentUseError)
      await first
      expect(await scalar(conn, 'SELECT 1')).to.equal(1)
    })
  })

  describe('stream', function () {
    it('yields batches of batchSize, with and without parameters', async function () {
      const values = Array.from({ length: 1050 }, (_, i) => i)
      await admin.execute(`INSERT INTO athd_items (n) VALUES ${values.map(() => '(?)').join(', ')}`, values)
      const sizes: number[] = []
      const seen: number[] = []
      for await (const batch of admin.stream('SELECT n FROM athd_items WHERE n >= ? ORDER BY n', [0], { batchSize: 100 })) {
        sizes.push(batch.length)
        for (const row of batch) seen.push(row[0] as number)
      }
      expect(sizes).to.deep.equal([...Array(10).fill(100), 50])
      expect(seen).to.deep.equal(values)
      let count = 0
      for await (const batch of admin.stream('SELECT n FROM athd_items', [], { batchSize: 1000 })) count += batch.length
      expect(count).to.equal(1050)
    })

    it('can stop early, and the connection stays usable', async function () {
      const values = Array.from({ length: 500 }, (_, i) => i)
      await admin.execute(`INSERT INTO athd_items (n) VALUES ${values.map(() => '(?)').join(', ')}`, values)
      const conn = await open()
      for await (const batch of conn.stream('SELECT n FROM athd_items ORDER BY n', [], { batchSize: 10 })) {
        expect(batch).to.have.length(10)
        // The driver refuses to queue a statement behind a paused stream (it would never run).
        expect(await rejection(conn.execute('SELECT 1', []))).to.be.instanceOf(ConcurrentUseError)
        break
      }
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('500')
    })

    it('an aborted stream throws and costs its connection', async function () {
      const values = Array.from({ length: 300 }, (_, i) => i)
      await admin.execute(`INSERT INTO athd_items (n) VALUES ${values.map(() => '(?)').join(', ')}`, values)
      const conn = await open()
      const ac = new AbortController()
      let batches = 0
      const iterate = async (): Promise<void> => {
        for await (const _ of conn.stream('SELECT n, SLEEP(0.001) FROM athd_items', [], { batchSize: 10, signal: ac.signal })) {
          void _
          if (++batches === 2) ac.abort()
        }
      }
      const e = await rejection(iterate())
      expect(batches).to.equal(2)
      expect((translate(e) as OperationalError).disconnect).to.equal(true)
      expect(conn.closed).to.equal(true)
      await conn.settled()
    })

    it('reports a server error through the iterator', async function () {
      const iterate = async (): Promise<void> => {
        for await (const _ of admin.stream('SELECT * FROM athd_nope WHERE 1 = ?', [1], { batchSize: 10 })) void _
      }
      expect(translate(await rejection(iterate()))).to.be.instanceOf(ProgrammingError)
      expect(await scalar(admin, 'SELECT 1')).to.equal(1)
    })
  })

  describe('transactions', function () {
    async function names(): Promise<unknown[]> {
      return (await admin.execute('SELECT name FROM athd_items ORDER BY id', [])).rows.map((r) => r[0])
    }

    async function comRollback(conn: MysqlConnection): Promise<number> {
      const rows = (await conn.execute("SHOW SESSION STATUS LIKE 'Com_rollback'", [])).rows
      return Number(rows[0]?.[1])
    }

    it('commits and rolls back', async function () {
      const conn = await open()
      await conn.begin()
      expect(conn.inTransaction).to.equal(true)
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['kept'])
      await conn.commit()
      expect(conn.inTransaction).to.equal(false)
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['dropped'])
      await conn.rollback()
      expect(await names()).to.deep.equal(['kept'])
    })

    it('rolls back to a savepoint and keeps the outer work', async function () {
      const conn = await open()
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['outer'])
      await conn.execute('SAVEPOINT sp1', [])
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['inner'])
      await conn.execute('ROLLBACK TO SAVEPOINT sp1', [])
      await conn.execute('RELEASE SAVEPOINT sp1', [])
      await conn.commit()
      expect(await names()).to.deep.equal(['outer'])
    })

    it('applies the isolation level and READ ONLY', async function () {
      const reader = await open()
      const writer = await open()
      await writer.begin()
      await writer.execute('INSERT INTO athd_items (name) VALUES (?)', ['uncommitted'])
      // READ UNCOMMITTED sees the other transaction's uncommitted row (a dirty read)…
      await reader.begin({ isolationLevel: 'READ UNCOMMITTED' })
      expect(await scalar(reader, 'SELECT COUNT(*) FROM athd_items')).to.equal('1')
      await reader.rollback()
      // … and the level applied only to that transaction (SET TRANSACTION, not SET SESSION).
      await reader.begin()
      expect(await scalar(reader, 'SELECT COUNT(*) FROM athd_items')).to.equal('0')
      await reader.rollback()
      await writer.rollback()
      await reader.begin({ isolationLevel: 'SERIALIZABLE', readOnly: true })
      const e = await rejection(reader.execute('INSERT INTO athd_items (name) VALUES (?)', ['ro']))
      expect((e as { errno?: number }).errno).to.equal(1792) // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
      await reader.rollback()
      const err = await rejection(reader.begin({ isolationLevel: 'CHAOS; DROP TABLE x' as 'SERIALIZABLE' }))
      expect((err as Error).message).to.match(/not an isolation level/)
      expect(reader.inTransaction).to.equal(false)
    })

    it('refuses to begin inside a transaction (MySQL would commit the open one)', async function () {
      const conn = await open()
      await conn.begin()
      expect(await rejection(conn.begin())).to.be.instanceOf(InvalidRequestError)
      await conn.rollback()
    })

    it('rollback() with no transaction open skips the round trip', async function () {
      const conn = await open()
      const before = await comRollback(conn)
      await conn.rollback()
      await conn.rollback()
      expect(await comRollback(conn)).to.equal(before)
      await conn.begin()
      await conn.rollback()
      expect(await comRollback(conn)).to.equal(before + 1)
    })

    it('reset on return: an abandoned BEGIN is rolled back by rollback(), raw BEGIN included', async function () {
      const conn = await open()
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['abandoned-1'])
      // … the borrower forgets to commit; the pool calls rollback() on return.
      await conn.rollback()
      // A raw BEGIN through execute() is seen through the server-status flags.
      await conn.execute('BEGIN', [])
      expect(conn.inTransaction).to.equal(true)
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['abandoned-2'])
      await conn.rollback()
      // A raw SET autocommit = 1 is followed too: begin() then sends START TRANSACTION again.
      await conn.execute('SET autocommit = 1', [])
      expect(conn.inTransaction).to.equal(false)
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['abandoned-3'])
      await conn.rollback()
      // The next borrower's COMMIT must not commit anything abandoned.
      await conn.begin()
      await conn.commit()
      expect(await names()).to.deep.equal([])
      expect(await scalar(conn, 'SELECT @@in_transaction')).to.equal('0')
    })

    async function comBegin(conn: MysqlConnection): Promise<number> {
      const rows = (await conn.execute("SHOW SESSION STATUS LIKE 'Com_begin'", [])).rows
      return Number(rows[0]?.[1])
    }

    it('begin() costs no round trip: the first one turned autocommit off, and the first statement opens the transaction', async function () {
      const conn = await open()
      expect(await scalar(conn, 'SELECT @@autocommit')).to.equal('1')
      await conn.begin()
      await conn.commit()
      expect(await scalar(conn, 'SELECT @@autocommit')).to.equal('0')
      const before = await comBegin(conn)
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['rolled back'])
      expect(await scalar(conn, 'SELECT @@in_transaction')).to.equal('1')
      await conn.rollback()
      expect(await comBegin(conn)).to.equal(before)
      expect(await names()).to.deep.equal([])
      // A read-only transaction is started explicitly.
      await conn.begin({ readOnly: true })
      await conn.rollback()
      expect(await comBegin(conn)).to.equal(before + 1)
    })

    it('outside begin() a statement is committed at once, as with autocommit; a failed one leaves nothing open', async function () {
      const conn = await open()
      await conn.begin() // turns autocommit off
      await conn.commit()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['autocommitted'])
      expect(conn.inTransaction).to.equal(false)
      expect(await names()).to.deep.equal(['autocommitted'])
      // A read outside begin() holds no snapshot afterwards: another connection's commit is seen.
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('1')
      expect(conn.inTransaction).to.equal(false)
      await admin.execute('INSERT INTO athd_items (name) VALUES (?)', ['by admin'])
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('2')
      await rejection(conn.execute('INSERT INTO athd_no_such_table (name) VALUES (?)', ['x']))
      expect(conn.inTransaction).to.equal(false)
      expect(await scalar(conn, 'SELECT @@in_transaction')).to.equal('0')
      // begin() then starts clean, and the level set for it applies to the transaction the
      // first statement opens: READ COMMITTED sees a commit made meanwhile, the default does not.
      await conn.begin({ isolationLevel: 'READ COMMITTED' })
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('2')
      await admin.execute('INSERT INTO athd_items (name) VALUES (?)', ['meanwhile'])
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('3')
      await conn.commit()
      await conn.begin()
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('3')
      await admin.execute('INSERT INTO athd_items (name) VALUES (?)', ['meanwhile again'])
      expect(await scalar(conn, 'SELECT COUNT(*) FROM athd_items')).to.equal('3')
      await conn.commit()
    })
  })

  describe('errors', function () {
    before(async function () {
      await admin.execute('CREATE TABLE athd_parent (id INT PRIMARY KEY) ENGINE=InnoDB', [])
      await admin.execute(
        'CREATE TABLE athd_child (id INT PRIMARY KEY, parent_id INT NOT NULL, qty INT NOT NULL, code VARCHAR(10) UNIQUE, ' +
          'CONSTRAINT athd_qty_positive CHECK (qty >= 0), FOREIGN KEY (parent_id) REFERENCES athd_parent (id)) ENGINE=InnoDB',
        [],
      )
      await admin.execute('INSERT INTO athd_parent VALUES (1)', [])
      await admin.execute("INSERT INTO athd_child VALUES (1, 1, 1, 'a')", [])
    })

    async function fails(sql: string, params: unknown[] = []): Promise<AthanorError> {
      return translate(await rejection(admin.execute(sql, params)), sql)
    }

    it('unique → IntegrityError(unique), keeping the original as cause', async function () {
      const err = await fails("INSERT INTO athd_child VALUES (?, 1, 1, 'a')", [2])
      expect(err).to.be.instanceOf(IntegrityError)
      expect((err as IntegrityError).kind).to.equal('unique')
      expect((err as IntegrityError).driverCode).to.equal('1062')
      expect((err as IntegrityError).constraint).to.equal('code')
      expect((err.cause as { errno: number }).errno).to.equal(1062)
      expect(err.message).to.contain('[SQL: INSERT INTO athd_child')
    })

    it('foreign key, both directions (1452, 1451)', async function () {
      const child = await fails("INSERT INTO athd_child VALUES (?, 99, 1, 'b')", [3])
      expect((child as IntegrityError).kind).to.equal('foreign-key')
      const parent = await fails('DELETE FROM athd_parent WHERE id = ?', [1])
      expect((parent as IntegrityError).kind).to.equal('foreign-key')
      expect((parent as IntegrityError).driverCode).to.equal('1451')
      expect(parent).to.include({ table: 'athd_child', referencedTable: 'athd_parent', constraint: 'athd_child_ibfk_1' })
      expect((parent as IntegrityError).columns).to.deep.equal(['parent_id'])
    })

    it('not null (1048) and missing value without default (1364)', async function () {
      const explicit = await fails("INSERT INTO athd_child VALUES (?, 1, NULL, 'c')", [4])
      expect((explicit as IntegrityError).kind).to.equal('not-null')
      const missing = await fails('INSERT INTO athd_child (id, parent_id) VALUES (?, 1)', [5])
      expect((missing as IntegrityError).kind).to.equal('not-null')
      expect((missing as IntegrityError).driverCode).to.equal('1364')
    })

    it('check constraint (4025 on MariaDB, 3819 on MySQL), whatever name mysql2 gives it', async function () {
      const err = await fails("INSERT INTO athd_child VALUES (?, 1, -1, 'd')", [6])
      expect(err).to.be.instanceOf(IntegrityError)
      expect((err as IntegrityError).kind).to.equal('check')
      expect((err as IntegrityError).driverCode).to.equal(info.flavour === 'mariadb' ? '4025' : '3819')
      expect((err as IntegrityError).constraint).to.equal('athd_qty_positive')
    })

    it('syntax, unknown table and unknown column → ProgrammingError', async function () {
      expect(await fails('SELEC ?', [1])).to.be.instanceOf(ProgrammingError)
      expect(await fails('SELEC 1')).to.be.instanceOf(ProgrammingError)
      expect(await fails('SELECT * FROM athd_nope')).to.be.instanceOf(ProgrammingError)
      expect(await fails('SELECT nope FROM athd_child')).to.be.instanceOf(ProgrammingError)
    })

    it('statement timeout (statementTimeoutMs) → StatementTimeoutError; the connection survives', async function () {
      if (info.flavour !== 'mariadb') this.skip() // MySQL's max_execution_time stops SLEEP without an error
      const conn = await open({ statementTimeoutMs: 100 })
      const e = await rejection(conn.execute('SELECT SLEEP(?)', [2]))
      expect(translate(e)).to.be.instanceOf(StatementTimeoutError)
      expect(conn.closed).to.equal(false)
      expect(await scalar(conn, 'SELECT 1')).to.equal(1)
    })

    it('lock wait timeout (1205) → LockTimeoutError; the transaction stays open', async function () {
      await admin.execute('CREATE TABLE athd_locks (id INT PRIMARY KEY, v INT) ENGINE=InnoDB', [])
      await admin.execute('INSERT INTO athd_locks VALUES (1, 0)', [])
      const a = await open()
      const b = await open()
      await a.begin()
      await a.execute('UPDATE athd_locks SET v = 1 WHERE id = ?', [1])
      await b.execute('SET SESSION innodb_lock_wait_timeout = 1', [])
      await b.begin()
      await b.execute('INSERT INTO athd_items (name) VALUES (?)', ['b-before'])
      const err = translate(await rejection(b.execute('UPDATE athd_locks SET v = 2 WHERE id = ?', [1])))
      expect(err).to.be.instanceOf(LockTimeoutError)
      expect(await scalar(b, 'SELECT @@in_transaction')).to.equal('1')
      await b.rollback()
      await a.rollback()
      await admin.execute('DROP TABLE athd_locks', [])
    })

    it('deadlock inside a savepoint → DeadlockError, and the whole transaction is gone', async function () {
      await admin.execute('CREATE TABLE athd_locks (id INT PRIMARY KEY, v INT) ENGINE=InnoDB', [])
      await admin.execute('CREATE TABLE athd_ballast (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB', [])
      await admin.execute('INSERT INTO athd_locks VALUES (1, 0), (2, 0)', [])
      const a = await open()
      const b = await open()
      await a.begin()
      await a.execute('INSERT INTO athd_items (name) VALUES (?)', ['outer write'])
      await a.execute('SAVEPOINT sp1', [])
      await a.execute('UPDATE athd_locks SET v = 1 WHERE id = ?', [1])
      await b.begin()
      // InnoDB picks the transaction that changed fewer rows as the victim; make it `a`.
      await b.execute(`INSERT INTO athd_ballast (v) VALUES ${Array(50).fill('(1)').join(', ')}`, [])
      await b.execute('UPDATE athd_locks SET v = 2 WHERE id = ?', [2])
      const aBlocked = rejection(a.execute('UPDATE athd_locks SET v = 1 WHERE id = ?', [2]))
      await sleep(100)
      const bDone = b.execute('UPDATE athd_locks SET v = 2 WHERE id = ?', [1])
      const err = translate(await aBlocked)
      await bDone
      await b.rollback()
      expect(err).to.be.instanceOf(DeadlockError)
      expect((err as DeadlockError).driverCode).to.equal('1213')
      expect(caps.deadlockEndsTransaction).to.equal(true)
      // The server ended the whole transaction: not only the savepoint.
      expect(await scalar(a, 'SELECT @@in_transaction')).to.equal('0')
      const sp = translate(await rejection(a.execute('ROLLBACK TO SAVEPOINT sp1', [])))
      expect((sp as { driverCode?: string }).driverCode).to.equal('1305')
      await a.rollback()
      expect((await admin.execute('SELECT name FROM athd_items', [])).rows).to.deep.equal([])
      await admin.execute('DROP TABLE athd_locks, athd_ballast', [])
    })
  })

  describe('lost connections', function () {
    let uncaught = 0
    const count = (): void => {
      uncaught++
    }
    before(function () {
      process.on('uncaughtException', count)
      process.on('unhandledRejection', count)
    })
    after(function () {
      process.off('uncaughtException', count)
      process.off('unhandledRejection', count)
    })

    it('an idle connection killed by the server → closed; the next call is a disconnect; no uncaught error', async function () {
      const conn = await open()
      await conn.begin()
      await conn.execute('INSERT INTO athd_items (name) VALUES (?)', ['lost'])
      await admin.execute(`KILL ${conn.threadId}`, [])
      await until(() => conn.closed)
      expect(conn.closed).to.equal(true)
      const err = translate(await rejection(conn.execute('SELECT 1', [])))
      expect(err).to.be.instanceOf(OperationalError)
      expect((err as OperationalError).disconnect).to.equal(true)
      // rollback() on a lost connection is a no-op (the server already rolled back); close() settles.
      await conn.rollback()
      await conn.close()
      expect((await admin.execute('SELECT name FROM athd_items', [])).rows).to.deep.equal([])
      await sleep(50)
      expect(uncaught).to.equal(0)
    })

    it('a connection killed mid-statement → OperationalError(disconnect); no uncaught error', async function () {
      const conn = await open()
      const running = rejection(conn.execute('SELECT SLEEP(?)', [5]))
      await sleep(150)
      await admin.execute(`KILL ${conn.threadId}`, [])
      const err = translate(await running)
      expect(err).to.be.instanceOf(OperationalError)
      expect((err as OperationalError).disconnect).to.equal(true)
      expect(conn.closed).to.equal(true)
      await sleep(50)
      expect(uncaught).to.equal(0)
    })

    it('an aborted statement destroys the connection and kills its thread on the server', async function () {
      const conn = await open()
      const ac = new AbortController()
      const running = rejection(conn.execute('SELECT SLEEP(?)', [5], { signal: ac.signal }))
      await sleep(100)
      const t0 = Date.now()
      ac.abort()
      const err = translate(await running)
      expect(Date.now() - t0).to.be.lessThan(3000) // not the 5 s the statement sleeps
      expect((err as OperationalError).disconnect).to.equal(true)
      expect(conn.closed).to.equal(true)
      await conn.settled()
      let alive: unknown
      for (let i = 0; i < 50 && alive !== '0'; i++, await sleep(20)) {
        alive = await scalar(admin, 'SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?', [conn.threadId])
      }
      expect(alive, 'the server thread was killed').to.equal('0')
      // An already-aborted signal stops the call before anything is sent.
      const fresh = await open()
      const e2 = await rejection(fresh.execute('SELECT 1', [], { signal: AbortSignal.abort() }))
      expect((e2 as Error).name).to.equal('AbortError')
      expect(fresh.closed).to.equal(false)
      expect(uncaught).to.equal(0)
    })

    it('one signal for many statements (the watchdog\'s) stops only the statement running when it aborts', async function () {
      const conn = await open()
      const ac = new AbortController()
      for (let i = 0; i < 3; i++) expect((await conn.execute('SELECT 1', [], { signal: ac.signal })).rows).to.deep.equal([[1]])
      // Aborted between statements: nothing runs, nothing is stopped.
      const idle = new AbortController()
      expect((await conn.execute('SELECT 2', [], { signal: idle.signal })).rows).to.deep.equal([[2]])
      idle.abort()
      expect((await conn.execute('SELECT 3', [])).rows).to.deep.equal([[3]])
      expect(conn.closed).to.equal(false)
      const running = rejection(conn.execute('SELECT SLEEP(?)', [5], { signal: ac.signal }))
      await sleep(100)
      ac.abort()
      const err = translate(await running)
      expect((err as OperationalError).disconnect).to.equal(true)
      expect(conn.closed).to.equal(true)
      await conn.settled()
      expect(uncaught).to.equal(0)
    })

    it('a closed connection refuses work with a disconnect error', async function () {
      const conn = await open()
      await conn.close()
      expect(conn.closed).to.equal(true)
      const err = translate(await rejection(conn.execute('SELECT 1', [])))
      expect((err as OperationalError).disconnect).to.equal(true)
      await conn.rollback()
      conn.destroy()
    })

    it('an unreachable server → OperationalError(disconnect)', async function () {
      const e = await rejection(driver.connect({ url: 'mysql://root@127.0.0.1:1/x', connectTimeoutMs: 1000 }))
      const err = translate(e)
      expect(err).to.be.instanceOf(OperationalError)
      expect((err as OperationalError).disconnect).to.equal(true)
    })
  })

  describe('value round-trips', function () {
    const columns: [string, SqlType<unknown>][] = [
      ['i', Integer], ['si', SmallInteger], ['bi', BigInteger], ['f', Float], ['d', Numeric()], ['d2', Numeric(10, 2)],
      ['s', StringType(20)], ['t', Text], ['b', BooleanType], ['da', DateType], ['dt', DateTime()], ['tm', Time],
      ['j', JsonType()], ['u', UUID], ['bl', LargeBinary], ['e', Enum(['draft', "it's", 'a\\b'])],
    ]

    before(async function () {
      const ddl = columns.map(([name, type]) => `${name} ${typeDdl(type)}`).join(', ')
      await admin.execute(`CREATE TABLE athd_values (id ${typeDdl(Integer, { autoincrement: true })} PRIMARY KEY, ${ddl}) ENGINE=InnoDB`, [])
    })

    async function roundTrip(values: Record<string, unknown>): Promise<Record<string, unknown>> {
      await admin.execute('DELETE FROM athd_values', [])
      const names = columns.map(([n]) => n)
      const params = columns.map(([n, type]) => {
        const v = type.validate(values[n] ?? null, n)
        return bindProcessor(type)?.(v) ?? v
      })
      await admin.execute(`INSERT INTO athd_values (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, params)
      const row = (await admin.execute(`SELECT ${names.join(', ')} FROM athd_values`, [])).rows[0]!
      return Object.fromEntries(columns.map(([n, type], i) => [n, resultProcessor(type)?.(row[i]) ?? row[i]]))
    }

    it('keeps every portable type exact', async function () {
      const sent = {
        i: -2147483648, si: 32767, bi: 9223372036854775807n, f: 1.5e-300, d: '12345678901234567890.1234567890', d2: '-0.50',
        s: 'héllo 🎉', t: "multi\nline 'quoted' \\ text", b: true, da: '2024-02-29', dt: new Date('2024-01-02T03:04:05.678Z'),
        tm: '12:34:56.123456', j: { a: [1, { b: null }], s: 'x', n: 1.25 }, u: '0f8fad5b-d9cb-469f-a165-70867728950e',
        bl: new Uint8Array([0, 255, 1, 2, 0]), e: "it's",
      }
      const got = await roundTrip(sent)
      expect(got['i']).to.equal(-2147483648)
      expect(got['si']).to.equal(32767)
      expect(got['bi']).to.equal(9223372036854775807n)
      expect(got['f']).to.equal(1.5e-300)
      expect(got['d']).to.equal('12345678901234567890.1234567890')
      expect(got['d2']).to.equal('-0.50')
      expect(got['s']).to.equal('héllo 🎉')
      expect(got['t']).to.equal(sent.t)
      expect(got['b']).to.equal(true)
      expect(got['da']).to.equal('2024-02-29')
      expect(got['dt']).to.be.instanceOf(Date)
      expect((got['dt'] as Date).toISOString()).to.equal('2024-01-02T03:04:05.678Z')
      expect(got['tm']).to.equal('12:34:56.123456')
      expect(got['j']).to.deep.equal(sent.j)
      expect(got['u']).to.equal(sent.u)
      expect(got['bl']).to.be.instanceOf(Uint8Array)
      expect([...(got['bl'] as Uint8Array)]).to.deep.equal([0, 255, 1, 2, 0])
      expect(got['e']).to.equal("it's")
    })

    it('keeps edge values: bigint past 2^53, false, JSON scalars, old dates, NULL', async function () {
      let got = await roundTrip({ bi: 9007199254740993n, b: false, j: 'just a string', dt: new Date('0999-12-31T23:59:59.999Z'), e: 'a\\b' })
      expect(got['bi']).to.equal(9007199254740993n)
      expect(got['b']).to.equal(false)
      expect(got['j']).to.equal('just a string')
      expect((got['dt'] as Date).toISOString()).to.equal('0999-12-31T23:59:59.999Z')
      expect(got['e']).to.equal('a\\b')
      expect(got['i']).to.equal(null)
      got = await roundTrip({ j: [1, 'two', [3]], bi: -9223372036854775808n, dt: new Date('1969-12-31T23:59:59.001Z') })
      expect(got['j']).to.deep.equal([1, 'two', [3]])
      expect(got['bi']).to.equal(-9223372036854775808n)
      expect((got['dt'] as Date).toISOString()).to.equal('1969-12-31T23:59:59.001Z')
      got = await roundTrip({ j: 42 })
      expect(got['j']).to.equal(42)
    })

    it('refuses a DATETIME that is no day, which a lax sql_mode keeps, instead of reading another day', async function () {
      const [[mode]] = (await admin.execute('SELECT @@SESSION.sql_mode', [])).rows as [[string]]
      await admin.execute('DELETE FROM athd_values', [])
      try {
        // ALLOW_INVALID_DATES keeps February 30; without NO_ZERO_IN_DATE (MariaDB's default) a zero day is kept too.
        await admin.execute("SET SESSION sql_mode = 'ALLOW_INVALID_DATES'", [])
        await admin.execute("INSERT INTO athd_values (id, dt) VALUES (1, '2024-02-30 10:00:00'), (2, '2024-03-00 00:00:00'), (3, '0000-00-00 00:00:00'), (4, '2024-02-29 23:59:59')", [])
      } finally {
        await admin.execute(`SET SESSION sql_mode = '${mode}'`, [])
      }
      const raw = (await admin.execute('SELECT dt FROM athd_values ORDER BY id', [])).rows.map((r) => r[0])
      expect(raw).to.deep.equal(['2024-02-30 10:00:00.000000', '2024-03-00 00:00:00.000000', '0000-00-00 00:00:00.000000', '2024-02-29 23:59:59.000000'])
      const read = resultProcessor(DateTime())!
      expect(() => read(raw[0])).to.throw(ValueError, /'2024-02-30 10:00:00.000000' for a DateTime column, which is no date \(2024-02 has no day 30\)/)
      expect(() => read(raw[1])).to.throw(ValueError, /2024-03 has no day 0/)
      expect(read(raw[2])).to.equal(null)
      expect((read(raw[3]) as Date).toISOString()).to.equal('2024-02-29T23:59:59.000Z')
    })

    it('reads microseconds written by SQL as milliseconds, and aggregates in the declared type', async function () {
      await admin.execute('DELETE FROM athd_values', [])
      await admin.execute("INSERT INTO athd_values (dt, bi, i) VALUES ('2024-05-06 07:08:09.123456', 5, 1), (NULL, 7, 2)", [])
      const r = (await admin.execute('SELECT MAX(dt), SUM(bi), COUNT(*), AVG(i), MAX(bi) > 6 FROM athd_values', [])).rows[0]!
      expect((resultProcessor(DateTime())!(r[0]) as Date).toISOString()).to.equal('2024-05-06T07:08:09.123Z')
      expect(resultProcessor(BigInteger)!(r[1])).to.equal(12n)
      expect(resultProcessor(Integer)!(r[2])).to.equal(2)
      expect(resultProcessor(Float)!(r[3])).to.equal(1.5)
      expect(resultProcessor(BooleanType)!(r[4])).to.equal(true)
    })
  })
})

describe('mysql integrity error fields, parsed from the message (no server)', function () {
  const serverError = (errno: number, sqlMessage: string, sqlState = '23000'): Error =>
    Object.assign(new Error(sqlMessage), { errno, sqlState, sqlMessage, code: 'ER_X' })
  function translated(errno: number, sqlMessage: string, flavour?: 'mysql' | 'mariadb', sqlState?: string): IntegrityError {
    const e = translateMysqlError(serverError(errno, sqlMessage, sqlState), { sql: 'INSERT …', params: ['secret@b.c'] }, flavour)
    expect(e, sqlMessage).to.be.instanceOf(IntegrityError)
    return e as IntegrityError
  }
  const fields = (e: IntegrityError): object => ({ constraint: e.constraint, table: e.table, columns: e.columns, referencedTable: e.referencedTable })

  it("1062, MySQL 8 style: the key is 'table.index'; the value is never kept", function () {
    const e = translated(1062, "Duplicate entry 'secret@b.c' for key 'users.users_email'", 'mysql')
    expect(fields(e)).to.deep.equal({ constraint: 'users_email', table: 'users', columns: undefined, referencedTable: undefined })
    expect(e.message).to.match(/^The unique constraint users_email on users was violated: Duplicate entry \(value hidden;/)
    expect(e.message).to.not.include('secret')
    expect(fields(translated(1062, "Duplicate entry '1' for key 'users.PRIMARY'", 'mysql'))).to.include({ constraint: 'PRIMARY', table: 'users' })
  })

  it("1062, MariaDB style: the bare index name (a dot in it stays), even when the value holds \" for key '\"", function () {
    const e = translated(1062, "Duplicate entry 'secret@b.c' for key 'users_email'", 'mariadb')
    expect(fields(e)).to.deep.equal({ constraint: 'users_email', table: undefined, columns: undefined, referencedTable: undefined })
    expect(e.message).to.match(/^The unique constraint users_email was violated: /)
    expect(translated(1062, "Duplicate entry 'x' for key 'v1.2'", 'mariadb').constraint).to.equal('v1.2')
    expect(fields(translated(1062, "Duplicate entry 'a' for key 'b' for key 'uq_ab'", 'mariadb'))).to.include({ constraint: 'uq_ab' })
    expect(translated(1022, "Can't write; duplicate key in table 'users'").table).to.equal('users')
  })

  it('1452 and 1451: constraint, referencing table and columns, referenced table (both flavours print them alike)', function () {
    const child = translated(1452, 'Cannot add or update a child row: a foreign key constraint fails (`shop`.`orders`, CONSTRAINT `fk_orders_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`))', 'mariadb')
    expect(fields(child)).to.deep.equal({ constraint: 'fk_orders_user', table: 'orders', columns: ['user_id'], referencedTable: 'users' })
    expect(child.message).to.match(/^The foreign key constraint fk_orders_user on orders \(user_id\) referencing users was violated: Cannot add/)
    const parent = translated(1451, 'Cannot delete or update a parent row: a foreign key constraint fails (`shop`.`order lines`, CONSTRAINT `fk``x` FOREIGN KEY (`order_id`, `org_id`) REFERENCES `other_db`.`orders` (`id`, `org_id`) ON DELETE RESTRICT)', 'mysql')
    expect(fields(parent)).to.deep.equal({ constraint: 'fk`x', table: 'order lines', columns: ['order_id', 'org_id'], referencedTable: 'orders' })
    // 1216/1217 (old servers, other clients) say nothing more.
    expect(fields(translated(1216, 'Cannot add or update a child row: a foreign key constraint fails'))).to.deep.equal({ constraint: undefined, table: undefined, columns: undefined, referencedTable: undefined })
  })

  it('1048, 1364 and 1263: the column only (the server does not name the table)', function () {
    expect(fields(translated(1048, "Column 'name' cannot be null"))).to.deep.equal({ constraint: undefined, table: undefined, columns: ['name'], referencedTable: undefined })
    expect(translated(1048, "Column 'name' cannot be null").message).to.match(/^The not-null constraint on column \(name\) was violated: Column 'name' cannot be null/)
    expect(translated(1364, "Field 'qty' doesn't have a default value", 'mariadb', 'HY000').columns).to.deep.equal(['qty'])
    expect(translated(1263, "Column set to default value; NULL supplied to NOT NULL column 'qty' at row 2").columns).to.deep.equal(['qty'])
  })

  it('3819 (MySQL): the check constraint name; 4025 (MariaDB): its name and table', function () {
    expect(fields(translated(3819, "Check constraint 'orders_chk_1' is violated.", 'mysql'))).to.deep.equal({ constraint: 'orders_chk_1', table: undefined, columns: undefined, referencedTable: undefined })
    const maria = translated(4025, 'CONSTRAINT `qty_positive` failed for `shop`.`orders`', 'mariadb')
    expect(fields(maria)).to.deep.equal({ constraint: 'qty_positive', table: 'orders', columns: undefined, referencedTable: undefined })
    expect(maria.message).to.match(/^The check constraint qty_positive on orders was violated: CONSTRAINT `qty_positive` failed/)
  })

  it('the capabilities list exactly the fields each flavour fills', function () {
    const maria = mysqlCapabilities({ flavour: 'mariadb', versionNumbers: [10, 11, 0] }).integrityErrorFields
    const mysql8 = mysqlCapabilities({ flavour: 'mysql', versionNumbers: [8, 0, 36] }).integrityErrorFields
    expect(maria?.unique).to.deep.equal(['constraint'])
    expect(mysql8?.unique).to.deep.equal(['constraint', 'table'])
    expect(maria?.check).to.deep.equal(['constraint', 'table'])
    expect(mysql8?.check).to.deep.equal(['constraint'])
  })
})
