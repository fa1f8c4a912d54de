import { Engine } from '../engine/engine.js'
import { ArgumentError, InvalidRequestError } from '../util/errors.js'
import { ListenerError } from '../util/events.js'
import type { EventBus } from '../util/events.js'
import { Registry } from '../orm/mapper.js'
import type { DeclarativeBase } from '../orm/declarative.js'
import { ormHooksOf } from '../orm/orm-events.js'
import type { OrmHooks } from '../orm/orm-events.js'
import type { SessionFactory } from '../orm/session-factory.js'
import type { Plugin, PluginHost, PluginScope } from './plugin.js'

/** What a plugin can be registered on. */
export type PluginTarget = Engine | SessionFactory | DeclarativeBase

const installed = new WeakMap<object, Map<string, () => void>>()

/**
 * Registers a plugin on an engine (every statement and session on it), a session factory (its
 * sessions) or a declarative base (mapper events of its classes). Hooks run in registration
 * order; `first: true` puts this plugin's hooks before those already registered. Returns a
 * function that removes the plugin again.
 * ```ts
 * const remove = usePlugin(engine, softDelete())
 * remove()   // statements are no longer rewritten
 * ```
 */
export function usePlugin(target: PluginTarget, plugin: Plugin, options: { first?: boolean } = {}): () => void {
  if (typeof plugin?.name !== 'string' || plugin.name === '' || typeof plugin.install !== 'function') {
    throw new ArgumentError('usePlugin() takes a plugin object: { name: string, install(host) { … } }.')
  }
  const scope = scopeOf(target)
  const byName = installed.get(target) ?? new Map<string, () => void>()
  if (byName.has(plugin.name)) {
    throw new InvalidRequestError(`The plugin '${plugin.name}' is already registered here; remove it first (the function usePlugin() returned, or removePlugin()).`, 'plugin-registered')
  }
  const removers: (() => void)[] = []
  const host = makeHost(target, scope, plugin.name, options.first ?? false, removers)
  try {
    plugin.install(host)
  } catch (e) {
    for (const r of removers.reverse()) r()
    throw e instanceof ArgumentError ? e : new ListenerError('install', plugin.name, e)
  }
  const remove = (): void => {
    if (byName.get(plugin.name) !== remove) return
    byName.delete(plugin.name)
    for (const r of [...removers].reverse()) r()
  }
  byName.set(plugin.name, remove)
  installed.set(target, byName)
  return remove
}

/** Removes the plugin of that name from `target`; false when none was registered. */
export function removePlugin(target: PluginTarget, name: string): boolean {
  const remove = installed.get(target)?.get(name)
  if (!remove) return false
  remove()
  return true
}

/** The names of the plugins registered on `target`, in registration order. */
export function pluginsOf(target: PluginTarget): readonly string[] {
  return [...(installed.get(target)?.keys() ?? [])]
}

function scopeOf(target: PluginTarget): PluginScope {
  if (target instanceof Engine) return 'engine'
  if (typeof target === 'function' && 'hooks' in target) return 'session-factory'
  if (typeof target === 'object' && target !== null && 'registry' in target && target.registry instanceof Registry) return 'base'
  throw new ArgumentError('usePlugin() registers on an engine, a session factory (sessionmaker()) or a declarative base (declarativeBase()).')
}

function makeHost(target: PluginTarget, scope: PluginScope, name: string, first: boolean, removers: (() => void)[]): PluginHost {
  const engine = scope === 'engine' ? (target as Engine) : scope === 'session-factory' ? (target as SessionFactory).engine : undefined
  const orm: OrmHooks | undefined = scope === 'engine' ? ormHooksOf(target as Engine) : scope === 'session-factory' ? (target as SessionFactory).hooks : undefined
  const need = (what: string, ok: boolean): void => {
    if (!ok) throw new ArgumentError(`The plugin '${name}' registers ${what}, which a ${scope} does not offer; register it on ${scope === 'base' ? 'an engine or a session factory' : 'an engine'} instead: usePlugin(engine, plugin).`)
  }
  const listen = <E extends { [K in keyof E]: (...args: never[]) => void }, K extends keyof E>(bus: EventBus<E>, event: K, fn: E[K]): void => {
    removers.push(bus.on(event, fn, { name, prepend: first }))
  }
  return {
    scope,
    engine,
    onEngine(event, fn) {
      need(`the engine event '${String(event)}'`, scope === 'engine')
      listen((target as Engine).events, event, fn)
    },
    onSession(event, fn) {
      need(`the session event '${String(event)}'`, orm !== undefined)
      listen(orm!.session, event, fn)
    },
    onMapper(event, fn) {
      listen(orm ? orm.mapper : (target as DeclarativeBase).registry.events, event, fn)
    },
    transformStatement(fn) {
      need('a statement transform', orm !== undefined)
      removers.push((scope === 'engine' ? (target as Engine).extensions : orm!.transforms).statements.add(name, fn, { first }))
    },
    transformResult(fn) {
      need('a result transform', scope === 'engine')
      removers.push((target as Engine).extensions.results.add(name, fn, { first }))
    },
    route(fn) {
      need('a statement router', scope === 'engine')
      removers.push((target as Engine).routers.add(name, fn, { first }))
    },
    onRemove(fn) {
      removers.push(fn)
    },
  }
}
