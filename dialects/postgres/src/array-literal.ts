/**
 * PostgreSQL's array text format (`{1,2,NULL}`, `{"a,b","say \"hi\""}`), both ways.
 *
 * Athanor reads and writes arrays in this form itself instead of relying on postgres.js: its
 * parser turns an unquoted NULL element into the string 'NULL' (or NaN, or a thrown BigInt
 * SyntaxError for int8[]), and its parameter typing declares `[1n]` as a scalar int8.
 */

/** Turns one element's text into its JS value. */
export type ElementParser = (text: string) => unknown

/** Turns one non-null element into its text form. */
export type ElementText = (value: unknown) => string

/**
 * Parses an array literal; nested braces give nested arrays and unquoted NULL gives null.
 *
 * ```ts
 * parseArrayLiteral('{1,NULL,3}', Number)          // [1, null, 3]
 * parseArrayLiteral('{"a,b","NULL"}', undefined)   // ['a,b', 'NULL']
 * ```
 */
export function parseArrayLiteral(text: string, parse: ElementParser | undefined): unknown[] {
  // Arrays whose lower bound is not 1 come with their dimensions first: [0:2]={…}.
  const start = text.charCodeAt(0) === 0x5b /* [ */ ? text.indexOf('=') + 1 : 0
  const state = { i: start }
  if (text[state.i] !== '{') throw new SyntaxError(`Not a PostgreSQL array literal: ${text.slice(0, 40)}`)
  return parseLevel(text, state, parse)
}

function parseLevel(text: string, state: { i: number }, parse: ElementParser | undefined): unknown[] {
  const out: unknown[] = []
  let i = state.i + 1 // past '{'
  while (i < text.length) {
    const c = text[i]
    if (c === '}') break
    if (c === ',') {
      i++
      continue
    }
    if (c === '{') {
      state.i = i
      out.push(parseLevel(text, state, parse))
      i = state.i + 1
    } else if (c === '"') {
      let value = ''
      let from = ++i
      // Copy runs between escapes in slices: most elements have no backslash at all.
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') {
          value += text.slice(from, i)
          from = ++i
        }
        i++
      }
      value += text.slice(from, i++)
      out.push(parse === undefined ? value : parse(value))
    } else {
      let end = i
      while (end < text.length && text[end] !== ',' && text[end] !== '}') end++
      const raw = text.slice(i, end)
      // Only an unquoted NULL is SQL NULL; the text 'NULL' always comes quoted.
      out.push(raw.length === 4 && raw.toUpperCase() === 'NULL' ? null : parse === undefined ? raw : parse(raw))
      i = end
    }
  }
  state.i = i
  return out
}

const NEEDS_ESCAPE = /[\\"]/
const ESCAPED = /[\\"]/g

/** An element's text with `\` and `"` escaped (the text itself when it has neither: most do). */
function escaped(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, '\\$&') : text
}

/**
 * Writes an array literal: every element quoted, null as NULL, nested arrays as nested braces.
 *
 * ```ts
 * serializeArrayLiteral(['a,b', null], String)   // '{"a,b",NULL}'
 * ```
 *
 * Why a join: the unit of work sends each column of 10,000 new rows as one such literal
 * (`unnest`), and a string grown by `+=` per element is a tree of three concatenation nodes per
 * element, flattened again by the driver: 10.5 MB allocated for the 2.6 MB of one flush's text.
 * `join` writes the flat string once.
 */
export function serializeArrayLiteral(values: readonly unknown[], text: ElementText): string {
  const n = values.length
  if (n === 0) return '{}'
  const parts = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    // NULL is written unquoted and a nested array in braces: those go element by element.
    if (v === null || v === undefined || Array.isArray(v)) return serializeMixed(values, text)
    parts[i] = escaped(text(v))
  }
  parts[0] = '{"' + parts[0]!
  parts[n - 1] = parts[n - 1]! + '"}'
  return parts.join('","')
}

/** {@link serializeArrayLiteral} for arrays holding NULLs or nested arrays. */
function serializeMixed(values: readonly unknown[], text: ElementText): string {
  const parts = new Array<string>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    parts[i] = v === null || v === undefined ? 'NULL' : Array.isArray(v) ? serializeArrayLiteral(v, text) : '"' + escaped(text(v)) + '"'
  }
  return '{' + parts.join(',') + '}'
}

/** The text form of a plain JS value inside an array literal (Dates as UTC ISO, bytes as \x hex). */
export const elementText: ElementText = (v) => {
  if (typeof v === 'string') return v
  if (v instanceof Date) return v.toISOString()
  if (v instanceof Uint8Array) return '\\x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** An element of a json/jsonb array: always JSON text, so the string 'a' is sent as "a". */
export const jsonElementText: ElementText = (v) => JSON.stringify(v)

/** bytea's text output (`\x0102`) as a Buffer. */
export const parseByteaText: ElementParser = (x) => Buffer.from(x.slice(2), 'hex')
