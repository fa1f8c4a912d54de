import { valuesEqual } from './values-equal.js'

/** Builds an object of a mapped class from a row's column values starting at `start`. */
export type RowBuilder = (row: readonly unknown[], start: number) => object

/** Whether an object's column values differ from `committed` (its columns from `at`). */
export type ColumnsDiffer = (obj: Readonly<Record<string, unknown>>, committed: readonly unknown[], at: number) => boolean

/**
 * A function that makes an object of `proto` with `keys` set from a row, compiled once per
 * mapper: one constructor assigning every column in order gives all objects one shape with the
 * values stored in the object itself, where `Object.create` and a loop of keyed stores spill
 * them into a separate backing store and go through a generic store per value (as SQLAlchemy
 * compiles its row processors once per result shape).
 */
export function rowBuilder(keys: readonly string[], proto: object): RowBuilder {
  const loop: RowBuilder = (row, start) => {
    const o = Object.create(proto) as Record<string, unknown>
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = row[start + i]
    return o
  }
  return generated(keys, loop, () => {
    const body = keys.map((k, i) => `this[${JSON.stringify(k)}] = row[start + ${i}];`).join('\n')
    const Ctor = new Function('row', 'start', body) as unknown as new (row: readonly unknown[], start: number) => object
    Ctor.prototype = proto
    return (row, start) => new Ctor(row, start)
  })
}

/**
 * The dirty check of one mapper's columns, compiled once per mapper: each column read by its
 * literal name. A loop over the key list reads `o[keys[i]]`, a load V8 cannot specialise (a new
 * name each step), which made a session's close (it diffs every object it holds) cost
 * ~4 ms per 11,000 loaded objects (benchmarks/PROFILE.md pass 31).
 */
export function columnsDiffer(keys: readonly string[]): ColumnsDiffer {
  const loop: ColumnsDiffer = (o, committed, at) => {
    for (let i = 0; i < keys.length; i++) {
      const v = o[keys[i]!]
      const c = committed[at + i]
      if (v !== c && !valuesEqual(v, c)) return true
    }
    return false
  }
  return generated(keys, loop, () => {
    const body = keys.map((k, i) => `v = o[${JSON.stringify(k)}]; c = committed[at + ${i}]; if (v !== c && !eq(v, c)) return true;`).join('\n')
    const make = new Function('eq', `return function columnsDiffer(o, committed, at) {\nlet v, c;\n${body}\nreturn false;\n}`) as (eq: typeof valuesEqual) => ColumnsDiffer
    return make(valuesEqual)
  })
}

/**
 * `make()`'s generated code, or `loop` where code cannot be generated (a content security policy
 * forbids it) or a key could not be written literally.
 */
function generated<T>(keys: readonly string[], loop: T, make: () => T): T {
  if (keys.some((k) => k === '__proto__')) return loop
  try {
    return make()
  } catch {
    return loop
  }
}
