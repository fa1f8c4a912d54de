/**
 * R12: hostile input, per dialect. Generated adversarial values go into every value slot
 * (WHERE, IN, INSERT, UPDATE, LIKE helpers), hostile names become identifiers, and user-shaped
 * objects are offered where scalars belong. The oracle: the compiled SQL text never changes with
 * the input (every value is a bound parameter), values round-trip exactly or are refused before
 * they reach the driver (never silently coerced), a canary table nobody names is untouched, and
 * parameter values stay out of error messages unless the engine opts in with logParameters.
 */
import { expect } from 'chai'
import {
  ArgumentError, AsyncSession, AthanorError, BigInteger, Boolean as Bool, CompileError, DatabaseError, DateTime, DateType, Enum, Float, IntegrityError,
  Integer, JSON as Json, LargeBinary, MetaData, Numeric, SmallInteger, String as Str, Table, Text, Time, UUID, ValueError, column,
  createAsyncEngine, declarativeBase, insert, literal, mappedColumn, select, update, type Column, type Engine,
} from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { FUZZ_CASES } from './support/settings.js'
import { brief, hostileStrings, hostileValues, sameValue } from './support/fuzz-values.js'

const Base = declarativeBase()
class Item extends Base.model('rel_fuzz_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(Str(400), { unique: true }),
  data: mappedColumn(Json<unknown>(), { nullable: true }),
}) {}
/** The same table as a Core Table, for UPDATE statements (compiled only). */
const items = new Table('rel_fuzz_items', new MetaData(), { id: column(Integer, { primaryKey: true }), name: column(Str(400)) })
/** One column of every type; the value fuzz writes one column per row. */
class Kinds extends Base.model('rel_fuzz_values', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  i: mappedColumn(Integer, { nullable: true }),
  si: mappedColumn(SmallInteger, { nullable: true }),
  b: mappedColumn(BigInteger, { nullable: true }),
  f: mappedColumn(Float, { nullable: true }),
  n: mappedColumn(Numeric(12, 4), { nullable: true }),
  nu: mappedColumn(Numeric(), { nullable: true }),
  s: mappedColumn(Str(50), { nullable: true }),
  su: mappedColumn(Str(), { nullable: true }),
  t: mappedColumn(Text, { nullable: true }),
  bo: mappedColumn(Bool, { nullable: true }),
  d: mappedColumn(DateType, { nullable: true }),
  ts: mappedColumn(DateTime(), { nullable: true }),
  tz: mappedColumn(DateTime({ timezone: true }), { nullable: true }),
  tm: mappedColumn(Time, { nullable: true }),
  j: mappedColumn(Json<unknown>(), { nullable: true }),
  u: mappedColumn(UUID, { nullable: true }),
  bl: mappedColumn(LargeBinary, { nullable: true }),
  e: mappedColumn(Enum(['happy', 'sad'] as const, { name: 'rel_fuzz_mood' }), { nullable: true }),
}) {}
const kinds = Kinds.__table__
const VALUE_COLUMNS = kinds.columnList.filter((c) => c.key_ !== 'id')
/** Kinds whose equality comparison in WHERE is portable enough to look a row up by it. */
const LOOKUP_KINDS = new Set(['integer', 'smallint', 'bigint', 'numeric', 'string', 'text', 'boolean', 'date', 'datetime', 'uuid', 'enum', 'time'])

/** What the value fuzz found on one backend. */
interface FuzzTally {
  cases: number
  roundTrips: number
  clearErrors: number
  lookups: number
  silentCoercions: string[]
  unclearErrors: string[]
  serverErrors: string[]
}

class Canary extends Base.model('rel_fuzz_canary', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  secret: mappedColumn(Str(100)),
}) {}

