import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

// A process's time zone is fixed at start, so the non-UTC run needs a child process.
const child = fileURLToPath(new URL('./timezone-child.ts', import.meta.url))

function runChild(url: string, tz: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--conditions=@athanor/source', child, url], { env: { ...process.env, TZ: tz }, timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Record<string, unknown>)))
  })
}

const backends: [string, string | undefined][] = [['libsql', 'sqlite://:memory:'], ['postgres', process.env.ATHANOR_PG_URL]]

describe('DateTime round trip in a process outside UTC (TZ=America/St_Johns, child process)', () => {
  for (const [name, url] of backends) {
    it(`keeps the instant and stores UTC wall time on ${name}`, async function () {
      if (url === undefined || url === '' || url === 'skip') {
        console.log(`[athanor] skipping the ${name} time-zone round trip: ATHANOR_PG_URL unset`)
        this.skip()
      }
      this.timeout(40_000)
      const r = await runChild(url!, 'America/St_Johns')
      expect(r.offset).to.equal(150) // UTC-02:30 that day: the child really ran outside UTC
      expect([r.at, r.atTz]).to.deep.equal([r.sent, r.sent])
      expect(r.day).to.equal('2024-03-10')
      expect(r.raw).to.equal('2024-03-10 06:30:00.123')
    })
  }
})
