import { AthanorError } from './errors.js'

/**
 * A small typed event bus. Listeners run synchronously in registration order; a listener that
 * throws is reported with its name and does not stop the others.
 * ```ts
 * engine.events.on('afterExecute', (e) => console.log(e.sql, e.ms), { name: 'timing' })
 * ```
 */
export class EventBus<E extends { [K in keyof E]: (...args: never[]) => void }> {
  readonly #listeners = new Map<keyof E, { fn: E[keyof E]; name: string }[]>()
  readonly #parents: EventBus<E>[]
  constructor(...parents: EventBus<E>[]) {
    this.#parents = parents
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, fn: E[K], options: { name?: string; prepend?: boolean } = {}): () => void {
    const list = this.#listeners.get(event) ?? []
    const entry = { fn: fn as E[keyof E], name: options.name ?? (fn.name || 'anonymous listener') }
    if (options.prepend) list.unshift(entry)
    else list.push(entry)
    this.#listeners.set(event, list)
    return () => this.off(event, fn)
  }

  off<K extends keyof E>(event: K, fn: E[K]): void {
    const list = this.#listeners.get(event)
    if (!list) return
    const i = list.findIndex((l) => l.fn === fn)
    if (i >= 0) list.splice(i, 1)
  }

  /** True when anyone (here or in a parent bus) listens, so callers can skip building payloads. */
  has(event: keyof E): boolean {
    // Asked once per loaded object: a plain loop, no closure to allocate.
    if ((this.#listeners.get(event)?.length ?? 0) > 0) return true
    for (let i = 0; i < this.#parents.length; i++) if (this.#parents[i]!.has(event)) return true
    return false
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const p of this.#parents) p.emit(event, ...args)
    const list = this.#listeners.get(event)
    if (!list) return
    for (const { fn, name } of [...list]) {
      try {
        ;(fn as (...a: Parameters<E[K]>) => void)(...args)
      } catch (e) {
        throw new ListenerError(String(event), name, e)
      }
    }
  }
}

/** A listener (often a plugin) threw; `listener` names it. */
export class ListenerError extends AthanorError {
  readonly listener: string
  constructor(event: string, listener: string, cause: unknown) {
    super('listener', `The '${event}' listener '${listener}' threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.listener = listener
  }
}
