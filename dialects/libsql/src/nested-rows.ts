/**
 * Nested rows (core's `NestedRowList`, capability `nestedRows`) as SQLite JSON: a joined collection
 * comes back as one `json_group_array` per parent row, and this module reads it back into the
 * same values a row of the table would have given.
 *
 * JSON alone is not exact. SQLite writes a REAL with 15 significant digits (0.1 + 0.2 comes back
 * as 0.3), JSON.parse rounds integers past 2^53, and a BLOB cannot go into JSON at all. So every
 * column that may hold such a value is wrapped: an integer past 2^53, a REAL and a BLOB become
 * a marker array (`['i', text]`, `['r', 17 significant digits]`, `['b', hex]`), which no value of
 * a column can be, and the reader turns them back into a bigint, the exact double and bytes.
 * Columns of text affinity hold text, NULL or a BLOB: only the BLOB is wrapped.
 */
import type { Expression, NestedRowList, NestedRowsType, OrderBy, SqlType, ValueProcessor } from '@athanor/core'
import { numericStoredAsNumber } from './values.js'

/** Kinds stored in TEXT-affinity columns (values.ts): SQLite keeps a number given to them as text. */
const TEXT_KINDS = new Set(['string', 'text', 'uuid', 'enum'])

function textOnly(type: SqlType<unknown>): boolean {
  return TEXT_KINDS.has(type.kind) || (type.kind === 'numeric' && !numericStoredAsNumber(type))
}

/** `x` as a JSON value that reads back exactly (the module comment). */
function exactJson(x: string, type: SqlType<unknown>): string {
  // Text affinity turns numbers into text, but keeps a BLOB, which json_array() would refuse.
  if (textOnly(type)) return `CASE typeof(${x}) WHEN 'blob' THEN json_array('b', hex(${x})) ELSE ${x} END`
  return `CASE typeof(${x}) WHEN 'integer' THEN IIF(${x} BETWEEN -9007199254740991 AND 9007199254740991, ${x}, json_array('i', CAST(${x} AS TEXT)))` +
    ` WHEN 'real' THEN json_array('r', printf('%!.17g', ${x})) WHEN 'blob' THEN json_array('b', hex(${x})) ELSE ${x} END`
}

/**
 * The select list of a nested-rows subquery: `json_group_array(json_array(…) ORDER BY …)`, or
 * for one row `json_array(…)`. A child subquery's value keeps its JSON subtype, so it nests as
 * JSON, not as text (json() around it cost ~4 ms of a 1,000-author nested load; the reader
 * parses a child that comes as text all the same).
 */
export function renderNestedRowList(list: NestedRowList, visit: (e: Expression<unknown>) => string, orderItem: (o: OrderBy) => string): string {
  const items = [...list.columns.map((c) => exactJson(visit(c), c.type)), ...list.children.map(visit)]
  const row = `json_array(${items.join(', ')})`
  if (list.one) return row
  const order = list.orderBy.length ? ` ORDER BY ${list.orderBy.map(orderItem).join(', ')}` : ''
  return `json_group_array(${row}${order})`
}

/** A marker array back to its value: an integer past 2^53, a REAL at full precision, or bytes. */
function exact(marker: readonly unknown[]): unknown {
  const text = marker[1] as string
  switch (marker[0]) {
    case 'i': return BigInt(text)
    case 'r': return text === 'Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text)
    case 'b': return Buffer.from(text, 'hex')
    default: return marker
  }
}

/**
 * Reads a nested-rows column: parses the JSON once and converts each row's values in place with
 * the columns' own result processors, then its children, so a nested row holds what a joined
 * row's columns would.
 */
export function nestedRowsReader(type: NestedRowsType, processorOf: (t: SqlType<unknown>) => ValueProcessor | undefined): ValueProcessor {
  const read = parsedReader(type, processorOf)
  return (v) => (typeof v === 'string' ? read(JSON.parse(v)) : v)
}

function parsedReader(type: NestedRowsType, processorOf: (t: SqlType<unknown>) => ValueProcessor | undefined): (v: unknown) => unknown {
  const processors = type.columns.map(processorOf)
  const n = processors.length
  // A child is JSON inside its parent's JSON, or text if SQLite dropped its JSON subtype.
  const children = type.children.map((c) => {
    const read = parsedReader(c, processorOf)
    return (v: unknown): unknown => read(typeof v === 'string' ? JSON.parse(v) : v)
  })
  const row = (r: unknown[]): unknown[] => {
    for (let i = 0; i < n; i++) {
      let x = r[i]
      if (x === null) continue
      if (typeof x === 'object') x = exact(x as unknown[])
      const p = processors[i]
      r[i] = p === undefined ? x : p(x)
    }
    for (let j = 0; j < children.length; j++) r[n + j] = children[j]!(r[n + j])
    return r
  }
  if (type.one) return (v) => (v === null ? null : row(v as unknown[]))
  return (v) => {
    const rows = v as unknown[][]
    for (let i = 0; i < rows.length; i++) row(rows[i]!)
    return rows
  }
}
