/*
 * Functions compiled once per mapped class that store its columns with literal property names.
 * A loop of keyed stores (`o[k] = v` over the column keys) sees every class's keys at one site,
 * so V8 handles it generically for each value; a literal store per column is a direct write to
 * the object's slot (as SQLAlchemy compiles its row processors once per result shape). Where code
 * cannot be generated (a content security policy) or a key could not be written literally, each
 * falls back to the loop.
 */

/** Whether every key can be written as a literal store: `__proto__` would set the prototype instead. */
function literal(keys: readonly string[]): boolean {
  return !keys.includes('__proto__')
}

/** `new Function(...)`, or undefined where generated code is refused. */
function compiled<F>(params: readonly string[], body: string): F | undefined {
  try {
    return new Function(...params, body) as F
  } catch {
    return undefined
  }
}

/**
 * A function that makes an object of `proto` with `keys` set from a row, from `start`: one
 * constructor assigning every column in order gives all objects one shape with the values stored
 * in the object itself, where `Object.create` and a loop spill them into a separate backing store.
 */
export function rowBuilder(keys: readonly string[], proto: object): (row: readonly unknown[], start: number) => object {
  const Ctor = literal(keys) ? compiled<new (row: readonly unknown[], start: number) => object>(['row', 'start'], keys.map((k, i) => `this[${JSON.stringify(k)}] = row[start + ${i}];`).join('\n')) : undefined
  if (Ctor === undefined) {
    return (row, start) => {
      const o = Object.create(proto) as Record<string, unknown>
      for (let i = 0; i < keys.length; i++) o[keys[i]!] = row[start + i]
      return o
    }
  }
  Ctor.prototype = proto
  return (row, start) => new Ctor(row, start)
}

/** A function that sets every one of `keys` on a new object to undefined, in order (its shape: all columns, in column order). */
export function columnsCleared(keys: readonly string[]): (o: object) => void {
  const fn = literal(keys) ? compiled<(o: object) => void>(['o'], keys.map((k) => `o[${JSON.stringify(k)}] = undefined;`).join('\n')) : undefined
  return fn ?? ((o) => {
    for (let i = 0; i < keys.length; i++) (o as Record<string, unknown>)[keys[i]!] = undefined
  })
}

/** A function that stores `v` as column `k` of `o` and says true, or says false when `k` is none of `keys`. */
export function columnSetter(keys: readonly string[]): (o: object, k: string, v: unknown) => boolean {
  const fn = literal(keys)
    ? compiled<(o: object, k: string, v: unknown) => boolean>(['o', 'k', 'v'], `switch (k) {\n${keys.map((k) => `case ${JSON.stringify(k)}: o[${JSON.stringify(k)}] = v; return true;`).join('\n')}\n}\nreturn false;`)
    : undefined
  if (fn !== undefined) return fn
  const known = new Set(keys)
  return (o, k, v) => {
    if (!known.has(k)) return false
    ;(o as Record<string, unknown>)[k] = v
    return true
  }
}
