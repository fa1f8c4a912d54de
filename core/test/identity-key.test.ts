/**
 * Identity-map keys (core/src/orm/identity-key.ts): two one-column key values name the same row
 * exactly when their texts match, as when every key was text; keys of two classes never meet; a
 * key is never falsy (the session tests `if (s.key)`).
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { oneColumnKey } from '../src/orm/identity-key.js'

/** The key as it was before numbers: the root's prefix and the value's text. */
const textKey = (v: unknown, root: number): string => `${root}\u0001${typeof v === 'object' ? JSON.stringify(v) : String(v)}`
const key = (v: unknown, root: number): string | number => oneColumnKey(v, root, `${root}\u0001`)

const values = fc.oneof(
  fc.nat(),
  fc.integer({ min: 2 ** 40, max: 2 ** 44 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }),
  fc.nat().map(String),
  fc.nat().map((n) => `0${n}`),
  fc.constantFrom('', '0', '-0', '1e3', ' 1', '4398046511104', '4398046511103', 'x7'),
  fc.string(),
  fc.date().map((d) => (Number.isNaN(d.getTime()) ? new Date(0) : d)),
)
const roots = fc.oneof(fc.integer({ min: 1, max: 1023 }), fc.integer({ min: 1024, max: 5000 }))

describe('identity keys', function () {
  it('give two values of one class the same key exactly when their texts match', function () {
    fc.assert(fc.property(values, values, roots, (a, b, root) => {
      expect(key(a, root) === key(b, root), `${String(a)} / ${String(b)}`).to.equal(textKey(a, root) === textKey(b, root))
    }), { numRuns: 5000 })
  })

  it('give a whole number one key whether it comes as a number, a bigint or its text', function () {
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), roots, (n, root) => {
      const k = key(n, root)
      expect([key(BigInt(n), root), key(String(n), root)]).to.deep.equal([k, k])
      expect(key(`0${n}`, root)).to.not.equal(k)
    }), { numRuns: 2000 })
  })

  it('never give rows of two classes one key, and never a falsy key', function () {
    fc.assert(fc.property(values, values, roots, roots, (a, b, r1, r2) => {
      fc.pre(r1 !== r2)
      expect(key(a, r1)).to.not.equal(key(b, r2))
      expect(Boolean(key(a, r1))).to.equal(true)
    }), { numRuns: 5000 })
  })

  it('are numbers for whole numbers 0 ≤ n < 2^42 of the first 1,023 classes, and text otherwise', function () {
    expect(key(0, 3)).to.equal(3)
    expect(key(7, 3)).to.equal(7 * 1024 + 3)
    expect(key('7', 3)).to.equal(7 * 1024 + 3)
    expect(key(7n, 3)).to.equal(7 * 1024 + 3)
    expect(key(2 ** 42 - 1, 3)).to.be.a('number')
    expect(key(2 ** 42, 3)).to.equal('3\u00014398046511104')
    expect(key('007', 3)).to.equal('3\u0001007')
    expect(key(-1, 3)).to.equal('3\u0001-1')
    expect(key(1.5, 3)).to.equal('3\u00011.5')
    expect(key(7, 1024)).to.equal('1024\u00017')
  })
})
