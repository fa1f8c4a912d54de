import { ValueError } from '../util/errors.js'
import { SqlType } from './sql-type.js'
import { describeValue } from './validators.js'

/** How a decorated type turns its values into the underlying type's and back. */
export interface TypeDecoratorOptions<T, D> {
  /** The type's name in messages and in the compiled-statement cache ('Money'). */
  readonly name: string
  /**
   * Your value → the value the underlying type stores. Throw to refuse a value: the error says
   * which column or parameter it was meant for.
   */
  readonly toDriver: (value: T) => D
  /** The underlying type's value → yours. */
  readonly fromDriver: (value: D) => T
}

let nextId = 0

/**
 * A column type made from another with conversions of its own (SQLAlchemy's TypeDecorator): the
 * database sees the underlying type (its DDL, its driver conversions, its validation), your code
 * sees `T`. The conversions apply wherever a value is bound — inserts, updates, where clauses —
 * and to every result; null is never converted. Create one per type, at module level.
 * ```ts
 * const Cents = typeDecorator(Integer, { name: 'Cents', toDriver: (m: Money) => m.cents, fromDriver: (c) => new Money(c) })
 * ```
 */
export class DecoratedType<T, D = unknown> extends SqlType<T> {
  readonly impl: SqlType<D>
  readonly name: string
  readonly toDriver: (value: T) => D
  readonly fromDriver: (value: D) => T
  readonly #cacheKey: string

  constructor(impl: SqlType<D>, options: TypeDecoratorOptions<T, D>) {
    super(impl.kind, impl.options)
    this.impl = impl
    this.name = options.name
    this.toDriver = options.toDriver
    this.fromDriver = options.fromDriver
    // Two decorators of one type convert differently: each compiles (and caches) on its own.
    this.#cacheKey = `${options.name}#${++nextId}<${impl.cacheKey}>`
  }

  override get cacheKey(): string {
    return this.#cacheKey
  }

  override get description(): string {
    return `${this.name}(${this.impl.description})`
  }

  /** Converts with `toDriver`, then checks the result as the underlying type does. */
  override validate(value: unknown, where: string): unknown {
    if (value === null || value === undefined) return null
    let stored: D
    try {
      stored = this.toDriver(value as T)
    } catch (e) {
      throw new ValueError(`${where} (${this.name}) cannot take ${describeValue(value)}: ${e instanceof Error ? e.message : String(e)}`)
    }
    return this.impl.validate(stored, `${where} (${this.name})`)
  }

  /** The result conversion after the underlying type's own (`inner`, from the dialect). */
  resultProcessor(inner: ((value: unknown) => unknown) | undefined): (value: unknown) => unknown {
    const from = this.fromDriver as (value: unknown) => unknown
    return inner === undefined ? (v) => (v === null || v === undefined ? v : from(v)) : (v) => (v === null || v === undefined ? v : from(inner(v)))
  }
}

/**
 * Defines a column type from an existing one, with conversions to and from your own type.
 * ```ts
 * class Money { constructor(readonly amount: string) {} }
 * const MoneyType = typeDecorator(Numeric(12, 2), {
 *   name: 'Money', toDriver: (m: Money) => m.amount, fromDriver: (s) => new Money(s),
 * })
 * price: mappedColumn(MoneyType)      // product.price is a Money
 * ```
 */
export function typeDecorator<D, T>(impl: SqlType<D>, options: TypeDecoratorOptions<T, D>): DecoratedType<T, D> {
  return new DecoratedType(impl, options)
}
