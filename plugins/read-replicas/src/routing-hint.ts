import type { AthanorError } from '@athanor/core'

const MARK = '[read-replicas:'

/**
 * Says in an error raised on a replica that the statement was routed there, and what to do when
 * the replica was the wrong place (lagging, or missing what the primary has).
 *
 * ```ts
 * addRoutingHint(error, 'replica 2 of 2 (postgres://app:***@replica-b/shop)')
 * ```
 */
export function addRoutingHint(error: AthanorError, replica: string): void {
  if (error.message.includes(MARK)) return
  const before = error.message
  error.message = `${before}\n${MARK} this statement ran on ${replica}, where the plugin routes reads outside a transaction. If it must see the primary (a replica lags), add .options(usePrimary()) or run it in a transaction.]`
  // The stack's first lines are the message as it was: keep what Node prints in step.
  if (typeof error.stack === 'string') error.stack = error.stack.replace(before, error.message)
}
