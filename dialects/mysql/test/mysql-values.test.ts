import { expect } from 'chai'
import fc from 'fast-check'
import {
  ArgumentError, BigInteger, Boolean as BooleanType, CompileError, DatabaseError, DateTime, DateType, DeadlockError, Enum,
  Float, Integer, IntegrityError, JSON as JsonType, LargeBinary, LockTimeoutError, NativeType, NullType, Numeric,
  OperationalError, ProgrammingError, SmallInteger, StatementTimeoutError, String as StringType, Text, Time, UUID, ValueError, isRetryable,
} from '@athanor/core'
import {
  bindProcessor, formatUtcDateTime, isMysqlDisconnect, mysqlCapabilities, MysqlDriver, parseMysqlUrl, parseServerVersion,
  parseUtcDateTime, resultProcessor, sessionSetup, translateMysqlError, typeDdl,
} from '../src/index.js'

// Pure tests: no server needed.

/** A mysql2-shaped server error. */
function serverError(errno: number, sqlState: string, message: string, code?: string): Error {
  return Object.assign(new Error(message), { errno, sqlState, sqlMessage: message, code })
}

describe('mysql values (pure)', function () {
  describe('typeDdl', function () {
    it('maps every portable kind', function () {
      expect(typeDdl(Integer)).to.equal('INT')
      expect(typeDdl(BigInteger, { autoincrement: true })).to.equal('BIGINT AUTO_INCREMENT')
      expect(typeDdl(SmallInteger)).to.equal('SMALLINT')
      expect(typeDdl(Float)).to.equal('DOUBLE')
      expect(typeDdl(Numeric())).to.equal('DECIMAL(38,10)')
      expect(typeDdl(Numeric(12, 2))).to.equal('DECIMAL(12,2)')
      expect(typeDdl(Numeric(12))).to.equal('DECIMAL(12,0)')
      expect(typeDdl(StringType())).to.equal('VARCHAR(255)')
      expect(typeDdl(StringType(30))).to.equal('VARCHAR(30)')
      expect(typeDdl(Text)).to.equal('LONGTEXT')
      expect(typeDdl(BooleanType)).to.equal('BOOLEAN')
      expect(typeDdl(DateType)).to.equal('DATE')
      expect(typeDdl(DateTime())).to.equal('DATETIME(6)')
      expect(typeDdl(DateTime({ timezone: true }))).to.equal('DATETIME(6)')
      expect(typeDdl(Time)).to.equal('TIME(6)')
      expect(typeDdl(JsonType())).to.equal('JSON')
      expect(typeDdl(UUID)).to.equal('CHAR(36)')
      expect(typeDdl(LargeBinary)).to.equal('LONGBLOB')
      expect(typeDdl(Enum(['a', "it's", 'back\\slash']))).to.equal("ENUM('a','it''s','back\\\\slash')")
      expect(typeDdl(NativeType<string>('MEDIUMTEXT'))).to.equal('MEDIUMTEXT')
    })

    it('refuses what MySQL cannot declare', function () {
      expect(() => typeDdl(Text, { autoincrement: true })).to.throw(CompileError, /AUTO_INCREMENT/)
      expect(() => typeDdl(NullType)).to.throw(CompileError)
      expect(() => typeDdl(Enum([]))).to.throw(CompileError)
    })
  })

  describe('bindProcessor', function () {
    it('is undefined where mysql2 takes the value as it is', function () {
      for (const t of [Float, Numeric(10, 2), StringType(10), Text, DateType, Time, UUID, Enum(['a'])]) {
        expect(bindProcessor(t), t.description).to.equal(undefined)
      }
    })

    it('refuses what String() and Numeric() without sizes (VARCHAR(255), DECIMAL(38,10) here) cannot hold', function () {
      expect(bindProcessor(StringType())!('é'.repeat(255))).to.equal('é'.repeat(255))
      expect(() => bindProcessor(StringType())!('é'.repeat(256))).to.throw(ValueError, /String\(\) without a length is VARCHAR\(255\) on MySQL\/MariaDB and this string has 256 characters: give the column a length/)
      expect(bindProcessor(Numeric())!('1234567890123456789012345678.0123456789')).to.equal('1234567890123456789012345678.0123456789')
      expect(() => bindProcessor(Numeric())!('0.00000000001')).to.throw(ValueError, /DECIMAL\(38,10\) on MySQL\/MariaDB, and it has 11 decimal places and the column keeps 10: give the column a precision and scale/)
      expect(() => bindProcessor(Numeric())!('1'.repeat(29))).to.throw(ValueError, /it has 29 digits before the decimal point/)
    })

    it('converts booleans, datetimes, JSON, binary and bigints', function () {
      expect(bindProcessor(BooleanType)!(true)).to.equal(1)
      expect(bindProcessor(BooleanType)!(false)).to.equal(0)
      expect(bindProcessor(DateTime())!(new Date('2024-01-02T03:04:05.006Z'))).to.equal('2024-01-02 03:04:05.006')
      expect(bindProcessor(JsonType())!({ a: [1] })).to.equal('{"a":[1]}')
      expect(bindProcessor(JsonType())!('s')).to.equal('"s"')
      const bin = bindProcessor(LargeBinary)!(new Uint8Array([1, 2, 3]).subarray(1))
      expect(Buffer.isBuffer(bin)).to.equal(true)
      expect([...(bin as Buffer)]).to.deep.equal([2, 3])
      const big = bindProcessor(BigInteger)!(2n ** 62n) as { value: unknown; type: number }
      expect(big.value).to.equal(2n ** 62n)
      expect(big.type).to.equal(8) // LONGLONG
      // Integers go to mysql2 as plain numbers (no per-value BigInt encoding); LIMIT/OFFSET are
      // retyped by the compiler (see mysql-compiler.test.ts).
      for (const t of [Integer, SmallInteger]) expect(bindProcessor(t)).to.equal(undefined)
      for (const t of [BooleanType, DateTime(), JsonType(), LargeBinary, BigInteger]) expect(bindProcessor(t)!(null)).to.equal(null)
    })
  })

  describe('resultProcessor', function () {
    it('converts what mysql2 returns under the forced options', function () {
      expect(resultProcessor(BigInteger)!('9223372036854775807')).to.equal(9223372036854775807n)
      expect(resultProcessor(BigInteger)!('42.0000')).to.equal(42n)
      expect(() => resultProcessor(BigInteger)!('4.5')).to.throw(/not a whole number/)
      expect(resultProcessor(Integer)!('12')).to.equal(12)
      expect(resultProcessor(Float)!('1.2500')).to.equal(1.25)
      expect(resultProcessor(Numeric())!('1.50')).to.equal('1.50')
      expect(resultProcessor(Numeric())!(3)).to.equal('3')
      expect(resultProcessor(BooleanType)!(0)).to.equal(false)
      expect(resultProcessor(BooleanType)!('1')).to.equal(true)
      expect(resultProcessor(DateType)!('0000-00-00')).to.equal(null)
      expect(resultProcessor(JsonType())!('{"a":1}')).to.deep.equal({ a: 1 })
      expect(resultProcessor(JsonType())!({ a: 1 })).to.deep.equal({ a: 1 })
      expect(resultProcessor(JsonType())!(Buffer.from('[1]'))).to.deep.equal([1])
      // TIME(6) as the binary protocol sends it, whichever protocol read it.
      expect(['23:59:59.000000', '23:59:59.500000', '-838:59:59.000000', '00:00:00.000001', '100:00:00', '23:59:59.5'].map(resultProcessor(Time)!))
        .to.deep.equal(['23:59:59', '23:59:59.5', '-838:59:59', '00:00:00.000001', '100:00:00', '23:59:59.5'])
      for (const t of [BigInteger, Integer, BooleanType, DateTime(), JsonType()]) expect(resultProcessor(t)!(null)).to.equal(null)
      for (const t of [Text, StringType(), UUID, LargeBinary, Enum(['a'])]) expect(resultProcessor(t)).to.equal(undefined)
    })

    it('reads DATETIME text as UTC wall time', function () {
      expect(parseUtcDateTime('2024-01-02 03:04:05.678901')!.toISOString()).to.equal('2024-01-02T03:04:05.678Z')
      expect(parseUtcDateTime('2024-01-02 03:04:05')!.toISOString()).to.equal('2024-01-02T03:04:05.000Z')
      expect(parseUtcDateTime('2024-01-02 03:04:05.5')!.toISOString()).to.equal('2024-01-02T03:04:05.500Z')
      expect(parseUtcDateTime('0050-06-01 00:00:00')!.toISOString()).to.equal('0050-06-01T00:00:00.000Z')
      expect(parseUtcDateTime('0000-00-00 00:00:00')).to.equal(null)
      expect(() => parseUtcDateTime('yesterday')).to.throw(/not a DATETIME/)
      // A lax sql_mode keeps dates that are no day; Date.UTC would read another one.
      expect(() => parseUtcDateTime('2024-02-30 10:00:00')).to.throw(ValueError, /'2024-02-30 10:00:00' for a DateTime column, which is no date \(2024-02 has no day 30\).*ALLOW_INVALID_DATES.*CAST\(col AS CHAR\)/)
      expect(() => parseUtcDateTime('2024-00-10 00:00:00')).to.throw(ValueError, /no date \(there is no month 0\)/)
      expect(() => parseUtcDateTime('2024-05-00 00:00:00')).to.throw(ValueError, /no date \(2024-05 has no day 0\)/)
      expect(() => parseUtcDateTime('2023-02-29 00:00:00')).to.throw(ValueError, /2023-02 has no day 29/)
      expect(parseUtcDateTime('2024-02-29 00:00:00')!.toISOString()).to.equal('2024-02-29T00:00:00.000Z')
      expect(parseUtcDateTime('0048-02-29 00:00:00.5')!.toISOString()).to.equal('0048-02-29T00:00:00.500Z')
      expect(() => parseUtcDateTime('0050-02-29 00:00:00')).to.throw(ValueError, /0050-02 has no day 29/)
      expect(formatUtcDateTime(new Date('0050-06-01T00:00:00.000Z'))).to.equal('0050-06-01 00:00:00.000')
    })

    it('reads every DATETIME(0–6) rendering of an instant back to that instant (cut to milliseconds)', function () {
      fc.assert(fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 6 }), (d, fsp) => {
        const text = formatUtcDateTime(d).slice(0, fsp === 0 ? 19 : 20 + Math.min(fsp, 3)) + (fsp > 3 ? '9'.repeat(fsp - 3) : '')
        const cut = Math.floor(d.getUTCMilliseconds() / 10 ** (3 - Math.min(fsp, 3))) * 10 ** (3 - Math.min(fsp, 3))
        expect(parseUtcDateTime(text)!.getTime(), text).to.equal(d.getTime() - d.getUTCMilliseconds() + cut)
      }), { numRuns: 2000 })
      expect(() => parseUtcDateTime('2024-01-02 03:04:0x')).to.throw(/not a DATETIME/)
    })
  })
})

