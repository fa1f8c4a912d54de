/**
 * What bound values are accepted as, exactly: timestamps with and without zones, the calendar
 * limits, decimals in every notation against precision and scale, and JSON values that survive
 * a round trip. The refusals and their messages are in compile-types.test.ts.
 */
import { expect } from 'chai'
import { DateTime, DateType, JSON as Json, Numeric, Time, ValueError } from '@athanor/core'

const at = (v: unknown, zoned = false): unknown => DateTime({ timezone: zoned }).validate(v, 't.at')

describe('bound values: timestamps, dates and times', () => {
  it('reads ISO 8601 text with a zone or offset as that instant', () => {
    expect((at('2024-01-02T03:04:05.678Z') as Date).toISOString()).to.equal('2024-01-02T03:04:05.678Z')
    expect((at('2024-01-02T03:04:05+02:00') as Date).toISOString()).to.equal('2024-01-02T01:04:05.000Z')
    expect((at('2024-01-02 03:04-0530', true) as Date).toISOString()).to.equal('2024-01-02T08:34:00.000Z')
    expect((at('2023-03-01T00:30+01:00') as Date).toISOString(), 'an offset crossing the end of February').to.equal('2023-02-28T23:30:00.000Z')
    expect((at('2024-01-02T03:04:05.120000000Z') as Date).toISOString(), 'zeros past milliseconds').to.equal('2024-01-02T03:04:05.120Z')
  })
  it('reads text without a zone as UTC wall time on a naive column, and refuses it on a zoned one', () => {
    expect((at('2024-01-02 03:04:05') as Date).toISOString()).to.equal('2024-01-02T03:04:05.000Z')
    expect(() => at('2024-01-02 03:04:05', true)).to.throw(ValueError, /no time zone/)
  })
  it('keeps years 1–99 as they are (Date.UTC would make them 1901–1999) and accepts the ends of the range', () => {
    expect((at('0050-06-01T00:00:00Z') as Date).getUTCFullYear()).to.equal(50)
    expect((at('0001-01-01T00:00:00Z') as Date).toISOString()).to.equal('0001-01-01T00:00:00.000Z')
    expect((at('9999-12-31T23:59:59.999Z') as Date).toISOString()).to.equal('9999-12-31T23:59:59.999Z')
    expect(() => at('0001-01-01T00:00:00+01:00')).to.throw(ValueError, /year 0 is outside/)
  })
  it('knows leap years and the length of each month', () => {
    expect(DateType.validate('2024-02-29', 'd')).to.equal('2024-02-29')
    expect(DateType.validate('2000-02-29', 'd')).to.equal('2000-02-29')
    for (const bad of ['1900-02-29', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-1-1']) {
      expect(() => DateType.validate(bad, 'd'), bad).to.throw(ValueError)
    }
  })
  it('takes times of day up to 23:59:59 with fractions', () => {
    expect(Time.validate('23:59:59.999999', 't')).to.equal('23:59:59.999999')
    for (const bad of ['24:00:00', '12:60', '12:00:60', '7:00']) expect(() => Time.validate(bad, 't'), bad).to.throw(ValueError)
  })
})

describe('bound values: decimals', () => {
  const price = Numeric(10, 2)
  it('binds plain decimal text as given and writes out exponents and signs', () => {
    expect(price.validate('12.50', 'p')).to.equal('12.50')
    expect(price.validate(' 12.5 ', 'p')).to.equal('12.5')
    expect(price.validate('1.25e2', 'p')).to.equal('125')
    expect(price.validate('+0.5', 'p')).to.equal('0.5')
    expect(Numeric().validate(1e-7, 'p')).to.equal('0.0000001')
    expect(Numeric().validate(123n, 'p')).to.equal('123')
  })
  it('accepts trailing zeros past the scale (no digit is lost) and refuses digits that would be rounded', () => {
    expect(price.validate('1.500', 'p')).to.equal('1.500')
    expect(price.validate('99999999.99', 'p')).to.equal('99999999.99')
    expect(() => price.validate('1.005', 'p')).to.throw(ValueError, /3 decimal places/)
    expect(() => price.validate('100000000', 'p')).to.throw(ValueError, /9 digits before the decimal point/)
    expect(() => price.validate(0.1 + 0.2, 'p'), '0.30000000000000004').to.throw(ValueError, /17 decimal places/)
  })
  it('refuses text that is not a decimal, and exponents no database stores', () => {
    for (const bad of ['', '.', '1,5', '0x10', '1e', 'NaN', '1e999999999']) expect(() => Numeric().validate(bad, 'p'), bad).to.throw(ValueError)
  })
})

describe('bound values: JSON', () => {
  const doc = Json<unknown>()
  it('accepts every value JSON keeps exactly, including prototype-named keys as data', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"constructor":"c","a":[1,-2.5,1e300,null,true,"é🙂"],"n":null}') as unknown
    expect(doc.validate(value, 'd')).to.equal(value)
    expect(doc.validate(Object.assign(Object.create(null) as object, { a: 1 }), 'd')).to.deep.equal({ a: 1 })
  })
  it('refuses holes, cycles, symbols and class instances, naming the path', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    // eslint-disable-next-line no-sparse-arrays
    expect(() => doc.validate([1, , 3], 'd')).to.throw(ValueError, /\$\[1\] is a hole/)
    expect(() => doc.validate(cyclic, 'd')).to.throw(ValueError, /\$\.self refers back/)
    expect(() => doc.validate({ [Symbol('s')]: 1 }, 'd')).to.throw(ValueError, /symbol keys/)
    expect(() => doc.validate({ f: () => 1 }, 'd')).to.throw(ValueError, /\$\.f is a function/)
    expect(() => doc.validate(new (class Point { x = 1 })(), 'd')).to.throw(ValueError, /\$ is a Point/)
    const shared = { a: 1 }
    expect(doc.validate({ x: shared, y: shared }, 'd'), 'the same object twice is no cycle').to.deep.equal({ x: shared, y: shared })
  })
})
