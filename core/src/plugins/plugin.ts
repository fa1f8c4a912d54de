/**
 * The plugin contract. A plugin is a name and an `install` function that registers hooks
 * through a {@link PluginHost}; core never imports a plugin (DESIGN.md principle 9).
 */
import type { Engine } from '../engine/engine.js'
import type { EngineEvents } from '../engine/engine-core.js'
import type { ResultTransform, StatementRouter, StatementTransform } from '../engine/extensions.js'
import type { MapperEvents, SessionEvents } from '../orm/orm-events.js'

/** Where a plugin is registered. */
export type PluginScope = 'engine' | 'session-factory' | 'base'

/**
 * What a plugin registers its hooks with. Every hook is named after the plugin (errors thrown in
 * it say so) and is removed when the plugin is. A hook the scope does not offer is an error that
 * names the scope to use instead.
 */
export interface PluginHost {
  readonly scope: PluginScope
  /** The engine of the scope: the engine itself, or the session factory's; undefined for a base. */
  readonly engine: Engine | undefined
  /** Engine and pool events (engine scope). */
  onEngine<K extends keyof EngineEvents>(event: K, fn: EngineEvents[K]): void
  /** Session events (engine and session-factory scopes). */
  onSession<K extends keyof SessionEvents>(event: K, fn: SessionEvents[K]): void
  /** Mapper events (every scope; a base limits them to its classes). */
  onMapper<K extends keyof MapperEvents>(event: K, fn: MapperEvents[K]): void
  /** A statement transform (engine scope: every statement; session-factory scope: the ORM's). */
  transformStatement(fn: StatementTransform): void
  /** A result transform (engine scope). */
  transformResult(fn: ResultTransform): void
  /** A router choosing the engine for statements run outside a transaction (engine scope). */
  route(fn: StatementRouter): void
  /** Cleanup to run when the plugin is removed. */
  onRemove(fn: () => void): void
}

/**
 * An extension of Athanor, registered with `usePlugin(target, plugin)`.
 * ```ts
 * const auditPlugin: Plugin = {
 *   name: 'audit',
 *   install(host) {
 *     host.onMapper('afterInsert', ({ mapper, object }) => log(`${mapper.className} added`, object))
 *   },
 * }
 * ```
 */
export interface Plugin {
  /** Unique per target; names the plugin in errors and in `pluginsOf()`. */
  readonly name: string
  install(host: PluginHost): void
}
