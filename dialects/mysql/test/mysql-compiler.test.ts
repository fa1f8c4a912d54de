import { expect } from 'chai'
import {
  BigInteger, Boolean as BooleanType, CompileError, DateTime, DateType, Enum, Float, ForeignKey, Index, Integer, JSON as JsonType,
  LargeBinary, MetaData, Numeric, SmallInteger, String as StringType, Table, Text, Time, UUID, cast, column, del, func, insert,
  literal, select, union, update,
} from '@athanor/core'
import { MysqlCompiler, ROW_ALIAS, inserted, mysqlCapabilities, onDuplicateKeyUpdate, type MysqlCompileTarget } from '../src/index.js'

// Compile-only: the SQL MySQL and MariaDB are sent for each construct they spell differently
// from ANSI. Every statement here also runs against MariaDB in mysql-dialect.test.ts.
const md = new MetaData()
const users = new Table('users', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(StringType(50)),
  email: column(StringType(100), { unique: true }),
  visits: column(Integer, { default: 0 }),
  age: column(Integer, { nullable: true }),
})
const posts = new Table('posts', md, { id: column(Integer, { primaryKey: true }), userId: column(Integer, ForeignKey('users.id')) })
const events = new Table('events', md, { id: column(Integer, { primaryKey: true }), at: column(DateTime()), day: column(DateType), copyAt: column(DateTime(), { name: 'copy_at' }) })

const MARIADB: MysqlCompileTarget = { flavour: 'mariadb', versionNumbers: [10, 11, 19], backslashEscapes: true }
const MYSQL_80: MysqlCompileTarget = { flavour: 'mysql', versionNumbers: [8, 0, 36], backslashEscapes: true }
const MYSQL_57: MysqlCompileTarget = { flavour: 'mysql', versionNumbers: [5, 7, 44], backslashEscapes: true }
const compilerFor = (target: MysqlCompileTarget): MysqlCompiler => new MysqlCompiler(mysqlCapabilities(target), { target })
const mariadb = compilerFor(MARIADB)
const mysql80 = compilerFor(MYSQL_80)
const sql = (stmt: unknown, compiler = mariadb): string => compiler.compile(stmt).sql

