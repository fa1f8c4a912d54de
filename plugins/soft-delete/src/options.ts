import type { PropagatingOption } from '@athanor/core'

/** The statement option that includes soft-deleted rows; it also reaches relationship loads. */
class WithDeleted implements PropagatingOption {
  readonly propagateToLoaders = true as const
  readonly __loads?: undefined
  toString(): string {
    return 'withDeleted()'
  }
}

const WITH_DELETED = new WithDeleted()

/**
 * Includes soft-deleted rows in this select and in the relationship loads it triggers.
 * ```ts
 * const all = await session.scalars(select(Book).options(withDeleted()))
 * ```
 */
export function withDeleted(): PropagatingOption {
  return WITH_DELETED
}

export function isWithDeleted(option: unknown): boolean {
  return option instanceof WithDeleted
}
