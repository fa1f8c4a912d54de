/**
 * The canonical date-time text the databases print ('YYYY-MM-DD HH:MM:SS[.f…]', UTC wall time)
 * reads as the instant V8's own ISO parser gives for the same fields, and anything the fast path
 * cannot be sure of is declined (undefined) for the dialect's general parser, never misread.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { canonicalDateTimeMs, dayProblem, utcDateTimeText } from '../src/types/datetime-text.js'

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

describe('canonicalDateTimeMs', function () {
  it('reads every valid date-time of the years 1000–9999 as Date.parse reads its ISO form, fractions truncated to milliseconds', function () {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 999 }),
        (d, digits, extra) => {
          const iso = d.toISOString()
          const fraction = digits === 0 ? '' : '.' + (iso.slice(20, 23) + pad(extra, 3)).slice(0, digits)
          const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`
          const expected = Date.parse(`${iso.slice(0, 19)}${digits === 0 ? '' : '.' + fraction.slice(1, 4).padEnd(3, '0')}Z`)
          expect(canonicalDateTimeMs(text), text).to.equal(expected)
        },
      ),
    )
  })

  it('reads a prefix when told where the value ends (a zone the caller stripped)', function () {
    expect(canonicalDateTimeMs('2024-01-02 03:04:05.678+00', 23)).to.equal(Date.UTC(2024, 0, 2, 3, 4, 5, 678))
    expect(canonicalDateTimeMs('2024-01-02 03:04:05+00', 19)).to.equal(Date.UTC(2024, 0, 2, 3, 4, 5))
  })

  it('reads one or two fraction digits as tenths and hundredths', function () {
    expect(canonicalDateTimeMs('2024-01-02 03:04:05.5')).to.equal(Date.UTC(2024, 0, 2, 3, 4, 5, 500))
    expect(canonicalDateTimeMs('2024-01-02 03:04:05.05')).to.equal(Date.UTC(2024, 0, 2, 3, 4, 5, 50))
  })

  it('declines impossible dates instead of rolling them over (February 30 is not March 1)', function () {
    for (const text of ['2024-02-30 00:00:00', '2023-02-29 00:00:00', '1900-02-29 00:00:00', '2024-04-31 00:00:00', '2024-13-01 00:00:00', '2024-00-10 00:00:00', '2024-01-00 00:00:00', '2024-01-01 24:00:00', '2024-01-01 00:60:00', '2024-01-01 00:00:60']) {
      expect(canonicalDateTimeMs(text), text).to.equal(undefined)
    }
    expect(canonicalDateTimeMs('2024-02-29 00:00:00')).to.equal(Date.UTC(2024, 1, 29))
    expect(canonicalDateTimeMs('2000-02-29 00:00:00')).to.equal(Date.UTC(2000, 1, 29))
  })

  it('declines every other spelling: zones, the T form, date-only text, short years, zero dates, stray characters', function () {
    for (const text of ['2024-01-02T03:04:05', '2024-01-02 03:04:05Z', '2024-01-02 03:04:05+05:30', '2024-01-02', '0999-01-01 00:00:00', '0050-01-01 00:00:00',
      '0000-00-00 00:00:00', '2024-01-02 03:04:05.', '2024-01-02 03:04:05.12a', '2024-1-02 03:04:05', 'x024-01-02 03:04:05', '12024-01-02 03:04:05', '']) {
      expect(canonicalDateTimeMs(text), text).to.equal(undefined)
    }
  })
})

describe('dayProblem', function () {
  it('is undefined exactly for the days of the calendar, in any year (oracle: a Date set to that day keeps it)', function () {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 33 }), (year, month, day) => {
        const d = new Date(0)
        d.setUTCFullYear(year, month - 1, day) // not Date.UTC: it reads years 0–99 as 1900–1999
        const exists = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
        expect(dayProblem(year, month, day) === undefined, `${year}-${month}-${day}`).to.equal(exists)
      }),
      { numRuns: 3000 },
    )
  })

  it('says what is wrong, and refuses what is not a number', function () {
    expect(dayProblem(2024, 2, 30)).to.equal('2024-02 has no day 30')
    expect(dayProblem(50, 2, 29)).to.equal('0050-02 has no day 29')
    expect(dayProblem(1900, 2, 29)).to.equal('1900-02 has no day 29')
    expect(dayProblem(2000, 2, 29)).to.equal(undefined)
    expect(dayProblem(2024, 0, 10)).to.equal('there is no month 0')
    expect(dayProblem(2024, Number('ab'), 1)).to.equal('there is no month NaN')
    expect(dayProblem(2024, 1, Number('x'))).to.equal('2024-01 has no day NaN')
    expect(dayProblem(2024, 1.5, 1)).to.equal('there is no month 1.5')
  })
})

describe('utcDateTimeText', function () {
  it('writes every instant of the years 0000–9999 as its ISO form with a space, to the millisecond', function () {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString()
        const text = utcDateTimeText(d)
        expect(text, iso).to.equal(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`)
        // What it writes, the fast reader reads back as the same instant (its years start at 1000).
        if (d.getUTCFullYear() >= 1000) expect(canonicalDateTimeMs(text!)).to.equal(d.getTime())
      }),
      { numRuns: 3000 },
    )
  })

  it('pads every field, the edges of each included', function () {
    expect(utcDateTimeText(new Date('0000-01-01T00:00:00.000Z'))).to.equal('0000-01-01 00:00:00.000')
    expect(utcDateTimeText(new Date('0005-06-07T08:09:10.011Z'))).to.equal('0005-06-07 08:09:10.011')
    expect(utcDateTimeText(new Date('2024-02-29T23:59:59.999Z'))).to.equal('2024-02-29 23:59:59.999')
    expect(utcDateTimeText(new Date('9999-12-31T23:59:59.999Z'))).to.equal('9999-12-31 23:59:59.999')
  })

  it('declines a year outside 0000–9999 and an Invalid Date, for the caller to refuse', function () {
    expect(utcDateTimeText(new Date('+010000-01-01T00:00:00Z'))).to.equal(undefined)
    expect(utcDateTimeText(new Date('-000001-12-31T23:59:59.999Z'))).to.equal(undefined)
    expect(utcDateTimeText(new Date(Number.NaN))).to.equal(undefined)
  })
})
