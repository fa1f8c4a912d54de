import { OperationalError } from '../util/errors.js'
import type { Connection } from './connection.js'
import type { Engine } from './engine.js'

/**
 * Connects to the engine a router chose for a read. When it cannot be reached (refused, timed
 * out, no ready host) the read must not fail while the primary is fine: the primary's routers
 * hear of it (`routeFailed`, so they stop choosing it for a while) and the primary serves.
 *
 * ```ts
 * const { connection, routed } = await connectRouted(primary, primary.route(select(User)), {})
 * ```
 */
export async function connectRouted(
  primary: Engine,
  target: Engine,
  options: Parameters<Engine['connect']>[0],
): Promise<{ readonly connection: Connection; readonly routed: boolean }> {
  if (target === primary) return { connection: await primary.connect(options), routed: false }
  try {
    return { connection: await target.connect(options), routed: true }
  } catch (error) {
    if (!(error instanceof OperationalError && error.disconnect)) throw error
    primary.events.emit('routeFailed', { target, error })
    return { connection: await primary.connect(options), routed: false }
  }
}
