import type { Column } from '../sql/column.js'
import { DecoratedType } from '../types/type-decorator.js'

/*
 * Values that can change in place — a JSON document (`obj.tags.push('x')`), bytes — would change
 * the committed snapshot too if both held the same object, and the change would never be flushed.
 * Snapshots therefore hold copies of them (SQLAlchemy instead wraps such values in
 * MutableDict/MutableList, which only notices changes made through the wrapper). The copy costs a
 * structuredClone per JSON value and row read, paid only by mappers with such columns.
 *
 * Dates are the exception, by rule: a DateTime column is written when a new Date is assigned, not
 * when the object's Date is changed in place (`d.setHours(…)`). Copying every Date a query reads
 * cost 10–12 % of a whole load of rows with one DateTime column (benchmarks/PROFILE.md), for a
 * mutation that code rarely makes; outside production the change is reported (checkDateMutations).
 * Values of a custom type (typeDecorator) are compared, not copied: give them immutable classes.
 */

/** Copies a value of a column kind that can change in place; other values are returned as they are. */
export type Copier = (value: unknown) => unknown

const copyBytes: Copier = (v) => (v instanceof Uint8Array ? Buffer.from(v) : v)
const copyJson: Copier = (v) => (typeof v === 'object' && v !== null ? structuredClone(v) : v)

/** The copier for a column, or undefined when its snapshot can keep the value itself. */
export function copierFor(column: Column<unknown>): Copier | undefined {
  // A decorated type reports its underlying kind, but its values are the decorator's own; and a
  // primary key cannot change, so its snapshot keeps the value itself (it names the row).
  if (column.type instanceof DecoratedType || column.primaryKey) return undefined
  switch (column.type.kind) {
    case 'json': case 'native': return copyJson
    case 'binary': return copyBytes
    default: return undefined
  }
}

/** Whether Date columns are watched for in-place changes (development only: it costs a WeakMap entry per Date read). */
export const WATCH_DATES = process.env['NODE_ENV'] !== 'production'

/** The time each Date held when it was read or written (development only). */
const dateTimes = new WeakMap<Date, number>()

/** Records the time of every Date in `values` at the given column indexes (development only). */
export function watchDates(values: readonly unknown[], indexes: readonly number[]): void {
  for (const i of indexes) {
    const v = values[i]
    if (v instanceof Date) dateTimes.set(v, v.getTime())
  }
}

/**
 * Reports a Date changed in place since it was read or written (once per change): the rule says
 * it is not saved (assign a new Date instead).
 */
export function checkDateMutations(className: string, columns: readonly Column<unknown>[], obj: Readonly<Record<string, unknown>>, committed: readonly unknown[], indexes: readonly number[]): void {
  for (const i of indexes) {
    const v = obj[columns[i]!.key_]
    if (!(v instanceof Date) || v !== committed[i]) continue
    const time = dateTimes.get(v)
    if (time === undefined || time === v.getTime()) continue
    dateTimes.set(v, v.getTime())
    const where = `${className}.${columns[i]!.key_}`
    process.emitWarning(
      `${where} was changed in place (a Date method such as setHours or setUTCFullYear), which Athanor does not save: ` +
        `a DateTime column is written when a new Date is assigned. Write ${where.split('.')[1]} = new Date(…) instead. ` +
        '(This check runs when NODE_ENV is not production.)',
      { type: 'AthanorDateMutationWarning', code: 'ATHANOR_DATE_MUTATION' },
    )
  }
}
