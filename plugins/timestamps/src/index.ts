/**
 * @athanor/plugin-timestamps — created-at / updated-at columns maintained by the unit of work.
 * ```ts
 * import { timestamps } from '@athanor/plugin-timestamps'
 * usePlugin(Base, timestamps())   // every class of Base with created_at / updated_at columns
 * ```
 *
 * @module @athanor/plugin-timestamps
 */
export { timestamps } from './timestamps.js'
export type { TimestampsOptions } from './timestamps.js'
