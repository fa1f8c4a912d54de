/**
 * R11, the leak gate: after every test, every pool that handed out a connection during that
 * test must have all of them back. A connection still checked out when its test is over is a
 * leak (a session or connection never closed); the gate names the test and where the
 * connection was checked out, and fails the run at the end (all tests still run: a failing
 * root afterEach hook would stop the rest of the suite).
 *
 * The pools checked are those created while the test (or its beforeEach/afterEach hooks) ran,
 * found through `ConnectionPool.onCreate`; pools made in `before()` hooks may legitimately keep
 * connections across tests and are not checked.
 */
import { ConnectionPool } from '@athanor/core'

interface Leak {
  readonly test: string
  readonly detail: string
}

const touched = new Set<ConnectionPool>()
const leaks: Leak[] = []
let recording = false
/** Releases are asynchronous (reset-on-return rollback): give them this long to finish. */
const SETTLE_MS = 1000

const previous = ConnectionPool.onCreate
ConnectionPool.onCreate = (pool) => {
  previous?.(pool)
  if (recording) touched.add(pool)
}

async function settled(pool: ConnectionPool): Promise<boolean> {
  const until = Date.now() + SETTLE_MS
  while (pool.status().checkedOut > 0) {
    if (Date.now() > until) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

/** Root hooks for mocha (merged into test/support/hooks.ts). */
export const leakGateHooks = {
  beforeEach(): void {
    touched.clear()
    recording = true
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    recording = false
    const pools = [...touched]
    touched.clear()
    for (const pool of pools) {
      if (await settled(pool)) continue
      const status = pool.status()
      leaks.push({
        test: this.currentTest?.fullTitle() ?? '(unknown test)',
        detail: `${status.checkedOut} connection(s) still checked out (pool ${pool.disposed ? 'disposed' : 'open'}; ` +
          'create the pool with debug: true or set ATHANOR_POOL_DEBUG=1 to see where they were checked out)',
      })
    }
  },
  afterAll(): void {
    if (leaks.length === 0) return
    const lines = leaks.map((l) => `  - ${l.test}: ${l.detail}`)
    throw new Error(`Leak gate: ${leaks.length} test(s) left pooled connections checked out:\n${lines.join('\n')}`)
  },
}
