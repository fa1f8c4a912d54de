// Global mocha hooks (loaded through .mocharc.json "require"): the run's own databases on the
// servers the URLs name (scratch-databases.ts), dropped at the end, and the test containers this
// process started stopped, so a run leaves no servers or databases behind.
import { stopAllDatabases } from './containers.js'
import { createScratchDatabases, dropScratchDatabases } from './scratch-databases.js'
// R11: fails the run when a test leaves pooled connections checked out.
import { leakGateHooks } from '../reliability/support/leak-gate.js'

export const mochaHooks = { ...leakGateHooks }

/** Before any test file loads: the run's own databases on the servers the URLs name. */
export async function mochaGlobalSetup(): Promise<void> {
  await createScratchDatabases()
}

export async function mochaGlobalTeardown(): Promise<void> {
  await dropScratchDatabases()
  await stopAllDatabases()
}
