/**
 * One 'abort' listener per signal for a driver connection that runs one call at a time: the
 * engine's watchdog gives every call of a connection the same AbortSignal (engine/watchdog.ts),
 * so adding and removing a listener per statement (with a closure, and on MySQL a Promise.race)
 * cost ~3 % of a primary-key lookup for a signal that fires at most once in a connection's life.
 * The relay listens once per signal and runs whatever action the current call armed.
 * ```ts
 * readonly #relay = new SignalRelay()
 * …
 * this.#relay.arm(signal, this.#cancelCurrent)   // per call; the action is made once
 * try { return await query } finally { this.#relay.disarm() }
 * ```
 */
export class SignalRelay {
  #signal: AbortSignal | undefined
  #action: (() => void) | undefined
  readonly #listener = (): void => {
    const action = this.#action
    this.#action = undefined
    action?.()
  }

  /** Runs `action` if `signal` aborts before disarm(). A signal already aborted is the caller's to check. */
  arm(signal: AbortSignal, action: () => void): void {
    if (signal !== this.#signal) {
      this.#signal?.removeEventListener('abort', this.#listener)
      signal.addEventListener('abort', this.#listener, { once: true })
      this.#signal = signal
    }
    this.#action = action
  }

  /** The current call ended: an abort from now on does nothing. */
  disarm(): void {
    this.#action = undefined
  }
}