describe('mysql compiler (compile only)', function () {
  it('quotes with backticks (doubling them) and binds with ?', function () {
    const c = mariadb.compile(select(users.c.id).where(users.c.name.eq('x')))
    expect([c.sql, c.params]).to.deep.equal(['SELECT `users`.`id` FROM `users` WHERE `users`.`name` = ?', ['x']])
    expect(mariadb.quote('a`b')).to.equal('`a``b`')
  })

  it('refuses result columns mysql2 cannot read (named like Object.prototype internals), and only at the top level', function () {
    expect(() => sql(select(users.c.id.label('__proto__')))).to.throw(CompileError, /The result column '__proto__' cannot be read through mysql2.*label\('proto'\)/)
    expect(() => sql(insert(users).values({ name: 'a', email: 'b' }).returning(users.c.id.label('__lookupGetter__')))).to.throw(CompileError, /__lookupGetter__/)
    const sub = select(users.c.id.label('__proto__')).subquery('s')
    expect(sql(select(sub.c.__proto__.label('id')))).to.equal('SELECT `s`.`__proto__` AS `id` FROM (SELECT `users`.`id` AS `__proto__` FROM `users`) AS `s`')
    expect(sql(select(users.c.id.label('constructor')))).to.equal('SELECT `users`.`id` AS `constructor` FROM `users`')
  })

  it('binds OFFSET as LONGLONG (MySQL ≥ 8.0.22 refuses a DOUBLE there), writes LIMIT, and binds other integers as plain numbers', function () {
    const c = mariadb.compile(select(users.c.id).where(users.c.id.gt(7)).limit(2).offset(5))
    expect(c.sql).to.equal('SELECT `users`.`id` FROM `users` WHERE `users`.`id` > ? LIMIT 2 OFFSET ?')
    const [where, offset] = c.params as [unknown, { value: unknown; type: number }]
    expect(where).to.equal(7)
    expect(offset).to.deep.include({ value: 5n, type: 8 })
    const u = mariadb.compile(union(select(users.c.id), select(users.c.id)).limit(3).offset(4))
    expect(u.sql).to.match(/ LIMIT 3 OFFSET \?$/)
    expect((u.params[0] as { type: number }).type).to.equal(8)
  })

  it('writes a bare OFFSET as LIMIT <max unsigned bigint> OFFSET ?', function () {
    expect(sql(select(users.c.id).offset(5))).to.equal('SELECT `users`.`id` FROM `users` LIMIT 18446744073709551615 OFFSET ?')
    expect(sql(select(users.c.id).limit(2).offset(5))).to.equal('SELECT `users`.`id` FROM `users` LIMIT 2 OFFSET ?')
  })

  it('turns || into one CONCAT() and func.length into CHAR_LENGTH', function () {
    expect(sql(select(users.c.name.concat('-').concat(users.c.email)))).to.equal('SELECT CONCAT(`users`.`name`, ?, `users`.`email`) FROM `users`')
    expect(sql(select(func.length(users.c.name)))).to.equal('SELECT CHAR_LENGTH(`users`.`name`) FROM `users`')
    expect(sql(select(func.now()))).to.equal('SELECT NOW(6)')
  })

  it('lists DATE and DATETIME results of a statement with parameters as the server\'s text (mysql2 reads it faster), and only where nothing else reads them', function () {
    const e = events.c
    // The statement's own list and RETURNING: CAST(… AS CHAR), named as the column or label was.
    expect(sql(select(e.id, e.at, e.day, e.copyAt, func.max(e.at).label('last')).where(e.id.gt(0)).groupBy(e.id))).to.equal(
      'SELECT `events`.`id`, CAST(`events`.`at` AS CHAR) AS `at`, CAST(`events`.`day` AS CHAR) AS `day`, CAST(`events`.`copy_at` AS CHAR) AS `copyAt`, ' +
        'CAST(max(`events`.`at`) AS CHAR) AS `last` FROM `events` WHERE `events`.`id` > ? GROUP BY `events`.`id`',
    )
    expect(sql(select(func.now(), literal(1)))).to.equal('SELECT CAST(NOW(6) AS CHAR), ?')
    // Without parameters mysql2 runs the statement as text, where dates arrive as text already.
    expect(sql(select(e.id, e.at))).to.equal('SELECT `events`.`id`, `events`.`at` FROM `events`')
    expect(sql(insert(events).values({ id: 1, at: new Date(0), day: '2024-01-02', copyAt: new Date(0) }).returning(e.id, e.at))).to.equal(
      'INSERT INTO `events` (`id`, `at`, `day`, `copy_at`) VALUES (?, ?, ?, ?) RETURNING `id`, CAST(`at` AS CHAR) AS `at`',
    )
    // Each member of a UNION is the result; its ORDER BY names the result column.
    expect(sql(union(select(e.at).where(e.id.lt(5)), select(e.copyAt)).orderBy(e.at))).to.equal(
      'SELECT CAST(`events`.`at` AS CHAR) AS `at` FROM `events` WHERE `events`.`id` < ? UNION SELECT CAST(`events`.`copy_at` AS CHAR) AS `copyAt` FROM `events` ORDER BY `at` ASC',
    )
    // Where the value is read again by the statement, it stays the DATETIME it is.
    const sub = select(e.id, e.at).subquery('s')
    expect(sql(select(sub.c.id).where(sub.c.at.isNotNull(), sub.c.id.gt(1)))).to.equal(
      'SELECT `s`.`id` FROM (SELECT `events`.`id`, `events`.`at` FROM `events`) AS `s` WHERE `s`.`at` IS NOT NULL AND `s`.`id` > ?',
    )
    const recent = select(e.id, e.at).where(e.id.gt(1)).cte('recent')
    expect(sql(select(recent.c.id).where(recent.c.at.isNotNull()))).to.equal(
      'WITH `recent` AS (SELECT `events`.`id`, `events`.`at` FROM `events` WHERE `events`.`id` > ?) SELECT `recent`.`id` FROM `recent` WHERE `recent`.`at` IS NOT NULL',
    )
    expect(sql(select(e.id).where(e.at.eq(select(func.max(e.copyAt)).where(e.id.gt(1)).scalarSubquery())))).to.equal(
      'SELECT `events`.`id` FROM `events` WHERE `events`.`at` = (SELECT max(`events`.`copy_at`) FROM `events` WHERE `events`.`id` > ?)',
    )
    expect(sql(insert(events).fromSelectQuery(['id', 'at'], select(e.id, e.copyAt).where(e.id.gt(1))))).to.equal(
      'INSERT INTO `events` (`id`, `at`) SELECT `events`.`id`, `events`.`copy_at` AS `copyAt` FROM `events` WHERE `events`.`id` > ?',
    )
    // Under DISTINCT the listed column must stay the one an ORDER BY names (MySQL 8 refuses otherwise).
    expect(sql(select(e.at).distinct().where(e.id.gt(1)).orderBy(e.at))).to.equal('SELECT DISTINCT `events`.`at` FROM `events` WHERE `events`.`id` > ? ORDER BY `events`.`at` ASC')
  })

  it('emulates ILIKE with lower() and writes the ESCAPE backslash as a MySQL literal', function () {
    expect(sql(select(users.c.id).where(users.c.name.ilike('a%')))).to.equal('SELECT `users`.`id` FROM `users` WHERE lower(`users`.`name`) LIKE lower(?)')
    const c = mariadb.compile(select(users.c.id).where(users.c.name.contains('50%', { caseInsensitive: true })))
    expect(c.sql).to.equal("SELECT `users`.`id` FROM `users` WHERE lower(`users`.`name`) LIKE lower(?) ESCAPE '\\\\'")
    expect(c.params).to.deep.equal(['%50\\%%'])
    // Under NO_BACKSLASH_ESCAPES a backslash is an ordinary character.
    const plain = compilerFor({ ...MARIADB, backslashEscapes: false })
    expect(sql(select(users.c.id).where(users.c.name.startsWith('a')), plain)).to.equal("SELECT `users`.`id` FROM `users` WHERE `users`.`name` LIKE ? ESCAPE '\\'")
  })

  it('emulates NULLS FIRST/LAST with an IS NULL sort key', function () {
    expect(sql(select(users.c.id).orderBy(users.c.age.desc({ nulls: 'last' })))).to.equal(
      'SELECT `users`.`id` FROM `users` ORDER BY CASE WHEN `users`.`age` IS NULL THEN 1 ELSE 0 END, `users`.`age` DESC',
    )
  })

  it('refuses FULL JOIN with a CompileError that names the workaround', function () {
    expect(() => mariadb.compile(select(users.c.id).fullJoin(posts, users.c.id.eq(posts.c.userId)))).to.throw(CompileError, /FULL OUTER JOIN.*LEFT JOIN/)
  })

  it('writes RETURNING only where the server has it', function () {
    const ins = insert(users).values({ name: 'a', email: 'e' }).returning(users.c.id)
    expect(sql(ins)).to.equal('INSERT INTO `users` (`name`, `email`, `visits`) VALUES (?, ?, ?) RETURNING `id`')
    expect(sql(del(users).where(users.c.id.eq(1)).returning(users.c.name))).to.equal('DELETE FROM `users` WHERE `users`.`id` = ? RETURNING `name`')
    expect(() => mariadb.compile(update(users).set({ name: 'b' }).returning(users.c.id))).to.throw(CompileError, /no UPDATE … RETURNING/)
    expect(() => mysql80.compile(ins)).to.throw(CompileError, /no INSERT … RETURNING/)
  })

  it('inserts a row of defaults as () VALUES ()', function () {
    const t = new Table('only_id', new MetaData(), { id: column(Integer, { primaryKey: true }) })
    expect(sql(insert(t))).to.equal('INSERT INTO `only_id` () VALUES ()')
  })

  it('casts to the type names CAST accepts', function () {
    // In a WHERE: in the select list a DATE or DATETIME result is listed as text (see above).
    const c = (t: Parameters<typeof cast>[1], compiler = mariadb): string =>
      sql(select(users.c.id).where(cast(users.c.name, t).isNull()), compiler).replace(/^SELECT `users`\.`id` FROM `users` WHERE CAST\(`users`\.`name` AS (.*)\) IS NULL$/, '$1')
    expect([Integer, BigInteger, BooleanType, Float, Numeric(10, 2), StringType(5), Text, DateTime(), DateType, LargeBinary].map((t) => c(t))).to.deep.equal([
      'SIGNED', 'SIGNED', 'SIGNED', 'DOUBLE', 'DECIMAL(10,2)', 'CHAR(5)', 'CHAR', 'DATETIME(6)', 'DATE', 'BINARY',
    ])
    expect([c(JsonType()), c(JsonType(), mysql80)]).to.deep.equal(['CHAR', 'JSON'])
  })

  describe('row locks per flavour', function () {
    const q = select(users.c.id)
    it('MariaDB: FOR UPDATE, LOCK IN SHARE MODE, NOWAIT, SKIP LOCKED (10.6+)', function () {
      expect(sql(q.forUpdate())).to.match(/ FOR UPDATE$/)
      expect(sql(q.forUpdate({ read: true, nowait: true }))).to.match(/ LOCK IN SHARE MODE NOWAIT$/)
      expect(sql(q.forUpdate({ skipLocked: true }))).to.match(/ FOR UPDATE SKIP LOCKED$/)
      const old = compilerFor({ flavour: 'mariadb', versionNumbers: [10, 5, 0] })
      expect(() => old.compile(q.forUpdate({ skipLocked: true }))).to.throw(CompileError, /SKIP LOCKED needs MySQL 8\.0\.1 or MariaDB 10\.6; this server is MariaDB 10\.5\.0/)
    })
    it('MySQL 8: FOR SHARE; MySQL 5.7: LOCK IN SHARE MODE and no NOWAIT', function () {
      expect(sql(q.forUpdate({ read: true, skipLocked: true }), mysql80)).to.match(/ FOR SHARE SKIP LOCKED$/)
      expect(sql(q.forUpdate({ read: true }), compilerFor(MYSQL_57))).to.match(/ LOCK IN SHARE MODE$/)
      expect(() => compilerFor(MYSQL_57).compile(q.forUpdate({ nowait: true }))).to.throw(CompileError, /NOWAIT needs/)
    })
  })

  describe('ON DUPLICATE KEY UPDATE', function () {
    const row = { name: 'Ann', email: 'ann@x', visits: 1 }
    const upsert = onDuplicateKeyUpdate(insert(users).values(row), {
      set: { name: inserted(users).name, visits: users.c.visits.add(inserted(users).visits) },
    })
    it('refers to the proposed row with VALUES() on MariaDB and MySQL before 8.0.19', function () {
      const expected = 'INSERT INTO `users` (`name`, `email`, `visits`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `visits` = `users`.`visits` + VALUES(`visits`)'
      expect(sql(upsert)).to.equal(expected)
      expect(sql(upsert, compilerFor({ flavour: 'mysql', versionNumbers: [8, 0, 18] }))).to.equal(expected)
    })
    it('uses a row alias on MySQL 8.0.19+, except for INSERT … SELECT', function () {
      expect(sql(upsert, mysql80)).to.equal(
        `INSERT INTO \`users\` (\`name\`, \`email\`, \`visits\`) VALUES (?, ?, ?) AS \`${ROW_ALIAS}\` ON DUPLICATE KEY UPDATE \`name\` = \`_new\`.\`name\`, \`visits\` = \`users\`.\`visits\` + \`_new\`.\`visits\``,
      )
      const fromSelect = onDuplicateKeyUpdate(insert(users).fromSelectQuery(['name', 'email'], select(users.c.name, users.c.email)), { set: { name: inserted(users).name } })
      expect(sql(fromSelect, mysql80)).to.match(/SELECT .* ON DUPLICATE KEY UPDATE `name` = VALUES\(`name`\)$/)
    })
    it('binds values in set, keys the cache by shape, and takes only the table\'s columns', function () {
      const a = mariadb.compile(onDuplicateKeyUpdate(insert(users).values(row), { set: { name: 'fixed' } }))
      const b = mariadb.compile(onDuplicateKeyUpdate(insert(users).values({ ...row, name: 'Bo' }), { set: { name: 'other' } }))
      // (visits, an Integer, goes as a typed LONGLONG parameter)
      expect([a.params[0], a.params[1], a.params[3]]).to.deep.equal(['Ann', 'ann@x', 'fixed'])
      expect([b.params[0], b.params[1], b.params[3]]).to.deep.equal(['Bo', 'ann@x', 'other'])
      expect(b.cached).to.equal(true)
      // @ts-expect-error 'nope' is not a column of users
      expect(() => onDuplicateKeyUpdate(insert(users).values(row), { set: { nope: 1 } })).to.throw(/unknown column 'nope'/)
      // @ts-expect-error visits is a number column (and validation refuses it at run time too)
      expect(() => onDuplicateKeyUpdate(insert(users).values(row), { set: { visits: 'many' } })).to.throw(/users\.visits \(integer\) cannot take a string/)
      expect(() => onDuplicateKeyUpdate(upsert, { set: { name: 'x' } })).to.throw(/already has an upsert clause/)
    })
  })

  describe('DDL', function () {
    const every = new Table('every_type', new MetaData(), {
      id: column(BigInteger, { primaryKey: true }),
      i: column(Integer), s: column(SmallInteger), f: column(Float), n: column(Numeric(12, 3)), v: column(StringType(20)),
      t: column(Text), b: column(BooleanType), d: column(DateType), dt: column(DateTime({ timezone: true })), tm: column(Time),
      j: column(JsonType()), u: column(UUID), bin: column(LargeBinary), e: column(Enum(['a', "o'k"])),
    }, new Index('ix_every_v', ['v']))
    it('creates every core type, AUTO_INCREMENT after NOT NULL', function () {
      expect(mariadb.createTable(every, { ifNotExists: false })).to.deep.equal([
        'CREATE TABLE `every_type` (\n  ' + [
          '`id` BIGINT NOT NULL AUTO_INCREMENT', '`i` INT NOT NULL', '`s` SMALLINT NOT NULL', '`f` DOUBLE NOT NULL', '`n` DECIMAL(12,3) NOT NULL',
          '`v` VARCHAR(20) NOT NULL', '`t` LONGTEXT NOT NULL', '`b` BOOLEAN NOT NULL', '`d` DATE NOT NULL', '`dt` DATETIME(6) NOT NULL',
          '`tm` TIME(6) NOT NULL', '`j` JSON NOT NULL', '`u` CHAR(36) NOT NULL', '`bin` LONGBLOB NOT NULL',
          "`e` ENUM('a','o''k') NOT NULL CHECK (`e` IN ('a', 'o''k'))", 'PRIMARY KEY (`id`)',
        ].join(',\n  ') + '\n)',
        'CREATE INDEX `ix_every_v` ON `every_type` (`v`)',
      ])
    })
    it('creates indexes IF NOT EXISTS on MariaDB, inside CREATE TABLE IF NOT EXISTS on MySQL', function () {
      expect(mariadb.createTable(every, { ifNotExists: true })[1]).to.equal('CREATE INDEX IF NOT EXISTS `ix_every_v` ON `every_type` (`v`)')
      const [only, ...rest] = mysql80.createTable(every, { ifNotExists: true })
      expect(rest).to.deep.equal([])
      expect(only).to.match(/^CREATE TABLE IF NOT EXISTS `every_type` \(\n/)
      expect(only).to.match(/,\n {2}PRIMARY KEY \(`id`\),\n {2}INDEX `ix_every_v` \(`v`\)\n\)$/)
      expect(mysql80.createTable(every, { ifNotExists: false })[1]).to.equal('CREATE INDEX `ix_every_v` ON `every_type` (`v`)')
    })
  })
})
