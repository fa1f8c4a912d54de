/**
 * A plain mutable counter. Contenders bump it from a driver hook or a library logger; the runner
 * zeroes it before an iteration and reads it after. A class (not a closure) so the hot path is a
 * property increment with no allocation.
 */
export class StatementCounter {
  value = 0;

  /** Record `n` statements sent to the database. */
  add(n = 1): void {
    this.value += n;
  }

  reset(): void {
    this.value = 0;
  }
}
