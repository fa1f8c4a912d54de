import { firstUserFrame } from './call-site.js'
import type { ConnectionRecord } from './connection-record.js'

/** A snapshot of the pool's counters. */
export interface PoolStatus {
  /** Configured number of connections kept while idle. */
  readonly size: number
  readonly maxOverflow: number
  /** Open connections: idle + checked out (connections still opening are counted in `connecting`). */
  readonly total: number
  /** Connections handed out (or being pre-pinged for a checkout); not those being reset after their release. */
  readonly checkedOut: number
  /**
   * Released connections whose reset-on-return rollback is still running: held by no one and
   * given to no one until it succeeds (a failed reset destroys the connection).
   */
  readonly resetting: number
  readonly idle: number
  /** Connections being opened for a checkout right now. */
  readonly connecting: number
  /** Connections beyond `size` (open or opening). */
  readonly overflow: number
  /** Checkouts queued for a free slot. */
  readonly waiting: number
  readonly disposed: boolean
  /**
   * The checked-out connection that holds the database's write lock (SQLite), when one does:
   * every other writer waits for it.
   */
  readonly writeLock?: WriteLockStatus
}

/** Who holds the write lock: which connection, for how long, checked out by whom. */
export interface WriteLockStatus {
  readonly connection: number
  readonly heldMs: number
  /** The `holder` given at checkout (`session.name`, `checkout({ holder })`). */
  readonly holder?: string
  /** The checkout's call site (with `debug: true`). */
  readonly checkedOutAt?: string
}

/** The write-lock entry of a pool status, from the checked-out records. */
export function writeLockStatus(records: Iterable<ConnectionRecord>, now = Date.now()): WriteLockStatus | undefined {
  for (const record of records) {
    const since = record.connection.writeLockSince
    if (since === undefined) continue
    const info = record.checkout
    const where = firstUserFrame(info?.stack)
    return {
      connection: record.id, heldMs: now - since,
      ...(info?.holder === undefined ? {} : { holder: info.holder }),
      ...(where === undefined ? {} : { checkedOutAt: where }),
    }
  }
  return undefined
}

export function formatStatus(status: PoolStatus): string {
  const lock = status.writeLock
  return (
    `size ${status.size}, checked out ${status.checkedOut}, idle ${status.idle}, connecting ${status.connecting}, ` +
    `overflow ${status.overflow}/${status.maxOverflow}, waiting ${status.waiting}` +
    (lock === undefined ? '' : `, write lock held by connection #${lock.connection} for ${lock.heldMs} ms`)
  )
}

function lockNote(record: ConnectionRecord, now: number): string {
  const since = record.connection.writeLockSince
  return since === undefined ? '' : ` (holding the database's write lock for ${now - since} ms)`
}

/** Where the checkout that timed out had got to. */
export type TimeoutPhase = 'waiting' | 'connecting' | 'pinging'

export interface TimeoutReport {
  readonly phase: TimeoutPhase
  readonly waitedMs: number
  readonly checkoutTimeoutMs: number
  readonly status: PoolStatus
  readonly debug: boolean
  readonly checkedOut: readonly ConnectionRecord[]
}

const MAX_HOLDERS_LISTED = 20

/**
 * The PoolTimeoutError message: what ran out, the counters, who holds the connections (with
 * debug) and the three usual fixes. An exhausted pool is nearly always a leak, an undersized pool
 * or a task that waits for a second connection while holding the first.
 */
export function describeTimeout(report: TimeoutReport): string {
  const { status } = report
  const limit = status.maxOverflow === Infinity ? 'no limit' : String(status.size + status.maxOverflow)
  const head =
    report.phase === 'waiting'
      ? `Timed out after ${report.waitedMs} ms (checkoutTimeoutMs ${report.checkoutTimeoutMs}) waiting for a pooled connection: ` +
        `all the connections the pool allows (size ${status.size} + maxOverflow ${status.maxOverflow} = ${limit}) are in use.`
      : `Timed out after ${report.waitedMs} ms (checkoutTimeoutMs ${report.checkoutTimeoutMs}) checking out a connection: ` +
        `the database did not ${report.phase === 'connecting' ? 'accept a new connection' : 'answer the pre-ping'} before the time ran out.`
  const lines = [head, `Pool status: ${formatStatus(status)}.`]
  const now = Date.now()
  const held = [...report.checkedOut].sort((a, b) => (a.checkout?.checkedOutAt ?? 0) - (b.checkout?.checkedOutAt ?? 0))
  if (held.length > 0) {
    if (report.debug) {
      lines.push('Checked-out connections (oldest first):')
      for (const record of held.slice(0, MAX_HOLDERS_LISTED)) {
        const info = record.checkout
        if (info === undefined) {
          lines.push(`  - connection #${record.id} being pre-pinged for a checkout`)
          continue
        }
        const where = firstUserFrame(info.stack) ?? 'an unknown call site'
        const label = info.holder === undefined ? '' : ` [${info.holder}]`
        const returning = info.returning ? ' (being returned)' : ''
        lines.push(`  - connection #${record.id} held for ${now - info.checkedOutAt} ms by ${where}${label}${returning}${lockNote(record, now)}`)
      }
      if (held.length > MAX_HOLDERS_LISTED) lines.push(`  … and ${held.length - MAX_HOLDERS_LISTED} more`)
    } else {
      const ages = held.slice(0, MAX_HOLDERS_LISTED).map((r) => {
        const age = r.checkout === undefined ? 'a pre-ping' : `${now - r.checkout.checkedOutAt} ms`
        return (r.checkout?.holder === undefined ? age : `${age} [${r.checkout.holder}]`) + lockNote(r, now)
      })
      lines.push(
        `Checked-out connections have been held for ${ages.join(', ')}${held.length > MAX_HOLDERS_LISTED ? ', …' : ''} (oldest first). ` +
          'Create the pool with debug: true (or set ATHANOR_POOL_DEBUG=1) to see where each one was checked out.',
      )
    }
  }
  lines.push(
    report.phase === 'waiting'
      ? 'To fix it: release every connection you check out (in a finally block or with await using); raise size or maxOverflow if ' +
          'this load is expected; or look for a self-deadlock: a task that awaits a second connection while it still holds one ' +
          'waits on itself once the pool is exhausted.'
      : 'To fix it: check that the database is reachable and not overloaded, or raise checkoutTimeoutMs.',
  )
  return lines.join('\n')
}
