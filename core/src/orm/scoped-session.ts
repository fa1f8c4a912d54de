import { AsyncLocalStorage } from 'node:async_hooks'
import { InvalidRequestError } from '../util/errors.js'
import type { AsyncSession } from './session.js'

/** Options for {@link ScopedSession.withSession}. */
export interface WithSessionOptions {
  /** Commit when the function returns (it still rolls back when it throws). Default false: commit yourself. */
  readonly commit?: boolean | undefined
}

/**
 * One session per request, found from anywhere in the request's code: SQLAlchemy's
 * `async_scoped_session`, scoped by `AsyncLocalStorage` (the async context) instead of the task.
 * Each scope gets a session of its own; code awaited inside it — however deep — reaches that
 * session through `scoped.session`, and concurrent requests never see each other's.
 * ```ts
 * const db = scopedSession(sessionmaker(engine))
 * http.createServer((req, res) => db.withSession(async () => {
 *   res.end(JSON.stringify(await loadUser(Number(req.url!.slice(1)))))
 * }))
 * async function loadUser(id: number) {
 *   return db.session.get(User, id)        // this request's session
 * }
 * ```
 */
export class ScopedSession {
  readonly #factory: () => AsyncSession
  readonly #storage = new AsyncLocalStorage<AsyncSession>()

  constructor(factory: () => AsyncSession) {
    this.#factory = factory
  }

  /**
   * The session of the current scope. Outside one it throws, naming the fix (there is no
   * process-wide fallback session: sharing one between requests is the bug this prevents).
   */
  get session(): AsyncSession {
    const s = this.#storage.getStore()
    if (s === undefined) {
      throw new InvalidRequestError(
        'No session in this async context: scoped.session is only available inside scoped.withSession(fn) or scoped.runWith(session, fn) ' +
          '(a request middleware usually calls one of them). Wrap the code that needs it, or pass a session explicitly.',
        'no-scoped-session',
      )
    }
    return s
  }

  /** Whether the current code runs inside a scope. */
  get active(): boolean {
    return this.#storage.getStore() !== undefined
  }

  /**
   * Runs `fn` in a new scope with a new session, and closes the session when `fn` settles
   * (rolling back whatever was not committed). With `{ commit: true }` it commits first if
   * `fn` returned. A scope inside a scope gets its own session; the outer one comes back after.
   * ```ts
   * await db.withSession(async (session) => { session.add(user); await session.commit() })
   * ```
   */
  async withSession<T>(fn: (session: AsyncSession) => Promise<T> | T, options: WithSessionOptions = {}): Promise<T> {
    const session = this.#factory()
    try {
      const result = await this.#storage.run(session, () => fn(session))
      if (options.commit === true) await session.commit()
      return result
    } finally {
      await session.close()
    }
  }

  /**
   * Runs `fn` with `session` as the scope's session, without closing it: for frameworks whose
   * middleware returns before the request ends (Express), which close the session themselves
   * when the response is done.
   * ```ts
   * app.use((req, res, next) => {
   *   const session = Session()
   *   res.on('close', () => void session.close())
   *   db.runWith(session, next)
   * })
   * ```
   */
  runWith<T>(session: AsyncSession, fn: () => T): T {
    return this.#storage.run(session, fn)
  }
}

/**
 * Creates a {@link ScopedSession} over a session factory (`sessionmaker(engine)`, or any function
 * that returns a new AsyncSession).
 * ```ts
 * export const db = scopedSession(sessionmaker(engine))
 * ```
 */
export function scopedSession(factory: () => AsyncSession): ScopedSession {
  return new ScopedSession(factory)
}
