// Runs every ported seed program and compares its stdout with the seed's expected output.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const expected = JSON.parse(readFileSync('/work/shared/seed/expected-outputs.json', 'utf8')).examples as Record<
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
