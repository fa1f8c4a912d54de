import type { Keyed } from '../sql/key.js'
import { ListenerError } from '../util/events.js'
import type { Result } from './result.js'
import type { Engine } from './engine.js'

/** Where a statement is being executed, as a statement transform sees it. */
export interface TransformContext {
  /** Which layer applies the transform: the engine's connection, or an ORM session. */
  readonly scope: 'engine' | 'session'
  /** The dialect's name, for transforms whose rewrite depends on it. */
  readonly dialect: string
}

/**
 * A pure rewrite of a statement before compilation: same input shape, same output shape, so
 * the compiled-SQL cache keys on the rewritten structure. It must keep the result columns.
 */
export type StatementTransform = (statement: Keyed, context: TransformContext) => Keyed

/** A rewrite of a result after execution (the rows are already converted to JS values). */
export type ResultTransform = (result: Result, context: { readonly statement: Keyed; readonly sql: string }) => Result

interface Entry<F> {
  readonly name: string
  readonly fn: F
}

/**
 * An ordered list of named hooks; hooks run in registration order unless added `first`, and a
 * hook that throws is reported with its name.
 */
export class HookList<F> {
  readonly #entries: Entry<F>[] = []

  /** Adds a hook; returns a function that removes it. */
  add(name: string, fn: F, options: { first?: boolean } = {}): () => void {
    const entry = { name, fn }
    if (options.first) this.#entries.unshift(entry)
    else this.#entries.push(entry)
    return () => {
      const i = this.#entries.indexOf(entry)
      if (i >= 0) this.#entries.splice(i, 1)
    }
  }

  get size(): number {
    return this.#entries.length
  }

  /** The hooks' names, in the order they run. */
  get names(): readonly string[] {
    return this.#entries.map((e) => e.name)
  }

  /** Threads `value` through every hook; `what` names the hook kind in errors. */
  reduce<V>(what: string, value: V, call: (fn: F, value: V) => V): V {
    for (const { name, fn } of [...this.#entries]) {
      try {
        value = call(fn, value)
      } catch (e) {
        throw new ListenerError(what, name, e)
      }
    }
    return value
  }
}

/**
 * The rewrite hooks of one scope (an engine, or a session factory): statement transforms and
 * result transforms.
 * ```ts
 * engine.extensions.statements.add('tenant', (stmt) => addTenantFilter(stmt))
 * ```
 */
export class Transforms {
  readonly statements = new HookList<StatementTransform>()
  readonly results = new HookList<ResultTransform>()

  /** The statement after every transform (the same object when there are none). */
  statement<S extends Keyed>(statement: S, context: TransformContext): S {
    if (this.statements.size === 0) return statement
    return this.statements.reduce('statement transform', statement as Keyed, (fn, s) => fn(s, context)) as S
  }

  /** The result after every result transform. */
  result(result: Result, context: { readonly statement: Keyed; readonly sql: string }): Result {
    if (this.results.size === 0) return result
    return this.results.reduce('result transform', result, (fn, r) => fn(r, context))
  }
}

/**
 * Chooses the engine that runs a statement outside a transaction (read replicas): another
 * engine, or undefined to leave the choice to the next router (and finally the engine itself).
 * `context.session` is the ORM session asking, when one is (read-your-writes per session).
 */
export type StatementRouter = (statement: Keyed, primary: Engine, context: RouteContext) => Engine | undefined

/** Who asks for a route: the ORM session reading, or nobody (engine-level execution). */
export interface RouteContext {
  readonly session?: object | undefined
}
