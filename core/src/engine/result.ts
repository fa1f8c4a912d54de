import { MultipleResultsError, NoResultError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'

/**
 * The rows of one statement. Rows are tuples typed from the select list; `mappings()` gives
 * objects keyed by column name or label, `scalars()` the first column.
 * ```ts
 * const result = await conn.execute(select(users.c.id, users.c.name))
 * for (const [id, name] of result) console.log(id, name)
 * ```
 */
export class Result<R extends readonly unknown[] = unknown[], M = Record<string, unknown>> implements Iterable<R> {
  #rows: readonly R[] | undefined
  /** A one-column result's values, when it was built from them: its rows are made only if asked for. */
  #column: readonly R[0][] | undefined
  readonly columnNames: readonly string[]
  /** Rows inserted, updated or deleted (for DML). */
  readonly rowsAffected: number
  /** The first generated id of an INSERT on dialects without RETURNING. */
  readonly insertId: number | bigint | undefined
  /** The step between the ids a multi-row INSERT generated, when the driver knows it (DriverResult.insertIdStep). */
  readonly insertIdStep: number | undefined
  constructor(rows: readonly R[], columnNames: readonly string[], rowsAffected: number, insertId?: number | bigint, insertIdStep?: number) {
    this.#rows = rows
    this.#column = undefined
    this.columnNames = columnNames
    this.rowsAffected = rowsAffected
    this.insertId = insertId
    this.insertIdStep = insertIdStep
  }
  /**
   * A result of one column from its values (`select(Entity)`, the ORM's commonest query): the
   * one-element row arrays are made only when `rows` is read, not for `scalars()`.
   */
  static ofColumn<T>(values: readonly T[], columnNames: readonly string[], rowsAffected: number): Result<[T]> {
    const r = new Result<[T]>(EMPTY_ROWS as readonly [T][], columnNames, rowsAffected)
    r.#rows = undefined
    r.#column = values
    return r
  }
  /** The rows, each a tuple of the select list's values. */
  get rows(): readonly R[] {
    return (this.#rows ??= this.#column!.map((v) => [v] as unknown as R))
  }
  [Symbol.iterator](): Iterator<R> {
    return this.rows[Symbol.iterator]()
  }
  all(): R[] {
    return [...this.rows]
  }
  first(): R | undefined {
    return this.rows[0]
  }
  /** Exactly one row, or NoResultError / MultipleResultsError. */
  one(): R {
    return exactlyOne(this.rows)
  }
  /** One row or undefined; more than one is an error. */
  oneOrNone(): R | undefined {
    return atMostOne(this.rows)
  }
  /** The first column of the first row (undefined when there are no rows). */
  scalar(): R[0] | undefined {
    return this.#column === undefined ? this.rows[0]?.[0] : this.#column[0]
  }
  /** The first column of every row. */
  scalars(): ScalarResult<R[0]> {
    return new ScalarResult(this.#column ?? this.rows.map((r) => r[0]))
  }
  /** Rows as objects keyed by column name or label (repeated names get `_1`, `_2` …). */
  mappings(): ScalarResult<M> {
    const keys = uniqueKeys(this.columnNames)
    const protoAt = keys.indexOf('__proto__')
    return new ScalarResult(
      this.rows.map((r) => {
        const o: Record<string, unknown> = {}
        for (let i = 0; i < keys.length; i++) {
          // An assignment to o['__proto__'] sets the prototype instead: define that one as data.
          if (i === protoAt) Object.defineProperty(o, '__proto__', { value: r[i], enumerable: true, writable: true, configurable: true })
          else o[keys[i]!] = r[i]
        }
        return o as M
      }),
    )
  }
}
const EMPTY_ROWS: readonly never[] = Object.freeze([])

// One per statement executed: its shape outlives them (util/kept-shapes.ts).
keepShape(new Result([], [], 0))

/** A list of single values (entities or one column) with the same accessors as Result. */
export class ScalarResult<T> implements Iterable<T> {
  readonly values: readonly T[]
  constructor(values: readonly T[]) {
    this.values = values
  }
  [Symbol.iterator](): Iterator<T> {
    return this.values[Symbol.iterator]()
  }
  all(): T[] {
    return [...this.values]
  }
  first(): T | undefined {
    return this.values[0]
  }
  one(): T {
    return exactlyOne(this.values)
  }
  oneOrNone(): T | undefined {
    return atMostOne(this.values)
  }
  get length(): number {
    return this.values.length
  }
  /** Values with duplicates removed (by identity), keeping the first occurrence. */
  unique(): ScalarResult<T> {
    return new ScalarResult([...new Set(this.values)])
  }
}

function exactlyOne<T>(rows: readonly T[]): T {
  if (rows.length === 0) throw new NoResultError()
  if (rows.length > 1) throw new MultipleResultsError()
  return rows[0]!
}

function atMostOne<T>(rows: readonly T[]): T | undefined {
  if (rows.length > 1) throw new MultipleResultsError()
  return rows[0]
}

function uniqueKeys(names: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return names.map((n) => {
    const count = seen.get(n) ?? 0
    seen.set(n, count + 1)
    return count === 0 ? n : `${n}_${count}`
  })
}
