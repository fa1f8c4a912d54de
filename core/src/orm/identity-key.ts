/**
 * Identity-map keys. A row's key is its root class's id and its primary key values; two rows get
 * the same key exactly when those texts match (the number 5, the bigint 5n and the text '5' are
 * one key, as they always were).
 *
 * Why numbers: most tables have a one-column integer key, and a load builds one key per row. A
 * string key is a fresh string per row, hashed when it is looked up and kept by the object's state
 * for as long as the object lives; a number needs no string and no text hash, and below 2^31
 * (keys below ~2 million) no allocation at all (benchmarks/PROFILE.md pass 25).
 * So a whole number 0 ≤ n < 2^42 of a one-column key becomes `n * 1024 + root id`, one number per
 * (class, key) pair; every other key stays text, which always holds a '\u0001' and so never
 * equals a number. Root ids from 1024 on (a process that declares that many classes) use text.
 */

/** A row's identity: a number for one-column whole-number keys, text otherwise. */
export type IdentityKey = string | number

const SPAN = 1024
const LIMIT = 2 ** 42

/**
 * The key of a one-column primary key value `v` (not null) of the class with root id `rootId`;
 * `prefix` is `${rootId}\u0001`.
 * ```ts
 * oneColumnKey(7, 3, '3\u0001')       // 7171
 * oneColumnKey('7', 3, '3\u0001')     // 7171: the same row
 * oneColumnKey('ab', 3, '3\u0001')    // '3\u0001ab'
 * ```
 */
export function oneColumnKey(v: unknown, rootId: number, prefix: string): IdentityKey {
  if (typeof v === 'number' && v >= 0 && v < LIMIT && Number.isInteger(v) && rootId < SPAN) return v * SPAN + rootId
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v)
  if (rootId >= SPAN) return prefix + text
  const n = wholeNumber(text)
  return n < 0 ? prefix + text : n * SPAN + rootId
}

/** `text` as a whole number when it is one written canonically (no sign, no leading zero) below LIMIT; else -1. */
function wholeNumber(text: string): number {
  const n = text.length
  if (n === 0 || n > 13 || (n > 1 && text.charCodeAt(0) === 48)) return -1
  let v = 0
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v < LIMIT ? v : -1
}
