/**
 * @athanor/plugin-read-replicas — reads outside a transaction go to replica engines.
 * ```ts
 * import { readReplicas, usePrimary } from '@athanor/plugin-read-replicas'
 * usePlugin(primary, readReplicas([replica]))
 * ```
 *
 * @module @athanor/plugin-read-replicas
 */
export { readReplicas, executeRouted, isReplicaRead } from './read-replicas.js'
export type { ReadReplicasOptions } from './read-replicas.js'
export { usePrimary } from './options.js'
