/**
 * The R1 soak as a command, for long runs and for the figures:
 *
 *   npx tsx --conditions=@athanor/source test/reliability/soak.ts [--backend postgres|mysql|libsql|all] [--seconds 60]
 *       [--workers 64] [--pool 10] [--kill-every 250]
 *
 * URLs come from ATHANOR_PG_URL / ATHANOR_MYSQL_URL (libSQL uses a temporary file). Exits 1 when
 * an invariant fails, a transfer hung or anything was thrown uncaught.
 */
import { parseArgs } from 'node:util'
import { resolveBackend } from '../support/backends.js'
import { tempLibsqlUrl, type BackendName } from './support/backends.js'
import { formatSoakReport, runBankSoak, type SoakReport } from './support/bank-soak.js'
import { SOAK_SECONDS } from './support/settings.js'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: String(SOAK_SECONDS) },
    workers: { type: 'string', default: '64' },
    pool: { type: 'string', default: '10' },
    'kill-every': { type: 'string', default: '250' },
  },
})
const names: BackendName[] = values.backend === 'all' ? ['libsql', 'postgres', 'mysql'] : [values.backend as BackendName]
let failed = false
for (const name of names) {
  const found = name === 'libsql' ? { url: tempLibsqlUrl('soak') } : await resolveBackend(name)
  if ('skip' in found) {
    console.log(`[soak ${name}] skipped: ${found.skip}`)
    continue
  }
  const report = await runBankSoak({
    backend: name, url: found.url, seconds: Number(values.seconds), workers: Number(values.workers),
    poolSize: Number(values.pool), killEveryMs: Number(values['kill-every']),
  })
  console.log(formatSoakReport(report))
  if (!passed(report)) failed = true
}
process.exitCode = failed ? 1 : 0

function passed(r: SoakReport): boolean {
  const inv = r.invariants
  return r.hung === 0 && r.uncaught.length === 0 && inv.lost === 0 && inv.duplicated === 0 && inv.committedUnacked === 0 &&
    inv.accountMismatches === 0 && inv.totalBalance === inv.expectedTotal
}
