/**
 * The plugin API (DESIGN.md principle 9): plugins register hooks on an engine, a session
 * factory or a declarative base, and core never imports them.
 * ```ts
 * const remove = usePlugin(engine, { name: 'audit', install: (host) => host.onMapper('afterInsert', log) })
 * ```
 */
export { usePlugin, removePlugin, pluginsOf } from './use-plugin.js'
export type { PluginTarget } from './use-plugin.js'
export type { Plugin, PluginHost, PluginScope } from './plugin.js'
