/**
 * Exact decimals as text. Bound values of Numeric columns are checked against the column's
 * precision and scale here, because the servers round extra decimal places without an error
 * (PostgreSQL and MariaDB both store '1.005' in NUMERIC(10, 2) as 1.01).
 */

const MAX_EXPONENT = 131_072
const DECIMAL_TEXT = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/

/** A decimal split into its digits: `-12.50` → sign '-', whole '12', fraction '5'. */
export interface DecimalParts {
  readonly negative: boolean
  /** Digits before the point, without leading zeros ('' for zero). */
  readonly whole: string
  /** Digits after the point, without trailing zeros. */
  readonly fraction: string
}

/**
 * Splits decimal text (exponents allowed) into normalised digits, or undefined when it is not
 * a decimal number.
 * ```ts
 * decimalParts('-0012.500')  // { negative: true, whole: '12', fraction: '5' }
 * decimalParts('1.5e3')      // { negative: false, whole: '1500', fraction: '' }
 * ```
 */
export function decimalParts(text: string): DecimalParts | undefined {
  const m = DECIMAL_TEXT.exec(text)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined
  // PostgreSQL's NUMERIC stops at 131072 digits before the point; a larger exponent is no
  // decimal any database stores (and padding it out would take the memory of the process).
  if (Math.abs(Number(m[4] ?? 0)) > MAX_EXPONENT) return undefined
  let digits = m[2]! + (m[3] ?? '')
  let point = m[2]!.length + Number(m[4] ?? 0)
  // Exponents move the point; pad with zeros when it moves past the digits.
  if (point < 0) (digits = '0'.repeat(-point) + digits, (point = 0))
  if (point > digits.length) digits = digits.padEnd(point, '0')
  const whole = digits.slice(0, point).replace(/^0+/, '')
  const fraction = digits.slice(point).replace(/0+$/, '')
  return { negative: m[1] === '-' && (whole !== '' || fraction !== ''), whole, fraction }
}

/**
 * The plain text of a decimal: no exponent, no leading or trailing zeros, no '-0'.
 * ```ts
 * decimalText(decimalParts('1.50e2')!)  // '150'
 * ```
 */
export function decimalText(p: DecimalParts): string {
  const text = (p.whole === '' ? '0' : p.whole) + (p.fraction === '' ? '' : '.' + p.fraction)
  return p.negative ? '-' + text : text
}

/**
 * Why a decimal does not fit NUMERIC(precision, scale), or undefined when it fits exactly.
 * ```ts
 * decimalFitProblem(decimalParts('1.005')!, 10, 2)  // "it has 3 decimal places and the column keeps 2"
 * ```
 */
export function decimalFitProblem(p: DecimalParts, precision: number | undefined, scale: number | undefined): string | undefined {
  if (precision === undefined) return undefined
  const places = scale ?? 0
  if (p.fraction.length > places) {
    return `it has ${p.fraction.length} decimal place${p.fraction.length === 1 ? '' : 's'} and the column keeps ${places}: round it first, or widen the column's scale`
  }
  const wholeDigits = precision - places
  if (p.whole.length > wholeDigits) {
    return `it has ${p.whole.length} digits before the decimal point and the column allows ${wholeDigits}: widen the column's precision`
  }
  return undefined
}
