/**
 * @athanor/plugin-read-replicas — reads outside a transaction go to replica engines.
 * ```ts
 * import { readReplicas, usePrimary } from '@athanor/plugin-read-replicas'
 * usePlugin(primary, readReplicas([replica]))
 * ```
 *
 * @module @athanor/plugin-read-replicas
 */
export { readReplicas, executeRouted, replicasDown } from './read-replicas.js'
export type { ReadReplicasOptions } from './read-replicas.js'
export { isReplicaRead, WRITING_FUNCTIONS } from './write-detection.js'
export { readYourWritesScope } from './read-your-writes.js'
export type { Balance } from './replica-health.js'
export { usePrimary } from './options.js'
