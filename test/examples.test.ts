// Runs every ported seed program and compares its stdout with the seed's expected output.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
// CI places shared/ beside the clone; ATHANOR_SEED_DIR overrides.
const seedDir = process.env.ATHANOR_SEED_DIR ?? fileURLToPath(new URL('../../shared/seed/', import.meta.url))
if (!existsSync(seedDir)) throw new Error(`The seed's expected outputs are not at ${seedDir}; set ATHANOR_SEED_DIR to the folder holding expected-outputs.json.`)
const expected = JSON.parse(readFileSync(seedDir + 'expected-outputs.json', 'utf8')).examples as Record<
  string,
  string[] | { pattern: string }
>

describe('seed examples', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`examples/${name}.ts prints the expected output`, async function () {
      this.timeout(30000)
      const env = { ...process.env }
      delete env.DATABASE_URL
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--conditions=@athanor/source', `examples/${name}.ts`],
        { cwd: root, env },
      )
      const lines = stdout.split('\n')
      if (lines.at(-1) === '') lines.pop()
      if (Array.isArray(want)) expect(lines).to.deep.equal(want)
      else expect(stdout).to.match(new RegExp(want.pattern))
    })
  }
})
