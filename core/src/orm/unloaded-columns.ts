import { InvalidRequestError } from '../util/errors.js'
import type { Mapper } from './mapper.js'

/** What an unloaded column holds in a committed snapshot and in `values()`: not a value. */
export const UNLOADED: unique symbol = Symbol('athanor.unloaded')

/** A column attribute was read before it was loaded (deferred, or left out by `loadOnly`). */
export class UnloadedColumnError extends InvalidRequestError {
  constructor(className: string, attribute: string) {
    const variable = className.charAt(0).toLowerCase() + className.slice(1)
    super(
      `${className}.${attribute} is not loaded: the query that loaded this ${className} deferred it (defer(), loadOnly() or deferred: true), ` +
        `and reading it would need a query (Athanor does no hidden I/O). Load it where you need it with await ${variable}.$.${attribute} ` +
        `(or await session.loadColumns(objects, '${attribute}') for many), or with the query: .options(undefer(${className}.c.${attribute})).`,
      'unloaded-column',
    )
  }
}

/** Internal reads (dirty checks, snapshots) see UNLOADED instead of the error. */
let peekDepth = 0

/** Runs `fn` with unloaded columns reading as {@link UNLOADED}. */
export function peeking<T>(fn: () => T): T {
  peekDepth++
  try {
    return fn()
  } finally {
    peekDepth--
  }
}

/** One accessor pair per mapper and column, shared by every object: no closure per object. */
const accessors = new WeakMap<Mapper, PropertyDescriptor[]>()

function accessorFor(m: Mapper, i: number): PropertyDescriptor {
  let list = accessors.get(m)
  if (list === undefined) accessors.set(m, (list = []))
  const key = m.columnKeys[i]!
  return (list[i] ??= {
    configurable: true,
    // Not enumerable: JSON.stringify and spreads leave an unloaded column out instead of throwing.
    enumerable: false,
    get(): unknown {
      if (peekDepth > 0) return UNLOADED
      throw new UnloadedColumnError(m.className, key)
    },
    // Assigning loads it, as it were: the value is the application's (and is written at the next flush).
    set(this: Record<string, unknown>, value: unknown): void {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true })
    },
  })
}

/** Makes column `i` of `obj` unloaded: reading it throws until it is loaded or assigned. */
export function markUnloaded(m: Mapper, obj: object, i: number): void {
  Object.defineProperty(obj, m.columnKeys[i]!, accessorFor(m, i))
}

/** Sets a column that may be unloaded now: a plain data property again. */
export function setLoadedColumn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
}
