import type { EventBus } from '../util/events.js'
import type { EngineEvents } from './engine-core.js'

/** One statement a {@link StatementCounter} saw. */
export interface CountedStatement {
  readonly sql: string
  /** True when the compiled SQL came from the compiler's cache. */
  readonly cached: boolean
  readonly rowCount: number
}

/**
 * Counts the statements an engine runs while it is open: the N+1 problem made visible in tests
 * and in development logs.
 * ```ts
 * using counter = countStatements(engine)
 * await session.scalars(select(Author).options(selectinload(Author.books)))
 * expect(counter.count).to.equal(2)
 * ```
 */
export class StatementCounter implements Disposable {
  readonly statements: CountedStatement[] = []
  readonly #stop: () => void
  constructor(events: EventBus<EngineEvents>) {
    this.#stop = events.on('afterExecute', (e) => {
      this.statements.push({ sql: e.sql, cached: e.cached, rowCount: e.rowCount })
    })
  }
  /** How many statements ran since the counter started (or was reset). */
  get count(): number {
    return this.statements.length
  }
  /** How many times each distinct SQL text ran, most frequent first. */
  get shapes(): [sql: string, times: number][] {
    const times = new Map<string, number>()
    for (const s of this.statements) times.set(s.sql, (times.get(s.sql) ?? 0) + 1)
    return [...times].sort((a, b) => b[1] - a[1])
  }
  reset(): void {
    this.statements.length = 0
  }
  /** Stops counting (also on `using` scope exit). */
  stop(): void {
    this.#stop()
  }
  [Symbol.dispose](): void {
    this.#stop()
  }
}

/** Starts counting the statements `engine` runs; see {@link StatementCounter}. */
export function countStatements(engine: { readonly events: EventBus<EngineEvents> }): StatementCounter {
  return new StatementCounter(engine.events)
}