describe('mysql errors (pure)', function () {
  it('a Galera node that is not ready is a lost connection (retried elsewhere); a read-only server says where writes go', function () {
    const notReady = serverError(1047, '08S01', 'WSREP has not yet prepared node for application use')
    expect(isMysqlDisconnect(notReady, 'mariadb')).to.equal(true)
    const err = translateMysqlError(notReady, {}, 'mariadb') as OperationalError
    expect(err).to.be.instanceOf(OperationalError)
    expect([err.disconnect, err.code, err.refusedUnrun]).to.deep.equal([true, 'node-not-ready', true])
    expect(err.message).to.match(/not ready for application use .*multi-host URL/)
    expect(isRetryable(err)).to.equal(true)
    // 1047 without WSREP is a plain unknown command, not a connection problem.
    expect(isMysqlDisconnect(serverError(1047, '08S01', 'Unknown command'), 'mysql')).to.equal(false)
    const readOnly = translateMysqlError(serverError(1290, 'HY000', 'The MariaDB server is running with the --read-only option so it cannot execute this statement'), {}, 'mariadb')
    expect([readOnly.constructor.name, readOnly.code]).to.deep.equal(['DatabaseError', 'read-only'])
    expect(readOnly.message).to.match(/send writes to the primary/)
  })

  it('tells colliding errnos apart by flavour', function () {
    const check = serverError(4025, '23000', 'CONSTRAINT `c` failed for `db`.`t`', 'ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE')
    expect((translateMysqlError(check, {}, 'mariadb') as IntegrityError).kind).to.equal('check')
    // Unknown flavour: SQLSTATE 23000 decides.
    expect((translateMysqlError(check, {}) as IntegrityError).kind).to.equal('check')
    const autoextend = serverError(4025, 'HY000', 'autoextend size out of range')
    expect(translateMysqlError(autoextend, {}, 'mysql')).to.not.be.instanceOf(IntegrityError)
    expect((translateMysqlError(serverError(3819, 'HY000', "Check constraint 'c' is violated."), {}, 'mysql') as IntegrityError).kind).to.equal('check')

    const idle = serverError(4031, 'HY000', 'The client was disconnected by the server because of inactivity.')
    expect(isMysqlDisconnect(idle, 'mysql')).to.equal(true)
    expect(isMysqlDisconnect(idle, 'mariadb')).to.equal(false)
    expect((translateMysqlError(idle, {}, 'mysql') as OperationalError).disconnect).to.equal(true)

    expect(translateMysqlError(serverError(1969, '70100', 'max_statement_time exceeded'), {}, 'mariadb')).to.be.instanceOf(StatementTimeoutError)
    expect(translateMysqlError(serverError(3024, 'HY000', 'maximum statement execution time exceeded'), {}, 'mysql')).to.be.instanceOf(StatementTimeoutError)
    expect(translateMysqlError(serverError(3024, 'HY000', 'unused'), {}, 'mariadb')).to.not.be.instanceOf(StatementTimeoutError)
  })

  it('classifies lock errors, disconnects and the rest', function () {
    const deadlock = translateMysqlError(serverError(1213, '40001', 'Deadlock found', 'ER_LOCK_DEADLOCK'), { sql: 'UPDATE t SET a = ?', params: [1] })
    expect(deadlock).to.be.instanceOf(DeadlockError)
    expect(deadlock.message).to.contain('whole transaction')
    expect(deadlock.message).to.contain('[parameters: 1 hidden')
    expect(translateMysqlError(serverError(1205, 'HY000', 'Lock wait timeout'))).to.be.instanceOf(LockTimeoutError)
    for (const errno of [1927, 1053, 2006, 2013]) {
      const e = serverError(errno, 'HY000', 'gone')
      expect((translateMysqlError(e) as OperationalError).disconnect, String(errno)).to.equal(true)
      expect(isMysqlDisconnect(e)).to.equal(true)
    }
    for (const code of ['ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ETIMEDOUT']) {
      const e = Object.assign(new Error(code), { code, errno: -104 })
      expect((translateMysqlError(e) as OperationalError).disconnect, code).to.equal(true)
    }
    const closed = Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true })
    expect((translateMysqlError(closed) as OperationalError).disconnect).to.equal(true)
    expect(translateMysqlError(serverError(1064, '42000', 'syntax'))).to.be.instanceOf(ProgrammingError)
    expect(translateMysqlError(serverError(1142, '42000', 'SELECT command denied'))).to.be.instanceOf(ProgrammingError)
    const other = translateMysqlError(serverError(1406, '22001', 'Data too long'))
    expect(other).to.be.instanceOf(DatabaseError)
    expect(other).to.not.be.instanceOf(OperationalError)
    expect(isMysqlDisconnect(serverError(1062, '23000', 'dup'))).to.equal(false)
    // Already translated errors pass through.
    expect(translateMysqlError(deadlock)).to.equal(deadlock)
  })

  it('reports a result column mysql2 cannot read as the statement\'s fault, with code connection-lost only for real losses', function () {
    const unreadable = Object.assign(new Error("The field name (__proto__) can't be the same as an object's private property."), { fatal: true })
    const e = translateMysqlError(unreadable, { sql: 'SELECT 1 AS `__proto__`' })
    expect(e).to.be.instanceOf(ProgrammingError).and.not.be.instanceOf(OperationalError)
    expect(e.message).to.match(/give it another label/)
    // mysql2 closed the connection: the engine discards it all the same.
    expect(isMysqlDisconnect(unreadable)).to.equal(true)
    expect(translateMysqlError(serverError(2013, 'HY000', 'Lost connection')).code).to.equal('connection-lost')
  })
})

