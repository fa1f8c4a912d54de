import { Deferred } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'

/**
 * The SQL side of a hybrid property (SQLAlchemy's `hybrid_property`): an expression over the
 * class's columns for use in queries, built on first use (so it may name the class it is declared
 * in). The object side is a plain TypeScript getter of the same name.
 * ```ts
 * class User extends Base.model('users', { … }) {
 *   get fullName(): string { return `${this.first} ${this.last}` }
 *   static fullName = hybridProperty(() => User.c.first.concat(' ').concat(User.c.last))
 * }
 * select(User).where(User.fullName.eq('Ann Lee'))
 * ```
 */
export function hybridProperty<T>(expression: () => Expression<T>): Expression<T> {
  return new Deferred(expression)
}
