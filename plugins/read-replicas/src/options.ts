/** The statement option that pins a read to the primary. */
class UsePrimary {
  readonly __loads?: undefined
  toString(): string {
    return 'usePrimary()'
  }
}

const USE_PRIMARY = new UsePrimary()

/**
 * Sends this select to the primary even outside a transaction (read-your-writes after another
 * process wrote, or a read that must not lag).
 * ```ts
 * await session.scalars(select(Order).where(Order.c.id.eq(id)).options(usePrimary()))
 * ```
 */
export function usePrimary(): { readonly __loads?: undefined } {
  return USE_PRIMARY
}

export function isUsePrimary(option: unknown): boolean {
  return option instanceof UsePrimary
}
