import { AsyncLocalStorage } from 'node:async_hooks'

interface Scope {
  wrote: boolean
}

const scopes = new AsyncLocalStorage<Scope>()

/**
 * Runs `fn` as one read-your-writes scope (typically one request): once a session in it (or
 * `executeRouted()`) commits a write, every later read in the scope — in any session — goes to
 * the primary, so a replica that has not replayed the write yet cannot hide it.
 *
 * ```ts
 * app.use((req, res, next) => readYourWritesScope(async () => next()))
 * ```
 */
export function readYourWritesScope<T>(fn: () => Promise<T>): Promise<T> {
  return scopes.run({ wrote: false }, fn)
}

/**
 * Who has committed a write: the scope running now, and — with per-session tracking — each
 * session (held weakly, so a closed session is forgotten with it).
 */
export class WriteTracker {
  readonly #sessions = new WeakSet<object>()
  readonly #perSession: boolean

  constructor(perSession: boolean) {
    this.#perSession = perSession
  }

  committed(session: object | undefined): void {
    const scope = scopes.getStore()
    if (scope !== undefined) scope.wrote = true
    if (this.#perSession && session !== undefined) this.#sessions.add(session)
  }

  /** Whether a read by `session` (in the scope running now) must see the primary's writes. */
  mustReadPrimary(session: object | undefined): boolean {
    return scopes.getStore()?.wrote === true || (session !== undefined && this.#sessions.has(session))
  }
}
