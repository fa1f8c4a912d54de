import { expect } from 'chai'
import { Result } from '../src/engine/result.js'

describe('Result', function () {
  it('built from one column, gives the same rows and values as one built from rows', function () {
    const two = { id: 2 }
    const objects = [{ id: 1 }, two, two]
    const byColumn = Result.ofColumn(objects, ['Item'], 0)
    const byRows = new Result(objects.map((o) => [o] as [object]), ['Item'], 0)
    for (const r of [byColumn, byRows]) {
      expect(r.scalars().all()).to.deep.equal(objects)
      expect(r.scalar()).to.equal(objects[0])
      expect(r.first()).to.deep.equal([objects[0]])
      expect(r.all()).to.deep.equal(objects.map((o) => [o]))
      expect([...r]).to.deep.equal(objects.map((o) => [o]))
      expect(r.mappings().all()).to.deep.equal(objects.map((o) => ({ Item: o })))
      expect(r.scalars().unique().all()).to.deep.equal([objects[0], objects[1]])
      expect(() => r.one()).to.throw(/more than one|Multiple/i)
    }
  })

  it('makes the rows of a one-column result once, when they are first read, and never for scalars()', function () {
    const r = Result.ofColumn(['a', 'b'], ['name'], 0)
    expect(r.scalars().values).to.deep.equal(['a', 'b'])
    const rows = r.rows
    expect(rows).to.deep.equal([['a'], ['b']])
    expect(r.rows, 'the same array on every read').to.equal(rows)
    expect(Result.ofColumn([], ['name'], 0).scalar()).to.equal(undefined)
  })
})
