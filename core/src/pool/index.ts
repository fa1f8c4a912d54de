/**
 * The connection pool shared by every dialect (DESIGN.md principle 3).
 *
 * ```ts
 * const pool = new ConnectionPool(() => dialect.driver.connect(options), { size: 5, maxOverflow: 10 })
 * const lease = await pool.checkout()
 * try { await lease.connection.execute('SELECT 1', []) } finally { await lease.release() }
 * ```
 */
export { ConnectionPool } from './pool.js'
export type { CheckoutOptions } from './pool.js'
export { PooledConnection } from './lease.js'
export type { LeaseState } from './lease.js'
export { resolvePoolOptions, defaultOnLeak, POOL_DEFAULTS } from './pool-options.js'
export type { ConnectionFactory, PoolListeners, PoolOptions, ResolvedPoolOptions, LeakInfo } from './pool-options.js'
export { formatStatus } from './diagnostics.js'
export type { PoolStatus, WriteLockStatus } from './diagnostics.js'
