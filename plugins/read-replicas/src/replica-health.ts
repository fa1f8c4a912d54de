import type { Engine } from '@athanor/core'

/** How replicas are taken in turn: in order, or at random. */
export type Balance = 'round-robin' | 'random'

/**
 * The replicas and which of them may be chosen now. A replica that could not be connected to is
 * left out for `retryAfterMs`; after that the next read tries it again, and it is back if it
 * answers. With every replica out, reads go to the primary.
 *
 * ```ts
 * const set = new ReplicaSet([a, b], 'round-robin', 5000, () => Date.now())
 * set.markDown(a)
 * set.choose()   // b, until 5 s have passed
 * ```
 */
export class ReplicaSet {
  readonly #replicas: readonly Engine[]
  readonly #balance: Balance | ((replicas: readonly Engine[]) => Engine)
  readonly #retryAfterMs: number
  readonly #now: () => number
  readonly #downUntil = new Map<Engine, number>()
  #next = 0

  constructor(replicas: readonly Engine[], balance: Balance | ((replicas: readonly Engine[]) => Engine), retryAfterMs: number, now: () => number) {
    this.#replicas = replicas
    this.#balance = balance
    this.#retryAfterMs = retryAfterMs
    this.#now = now
  }

  includes(engine: Engine): boolean {
    return this.#replicas.includes(engine)
  }

  get all(): readonly Engine[] {
    return this.#replicas
  }

  /** A replica that may take a read now, or undefined when none may. */
  choose(): Engine | undefined {
    const up = this.#downUntil.size === 0 ? this.#replicas : this.#replicas.filter((r) => this.#isUp(r))
    if (up.length === 0) return undefined
    if (typeof this.#balance === 'function') return this.#balance(up)
    if (this.#balance === 'random') return up[Math.floor(Math.random() * up.length)]
    return up[this.#next++ % up.length]
  }

  markDown(engine: Engine): void {
    if (this.includes(engine)) this.#downUntil.set(engine, this.#now() + this.#retryAfterMs)
  }

  /** The replicas left out now. */
  get down(): readonly Engine[] {
    return this.#replicas.filter((r) => !this.#isUp(r))
  }

  #isUp(engine: Engine): boolean {
    const until = this.#downUntil.get(engine)
    if (until === undefined) return true
    if (this.#now() < until) return false
    this.#downUntil.delete(engine)
    return true
  }
}
