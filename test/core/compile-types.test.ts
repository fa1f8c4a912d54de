import { expect } from 'chai'
import {
  BigInteger, Boolean, DateTime, DateType, Enum, Float, Integer, JSON, LargeBinary, MetaData, Numeric, SmallInteger, String, Table, Text, Time, UUID,
  ValueError, column, insert, literal, select,
} from '@athanor/core'
import { JsonParam } from '@athanor/postgres'
import { compileOn, compilers } from './compile-helpers.js'

const md = new MetaData()
const kinds = new Table('kinds', md, {
  id: column(Integer, { primaryKey: true }),
  big: column(BigInteger, { nullable: true }),
  small: column(SmallInteger, { nullable: true }),
  ratio: column(Float, { nullable: true }),
  price: column(Numeric(10, 2), { nullable: true }),
  wide: column(Numeric(30, 10), { nullable: true }),
  code: column(String(8), { nullable: true }),
  body: column(Text, { nullable: true }),
  flag: column(Boolean, { nullable: true }),
  day: column(DateType, { nullable: true }),
  at: column(DateTime(), { nullable: true }),
  atTz: column(DateTime({ timezone: true }), { nullable: true }),
  clock: column(Time, { nullable: true }),
  doc: column(JSON<{ tags: string[] }>(), { nullable: true }),
  uid: column(UUID, { nullable: true }),
  blob: column(LargeBinary, { nullable: true }),
  mood: column(Enum(['happy', 'sad'] as const, { name: 'mood' }), { nullable: true }),
})

/** The type each column gets in CREATE TABLE (one column per line), after the id column. */
function columnTypes(dialect: keyof typeof compilers): string[] {
  const ddl = compilers[dialect].createTable(kinds, { ifNotExists: false }).find((s) => s.startsWith('CREATE TABLE'))!
  const lines = ddl.split('\n').map((l) => l.trim().replace(/,$/, ''))
  return kinds.columnList.slice(1).map((c) => {
    const name = compilers[dialect].quote(c.name)
    const line = lines.find((l) => l.startsWith(`${name} `)) ?? `${name} ? missing`
    return line.slice(name.length + 1).split(/ (?:NOT NULL|CHECK|DEFAULT|PRIMARY KEY)\b/)[0]!
  })
}

describe('compile: column types in DDL', () => {
  it('ANSI names', () => {
    expect(columnTypes('ansi')).to.deep.equal([
      'BIGINT', 'SMALLINT', 'DOUBLE PRECISION', 'NUMERIC(10, 2)', 'NUMERIC(30, 10)', 'VARCHAR(8)', 'TEXT', 'BOOLEAN', 'DATE', 'TIMESTAMP',
      'TIMESTAMP WITH TIME ZONE', 'TIME', 'JSON', 'UUID', 'BLOB', 'VARCHAR(5)',
    ])
  })
  it('SQLite names chosen for their affinity', () => {
    expect(columnTypes('libsql')).to.deep.equal([
      'INTEGER', 'SMALLINT', 'REAL', 'NUMERIC(10, 2)', 'DECIMAL_TEXT(30, 10)', 'VARCHAR(8)', 'TEXT', 'BOOLEAN', 'DATE', 'DATETIME',
      'DATETIME', 'TIME', 'JSON', 'CHAR(36)', 'BLOB', 'VARCHAR(5)',
    ])
  })
  it('PostgreSQL names, with a named enum created as a type first', () => {
    expect(columnTypes('postgres')).to.deep.equal([
      'BIGINT', 'SMALLINT', 'DOUBLE PRECISION', 'NUMERIC(10, 2)', 'NUMERIC(30, 10)', 'VARCHAR(8)', 'TEXT', 'BOOLEAN', 'DATE', 'TIMESTAMP',
      'TIMESTAMP WITH TIME ZONE', 'TIME', 'JSONB', 'UUID', 'BYTEA', '"mood"',
    ])
    expect(compilers.postgres.createTable(kinds, { ifNotExists: false })[0]).to.equal(`CREATE TYPE "mood" AS ENUM ('happy', 'sad')`)
  })
  it('MySQL names, with microsecond DATETIME/TIME and a native ENUM', () => {
    expect(columnTypes('mysql')).to.deep.equal([
      'BIGINT', 'SMALLINT', 'DOUBLE', 'DECIMAL(10,2)', 'DECIMAL(30,10)', 'VARCHAR(8)', 'LONGTEXT', 'BOOLEAN', 'DATE', 'DATETIME(6)',
      'DATETIME(6)', 'TIME(6)', 'JSON', 'CHAR(36)', 'LONGBLOB', "ENUM('happy','sad')",
    ])
  })
})

