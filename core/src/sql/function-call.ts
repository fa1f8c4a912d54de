import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { Expression, OrderBy, expectExpression } from './elements.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'

/** A function call: `count(*)`, `lower(x)`, or any name through `func.name(...)`. */
export class FunctionCall<T = unknown> extends Expression<T> {
  readonly kind = 'function'
  readonly name: string
  readonly args: readonly Expression<unknown>[]
  readonly type: SqlType<unknown>
  readonly distinct: boolean
  constructor(name: string, args: readonly Expression<unknown>[], type: SqlType<unknown>, distinct = false) {
    super()
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
      throw new ArgumentError(`'${name}' is not a valid SQL function name: use letters, digits, '_' and '.' only.`)
    }
    args.forEach((a, i) => expectExpression(a, `${name}() argument ${i + 1}`))
    this.name = name
    this.args = args
    this.type = type
    this.distinct = distinct
  }
  key(k: KeyBuilder): void {
    k.s += 'f' + this.name + (this.distinct ? 'D' : '')
    keyList(k, this.args)
  }
  /**
   * The function over a window: an aggregate per partition, or a window function (`rank()`).
   * ```ts
   * func.rank().over({ partitionBy: emp.c.dept, orderBy: emp.c.salary.desc() })
   * func.sum(sales.c.amount).over({ orderBy: sales.c.day, rows: [null, 0] })   // running total
   * ```
   */
  over(window: WindowSpec | NamedWindow = {}): Expression<T> {
    return new Over<T>(this, window instanceof NamedWindow ? window : windowDefinition(window, 'over()'))
  }
  /**
   * An aggregate of only the rows `condition` holds for: `FILTER (WHERE …)`, or
   * `agg(CASE WHEN … THEN x END)` where the database has no FILTER.
   * ```ts
   * func.count().filter(orders.c.status.eq('paid'))
   * ```
   */
  filter(condition: Expression<boolean | null>): AggregateFilter<T> {
    return new AggregateFilter<T>(this, expectExpression(condition, 'filter()'))
  }
}

/** An aggregate restricted to some rows: `count(*) FILTER (WHERE paid)`. */
export class AggregateFilter<T = unknown> extends Expression<T> {
  readonly kind = 'aggregate-filter'
  readonly fn: FunctionCall<T>
  readonly condition: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(fn: FunctionCall<T>, condition: Expression<unknown>) {
    super()
    if (fn.args.length > 1) throw new ArgumentError(`filter() applies to aggregates of one argument (count, sum, avg, min, max), not ${fn.name}() with ${fn.args.length}.`)
    this.fn = fn
    this.condition = condition
    this.type = fn.type
  }
  key(k: KeyBuilder): void {
    k.s += 'flt('
    this.fn.key(k)
    k.s += '|'
    this.condition.key(k)
    k.s += ')'
  }
  mapChildren(visit: (node: Keyed) => Keyed): AggregateFilter<T> {
    const fn = visit(this.fn) as FunctionCall<T>
    const condition = visit(this.condition) as Expression<unknown>
    return fn === this.fn && condition === this.condition ? this : new AggregateFilter(fn, condition)
  }
  /** The filtered aggregate over a window. */
  over(window: WindowSpec | NamedWindow = {}): Expression<T> {
    return new Over<T>(this, window instanceof NamedWindow ? window : windowDefinition(window, 'over()'))
  }
}

/**
 * A frame bound, as SQLAlchemy writes them: `null` is UNBOUNDED, `0` the CURRENT ROW, a negative
 * number that many rows (or range units) PRECEDING, a positive one FOLLOWING.
 */
export type FrameBound = number | null

/** A window: partitions, their order, and a frame. */
export interface WindowSpec {
  readonly partitionBy?: Expression<unknown> | readonly Expression<unknown>[]
  readonly orderBy?: OrderBy | Expression<unknown> | readonly (OrderBy | Expression<unknown>)[]
  /** `ROWS BETWEEN …`: `[null, 0]` is from the partition's start to this row. */
  readonly rows?: readonly [FrameBound, FrameBound]
  /** `RANGE BETWEEN …` (only `null` and `0` are portable). */
  readonly range?: readonly [FrameBound, FrameBound]
}

/** A window as the compiler renders it. */
export interface WindowDefinition {
  readonly partitionBy: readonly Expression<unknown>[]
  readonly orderBy: readonly OrderBy[]
  readonly frame: { readonly unit: 'ROWS' | 'RANGE'; readonly start: FrameBound; readonly end: FrameBound } | undefined
}

