import { ArgumentError } from '../util/errors.js'
import type { Expression } from '../sql/elements.js'
import type { Mapper } from './mapper.js'

/**
 * A read-only attribute whose value is a SQL expression over the object's row (SQLAlchemy's
 * `column_property`), loaded with the object: after a query builds objects of the class, one
 * `SELECT key, expression … WHERE key IN (…)` per batch reads it for those that need it (new to
 * the session, or refreshed). Declare it as a static beside a `declare readonly` field.
 * ```ts
 * class Author extends Base.model('authors', { … }) {
 *   declare readonly postCount: number
 *   static postCount = columnProperty(() => select(func.count()).from(Post).where(Post.c.author_id.eq(Author.c.id)).scalarSubquery())
 * }
 * ```
 */
export class ColumnProperty<T = unknown> {
  readonly #build: () => Expression<T>
  #expression: Expression<T> | undefined
  #owner: Mapper | undefined
  #key: string | undefined
  constructor(build: () => Expression<T>) {
    if (typeof build !== 'function') throw new ArgumentError('columnProperty() takes a function that returns the expression, e.g. columnProperty(() => User.c.first.concat(User.c.last)).')
    this.#build = build
  }

  /** @internal set when the owning class is configured. */
  bind(owner: Mapper, key: string): void {
    if (this.#owner !== undefined && this.#owner !== owner) throw new ArgumentError(`The columnProperty ${this.#owner.className}.${this.#key} is also assigned to ${owner.className}.${key}; create one per attribute.`)
    this.#owner = owner
    this.#key = key
  }

  get key(): string {
    return this.#key ?? '?'
  }

  /** The expression (built on first use, so that it may name its own class). */
  get expression(): Expression<T> {
    return (this.#expression ??= this.#build())
  }
}

/** Declares a {@link ColumnProperty}. */
export function columnProperty<T>(build: () => Expression<T>): ColumnProperty<T> {
  return new ColumnProperty(build)
}