describe('compile: values bound per type', () => {
  const at = new Date('2024-02-29T23:59:58.123Z')
  const row = {
    big: 9007199254740993n, small: -32768, ratio: 0.5, price: '12.50', wide: '12345678901234567890.0123456789', code: 'abc', body: 'é🙂',
    flag: true, day: '2024-02-29', at, atTz: at, clock: '13:14:15.5', doc: { tags: ['a'] }, uid: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    blob: new Uint8Array([0, 255]), mood: 'sad' as const,
  }
  it('keeps bigints past 2^53, normalises UUIDs, and lets each dialect convert dates and JSON', () => {
    const expected = [9007199254740993n, -32768, 0.5, '12.50', '12345678901234567890.0123456789', 'abc', 'é🙂', true, '2024-02-29']
    const [, ansi] = compileOn('ansi', insert(kinds).values(row))
    expect(ansi).to.deep.equal([...expected, at, at, '13:14:15.5', { tags: ['a'] }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', new Uint8Array([0, 255]), 'sad'])
    const [, lib] = compileOn('libsql', insert(kinds).values(row))
    expect(lib.slice(9, 13)).to.deep.equal(['2024-02-29 23:59:58.123', '2024-02-29 23:59:58.123', '13:14:15.5', '{"tags":["a"]}'])
    const [, pg] = compileOn('postgres', insert(kinds).values(row))
    expect(pg.slice(9, 12)).to.deep.equal(['2024-02-29T23:59:58.123Z', at, '13:14:15.5'])
    expect(pg[12]).to.be.instanceOf(JsonParam)
  })
  it('converts a Date bound to a Date column to its calendar day in UTC', () => {
    expect(compileOn('ansi', insert(kinds).values({ day: new Date('2024-03-01T00:30:00Z') as unknown as string }))[1]).to.deep.equal(['2024-03-01'])
  })
  it('rejects values drivers would coerce silently, naming the column, the value kind and the fix', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ big: Number.NaN }, /^kinds\.big \(bigint\) cannot take NaN: pass a finite whole number$/],
      [{ small: 40000 }, /^kinds\.small \(smallint\) cannot take a number: the value is outside -32768\.\.32767$/],
      [{ id: 2 ** 53 }, /^kinds\.id \(integer\) cannot take a number: numbers past 2\^53 lose precision; pass a bigint$/],
      [{ ratio: Infinity }, /^kinds\.ratio \(float\) cannot take Infinity: pass a finite number$/],
      [{ price: -Infinity }, /^kinds\.price \(Numeric\(10, 2\)\) cannot take -Infinity: pass a finite number or a decimal string$/],
      [{ price: '1,5' }, /cannot take a string: pass a decimal string such as '12\.50'$/],
      [{ body: 'a\u0000b' }, /^kinds\.body \(text\) cannot take a string: it contains the NUL character/],
      [{ body: 'a\uD83D' }, /^kinds\.body \(text\) cannot take a string: it contains a lone UTF-16 surrogate/],
      [{ code: { a: 1 } }, /^kinds\.code \(String\(8\)\) cannot take an object \(Object\): pass a string$/],
      [{ flag: 1 }, /^kinds\.flag \(boolean\) cannot take a number: pass true or false$/],
      [{ day: '2024-02-30x' }, /it is not an ISO 8601 date 'YYYY-MM-DD'; pass 'YYYY-MM-DD' or a Date$/],
      [{ at: new Date('nope') }, /^kinds\.at \(DateTime\) cannot take an invalid Date: its time is NaN \(new Date\(\) of text it could not parse\?\); pass a Date or an ISO 8601 string/],
      [{ at: "' OR '1'='1" }, /^kinds\.at \(DateTime\) cannot take a string: it is not an ISO 8601 timestamp/],
      [{ at: '42' }, /cannot take a string: it is not an ISO 8601 timestamp/],
      [{ at: 42 }, /^kinds\.at \(DateTime\) cannot take a number: pass a Date or an ISO 8601 string .* \(for epoch milliseconds: new Date\(ms\)\)$/],
      [{ at: '2023-02-29T00:00:00Z' }, /cannot take a string: 2023-02 has no day 29/],
      [{ at: new Date('+010000-01-01T00:00:00Z') }, /cannot take a Date: its year 10000 is outside 1–9999/],
      [{ atTz: '2024-01-02T03:04:05' }, /^kinds\.atTz \(DateTime\(tz\)\) cannot take a string: it has no time zone; add 'Z' or an offset/],
      [{ at: '2024-01-02T03:04:05.1234Z' }, /it has digits past milliseconds/],
      [{ day: '2023-02-30' }, /^kinds\.day \(date\) cannot take a string: 2023-02 has no day 30; pass 'YYYY-MM-DD' or a Date$/],
      [{ day: '0000-01-01' }, /the year 0 is outside 1–9999/],
      [{ clock: '24:00' }, /there is no hour 24/],
      [{ price: '1.005' }, /^kinds\.price \(Numeric\(10, 2\)\) cannot take a string: it has 3 decimal places and the column keeps 2: round it first/],
      [{ price: 123456789 }, /cannot take a number: it has 9 digits before the decimal point and the column allows 8/],
      [{ doc: new Map([['a', 1]]) }, /^kinds\.doc \(json\) cannot take an object \(Map\): \$ is a Map, which JSON does not keep as it is; store Object\.fromEntries\(map\)$/],
      [{ doc: { a: [1, Number.NaN] } }, /cannot take an object \(Object\): \$\.a\[1\] is NaN, which JSON writes as null/],
      [{ doc: { a: undefined } }, /\$\.a is undefined, which JSON drops/],
      [{ doc: { at: new Date(0) } }, /\$\.at is a Date, which JSON does not keep as it is; store d\.toISOString\(\)/],
      [{ doc: { ['k\uDC00']: 1 } }, /\$ has a key where it contains a lone UTF-16 surrogate/],
      [{ doc: { s: 'x\u0000' } }, /\$\.s: it contains the NUL character/],
      [{ clock: '25h' }, /pass 'HH:MM:SS' \(fractions allowed\)$/],
      [{ doc: { n: 1n } }, /^kinds\.doc \(json\) cannot take an object \(Object\): \$\.n is a bigint, which JSON cannot hold/],
      [{ uid: 'not-a-uuid' }, /pass a UUID string$/],
      [{ blob: 'bytes' }, /pass a Uint8Array or Buffer$/],
      [{ mood: 'meh' }, /^kinds\.mood \(Enum\(happy\|sad\)\) cannot take a string: pass one of 'happy', 'sad'$/],
    ]
    for (const [values, message] of cases) expect(() => insert(kinds).values(values as never), Object.keys(values)[0]).to.throw(ValueError, message)
  })
  it('checks values compared with a column at compile time, by the column type', () => {
    expect(() => compileOn('ansi', select(kinds.c.id).where(kinds.c.small.eq(1.5)))).to.throw(ValueError, /^Parameter 1 \(smallint\) cannot take a number: pass a finite whole number$/)
    expect(() => compileOn('ansi', select(literal(Number.NaN)))).to.throw(ValueError, /Parameter 1 \(float\) cannot take NaN/)
  })
})