function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]
}

function windowDefinition(spec: WindowSpec, where: string): WindowDefinition {
  if (typeof spec !== 'object' || spec === null) throw new ArgumentError(`${where} takes a window ({ partitionBy, orderBy, rows }) or a named window, not ${describeValue(spec)}.`)
  if (spec.rows !== undefined && spec.range !== undefined) throw new ArgumentError(`${where}: give rows or range, not both.`)
  const frameSpec = spec.rows ?? spec.range
  let frame: WindowDefinition['frame']
  if (frameSpec !== undefined) {
    const [start, end] = frameSpec
    for (const b of [start, end]) {
      if (b !== null && !Number.isSafeInteger(b)) throw new ArgumentError(`${where}: a frame bound is null (unbounded), 0 (current row) or a whole number of rows, not ${describeValue(b)}.`)
    }
    if (start !== null && end !== null && start > end) throw new ArgumentError(`${where}: the frame [${start}, ${end}] ends before it starts.`)
    frame = { unit: spec.rows !== undefined ? 'ROWS' : 'RANGE', start, end }
  }
  return {
    partitionBy: list(spec.partitionBy).map((e, i) => expectExpression(e, `${where} partitionBy item ${i + 1}`)),
    orderBy: list(spec.orderBy).map((o, i) => (o instanceof OrderBy ? o : expectExpression(o, `${where} orderBy item ${i + 1}`).asc())),
    frame,
  }
}

export function keyWindow(k: KeyBuilder, w: WindowDefinition): void {
  k.s += 'win('
  keyList(k, w.partitionBy)
  keyList(k, w.orderBy)
  if (w.frame) k.s += `${w.frame.unit}${w.frame.start}:${w.frame.end}`
  k.s += ')'
}

/**
 * A window declared once in the statement (`WINDOW w AS (…)`) and used by name in `over(w)`;
 * the statement that uses it declares it.
 * ```ts
 * const w = namedWindow('w', { partitionBy: emp.c.dept, orderBy: emp.c.salary.desc() })
 * select(emp.c.name, func.rank().over(w), func.denseRank().over(w))
 * ```
 */
export class NamedWindow implements Keyed {
  readonly kind = 'named-window'
  readonly name: string
  readonly definition: WindowDefinition
  constructor(name: string, definition: WindowDefinition) {
    this.name = name
    this.definition = definition
  }
  key(k: KeyBuilder): void {
    k.s += 'W' + JSON.stringify(this.name)
    keyWindow(k, this.definition)
  }
}

/** Declares a named window; see NamedWindow. */
export function namedWindow(name: string, spec: WindowSpec): NamedWindow {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ArgumentError(`namedWindow() takes a name of letters, digits and '_', not ${describeValue(name)}.`)
  return new NamedWindow(name, windowDefinition(spec, `namedWindow('${name}')`))
}

/** `fn OVER (…)` or `fn OVER name`. */
export class Over<T = unknown> extends Expression<T> {
  readonly kind = 'over'
  readonly fn: FunctionCall<T> | AggregateFilter<T>
  readonly window: WindowDefinition | NamedWindow
  readonly type: SqlType<unknown>
  constructor(fn: FunctionCall<T> | AggregateFilter<T>, window: WindowDefinition | NamedWindow) {
    super()
    this.fn = fn
    this.window = window
    this.type = fn.type
  }
  key(k: KeyBuilder): void {
    k.s += 'over('
    this.fn.key(k)
    if (this.window instanceof NamedWindow) this.window.key(k)
    else keyWindow(k, this.window)
    k.s += ')'
  }
  mapChildren(visit: (node: Keyed) => Keyed): Over<T> {
    const fn = visit(this.fn) as FunctionCall<T> | AggregateFilter<T>
    if (this.window instanceof NamedWindow) return fn === this.fn ? this : new Over(fn, this.window)
    const w = this.window
    const partitionBy = w.partitionBy.map((e) => visit(e) as Expression<unknown>)
    const orderBy = w.orderBy.map((o) => visit(o) as OrderBy)
    const same = fn === this.fn && partitionBy.every((e, i) => e === w.partitionBy[i]) && orderBy.every((o, i) => o === w.orderBy[i])
    return same ? this : new Over(fn, { partitionBy, orderBy, frame: w.frame })
  }
}

/** Window-only functions: SQL refuses them without OVER, so Athanor does before the server. */
export const WINDOW_FUNCTIONS: ReadonlySet<string> = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
])
