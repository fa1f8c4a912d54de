import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import {
  AsyncSession, BigInteger, Boolean as BooleanType, CompileError, DateTime, DateType, Enum, Float, Integer, JSON as JsonType, LargeBinary,
  MetaData, Numeric, String as StringType, Table, Text, Time, UUID, cast, column, createAsyncEngine, declarativeBase, del, dialectForUrl,
  func, insert, literal, mappedColumn, select, text, update,
  type DriverConnection, type Engine,
} from '@athanor/core'
import { resolveBackend } from '../../../test/support/backends.js'
import { MysqlDialect, inserted, mysqlCapabilities, onDuplicateKeyUpdate, type MysqlServerInfo } from '../src/index.js'

// The dialect end to end against a live MariaDB/MySQL: detection at first connect, the SQL the
// compiler writes for constructs MySQL spells differently, DDL for every core type, value
// round-trips, upserts, and ids from insertId arithmetic. Tables are prefixed athdl_.
let URL = ''
const engines: Engine[] = []
const open = (options: Parameters<typeof createAsyncEngine>[1] = {}): Engine => {
  const e = createAsyncEngine(URL, { pool: { size: 2 }, ...options })
  engines.push(e)
  return e
}

const md = new MetaData()
const people = new Table('athdl_people', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(StringType(50), { unique: true }),
  age: column(Integer, { nullable: true }),
  visits: column(Integer, { default: 0 }),
})
const every = new Table('athdl_every', md, {
  id: column(BigInteger, { primaryKey: true }),
  big: column(BigInteger), i: column(Integer), f: column(Float), n: column(Numeric(38, 10)), s: column(StringType(20)), t: column(Text),
  b: column(BooleanType), d: column(DateType), dt: column(DateTime()), tm: column(Time), j: column(JsonType<unknown>()),
  u: column(UUID), bin: column(LargeBinary), e: column(Enum(['red', 'green'])),
})

const moments = new Table('athdl_moments', md, {
  id: column(Integer, { primaryKey: true }),
  at: column(DateTime(), { nullable: true }),
  day: column(DateType, { nullable: true }),
})