describe('mysql server facts (pure)', function () {
  it('parses versions and flavours', function () {
    expect(parseServerVersion('5.5.5-10.11.19-MariaDB-0+deb12u1')).to.deep.equal({ flavour: 'mariadb', versionNumbers: [10, 11, 19] })
    expect(parseServerVersion('11.4.2-MariaDB')).to.deep.equal({ flavour: 'mariadb', versionNumbers: [11, 4, 2] })
    expect(parseServerVersion('8.0.36-0ubuntu0.22.04.1')).to.deep.equal({ flavour: 'mysql', versionNumbers: [8, 0, 36] })
  })

  it('derives capabilities from flavour and version', function () {
    const maria = (v: [number, number, number]) => mysqlCapabilities({ flavour: 'mariadb', versionNumbers: v })
    const mysql = (v: [number, number, number]) => mysqlCapabilities({ flavour: 'mysql', versionNumbers: v })
    expect(maria([10, 11, 0]).returning).to.deep.equal({ insert: true, delete: true, update: false })
    expect(maria([10, 4, 30]).returning.insert).to.equal(false)
    expect(maria([10, 4, 30]).returning.delete).to.equal(true)
    expect(mysql([8, 4, 0]).returning).to.deep.equal({ insert: false, delete: false, update: false })
    expect(maria([10, 3, 0]).intersectExcept).to.equal(true)
    expect(maria([10, 2, 44]).intersectExcept).to.equal(false)
    expect(mysql([8, 0, 31]).intersectExcept).to.equal(true)
    expect(mysql([8, 0, 30]).intersectExcept).to.equal(false)
    const c = maria([10, 11, 19])
    expect(c.deadlockEndsTransaction).to.equal(true)
    expect(c.transactionalDdl).to.equal(false)
    expect(c.maxParams).to.equal(65535)
    expect(c.isolationLevels).to.have.length(4)
  })

  it('builds the session setup per flavour', function () {
    expect(sessionSetup('mariadb', undefined)).to.equal("SET time_zone = '+00:00', group_concat_max_len = 1073741824")
    expect(sessionSetup('mariadb', 1500)).to.equal("SET time_zone = '+00:00', group_concat_max_len = 1073741824, max_statement_time = 1.5")
    expect(sessionSetup('mysql', 1500)).to.equal("SET time_zone = '+00:00', group_concat_max_len = 1073741824, max_execution_time = 1500")
  })

  it('parses URLs and keeps the forced options forced', async function () {
    expect(parseMysqlUrl('mysql://app:s%40cret@db.local:3307/shop?charset=utf8mb4')).to.deep.include({
      host: 'db.local', port: 3307, user: 'app', password: 's@cret', database: 'shop', charset: 'utf8mb4',
    })
    expect(parseMysqlUrl('mariadb://root@127.0.0.1/x')).to.deep.include({ port: 3306, password: undefined })
    expect(() => parseMysqlUrl('postgres://x/y')).to.throw(ArgumentError)
    expect(() => parseMysqlUrl('mysql://x/y?rowsAsArray=false')).to.throw(ArgumentError, /driverOptions/)
    const driver = new MysqlDriver()
    let error: unknown
    try {
      await driver.connect({ url: 'mysql://root@127.0.0.1/x', connectTimeoutMs: 100, driverOptions: { dateStrings: false } })
    } catch (e) {
      error = e
    }
    expect(error).to.be.instanceOf(ArgumentError)
    expect((error as Error).message).to.contain('dateStrings')
  })
})
