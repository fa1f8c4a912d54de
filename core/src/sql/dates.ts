import { Float, Integer } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { Expression, expectExpression } from './elements.js'
import type { KeyBuilder, Keyed } from './key.js'

/**
 * Parts of a date or time `extract()` reads, the same on every database: `week` is the ISO week
 * (1–53, weeks start on Monday), `dow` the day of the week (0 = Sunday … 6 = Saturday), `doy` the
 * day of the year (1–366), `second` whole seconds, `epoch` seconds since 1970-01-01 UTC.
 */
export type DateField = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'dow' | 'doy' | 'hour' | 'minute' | 'second' | 'epoch'
const FIELDS: readonly DateField[] = ['year', 'quarter', 'month', 'week', 'day', 'dow', 'doy', 'hour', 'minute', 'second', 'epoch']

/** Units `dateTrunc()` cuts to (`week`: back to its Monday). */
export type DateUnit = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute'
const UNITS: readonly DateUnit[] = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute']

/** `EXTRACT(field FROM expr)`, rendered by each dialect in its own terms. */
export class DatePart extends Expression<number> {
  readonly kind = 'extract'
  readonly field: DateField
  readonly operand: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(field: DateField, operand: Expression<unknown>) {
    super()
    this.field = field
    this.operand = operand
    this.type = field === 'epoch' ? Float : Integer
  }
  key(k: KeyBuilder): void {
    k.s += `ext:${this.field}(`
    this.operand.key(k)
    k.s += ')'
  }
  mapChildren(visit: (node: Keyed) => Keyed): DatePart {
    const o = visit(this.operand) as Expression<unknown>
    return o === this.operand ? this : new DatePart(this.field, o)
  }
}

/** A date or timestamp cut to the start of its unit, with the operand's type. */
export class DateTrunc<T = unknown> extends Expression<T> {
  readonly kind = 'date-trunc'
  readonly unit: DateUnit
  readonly operand: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(unit: DateUnit, operand: Expression<unknown>) {
    super()
    this.unit = unit
    this.operand = operand
    this.type = operand.type
  }
  key(k: KeyBuilder): void {
    k.s += `trunc:${this.unit}(`
    this.operand.key(k)
    k.s += ')'
  }
  mapChildren(visit: (node: Keyed) => Keyed): DateTrunc<T> {
    const o = visit(this.operand) as Expression<unknown>
    return o === this.operand ? this : new DateTrunc<T>(this.unit, o)
  }
}

/**
 * A part of a date or timestamp, as a number, on every database (see DateField).
 * ```ts
 * select(extract('year', orders.c.placedAt).label('year'), func.sum(orders.c.total)).groupBy(extract('year', orders.c.placedAt))
 * ```
 */
export function extract(field: DateField, expr: Expression<Date | string | null>): Expression<number> {
  if (!FIELDS.includes(field)) throw new ArgumentError(`extract() reads ${FIELDS.join(', ')}, not ${describeValue(field)}.`)
  return new DatePart(field, expectExpression(expr, 'extract()'))
}

/**
 * A date or timestamp cut to the start of its year, quarter, month, ISO week, day, hour or minute.
 * ```ts
 * select(dateTrunc('month', orders.c.placedAt).label('month'), func.count()).groupBy(dateTrunc('month', orders.c.placedAt))
 * ```
 */
export function dateTrunc<T extends Date | string | null>(unit: DateUnit, expr: Expression<T>): Expression<T> {
  if (!UNITS.includes(unit)) throw new ArgumentError(`dateTrunc() cuts to ${UNITS.join(', ')}, not ${describeValue(unit)}.`)
  return new DateTrunc<T>(unit, expectExpression(expr, 'dateTrunc()'))
}