forEachBackend('R12 security fuzz', (backend) => {
  let engine: Engine
  const compile = (statement: unknown): { sql: string; params: readonly unknown[] } => engine.dialect.compiler.compile(statement)

  beforeEach(async () => {
    engine = createAsyncEngine(backend.url)
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    s.add(new Canary({ id: 1, secret: 'canary-original' }))
    await s.commit()
  })
  afterEach(async () => {
    // The canary was never read into a result nor changed by anything the fuzz ran.
    try {
      await using s = new AsyncSession(engine)
      const rows = (await s.execute(select(Canary.c.id, Canary.c.secret))).all()
      expect(rows, 'the canary table is untouched').to.deep.equal([[1, 'canary-original']])
    } finally {
      await Base.metadata.dropAll(engine, { checkFirst: true })
    }
    await engine.dispose()
  })

  it('compiled SQL has the same shape for every value in WHERE, IN, UPDATE and LIKE slots', () => {
    const benign = 'benign'
    const shapes = {
      eq: (v: string) => select(Item).where(Item.c.name.eq(v)),
      in: (v: string) => select(Item).where(Item.c.name.in([v, benign])),
      update: (v: string) => update(items).set({ name: v }).where(Item.c.name.eq(v)),
      contains: (v: string) => select(Item).where(Item.c.name.contains(v)),
      startsWith: (v: string) => select(Item).where(Item.c.name.startsWith(v)),
    }
    for (const [slot, build] of Object.entries(shapes)) {
      const expected = compile(build(benign)).sql
      for (const value of hostileStrings(FUZZ_CASES, 7)) {
        const compiled = compile(build(value))
        expect(compiled.sql, `${slot} with ${JSON.stringify(value)}`).to.equal(expected)
        if (slot === 'eq' || slot === 'update') expect(compiled.params, `${slot}: the value is a parameter`).to.include(value)
      }
    }
  })

  it('hostile values round-trip exactly through INSERT, WHERE and the LIKE helpers', async function () {
    this.timeout(120_000)
    const values = hostileStrings(Math.min(FUZZ_CASES, 400), 11)
    {
      await using s = new AsyncSession(engine)
      for (const name of values) s.add(new Item({ name, data: { [name]: name } }))
      await s.commit()
    }
    await using s = new AsyncSession(engine)
    const stored = (await s.scalars(select(Item))).all()
    expect(stored.map((i) => i.name).sort()).to.deep.equal([...values].sort())
    for (const item of stored) expect(item.data, 'JSON keys and values are data too').to.deep.equal({ [item.name]: item.name })
    // LIKE helpers match the literal text only: wildcards in the input are escaped. Needles
    // without letters, since collations may compare letters case- or accent-insensitively.
    for (const needle of values.filter((v) => !/\p{L}/u.test(v)).slice(0, 60)) {
      const found = (await s.scalars(select(Item).where(Item.c.name.contains(needle)))).all().map((i) => i.name).sort()
      expect(found, `contains(${JSON.stringify(needle)})`).to.deep.equal(values.filter((v) => v.includes(needle)).sort())
      const hit = (await s.scalars(select(Item).where(Item.c.name.eq(needle)))).all()
      expect(hit.map((i) => i.name)).to.deep.equal([needle])
    }
  })

  it('hostile identifiers are quoted into exactly the table and column they name', async () => {
    const names = ['we"ird', 'back`tick', "quo'te", 'semi;colon -- x', 'sp ace/*c*/', 'select', 'Ünïcödé']
    for (const [i, name] of names.entries()) {
      const Weird = declarativeBase()
      class Row extends Weird.model(`rel_fuzz_${i}_${name}`, {
        id: mappedColumn(Integer, { primaryKey: true }),
        [name]: mappedColumn(Str(50)),
      } as unknown as { id: ReturnType<typeof mappedColumn<number>> }) {}
      await Weird.metadata.dropAll(engine, { checkFirst: true })
      await Weird.metadata.createAll(engine)
      try {
        await using s = new AsyncSession(engine)
        s.add(new Row({ [name]: 'value' } as never))
        await s.commit()
        const [row] = (await s.scalars(select(Row))).all()
        expect((row as unknown as Record<string, unknown>)[name], name).to.equal('value')
      } finally {
        await Weird.metadata.dropAll(engine, { checkFirst: true })
      }
    }
    expect(() => engine.dialect.compiler.quote('nul\u0000name')).to.throw(AthanorError)
  })

  it('object-shaped and non-finite values are refused before they reach the driver, never coerced', async () => {
    const hostile: unknown[] = [
      { name: 'admin' }, ['a', 'b'], { toString: () => "x' OR '1'='1" }, Symbol('s'), () => 'f', new Date('invalid'), 'a\u0000b',
    ]
    for (const value of hostile) {
      expect(() => compile(select(Item).where(Item.c.name.eq(value as never))), `eq(${String(typeof value)})`).to.throw(ValueError)
      expect(() => compile(update(items).set({ name: value as never })), `set(${String(typeof value)})`).to.throw(ValueError)
    }
    for (const value of [NaN, Infinity, -Infinity, 2 ** 64, 1.5, '1; DROP TABLE x', { id: 1 }]) {
      expect(() => compile(select(Item).where(Item.c.id.eq(value as never))), `id = ${String(value)}`).to.throw(ValueError)
    }
    await using s = new AsyncSession(engine)
    let error: unknown
    try {
      await s.get(Item, { id: 1 } as never)
    } catch (e) {
      error = e
    }
    expect(error, 'get() takes a primary key value, not an object').to.be.instanceOf(ArgumentError)
  })

  it('every hostile value in every column type: refused before the database with a clear error, or back exactly as given', async function () {
    this.timeout(300_000)
    const tally: FuzzTally = { cases: 0, roundTrips: 0, clearErrors: 0, lookups: 0, silentCoercions: [], unclearErrors: [], serverErrors: [] }
    // The quick run tries every pool value in every column; the full run adds more random strings.
    const rounds = Math.max(1, Math.round(FUZZ_CASES / 300))
    let nextId = 1
    for (let round = 0; round < rounds; round++) {
      const pool = hostileValues(101 + round)
      const accepted = new Map<Column<unknown>, { id: number; value: unknown }[]>()
      for (const col of VALUE_COLUMNS) {
        for (const value of pool) {
          tally.cases++
          const id = nextId++
          const label = `${col.key_} ← ${brief(value)}`
          try {
            // Compiling runs core's checks and the dialect's own (its limits), with no database.
            compile(insert(kinds).values({ id, [col.key_]: value } as never))
          } catch (e) {
            const named = e instanceof Error && (e.message.includes(`rel_fuzz_values.${col.key_}`) || /^Parameter \d+ \(/.test(e.message))
            if ((e instanceof ValueError || e instanceof ArgumentError || e instanceof CompileError) && named) tally.clearErrors++
            else tally.unclearErrors.push(`${label}: ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`)
            continue
          }
          ;(accepted.get(col) ?? accepted.set(col, []).get(col)!).push({ id, value })
        }
      }
      const stored = new Map<number, { col: Column<unknown>; value: unknown }>()
      for (const [col, rows] of accepted) {
        for (let i = 0; i < rows.length; i += 50) {
          const chunk = rows.slice(i, i + 50)
          try {
            await engine.begin((c) => c.execute(insert(kinds).values(chunk.map(({ id, value }) => ({ id, [col.key_]: value })) as never)))
            for (const r of chunk) stored.set(r.id, { col, value: r.value })
          } catch {
            // Find which values the server refused, one at a time.
            for (const r of chunk) {
              try {
                await engine.begin((c) => c.execute(insert(kinds).values({ id: r.id, [col.key_]: r.value } as never)))
                stored.set(r.id, { col, value: r.value })
              } catch (e) {
                tally.serverErrors.push(`${col.key_} ← ${brief(r.value)}: ${e instanceof DatabaseError ? e.message.split('\n')[0] : String(e)}`)
              }
            }
          }
        }
      }
      const rows = (await engine.begin((c) => c.execute(select(kinds)))).mappings().all()
      const byId = new Map(rows.map((r) => [r.id, r as Record<string, unknown>]))
      let lookupsThisRound = 0
      for (const [id, { col, value }] of stored) {
        const read = byId.get(id)?.[col.key_]
        if (sameValue(col.type.kind, value, read)) tally.roundTrips++
        else tally.silentCoercions.push(`${col.key_} (${col.type.description}) ← ${brief(value)} came back as ${brief(read)}`)
        // The same value bound in WHERE finds its row (collations may find more: never fewer).
        if (LOOKUP_KINDS.has(col.type.kind) && lookupsThisRound < 80 && (typeof value !== 'string' || value.length < 1000)) {
          lookupsThisRound++
          tally.lookups++
          const found = (await engine.begin((c) => c.execute(select(kinds.c.id).where((col as Column<unknown>).eq(value as never))))).all().map(([x]) => x)
          if (!found.includes(id)) tally.silentCoercions.push(`${col.key_} = ${brief(value)} in WHERE did not find the row that stored it`)
        }
      }
    }
    console.log(
      `[R12 ${backend.name}] value fuzz: ${tally.cases} cases, ${tally.roundTrips} round trips exact, ${tally.clearErrors} refused before the database with a clear error, ` +
        `${tally.lookups} WHERE lookups; ${tally.silentCoercions.length} silent coercions, ${tally.unclearErrors.length} unclear errors, ${tally.serverErrors.length} server errors`,
    )
    expect(tally.silentCoercions, 'silent coercions').to.deep.equal([])
    expect(tally.unclearErrors, 'errors that are not a clear ArgumentError naming the column').to.deep.equal([])
    expect(tally.serverErrors, 'values accepted by Athanor but refused by the server').to.deep.equal([])
    expect(tally.roundTrips + tally.clearErrors).to.equal(tally.cases)
  })

  it('prototype keys are data or a clear error, never a prototype: constructors, filterBy, JSON keys and result labels', async () => {
    const polluted = JSON.parse('{"__proto__":{"isAdmin":true},"name":"x"}') as Record<string, unknown>
    for (const init of [polluted, { constructor: 'c', name: 'x' }, { toString: 'x', name: 'y' }, { hasOwnProperty: 1 }]) {
      expect(() => new Item(init as never), JSON.stringify(Object.keys(init))).to.throw(ArgumentError, /Item has no attribute/)
    }
    expect(({} as Record<string, unknown>)['isAdmin'], 'Object.prototype untouched').to.equal(undefined)
    await using s = new AsyncSession(engine)
    for (const values of [polluted, { constructor: 1 }, { toString: 'x' }, null, 'name', ['name']]) {
      expect(() => s.query(Item).filterBy(values as never), JSON.stringify(values)).to.throw(ArgumentError, /filterBy/)
    }
    s.add(new Item({ name: 'proto-keys', data: JSON.parse('{"__proto__":{"a":1},"constructor":"c","toString":"t"}') as unknown }))
    await s.commit()
    const [item] = (await s.scalars(select(Item).where(Item.c.name.eq('proto-keys')))).all()
    expect(Object.keys(item!.data as object).sort()).to.deep.equal(['__proto__', 'constructor', 'toString'])
    expect(Object.getPrototypeOf(item!.data)).to.equal(Object.prototype)
    const labelled = select(literal(1, Integer).label('__proto__'), literal(2, Integer).label('constructor'))
    if (backend.name === 'mysql') {
      // mysql2 cannot read a column named __proto__: refused when compiled, before it costs the connection.
      expect(() => compile(labelled)).to.throw(CompileError, /cannot be read through mysql2/)
    } else {
      const [row] = (await s.execute(labelled)).mappings().all()
      expect(Object.keys(row!)).to.deep.equal(['__proto__', 'constructor'])
      expect(row).to.have.own.property('__proto__', 1)
      expect(Object.getPrototypeOf(row)).to.equal(Object.prototype)
    }
  })

  it('ORDER BY takes only column expressions, never strings', () => {
    for (const raw of ['name; DROP TABLE rel_fuzz_canary', 'name DESC', '1']) {
      expect(() => compile(select(Item).orderBy(raw as never)), raw).to.throw(AthanorError)
    }
  })

  it('parameters are redacted from error messages and logs unless logParameters is set', async () => {
    const secret = 'hunter2-secret-value'
    const logged: string[] = []
    const quiet = createAsyncEngine(backend.url, { echo: (line) => logged.push(line) })
    const loud = createAsyncEngine(backend.url, { logParameters: true })
    try {
      for (const [e, shown] of [[quiet, false], [loud, true]] as const) {
        for (let i = 0; i < 2; i++) {
          await using s = new AsyncSession(e)
          s.add(new Item({ name: secret }))
          try {
            await s.commit()
          } catch (error) {
            expect(error).to.be.instanceOf(IntegrityError)
            expect((error as Error).message.includes(secret), `secret in the message (logParameters ${shown})`).to.equal(shown)
          }
        }
      }
      expect(logged.join('\n')).to.not.include(secret)
      expect(logged.join('\n')).to.match(/params hidden/)
    } finally {
      await quiet.dispose()
      await loud.dispose()
    }
  })
})
