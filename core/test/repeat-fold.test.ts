/**
 * A joined statement's repeated parent columns (core/src/orm/joined-loading.ts, RepeatFold): a row
 * that repeats the last row's key yields the same object without building it again, and its own
 * copies of that entity's values are dropped from the row (a row can live on as a deeper entity's
 * committed snapshot, and the driver makes new strings for every row), the other columns untouched.
 */
import { expect } from 'chai'
import { Integer, String, declarativeBase, mappedColumn } from '../src/index.js'
import { mapperArgument } from '../src/orm/session-arguments.js'
import { RepeatFold } from '../src/orm/joined-loading.js'
import type { Hydrate } from '../src/orm/joined-loading.js'

const Base = declarativeBase()
class Writer extends Base.model('fold_writers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40)),
  email: mappedColumn(String(60)),
})<Writer> {}

describe('RepeatFold', function () {
  const m = mapperArgument(Writer)
  // Rows as a joined load reads them: a value column, the writer's three columns from 1, a child's two after.
  const rows = (): unknown[][] => [
    ['v0', 1, 'Ann', 'ann@x.io', 10, 'first'],
    ['v1', 1, 'Ann'.slice(0), 'ann@x.io'.slice(0), 11, 'second'],
    ['v2', 2, 'Bob', 'bob@x.io', 12, 'third'],
    ['v3', 2, 'Bob', 'bob@x.io', 13, 'fourth'],
  ]
  const built: unknown[][] = []
  const hydrate: Hydrate = (_m, raw, start) => (built.push(raw.slice(start, start + 3)), { id: raw[start] })

  beforeEach(() => (built.length = 0))

  it('builds an object once per run of rows with the same key, and again when the key changes', function () {
    const fold = RepeatFold.of(m, 1)
    const [a, b, c, d] = rows().map((r) => fold.hydrate(r, hydrate))
    expect(b).to.equal(a)
    expect(d).to.equal(c)
    expect(c).not.to.equal(a)
    expect(built).to.deep.equal([[1, 'Ann', 'ann@x.io'], [2, 'Bob', 'bob@x.io']])
  })

  it("drops a repeated row's copies of the entity's values and leaves its other columns as they were", function () {
    const fold = RepeatFold.of(m, 1)
    const rs = rows()
    for (const r of rs) fold.hydrate(r, hydrate)
    expect(rs).to.deep.equal([
      ['v0', 1, 'Ann', 'ann@x.io', 10, 'first'],
      ['v1', undefined, undefined, undefined, 11, 'second'],
      ['v2', 2, 'Bob', 'bob@x.io', 12, 'third'],
      ['v3', undefined, undefined, undefined, 13, 'fourth'],
    ])
  })
})
