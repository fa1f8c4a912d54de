/**
 * The per-mapper code compiled from a class's column names: the row builder and the dirty check
 * read and write every column by its literal name, and agree with a plain loop over the names
 * (the fallback where code cannot be generated) for any names and values.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { columnsDiffer, rowBuilder } from '../src/orm/compiled-columns.js'
import { valuesEqual } from '../src/orm/values-equal.js'

// Column keys as a class may have them: identifiers, and names with quotes, dashes, spaces,
// digits first, backslashes, non-ASCII letters, and the names of Object.prototype's members.
const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.constantFrom('id', 'constructor', 'toString', 'hasOwnProperty', "it's", 'a"b', 'a\\b', 'x-y', '1st', 'naïve', 'a b', '\u2028', 'valueOf'),
)
const keys = fc.uniqueArray(key, { minLength: 1, maxLength: 8 })
const value = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.boolean(), fc.bigInt(),
  fc.date({ noInvalidDate: true }), fc.uint8Array({ maxLength: 4 }), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
)
/** A committed value: the same one, an equal copy (a Date of the same time, the same bytes, the same JSON), or another value. */
const committedFor = (v: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(v),
    fc.constant(v instanceof Date ? new Date(v.getTime()) : v instanceof Uint8Array ? Uint8Array.from(v) : typeof v === 'object' && v !== null ? structuredClone(v) : v),
    value,
  )

describe('compiled column code', function () {
  it('the dirty check says what comparing every column with valuesEqual says, from any start in the row', function () {
    fc.assert(
      fc.property(
        keys.chain((ks) => fc.tuple(fc.constant(ks), fc.array(value, { minLength: ks.length, maxLength: ks.length }))).chain(([ks, now]) =>
          fc.tuple(fc.constant(ks), fc.constant(now), fc.tuple(...now.map(committedFor)), fc.array(value, { maxLength: 3 })),
        ),
        ([ks, now, committed, before]) => {
          const obj: Record<string, unknown> = {}
          ks.forEach((k, i) => Object.defineProperty(obj, k, { value: now[i], enumerable: true, writable: true, configurable: true }))
          const row = [...before, ...committed]
          const expected = ks.some((k, i) => !valuesEqual(obj[k], committed[i]))
          expect(columnsDiffer(ks)(obj, row, before.length)).to.equal(expected)
        },
      ),
    )
  })

  it('the dirty check sees a change in the last column and in the first', function () {
    const differ = columnsDiffer(['id', 'title', 'when'])
    const when = new Date(0)
    const row = [7, 'a', when]
    expect(differ({ id: 7, title: 'a', when }, row, 0)).to.equal(false)
    expect(differ({ id: 7, title: 'a', when: new Date(0) }, row, 0)).to.equal(false)
    expect(differ({ id: 7, title: 'a', when: new Date(1) }, row, 0)).to.equal(true)
    expect(differ({ id: 8, title: 'a', when }, row, 0)).to.equal(true)
    expect(differ({ id: 7, title: 'a', when }, ['x', 7, 'a', when], 1)).to.equal(false)
  })

  it('a key that cannot be written literally (__proto__) gets the loop, which still compares every column', function () {
    const differ = columnsDiffer(['id', '__proto__'])
    const obj = { id: 1 } as Record<string, unknown>
    expect(differ(obj, [1, Object.prototype], 0)).to.equal(false)
    expect(differ(obj, [2, Object.prototype], 0)).to.equal(true)
  })

  it('the row builder sets every column, in order, on an object of the class', function () {
    class Thing {
      describe(): string {
        return 'a thing'
      }
    }
    fc.assert(
      fc.property(keys.filter((ks) => !ks.includes('__proto__')).chain((ks) => fc.tuple(fc.constant(ks), fc.array(value, { minLength: ks.length + 2, maxLength: ks.length + 2 }))), ([ks, row]) => {
        const obj = rowBuilder(ks, Thing.prototype)(row, 2) as Record<string, unknown>
        expect(obj).to.be.instanceOf(Thing)
        expect(Object.keys(obj)).to.deep.equal(Object.keys(Object.fromEntries(ks.map((k) => [k, 0]))))
        ks.forEach((k, i) => expect(Object.is(obj[k], row[2 + i]), k).to.equal(true))
      }),
    )
  })
})
