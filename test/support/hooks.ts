// Global mocha hooks (loaded through .mocharc.json "require"): stop the test containers this
// process started, so a run leaves no servers behind.
import { stopAllDatabases } from './containers.js'
// R11: fails the run when a test leaves pooled connections checked out.
import { leakGateHooks } from '../reliability/support/leak-gate.js'

export const mochaHooks = { ...leakGateHooks }

export async function mochaGlobalTeardown(): Promise<void> {
  await stopAllDatabases()
}
