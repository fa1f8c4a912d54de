// Runs every ported seed program and compares its stdout with the seed's expected output: on
// libSQL always, and on PostgreSQL and MySQL/MariaDB when their backends resolve (env URL or a
// container). Examples run as child processes, all started in a before hook under a concurrency
// limit (examples sharing a table run in order); each test awaits its own run.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { resolveBackend } from './support/backends.js'
import type { BackendName } from './support/backends.js'
import { concurrencyLimit } from './support/limit.js'

const root = fileURLToPath(new URL('..', import.meta.url))
// The seed's expected outputs are vendored in test/fixtures/seed/ so a clone anywhere can run
// this; where the seed itself sits beside the clone (or ATHANOR_SEED_DIR names it), the copy must
// still match it.
const vendored = fileURLToPath(new URL('./fixtures/seed/expected-outputs.json', import.meta.url))
const seedDir = process.env.ATHANOR_SEED_DIR ?? fileURLToPath(new URL('../../shared/seed/', import.meta.url))
if (process.env.ATHANOR_SEED_DIR !== undefined && !existsSync(seedDir + 'expected-outputs.json')) {
  throw new Error(`ATHANOR_SEED_DIR=${seedDir} holds no expected-outputs.json; point it at the seed folder or unset it to use the vendored copy.`)
}
const upstream = existsSync(seedDir + 'expected-outputs.json') ? readFileSync(seedDir + 'expected-outputs.json', 'utf8') : undefined
const expected = JSON.parse(upstream ?? readFileSync(vendored, 'utf8')).examples as Record<string, string[] | { pattern: string }>

// In-memory libSQL gives every run its own database. On a server, examples that share a table
// name (users, books, students …) would collide, so those run one after another in a lane.
const BACKENDS: readonly { readonly name: BackendName; readonly shared: boolean }[] = [
  { name: 'libsql', shared: false },
  { name: 'postgres', shared: true },
  { name: 'mysql', shared: true },
]
const processes = concurrencyLimit(Math.max(2, cpus().length + 1))
const RUN_TIMEOUT_MS = 60_000

interface Outcome { readonly stdout: string; readonly stderr: string; readonly failure: string | undefined }

function runExample(name: string, url: string | undefined): Promise<Outcome> {
  const env = { ...process.env }
  delete env.DATABASE_URL
  if (url !== undefined) env.DATABASE_URL = url
  const args = ['--import', 'tsx', '--conditions=@athanor/source', `examples/${name}.ts`]
  return new Promise((settle) => {
    execFile(process.execPath, args, { cwd: root, env, timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const failure = error === null ? undefined : error.killed ? `killed after ${RUN_TIMEOUT_MS} ms` : `exit code ${String(error.code)}`
      settle({ stdout, stderr, failure })
    })
  })
}

/** The tables an example defines (`Base.model('name'` / `new Table('name'`), read from its source. */
function tablesOf(name: string): string[] {
  const source = readFileSync(`${root}examples/${name}.ts`, 'utf8')
  return [...source.matchAll(/(?:\.model|new Table)\(\s*'([^']+)'/g)].map((m) => m[1]!)
}

/** Examples grouped so that no two groups share a table: each group is one lane on a server. */
function lanesByTable(names: readonly string[]): Map<string, string> {
  const laneOf = new Map<string, string>(names.map((n) => [n, n]))
  const find = (n: string): string => (laneOf.get(n) === n ? n : find(laneOf.get(n)!))
  const ownerOfTable = new Map<string, string>()
  for (const name of names) {
    for (const table of tablesOf(name)) {
      const owner = ownerOfTable.get(table)
      if (owner === undefined) ownerOfTable.set(table, name)
      else laneOf.set(find(name), find(owner))
    }
  }
  return new Map(names.map((n) => [n, find(n)]))
}

describe('seed examples', () => {
  it('compares against the seed\'s own expected outputs (the vendored copy is current)', function () {
    if (upstream === undefined) this.skip()
    expect(JSON.parse(readFileSync(vendored, 'utf8'))).to.deep.equal(JSON.parse(upstream!))
  })

  const runs = new Map<string, Promise<Outcome>>()
  const unavailable = new Map<BackendName, { skip: string } | { error: unknown }>()

  before(async function () {
    this.timeout(300_000) // a backend may come from a container that has to start
    for (const backend of BACKENDS) {
      let url: string | undefined
      try {
        const found = await resolveBackend(backend.name)
        if ('skip' in found) {
          unavailable.set(backend.name, found)
          continue
        }
        url = backend.name === 'libsql' ? undefined : found.url
      } catch (error) {
        unavailable.set(backend.name, { error })
        continue
      }
      const lanes = new Map<string, <T>(task: () => Promise<T>) => Promise<T>>()
      for (const [name, lane] of backend.shared ? lanesByTable(Object.keys(expected)) : new Map(Object.keys(expected).map((n) => [n, n]))) {
        if (!lanes.has(lane)) lanes.set(lane, concurrencyLimit(1))
        runs.set(`${backend.name}/${name}`, lanes.get(lane)!(() => processes(() => runExample(name, url))))
      }
    }
  })

  for (const backend of BACKENDS) {
    describe(`on ${backend.name}`, () => {
      before(function () {
        const missing = unavailable.get(backend.name)
        if (missing === undefined) return
        if ('error' in missing) throw missing.error
        console.log(`[athanor] skipping the examples on ${backend.name}: ${missing.skip}`)
        this.skip()
      })

      for (const [name, want] of Object.entries(expected)) {
        it(`examples/${name}.ts prints the expected output`, async function () {
          this.timeout(300_000) // includes waiting for a free slot; each run has its own RUN_TIMEOUT_MS
          const outcome = await runs.get(`${backend.name}/${name}`)!
          expect(outcome.failure, `examples/${name}.ts failed on ${backend.name}:\n${outcome.stderr}`).to.equal(undefined)
          const lines = outcome.stdout.split('\n')
          if (lines.at(-1) === '') lines.pop()
          if (Array.isArray(want)) expect(lines).to.deep.equal(want)
          else expect(outcome.stdout).to.match(new RegExp(want.pattern))
        })
      }
    })
  }
})
