/**
 * @athanor/plugin-soft-delete — `session.delete()` becomes an update of a deleted-at column,
 * and selects leave deleted rows out unless asked.
 * ```ts
 * import { softDelete, softDeletable, withDeleted, restore } from '@athanor/plugin-soft-delete'
 * usePlugin(engine, softDelete())
 * softDeletable(Book, { column: 'deleted_at' })
 * ```
 *
 * @module @athanor/plugin-soft-delete
 */
export { softDelete, restore, hardDelete } from './plugin.js'
export type { SoftDeleteOptions } from './plugin.js'
export { softDeletable, deletedColumnOf } from './registry.js'
export { withDeleted } from './options.js'
export { excludeDeleted } from './criteria.js'
