/**
 * The per-class store functions write exactly what a loop of `o[key] = value` writes, for any
 * key a column can have (quotes, spaces, digits, names of Object.prototype's members), and only
 * the class's own keys: what is no column is left for the caller to report.
 */
import { expect } from 'chai'
import { columnSetter, columnsCleared, rowBuilder } from '../src/orm/compiled-stores.js'

const KEYS = ['id', 'full name', "it's", 'say "hi"', 'back\\slash', '1', 'toString', 'constructor', 'é'] as const

describe('compiled stores', function () {
  it('builds an object of the prototype with the row from `start` as own properties, in column order', function () {
    const proto = { kind: 'proto' }
    const build = rowBuilder(KEYS, proto)
    const row = ['skipped', ...KEYS.map((_, i) => i * 10)]
    const o = build(row, 1) as Record<string, unknown>
    expect(Object.getPrototypeOf(o)).to.equal(proto)
    expect(Object.keys(o).sort()).to.deep.equal([...KEYS].sort())
    for (const [i, k] of KEYS.entries()) expect(o[k], k).to.equal(i * 10)
    // Two objects of one builder share their shape's key order (integer-like keys first, as V8 orders them).
    expect(Object.keys(build(row, 1))).to.deep.equal(Object.keys(o))
  })

  it('sets every column of a new object to undefined, as own properties', function () {
    const o: Record<string, unknown> = {}
    columnsCleared(KEYS)(o)
    expect(Object.keys(o).sort()).to.deep.equal([...KEYS].sort())
    for (const k of KEYS) expect(Object.hasOwn(o, k) && o[k] === undefined, k).to.equal(true)
  })

  it('stores a column value and says so; says false for a key that is no column, storing nothing', function () {
    const set = columnSetter(KEYS)
    const o: Record<string, unknown> = {}
    for (const [i, k] of KEYS.entries()) expect(set(o, k, i), k).to.equal(true)
    for (const [i, k] of KEYS.entries()) expect(o[k], k).to.equal(i)
    for (const k of ['ID', 'full_name', 'hasOwnProperty', '', '01', '__proto__']) expect(set(o, k, 'x'), k).to.equal(false)
    expect(Object.keys(o).sort()).to.deep.equal([...KEYS].sort())
    expect(Object.getPrototypeOf(o)).to.equal(Object.prototype)
  })

  it('falls back to keyed stores for a class with a __proto__ column, with the same effect as a keyed store', function () {
    const keys = ['id', '__proto__']
    const set = columnSetter(keys)
    const o: Record<string, unknown> = {}
    expect(set(o, 'id', 1)).to.equal(true)
    expect(set(o, 'nope', 1)).to.equal(false)
    const p = { marker: true }
    expect(set(o, '__proto__', p)).to.equal(true)
    const reference: Record<string, unknown> = {}
    reference['__proto__'] = p
    expect(Object.getPrototypeOf(o)).to.equal(Object.getPrototypeOf(reference))
  })
})
