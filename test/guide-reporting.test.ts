/**
 * The guide's "Reporting queries" section is tested, not only written: every TypeScript block in
 * it is part of examples/reporting_queries.ts (verbatim), and that program, run on every backend,
 * prints exactly the output the section shows.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { resolveBackend } from './support/backends.js'
import type { BackendName } from './support/backends.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const guide = readFileSync(`${root}docs/guide.md`, 'utf8')
const section = /## Reporting queries\n([\s\S]*?)\n## /.exec(guide)?.[1] ?? ''
const blocks = (lang: string): string[] => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
const program = readFileSync(`${root}examples/reporting_queries.ts`, 'utf8')

function run(url: string | undefined): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  const env = { ...process.env }
  delete env.DATABASE_URL
  if (url !== undefined) env.DATABASE_URL = url
  return new Promise((settle) => {
    execFile(process.execPath, ['--import', 'tsx', '--conditions=@athanor/source', 'examples/reporting_queries.ts'], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      settle({ stdout, stderr, failed: error !== null })
    })
  })
}

describe('docs/guide.md: reporting queries', () => {
  it('shows code that is the example program’s, block by block', () => {
    const code = blocks('ts')
    expect(code.length).to.be.greaterThanOrEqual(5)
    for (const block of code) expect(program, `a code block of the guide is not in examples/reporting_queries.ts:\n${block}`).to.include(block)
  })

  for (const backend of ['libsql', 'postgres', 'mysql'] as const satisfies readonly BackendName[]) {
    it(`prints on ${backend} what the guide says it prints`, async function () {
      this.timeout(120_000)
      const found = await resolveBackend(backend)
      if ('skip' in found) this.skip()
      const [expected] = blocks('text')
      const out = await run(backend === 'libsql' ? undefined : (found as { url: string }).url)
      expect(out.failed, out.stderr).to.equal(false)
      expect(out.stdout).to.equal(expected)
    })
  }
})
