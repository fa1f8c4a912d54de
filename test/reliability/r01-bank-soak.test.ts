/**
 * R1: the bank-transfer chaos soak (see support/bank-soak.ts). 64 sessions, a pool of 10, one of
 * the pool's own connections killed every 250 ms. The short form runs in `npm test`;
 * `npm run test:reliability` runs it longer (ATHANOR_SOAK_SECONDS overrides either).
 */
import { expect } from 'chai'
import { forEachBackend } from './support/backends.js'
import { formatSoakReport, runBankSoak } from './support/bank-soak.js'
import { SOAK_SECONDS } from './support/settings.js'

forEachBackend('R1 bank-transfer chaos soak', (backend) => {
  it(`loses, duplicates and hangs nothing while own connections are killed (${SOAK_SECONDS} s)`, async function () {
    this.timeout((SOAK_SECONDS * 3 + 90) * 1000)
    const report = await runBankSoak({ backend: backend.name, url: backend.url, seconds: SOAK_SECONDS })
    console.log(formatSoakReport(report))
    expect(report.uncaught, 'uncaught exceptions / unhandled rejections').to.deep.equal([])
    expect(report.hung, 'hung transfers').to.equal(0)
    expect(report.invariants).to.deep.include({ lost: 0, duplicated: 0, committedUnacked: 0, accountMismatches: 0 })
    expect(report.invariants.totalBalance).to.equal(report.invariants.expectedTotal)
    // The faults really happened and the work went on through them.
    expect(report.kills).to.be.greaterThan(0)
    expect(report.invalidations).to.be.greaterThan(0)
    expect(report.chaos.transfers).to.be.greaterThan(0)
  })
})
