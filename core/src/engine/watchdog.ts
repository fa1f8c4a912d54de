/**
 * The engine's client-side watchdog (EngineOptions.watchdogMs): a driver call that gets no answer
 * within the deadline fails with a timeout, its signal aborts (the driver cancels the statement)
 * and the connection is discarded.
 *
 * Why one watch per driver connection: a timer, an AbortController and a Promise.race per
 * statement cost ~3 µs, a tenth of a primary-key lookup on loopback. A driver connection runs
 * one call at a time, so one unref'd timer re-armed with refresh() at each call and one
 * controller (aborted at most once: the connection is discarded then) serve all its calls. A
 * timer that fires between calls finds nothing pending and does nothing.
 */

/** What the connection does when a call runs past its deadline. */
export interface DeadlineMiss {
  /** The error the caller sees; `what` is the call's description (its SQL). */
  error(what: string): Error
  /** Discards the connection (its state is unknown after a hung call). */
  discard(error: Error): void
}

interface Pending {
  readonly reject: (e: unknown) => void
  readonly miss: DeadlineMiss
  readonly what: string
}

class Watch {
  readonly ms: number
  readonly controller = new AbortController()
  readonly #timer: NodeJS.Timeout
  pending: Pending | undefined

  constructor(ms: number) {
    this.ms = ms
    this.#timer = setTimeout(() => this.#expire(), ms)
    this.#timer.unref()
  }

  arm(pending: Pending): void {
    this.pending = pending
    this.#timer.refresh()
  }

  #expire(): void {
    const pending = this.pending
    if (pending === undefined) return
    this.pending = undefined
    const err = pending.miss.error(pending.what)
    // Rejected first: aborting and discarding make the hung call fail too, and the caller must
    // see the timeout rather than the disconnect it caused.
    pending.reject(err)
    this.controller.abort(err)
    pending.miss.discard(err)
  }
}

const watches = new WeakMap<object, Watch>()

/** The watch of one driver connection, created on its first call. */
function watchOf(connection: object, ms: number): Watch {
  let watch = watches.get(connection)
  if (watch === undefined || watch.ms !== ms || watch.controller.signal.aborted) {
    watch = new Watch(ms)
    watches.set(connection, watch)
  }
  return watch
}

/**
 * Runs `fn` (one driver call on `connection`) under a deadline of `ms` milliseconds.
 * ```ts
 * const res = await withDeadline(driverConn, 30_000, (signal) => driverConn.execute(sql, params, { signal }), miss, sql)
 * ```
 * `miss` can be one object per connection: what differs per call is `what`.
 */
export function withDeadline<T>(connection: object, ms: number, fn: (signal: AbortSignal) => Promise<T>, miss: DeadlineMiss, what = ''): Promise<T> {
  const watch = watchOf(connection, ms)
  // A second call while one is pending (a rollback racing a hung statement): give it its own
  // watch rather than move the first one's deadline.
  const armed = watch.pending === undefined ? watch : new Watch(ms)
  return new Promise<T>((resolve, reject) => {
    const pending: Pending = { reject, miss, what }
    armed.arm(pending)
    const settle = (): void => {
      if (armed.pending === pending) armed.pending = undefined
    }
    let work: Promise<T>
    try {
      work = fn(armed.controller.signal)
    } catch (e) {
      settle()
      reject(e)
      return
    }
    work.then(
      (value) => {
        settle()
        resolve(value)
      },
      (e: unknown) => {
        settle()
        reject(e)
      },
    )
  })
}

/** The abort signal of a driver connection's watch: a cursor passes it to every batch it reads. */
export function deadlineSignal(connection: object, ms: number): AbortSignal {
  return watchOf(connection, ms).controller.signal
}