describe('mysql dialect (live server)', function () {
  let engine: Engine
  before(async function () {
    const found = await resolveBackend('mysql')
    if ('skip' in found) {
      console.log(`[athanor] skipping mysql dialect tests: ${found.skip}`)
      this.skip()
    }
    URL = found.url
    engine = open()
  })
  beforeEach(async () => {
    await md.dropAll(engine)
    await md.createAll(engine)
  })
  after(async () => {
    if (engine !== undefined) await md.dropAll(engine)
    for (const e of engines.splice(0)) await e.dispose()
  })

  describe('dialect', function () {
    it('is registered for mysql://, mysql2://, mariadb:// and their +mysql2 forms', function () {
      for (const scheme of ['mysql', 'mysql2', 'mariadb', 'mysql+mysql2', 'mariadb+mysql2']) {
        expect(dialectForUrl(`${scheme}://u@h/db`), scheme).to.be.instanceOf(MysqlDialect)
      }
    })

    it('assumes MySQL 8.0 until the first connection, then compiles for the server it found', async function () {
      const fresh = open()
      expect(fresh.dialect.capabilities.returning.insert).to.equal(false)
      await using conn = await fresh.connect()
      await conn.execute(select(func.now()))
      const d = fresh.dialect as MysqlDialect
      const info = d.serverInfo!
      expect(info.flavour).to.be.oneOf(['mariadb', 'mysql'])
      expect(info.clusterAutoIncrement).to.equal(false)
      expect(info.backslashEscapes).to.equal(true)
      expect(d.capabilities).to.deep.equal(mysqlCapabilities(info))
      expect(d.compiler.target).to.equal(info)
      expect(d.driver).to.equal((engines.at(-1)!.dialect as MysqlDialect).driver)
    })
  })

  describe('SQL MySQL spells differently', function () {
    const names = ['Ann', '50% off', '50 xoff', 'a_b', 'axb', 'ANNA']
    beforeEach(async () => {
      await engine.begin((conn) => conn.execute(insert(people).values(names.map((name, i) => ({ name, age: i % 2 === 0 ? i : null })))))
    })
    const namesWhere = async (where: Parameters<ReturnType<typeof select>['where']>[0]): Promise<string[]> => {
      await using conn = await engine.connect()
      return (await conn.execute(select(people.c.name).where(where).orderBy(people.c.id))).scalars().all()
    }

    it('ILIKE (emulated) matches case-insensitively and keeps escaped wildcards literal', async function () {
      expect(await namesWhere(people.c.name.ilike('ann'))).to.deep.equal(['Ann'])
      expect(await namesWhere(people.c.name.ilike('ann%'))).to.deep.equal(['Ann', 'ANNA'])
      expect(await namesWhere(people.c.name.contains('50%', { caseInsensitive: true }))).to.deep.equal(['50% off'])
      expect(await namesWhere(people.c.name.startsWith('a_'))).to.deep.equal(['a_b'])
      expect(await namesWhere(people.c.name.like('a_b'))).to.deep.equal(['a_b', 'axb'])
    })

    it('orders NULLS FIRST / LAST (emulated)', async function () {
      await using conn = await engine.connect()
      const order = async (o: ReturnType<typeof people.c.age.asc>): Promise<(number | null)[]> =>
        (await conn.execute(select(people.c.age).orderBy(o, people.c.id))).scalars().all()
      expect(await order(people.c.age.asc({ nulls: 'first' }))).to.deep.equal([null, null, null, 0, 2, 4])
      expect(await order(people.c.age.desc({ nulls: 'last' }))).to.deep.equal([4, 2, 0, null, null, null])
    })

    it('offsets without a limit, and limits with bound integers', async function () {
      await using conn = await engine.connect()
      expect((await conn.execute(select(people.c.name).orderBy(people.c.id).offset(4))).scalars().all()).to.deep.equal(['axb', 'ANNA'])
      expect((await conn.execute(select(people.c.name).orderBy(people.c.id).limit(1).offset(1))).scalars().all()).to.deep.equal(['50% off'])
    })

    it('concatenates with CONCAT, counts characters, casts, and inserts a row of defaults', async function () {
      const q = select(people.c.name.concat(' / ').concat(people.c.name), func.length(literal('é€', Text)), cast(people.c.visits, StringType(5))).where(people.c.name.eq('Ann'))
      expect((await engine.begin((conn) => conn.execute(q))).one()).to.deep.equal(['Ann / Ann', 2, '0'])
      // DDL waits for every open transaction that touched the table (metadata locks): none is open here.
      const only = new Table('athdl_only_id', new MetaData(), { id: column(Integer, { primaryKey: true }) })
      await only.metadata.createAll(engine)
      try {
        const r = await engine.begin((conn) => conn.execute(insert(only)))
        expect(r.rowsAffected).to.equal(1)
      } finally {
        await only.metadata.dropAll(engine)
      }
    })

    it('returns rows from INSERT and DELETE where the server can, and refuses UPDATE … RETURNING', async function () {
      await using conn = await engine.connect()
      const caps = engine.dialect.capabilities
      const ins = insert(people).values([{ name: 'r1' }, { name: 'r2' }]).returning(people.c.id, people.c.name)
      if (caps.returning.insert) {
        const rows = (await conn.execute(ins)).all()
        expect(rows.map((r) => r[1])).to.deep.equal(['r1', 'r2'])
        expect(rows[1]![0] - rows[0]![0]).to.equal(1)
      } else expect(() => engine.dialect.compiler.compile(ins)).to.throw(CompileError)
      const gone = del(people).where(people.c.name.startsWith('50')).returning(people.c.name)
      if (caps.returning.delete) expect((await conn.execute(gone)).scalars().all().sort()).to.deep.equal(['50 xoff', '50% off'])
      expect(() => engine.dialect.compiler.compile(update(people).set({ age: 1 }).returning(people.c.id))).to.throw(CompileError, /UPDATE … RETURNING/)
    })

    it('takes row locks the server understands', async function () {
      await using conn = await engine.connect()
      await conn.begin(async () => {
        const q = select(people.c.id).where(people.c.name.eq('Ann'))
        for (const lock of [{}, { read: true }, { nowait: true }, { skipLocked: true }, { read: true, skipLocked: true }]) {
          expect((await conn.execute(q.forUpdate(lock))).all(), JSON.stringify(lock)).to.have.length(1)
        }
      })
    })
  })

  describe('DDL and values', function () {
    const row = {
      big: 2n ** 53n + 1n, i: -2147483648, f: 0.1 + 0.2, n: '1234567890123456789012345678.0123456789', s: 'naïve ☃', t: 'x'.repeat(1000),
      b: false, d: '1999-12-31', dt: new Date('1969-07-20T20:17:40.123Z'), tm: '23:59:58.25', j: { a: [1, 'two', null], s: 'q"\\' },
      u: '123e4567-e89b-12d3-a456-426614174000', bin: new Uint8Array([0, 255, 10, 13, 39, 92]), e: 'green' as const,
    }

    it('creates and drops a table using every core type, idempotently', async function () {
      await md.createAll(engine) // again: IF NOT EXISTS covers the table and its indexes
      const tables = async (): Promise<string[]> => (await engine.begin((conn) => conn.execute(text("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'athdl%'"))))
        .scalars().all().map(String).sort()
      expect(await tables()).to.deep.equal(['athdl_every', 'athdl_moments', 'athdl_people'])
      await md.dropAll(engine)
      expect(await tables()).to.deep.equal([])
      await md.dropAll(engine)
    })

    it('reads TIME in one form whichever protocol carried it: the fraction without trailing zeros, as PostgreSQL and SQLite return it', async function () {
      await using conn = await engine.connect()
      await conn.execute(insert(every).values([{ ...row, tm: '23:59:58.250000' }, { ...row, tm: '07:00:00' }]))
      const byText = (await conn.execute(select(every.c.tm).orderBy(every.c.id))).scalars().all() // no parameters: text protocol
      const byBinary = (await conn.execute(select(every.c.tm).where(every.c.id.gt(0n)).orderBy(every.c.id))).scalars().all() // execute(): binary
      expect(byText.slice(-2)).to.deep.equal(['23:59:58.25', '07:00:00'])
      expect(byBinary.slice(-2)).to.deep.equal(['23:59:58.25', '07:00:00'])
    })

    it('round-trips every core type exactly: bigint past 2^53, decimals, UTC dates, JSON, binary, booleans', async function () {
      await using conn = await engine.connect()
      await conn.execute(insert(every).values([row, { ...row, b: true, j: 'just a string', big: -(2n ** 62n) }]))
      const back = (await conn.execute(select(every).orderBy(every.c.id))).mappings().all()
      expect(back).to.have.length(2)
      const { id, bin, ...rest } = back[0]!
      const { bin: _bin, ...sent } = row
      expect(rest).to.deep.equal(sent)
      expect(typeof id).to.equal('bigint')
      expect([...bin]).to.deep.equal([...row.bin])
      expect([back[1]!.b, back[1]!.j, back[1]!.big]).to.deep.equal([true, 'just a string', -(2n ** 62n)])
      // Exact in SQL arithmetic too, and found by equality.
      const sum = (await conn.execute(select(every.c.big.add(1n)).where(every.c.big.eq(row.big)))).scalar()
      expect(sum).to.equal(2n ** 53n + 2n)
    })

    it('reads DATE and DATETIME results listed as the server\'s text (CAST … AS CHAR) as it reads the columns, and compares them as dates where the statement reads them again', async function () {
      const at = [new Date('2024-01-02T03:04:05.678Z'), new Date('0050-06-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z')]
      await using conn = await engine.connect()
      const m = moments.c
      const ins = insert(moments).values(at.map((d, i) => ({ id: i + 1, at: d, day: d.toISOString().slice(0, 10) })))
      if (engine.dialect.capabilities.returning.insert) {
        expect((await conn.execute(ins.returning(m.id, m.at, m.day))).all()).to.deep.equal(at.map((d, i) => [i + 1, d, d.toISOString().slice(0, 10)]))
      } else await conn.execute(ins)
      await conn.execute(text("INSERT INTO athdl_moments (id, at, day) VALUES (4, NULL, NULL)"))
      // With parameters (a prepared statement: the dates are listed as CAST(… AS CHAR)) and without (text).
      const all = [...at.map((d, i) => [i + 1, d, d.toISOString().slice(0, 10)]), [4, null, null]]
      const listed = select(m.id, m.at, m.day).where(m.id.lt(100)).orderBy(m.id)
      expect(engine.dialect.compiler.compile(listed).sql).to.include('CAST(`athdl_moments`.`at` AS CHAR) AS `at`')
      expect((await conn.execute(listed)).all()).to.deep.equal(all)
      expect((await conn.execute(select(m.id, m.at, m.day).orderBy(m.id))).all()).to.deep.equal(all)
      // A UNION ordered by its (text) result column, an aggregate, and now(): still dates, in order.
      const u = (await conn.execute(select(m.at).where(m.id.le(2)).union(select(m.at).where(m.id.eq(3))).orderBy(m.at))).scalars().all()
      expect(u).to.deep.equal([at[1], at[0], at[2]])
      expect((await conn.execute(select(func.max(m.at).label('last'), func.min(m.day).label('first')).where(m.id.gt(0)))).one()).to.deep.equal([at[2], '0050-06-01'])
      const now = (await conn.execute(select(func.now(), literal(1)))).one()[0] as Date
      expect(Math.abs(now.getTime() - Date.now())).to.be.below(60_000)
      // Read again inside the statement (a subquery, a CTE): compared as DATETIME, not as text.
      const sub = select(m.id, m.at).subquery('s')
      expect((await conn.execute(select(sub.c.id).where(sub.c.at.gt(new Date('0999-01-01T00:00:00Z'))).orderBy(sub.c.id))).scalars().all()).to.deep.equal([1, 3])
      const early = select(m.id, m.at).where(m.at.lt(new Date('2000-01-01T00:00:00Z'))).cte('early')
      expect((await conn.execute(select(early.c.id)))).to.have.property('rows').that.deep.equals([[2]])
      // Zero dates (sql_mode without NO_ZERO_DATE) are null, as before.
      const mode = (await conn.execute(text('SELECT @@SESSION.sql_mode'))).scalar() as string
      await conn.execute(text("SET SESSION sql_mode = ''"))
      try {
        await conn.execute(text("UPDATE athdl_moments SET at = '0000-00-00 00:00:00', day = '0000-00-00' WHERE id = 4"))
      } finally {
        await conn.execute(text(`SET SESSION sql_mode = '${mode}'`))
      }
      expect((await conn.execute(select(m.at, m.day).where(m.id.eq(4)))).one()).to.deep.equal([null, null])
      await conn.rollback()
    })

    it('round-trips dates under TZ=America/New_York (child process)', async function () {
      this.timeout(30_000)
      const fixture = fileURLToPath(new globalThis.URL('./fixtures/tz-roundtrip.ts', import.meta.url))
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', '--conditions=@athanor/source', fixture], {
          env: { ...process.env, TZ: 'America/New_York', ATHANOR_MYSQL_URL: URL }, timeout: 25_000,
        }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)))
      })
      const r = JSON.parse(out) as Record<string, unknown>
      expect(r.offset).to.not.equal(0) // the child really ran outside UTC
      expect([r.ts, r.tstz]).to.deep.equal([r.sent, r.sent])
      expect(r.d).to.equal('2024-07-01')
      expect(r.text).to.equal('2024-07-01 03:04:05.678000') // stored as UTC wall time
      expect(r.nowSkewMs).to.be.below(60_000) // NOW(6) reads back as now
    })
  })

  describe('onDuplicateKeyUpdate', function () {
    it('inserts new rows and updates colliding ones from the proposed values', async function () {
      await using conn = await engine.connect()
      const hit = (name: string, visits: number) => onDuplicateKeyUpdate(insert(people).values({ name, visits, age: visits }), {
        set: { visits: people.c.visits.add(inserted(people).visits), age: inserted(people).age },
      })
      await conn.execute(hit('Ann', 1))
      await conn.execute(hit('Ann', 5))
      await conn.execute(hit('Bob', 2))
      const rows = (await conn.execute(select(people.c.name, people.c.visits, people.c.age).orderBy(people.c.name))).all()
      expect(rows).to.deep.equal([['Ann', 6, 5], ['Bob', 2, 2]])
    })

    it('updates with plain values, several rows at once, and RETURNING where the server has it', async function () {
      await using conn = await engine.connect()
      await conn.execute(insert(people).values({ name: 'Ann', visits: 1 }))
      let stmt = onDuplicateKeyUpdate(insert(people).values([{ name: 'Ann', visits: 0 }, { name: 'Cy', visits: 0 }]), { set: { age: 99 } })
      if (engine.dialect.capabilities.returning.insert) {
        const back = (await conn.execute(stmt.returning(people.c.name, people.c.age))).all()
        expect(back).to.deep.equal([['Ann', 99], ['Cy', null]])
      } else await conn.execute(stmt)
      stmt = onDuplicateKeyUpdate(insert(people).values({ name: 'Cy', visits: 0 }), { set: { age: 7 } })
      await conn.execute(stmt)
      const rows = (await conn.execute(select(people.c.name, people.c.visits, people.c.age).orderBy(people.c.name))).all()
      expect(rows).to.deep.equal([['Ann', 1, 99], ['Cy', 0, 7]])
    })
  })

  describe('ids of a multi-row INSERT by insertId arithmetic', function () {
    const Base = declarativeBase()
    class Tag extends Base.model('athdl_tags', {
      id: mappedColumn(Integer, { primaryKey: true }),
      label: mappedColumn(StringType(20)),
    }) {}
    const STEP = 'SET SESSION auto_increment_increment = 2'

    /** The server's dialect with every connection stepping ids by 2, optionally posing as MySQL 8.0 (no RETURNING). */
    class SteppedDialect extends MysqlDialect {
      readonly #asMysql: boolean
      constructor(asMysql: boolean, options: ConstructorParameters<typeof MysqlDialect>[0] = {}) {
        super(options)
        this.#asMysql = asMysql
      }
      override async initialize(connection: DriverConnection): Promise<MysqlDialect> {
        await connection.execute(STEP, [])
        const found = (await new MysqlDialect({ driver: this.driver }).initialize(connection)) as MysqlDialect
        const info: MysqlServerInfo = this.#asMysql ? { ...found.serverInfo!, flavour: 'mysql', versionNumbers: [8, 0, 0] } : found.serverInfo!
        return new SteppedDialect(this.#asMysql, { driver: this.driver, serverInfo: info })
      }
      async onConnect(connection: DriverConnection): Promise<void> {
        await connection.execute(STEP, [])
      }
    }

    for (const asMysql of [true, false]) {
      it(asMysql ? 'MySQL 8.0 capabilities (forced): one INSERT, ids insertId + 2i' : 'the server as it is: ids as the server returns them', async function () {
        const stepped = open({ dialect: new SteppedDialect(asMysql) })
        await Base.metadata.dropAll(stepped)
        await Base.metadata.createAll(stepped)
        try {
          const seen: string[] = []
          stepped.events.on('afterExecute', (e) => { seen.push(e.sql) })
          await using s = new AsyncSession(stepped)
          const tags = ['a', 'b', 'c', 'd'].map((label) => new Tag({ label }))
          s.addAll(tags)
          await s.commit()
          const returning = stepped.dialect.capabilities.returning.insert
          expect(returning).to.equal(!asMysql)
          expect(seen.filter((q) => q.startsWith('INSERT'))).to.deep.equal([
            `INSERT INTO \`athdl_tags\` (\`label\`) VALUES (?), (?), (?), (?)${returning ? ' RETURNING `id`' : ''}`,
          ])
          const ids = tags.map((t) => t.id)
          expect(ids.slice(1).map((id, i) => id - ids[i]!)).to.deep.equal([2, 2, 2])
          await using check = new AsyncSession(stepped)
          const rows = (await check.execute(select(Tag.c.id, Tag.c.label).orderBy(Tag.c.id))).all()
          expect(rows).to.deep.equal(tags.map((t) => [t.id, t.label]))
        } finally {
          await Base.metadata.dropAll(stepped)
        }
      })
    }

    /** MySQL 8.0 capabilities (forced) on this server, with `clusterAutoIncrement` as given. */
    const asMysql80 = async (connection: DriverConnection, clusterAutoIncrement: boolean): Promise<MysqlServerInfo> => {
      const found = (await new MysqlDialect().initialize(connection)) as MysqlDialect
      return { ...found.serverInfo!, flavour: 'mysql', versionNumbers: [8, 0, 0], clusterAutoIncrement }
    }
    /** Each connection steps ids by the next value of `steps` (the way a Galera node's step follows the cluster's size). */
    class ShiftingStepDialect extends MysqlDialect {
      readonly #steps: number[]
      readonly #cluster: boolean
      constructor(steps: number[], cluster: boolean, options: ConstructorParameters<typeof MysqlDialect>[0] = {}) {
        super(options)
        this.#steps = steps
        this.#cluster = cluster
      }
      override async initialize(connection: DriverConnection): Promise<MysqlDialect> {
        return new ShiftingStepDialect(this.#steps, this.#cluster, { driver: this.driver, serverInfo: await asMysql80(connection, this.#cluster) })
      }
      async onConnect(connection: DriverConnection): Promise<void> {
        await connection.execute(`SET SESSION auto_increment_increment = ${this.#steps.shift() ?? 1}`, [])
      }
    }
    const withTags = async (engine: Engine, fn: () => Promise<void>): Promise<void> => {
      await Base.metadata.dropAll(engine)
      await Base.metadata.createAll(engine)
      try {
        await fn()
      } finally {
        await Base.metadata.dropAll(engine)
      }
    }
    const storedTags = async (engine: Engine): Promise<[number, string][]> => {
      await using check = new AsyncSession(engine)
      return (await check.execute(select(Tag.c.id, Tag.c.label).orderBy(Tag.c.label))).all()
    }

    it('MySQL 8.0: connections with different steps each get their own ids right (the step is read per connection)', async function () {
      // The bug this guards: the step was read once per engine, so when a later connection's step
      // differed (a Galera cluster changing size), a multi-row INSERT silently got wrong ids.
      const shifting = open({ dialect: new ShiftingStepDialect([1, 3], false), pool: { size: 2 } })
      await withTags(shifting, async () => {
        await using first = new AsyncSession(shifting)
        await using second = new AsyncSession(shifting)
        await first.execute(select(Tag.c.id))
        await second.execute(select(Tag.c.id)) // a second connection, opened while the first is held
        const a = ['a1', 'a2', 'a3'].map((label) => new Tag({ label }))
        const b = ['b1', 'b2', 'b3'].map((label) => new Tag({ label }))
        first.addAll(a)
        second.addAll(b)
        await first.commit()
        await second.commit()
        const steps = [a, b].map((tags) => tags.slice(1).map((t, i) => t.id - tags[i]!.id))
        expect(steps.map((d) => d[0]).sort()).to.deep.equal([1, 3])
        expect(await storedTags(shifting)).to.deep.equal([...a, ...b].map((t) => [t.id, t.label]))
      })
    })

    it('MySQL 8.0: a SET of the step inside a session is seen by the next multi-row INSERT', async function () {
      const shifting = open({ dialect: new ShiftingStepDialect([], false), pool: { size: 1 } })
      await withTags(shifting, async () => {
        await using s = new AsyncSession(shifting)
        const before = ['p', 'q'].map((label) => new Tag({ label }))
        s.addAll(before)
        await s.flush()
        await s.execute(text('SET SESSION auto_increment_increment = 5'))
        const after = ['x', 'y', 'z'].map((label) => new Tag({ label }))
        s.addAll(after)
        await s.commit()
        expect(before[1]!.id - before[0]!.id).to.equal(1)
        expect(after.slice(1).map((t, i) => t.id - after[i]!.id)).to.deep.equal([5, 5])
        expect(await storedTags(shifting)).to.deep.equal([...before, ...after].map((t) => [t.id, t.label]).sort((l, r) => String(l[1]).localeCompare(String(r[1]))))
      })
    })

    it('MySQL 8.0 on a Galera node that manages the step: one INSERT per object, each id from its own statement', async function () {
      const galera = open({ dialect: new ShiftingStepDialect([4], true), pool: { size: 1 } })
      await withTags(galera, async () => {
        const seen: string[] = []
        galera.events.on('afterExecute', (e) => { seen.push(e.sql) })
        await using s = new AsyncSession(galera)
        const tags = ['a', 'b', 'c'].map((label) => new Tag({ label }))
        s.addAll(tags)
        await s.commit()
        expect(galera.dialect.capabilities.insertIdArithmetic).to.equal(false)
        expect(seen.filter((q) => q.startsWith('INSERT'))).to.deep.equal(Array(3).fill('INSERT INTO `athdl_tags` (`label`) VALUES (?)'))
        expect(await storedTags(galera)).to.deep.equal(tags.map((t) => [t.id, t.label]))
      })
    })
  })
})
