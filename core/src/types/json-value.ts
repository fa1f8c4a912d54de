/**
 * Values a JSON column stores exactly. `JSON.stringify` changes what it cannot represent
 * without a word (a Map becomes `{}`, NaN `null`, an `undefined` property disappears, a Date
 * becomes a string), so bound JSON values are walked here and anything that would not come
 * back equal is refused, with the path to it.
 */

/** Why `value` would not survive a JSON round trip, with the path to the culprit; undefined when it would. */
export function jsonProblem(value: unknown): string | undefined {
  return walk(value, '$', new Set())
}

/**
 * `String.prototype.isWellFormed` (ES2024, Node ≥ 20): false exactly when a UTF-16 surrogate is
 * unpaired. Native, and ~10× cheaper than a `/\p{Cs}/u` test on long text, which the unit of
 * work runs on every string it binds.
 */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed

/** Why a string cannot be stored as text: NUL or a lone UTF-16 surrogate; undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'it contains the NUL character (\\u0000), which the databases cut or refuse; strip it, or store bytes in a LargeBinary column'
  if (!isWellFormed.call(s)) return 'it contains a lone UTF-16 surrogate (half of a character such as an emoji, e.g. from slicing a string), which the databases store as U+FFFD; fix the string (s.toWellFormed() replaces it knowingly)'
  return undefined
}

function walk(v: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof v) {
    case 'string': {
      const p = textProblem(v)
      return p === undefined ? undefined : `${path}: ${p}`
    }
    case 'number':
      return Number.isFinite(v) ? undefined : `${path} is ${String(v)}, which JSON writes as null; store a finite number or null`
    case 'boolean':
      return undefined
    case 'undefined':
      return `${path} is undefined, which JSON drops; use null, or leave the key out`
    case 'bigint':
      return `${path} is a bigint, which JSON cannot hold; store it as a string, or as a number if it is below 2^53`
    case 'function': case 'symbol':
      return `${path} is a ${typeof v}, which JSON drops`
  }
  if (v === null) return undefined
  const obj = v as object
  if (seen.has(obj)) return `${path} refers back to an enclosing value (a cycle), which JSON cannot hold`
  if (Array.isArray(obj)) {
    seen.add(obj)
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) return `${path}[${i}] is a hole in the array, which JSON writes as null; fill it`
      const p = walk(obj[i], `${path}[${i}]`, seen)
      if (p !== undefined) return p
    }
    seen.delete(obj)
    return undefined
  }
  const proto = Object.getPrototypeOf(obj) as object | null
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'object'
    const hint = obj instanceof Date ? '; store d.toISOString() (or use a DateTime column)' : obj instanceof Map ? '; store Object.fromEntries(map)' : '; convert it to a plain object first'
    return `${path} is a ${name}, which JSON does not keep as it is${hint}`
  }
  seen.add(obj)
  for (const key of Object.keys(obj)) {
    const keyProblem = textProblem(key)
    if (keyProblem !== undefined) return `${path} has a key where ${keyProblem}`
    const p = walk((obj as Record<string, unknown>)[key], `${path}.${key}`, seen)
    if (p !== undefined) return p
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) return `${path} has symbol keys, which JSON drops`
  seen.delete(obj)
  return undefined
}
