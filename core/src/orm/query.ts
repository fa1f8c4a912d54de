import { ArgumentError } from '../util/errors.js'
import type { Expression, OrderBy } from '../sql/elements.js'
import { select } from '../sql/select.js'
import type { ClauseProvider, Select } from '../sql/select.js'
import type { Executable } from '../engine/connection.js'
import type { Column } from '../sql/column.js'

/** What Query needs of a session. */
interface QuerySession {
  scalars(stmt: Executable): Promise<{ all(): unknown[]; first(): unknown; one(): unknown; oneOrNone(): unknown }>
}

/**
 * SQLAlchemy's legacy `Query`, kept thin: every method builds a `select()`.
 * ```ts
 * const alice = await session.query(Account).filterBy({ name: 'Alice' }).first()
 * ```
 */
export class Query<T> {
  readonly #session: QuerySession
  readonly #entity: ClauseProvider
  readonly #stmt: Select
  constructor(session: QuerySession, entity: ClauseProvider, stmt?: Select) {
    this.#session = session
    this.#entity = entity
    this.#stmt = stmt ?? (select(entity) as unknown as Select)
  }
  /** Equality filters by attribute name. */
  filterBy(values: Partial<Record<keyof T & string, unknown>>): Query<T> {
    const c = (this.#entity as unknown as { c: Record<string, Column<unknown>> }).c
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new ArgumentError(`filterBy() takes an object of column values, e.g. filterBy({ name: 'Alice' }), not ${values === null ? 'null' : Array.isArray(values) ? 'an array' : `a ${typeof values}`}.`)
    }
    const conds = Object.entries(values).map(([k, v]) => {
      // Own keys only: 'constructor' or 'toString' must not find Object.prototype's.
      const col = Object.hasOwn(c, k) ? c[k] : undefined
      if (!col) throw new ArgumentError(`filterBy(): no column '${k}'; the columns are ${Object.keys(c).join(', ')}.`)
      return col.eq(v as never)
    })
    return new Query(this.#session, this.#entity, this.#stmt.where(...conds))
  }
  filter(...conditions: Expression<boolean | null>[]): Query<T> {
    return new Query(this.#session, this.#entity, this.#stmt.where(...conditions))
  }
  orderBy(...items: (OrderBy | Expression<unknown>)[]): Query<T> {
    return new Query(this.#session, this.#entity, this.#stmt.orderBy(...items))
  }
  limit(n: number): Query<T> {
    return new Query(this.#session, this.#entity, this.#stmt.limit(n))
  }
  async all(): Promise<T[]> {
    return (await this.#session.scalars(this.#stmt as unknown as Executable)).all() as T[]
  }
  async first(): Promise<T | undefined> {
    return (await this.#session.scalars(this.#stmt.limit(1) as unknown as Executable)).first() as T | undefined
  }
  async one(): Promise<T> {
    return (await this.#session.scalars(this.#stmt as unknown as Executable)).one() as T
  }
  /** The single object, or undefined when there is none; more than one is an error. */
  async oneOrNone(): Promise<T | undefined> {
    return (await this.#session.scalars(this.#stmt as unknown as Executable)).oneOrNone() as T | undefined
  }
}
