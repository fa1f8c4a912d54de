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
  AsyncSession, IntegrityError, Integer, JSON as Json, MetaData, String as Str, Table, ValueError, ArgumentError, AthanorError, column,
  createAsyncEngine, declarativeBase, mappedColumn, select, update, type Engine,
} from '@athanor/core'
import { forEachBackend } from './support/backends.js'
import { FUZZ_CASES } from './support/settings.js'

const Base = declarativeBase()
class Item extends Base.model('rel_fuzz_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(Str(400), { unique: true }),
  data: mappedColumn(Json<unknown>(), { nullable: true }),
}) {}
/** The same table as a Core Table, for UPDATE statements (compiled only). */
const items = new Table('rel_fuzz_items', new MetaData(), { id: column(Integer, { primaryKey: true }), name: column(Str(400)) })
class Canary extends Base.model('rel_fuzz_canary', {
  id: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
  secret: mappedColumn(Str(100)),
}) {}

const PIECES = [
  "'", '"', '`', '\\', ';', '--', '/*', '*/', '%', '_', '$1', '?', ':name', '\n', ')', '(', ' OR 1=1', "' OR '1'='1",
  '; DROP TABLE rel_fuzz_canary; --', "'); DELETE FROM rel_fuzz_canary; --", 'UNION SELECT secret FROM rel_fuzz_canary', '\u00e9', '\u{1F600}',
  '\u202e', 'ß', '0x27', '%%', '\\%', '\\_', 'a',
]

/** A small deterministic PRNG (mulberry32), so a failing case can be reproduced. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hostileStrings(count: number, seed: number): string[] {
  const random = prng(seed)
  const out = new Set<string>()
  for (const p of PIECES) out.add(p)
  while (out.size < count) {
    let s = ''
    const n = 1 + Math.floor(random() * 6)
    for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)]
    out.add(s)
  }
  return [...out].slice(0, Math.max(count, PIECES.length))
}

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
