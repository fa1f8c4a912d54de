/**
 * The value fuzz of R12: a pool of hostile values of every kind, mixed at random into columns of
 * every type, and an oracle that says, for a value the column accepted, whether what came back
 * is the same value. The oracle is written from the types' documented contracts, independently
 * of the validators it checks: a value is refused before it reaches the database, or it comes
 * back equal; anything else is a silent coercion.
 */
import { deepEqual } from 'node:assert/strict'
import { decimalParts, decimalText, type TypeKind } from '@athanor/core'

/** A deterministic PRNG (mulberry32), so a failing case can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const INJECTION_PIECES = [
  "'", '"', '`', '\\', ';', '--', '/*', '*/', '%', '_', '$1', '?', ':name', '\n', ')', '(', ' OR 1=1', "' OR '1'='1",
  '; DROP TABLE rel_fuzz_canary; --', "'); DELETE FROM rel_fuzz_canary; --", 'UNION SELECT secret FROM rel_fuzz_canary', '\u00e9', '\u{1F600}',
  '\u202e', 'ß', '0x27', '%%', '\\%', '\\_', 'a',
]

/** Strings made of injection pieces, all distinct. */
export function hostileStrings(count: number, seed: number): string[] {
  const random = prng(seed)
  const out = new Set<string>(INJECTION_PIECES)
  while (out.size < count) {
    let s = ''
    const n = 1 + Math.floor(random() * 6)
    for (let i = 0; i < n; i++) s += INJECTION_PIECES[Math.floor(random() * INJECTION_PIECES.length)]
    out.add(s)
  }
  return [...out].slice(0, Math.max(count, INJECTION_PIECES.length))
}

class Point {
  x = 1
}

/** Values of every kind that users, attackers and bugs put where a column value belongs. */
export function hostileValues(seed: number): unknown[] {
  const strings = [
    '', ' ', 'plain', '42', '-0', '1e5', '0x10', '12.50', '1.005', '2024-02-29', '2023-02-29', '2024-02-29T12:00:00+05:30', '2024-02-29 12:00',
    '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.1234Z', '+010000-01-01T00:00:00Z', "' OR '1'='1", '100%', '42abc', '23:59:59.999999', '24:00:00',
    'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'not-a-uuid', 'happy', 'HAPPY', 'true', 'null', '{"a":1}',
    'a\u0000b', '\u0000', 'half \uD83D', '\uDE00 low', '\u{1F600}', '👨‍👩‍👧', 'e\u0301', '\u202eevil', 'x'.repeat(1 << 20), 'é'.repeat(300),
    ...hostileStrings(30, seed),
  ]
  const numbers = [
    0, -0, 1, -1, 0.5, -2.25, 1e300, -1e-300, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 32768,
    2 ** 53 - 1, 2 ** 53, 2 ** 53 + 1, -(2 ** 53), 0.1 + 0.2, 1e21, 123456789,
  ]
  const bigints = [0n, -1n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n]
  const dates = [
    new Date(0), new Date('invalid'), new Date('0001-01-01T00:00:00Z'), new Date('9999-12-31T23:59:59.999Z'), new Date(8.64e15), new Date(-8.64e15),
    new Date('2024-02-29T23:59:58.123Z'),
  ]
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  const objects: unknown[] = [
    {}, [], [1, 'two', null], { a: 1, b: [true, { c: 'é' }] }, new Map([['a', 1]]), new Set([1]), Buffer.from('ab'), new Uint8Array([0, 255]),
    new ArrayBuffer(2), () => 1, Symbol('s'), true, false, { toString: () => "x' OR '1'='1" }, { valueOf: () => 42 }, Object.create(null) as object,
    new Point(), JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}'), { a: NaN }, { a: undefined }, [1, undefined],
    { d: new Date(0) }, { k: 'x\u0000' }, { ['\uD800']: 1 }, { big: 1n }, cyclic, { n: -0 }, { deep: { er: { est: [[['x']]] } } },
  ]
  return [...strings, ...numbers, ...bigints, ...dates, ...objects]
}

// ---- the oracle ----------------------------------------------------------------------------

const DIGITS = /^-?\d+$/

