/**
 * `synchronizeSession: 'evaluate'` decides in memory which held objects an UPDATE or DELETE
 * touched. This property test holds it to the database: for random rows (with NULLs) and random
 * criteria (comparisons, NOT, AND/OR, IS NULL, IN and BETWEEN with NULLs among the values), the
 * objects the evaluator matches are exactly the rows the database's WHERE selects — SQL's
 * three-valued logic included.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { AsyncSession, Integer, String, and, createAsyncEngine, declarativeBase, del, insert, mappedColumn, not, or, select, type Engine, type Expression } from '@athanor/core'
import { forEachBackend } from '../reliability/support/backends.js'

const Base = declarativeBase()
class Row extends Base.model('dml_eval_rows', {
  id: mappedColumn(Integer, { primaryKey: true }),
  n: mappedColumn(Integer, { nullable: true }),
  m: mappedColumn(Integer),
  // Lower-case letters only: every backend's collation orders and compares them as JavaScript does.
  s: mappedColumn(String(4), { nullable: true }),
}) {}

type Criterion = Expression<boolean | null>
const small = fc.integer({ min: -2, max: 2 })
const maybe = fc.option(small, { nil: null })
const text = fc.option(fc.constantFrom('a', 'b', 'ab'), { nil: null })
const ops = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const

const leaf: fc.Arbitrary<Criterion> = fc.oneof(
  fc.tuple(fc.constantFrom(...ops), small).map(([op, v]) => Row.c.n[op](v) as Criterion),
  fc.tuple(fc.constantFrom(...ops), small).map(([op, v]) => Row.c.m[op](v) as Criterion),
  fc.constantFrom(...ops).map((op) => Row.c.n[op](Row.c.m) as Criterion),
  fc.tuple(fc.constantFrom('eq', 'ne', 'lt') as fc.Arbitrary<'eq' | 'ne' | 'lt'>, fc.constantFrom('a', 'b')).map(([op, v]) => Row.c.s[op](v) as Criterion),
  fc.constant(Row.c.n.isNull() as Criterion),
  fc.constant(Row.c.s.isNotNull() as Criterion),
  fc.tuple(fc.array(maybe, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([vs, negate]) => (negate ? Row.c.n.notIn(vs as number[]) : Row.c.n.in(vs as number[])) as Criterion),
  fc.tuple(small, small, fc.boolean()).map(([lo, hi, negate]) => (negate ? not(Row.c.n.between(lo, hi)) : Row.c.n.between(lo, hi)) as Criterion),
)
const criterion: fc.Arbitrary<Criterion> = fc.letrec<{ c: Criterion }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('c').map((c) => not(c) as Criterion),
    fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((cs) => and(...cs) as Criterion),
    fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((cs) => or(...cs) as Criterion),
  ),
})).c
const rows = fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 50 }), n: maybe, m: small, s: text }), { selector: (r) => r.id, minLength: 1, maxLength: 8 })

forEachBackend("synchronizeSession: 'evaluate'", (backend) => {
  let engine: Engine
  before(async () => {
    engine = createAsyncEngine(backend.url)
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
  })
  after(async () => {
    // Skipped backends (no URL, no Docker) never ran before().
    if ((engine as Engine | undefined) === undefined) return
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await engine.dispose()
  })

  it('matches exactly the rows the database deletes, for random criteria over rows with NULLs', async function () {
    this.timeout(120_000)
    await fc.assert(
      fc.asyncProperty(rows, criterion, async (data, where) => {
        await using s = new AsyncSession(engine)
        await s.execute(insert(Row).values(data))
        const held = (await s.scalars(select(Row))).all()
        const deletedByDb = (await s.scalars(select(Row.c.id).where(where))).all().sort((a, b) => a - b)
        await s.execute(del(Row).where(where).executionOptions({ synchronizeSession: 'evaluate' }))
        // A held object the evaluator matched has left the identity map, so get() asks the
        // database: a row it deleted gives undefined, a row it kept a new object. One it did not
        // match is found in the identity map: the held object itself.
        const gone: number[] = []
        for (const r of held) if ((await s.get(Row, r.id)) !== r) gone.push(r.id)
        expect(gone.sort((a, b) => a - b)).to.deep.equal(deletedByDb)
        await s.rollback()
      }),
      { numRuns: 150 },
    )
  })
})
