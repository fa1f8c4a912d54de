import { ArgumentError } from '../util/errors.js'

/**
 * Names that generic code probes on any object (await, JSON, test runners, inspectors, React
 * dev tools). Reading them must answer `undefined` rather than throw.
 */
const PROBED = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', 'nodeType', '$$typeof', 'inspect', '@@__IMMUTABLE_ITERABLE__@@', '_isMockFunction'])

/**
 * The `.c` of a table, alias or subquery: its columns by key, frozen, where reading a key that
 * is not a column raises an ArgumentError listing the columns, as SQLAlchemy's `c.nam` raises
 * AttributeError (instead of an `undefined` that fails later as "cannot read 'eq'").
 * `key in c` and `Object.hasOwn(c, key)` stay the way to test for a column.
 */
export function columnNamespace<C extends object>(owner: string, columns: C): C {
  return new Proxy(Object.freeze(columns), {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || PROBED.has(key)) return Reflect.get(target, key, receiver)
      const names = Object.keys(target)
      throw new ArgumentError(`${owner} has no column '${key}'; its columns are ${names.length === 0 ? 'none' : names.join(', ')}.`)
    },
  })
}
