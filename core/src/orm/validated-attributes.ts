import { ValidationError } from '../util/errors.js'
import type { Column } from '../sql/column.js'

/*
 * Column values live on mapped objects as plain properties, with no write hook. A column with a
 * `validate` option gets an accessor instead, on each object of its class only (own and
 * enumerable, so JSON.stringify and spreads still see it), backed by a per-object record. The ORM's
 * own writes — values read from the database, generated keys, defaults, restores on rollback —
 * are not the application's and skip the check: they run inside `trusted()`. They are synchronous,
 * so a counter is enough; no application code runs while it is raised.
 */

const STORE: unique symbol = Symbol('athanor.validated')
let trustedDepth = 0

/**
 * Runs the ORM's own writes to attributes without their validators: `fn(...args)`. Per-object
 * callers pass a module-level `fn` and its arguments rather than a closure over their locals, which
 * V8 would give a context allocated on every call of the caller, validated class or not.
 */
export function trusted<A extends readonly unknown[], T>(fn: (...args: A) => T, ...args: A): T {
  trustedDepth++
  try {
    return fn(...args)
  } finally {
    trustedDepth--
  }
}

/** One validated attribute of a class: its accessor pair, made once per class. */
export interface ValidatedAttribute {
  readonly key: string
  readonly descriptor: PropertyDescriptor
}

/** The accessors for `columns` of `className` that have a validator. */
export function validatedAttributes(className: string, columns: readonly Column<unknown>[]): ValidatedAttribute[] {
  return columns.flatMap((c) => {
    const validate = c.validate
    if (validate === undefined) return []
    const key = c.key_
    const descriptor: PropertyDescriptor = {
      enumerable: true,
      get(this: { [STORE]: Record<string, unknown> }) {
        return this[STORE][key]
      },
      set(this: { [STORE]: Record<string, unknown> }, value: unknown) {
        if (trustedDepth > 0 || value === undefined || value === null) {
          this[STORE][key] = value
          return
        }
        let checked: unknown
        try {
          checked = validate(value, this)
        } catch (e) {
          throw new ValidationError(className, key, e)
        }
        this[STORE][key] = checked
      },
    }
    return [{ key, descriptor }]
  })
}

/** Gives a new object of a class with validated attributes their accessors. */
export function installValidated(obj: object, attributes: readonly ValidatedAttribute[]): void {
  Object.defineProperty(obj, STORE, { value: {}, enumerable: false })
  for (const a of attributes) Object.defineProperty(obj, a.key, a.descriptor)
}