/** -0 and 0 are one value in SQL (no database here keeps the sign; documented), compared as equal. */
function unsignedZero(v: unknown): unknown {
  if (typeof v === 'number' && v === 0) return 0
  if (Array.isArray(v)) return v.map(unsignedZero)
  // JSON has no prototypes: a null-prototype object comes back as a plain one.
  if (typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsignedZero(x)]))
  }
  return v
}

function sameDecimal(given: unknown, read: unknown): boolean {
  if (typeof read !== 'string') return false
  const text = typeof given === 'number' ? String(given) : typeof given === 'bigint' ? given.toString() : typeof given === 'string' ? given.trim() : undefined
  const a = text === undefined ? undefined : decimalParts(text)
  const b = decimalParts(read)
  return a !== undefined && b !== undefined && decimalText(a) === decimalText(b)
}

function sameInstant(given: unknown, read: unknown): boolean {
  if (!(read instanceof Date)) return false
  if (given instanceof Date) return read.getTime() === given.getTime()
  if (typeof given !== 'string') return false
  const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(given)
  const ms = Date.parse(zoned ? given : given.replace(' ', 'T') + 'Z')
  if (Number.isNaN(ms) || read.getTime() !== ms) return false
  // The calendar day written in the text must be the day stored (Date.parse rolls Feb 30 over).
  const offset = zoned && !/z$/i.test(given) ? /([+-])(\d\d):?(\d\d)$/.exec(given) : null
  const shift = offset === null ? 0 : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000
  return new Date(read.getTime() + shift).toISOString().slice(0, 10) === given.slice(0, 10)
}

function sameBytes(given: unknown, read: unknown): boolean {
  const bytes = given instanceof Uint8Array ? given : given instanceof ArrayBuffer ? new Uint8Array(given) : undefined
  return bytes !== undefined && read instanceof Uint8Array && Buffer.from(read).equals(Buffer.from(bytes))
}

function sameJson(given: unknown, read: unknown): boolean {
  try {
    deepEqual(read, unsignedZero(given))
    return true
  } catch {
    return false
  }
}

/**
 * Whether `read` (what came back from a column of `kind`) is the value `given` by the type's
 * documented contract: integers as numbers (bigints for BigInteger), decimals as decimal text of
 * the same value, dates as 'YYYY-MM-DD', timestamps as the same instant, UUIDs lower-cased,
 * JSON deeply equal, everything else identical.
 */
export function sameValue(kind: TypeKind, given: unknown, read: unknown): boolean {
  switch (kind) {
    case 'integer': case 'smallint':
      return typeof read === 'number' && (given === read || (typeof given === 'bigint' && BigInt(read) === given) || (typeof given === 'string' && DIGITS.test(given) && BigInt(read) === BigInt(given)))
    case 'bigint':
      return typeof read === 'bigint' && ((typeof given === 'number' && Number.isSafeInteger(given) && BigInt(given) === read) || given === read || (typeof given === 'string' && DIGITS.test(given) && BigInt(given) === read))
    case 'float': return typeof given === 'number' && read === given
    case 'numeric': return sameDecimal(given, read)
    case 'string': case 'text': case 'enum': case 'time': return typeof given === 'string' && read === given
    case 'uuid': return typeof given === 'string' && read === given.toLowerCase()
    case 'boolean': return typeof given === 'boolean' && read === given
    case 'date': return (typeof given === 'string' && read === given) || (given instanceof Date && read === given.toISOString().slice(0, 10))
    case 'datetime': return sameInstant(given, read)
    case 'json': return sameJson(given, read)
    case 'binary': return sameBytes(given, read)
    default: return false
  }
}

/** A value described for a report without printing a megabyte. */
export function brief(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `string(${v.length}) ${JSON.stringify(v.slice(0, 20))}…` : JSON.stringify(v)
  if (typeof v === 'bigint') return `${v}n`
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v
  if (Object.is(v, -0)) return '-0'
  try {
    return `${(v as object)?.constructor?.name ?? 'null-prototype'} ${JSON.stringify(v)?.slice(0, 40) ?? ''}`
  } catch {
    return 'unserialisable object'
  }
}
