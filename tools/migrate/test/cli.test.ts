/**
 * The `athanor` command line, on every backend: init, revision --autogenerate from a models
 * module, upgrade, current, history, heads, check (exit 1 on drift, 0 without), stamp,
 * downgrade, models pull, help for every command; and two deployers running `athanor upgrade`
 * at once in two processes, which apply each revision exactly once.
 */
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { createAsyncEngine, text, type Engine } from '@athanor/core'
import { main } from '@athanor/migrate/cli'
import { forEachBackend } from '../../../test/reliability/support/backends.js'
import { workFolder } from './support/work-folder.js'

const BIN = fileURLToPath(new URL('../bin/athanor-source.ts', import.meta.url))
const DIALECT: Readonly<Record<string, string>> = { libsql: '@athanor/libsql', postgres: '@athanor/postgres', mysql: '@athanor/mysql' }

const models = (withEmail: boolean): string => `import { Integer, String, declarativeBase, mappedColumn } from '@athanor/core'
export const Base = declarativeBase()
export class Customer extends Base.model('cli_customers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(60)),
  ${withEmail ? "email: mappedColumn(String(120), { nullable: true })," : ''}
}) {}
`

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await cliRaw(cwd, ...args)
  if (process.env['DEBUG_CLI'] !== undefined) console.log(args.join(' '), '→', r.code, r.out, r.err.replace(/\n/g, ' | '))
  return r
}

async function cliRaw(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const before = process.cwd()
  process.chdir(cwd)
  try {
    const code = await main(args, { out: (l) => void out.push(l), err: (l) => void err.push(l) })
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    process.chdir(before)
  }
}

/** `athanor …` as a real process (the bin), for the deployers test. */
function spawnCli(cwd: string, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@athanor/source', '--import', 'tsx', BIN, ...args], { cwd, env: process.env })
    let output = ''
    child.stdout.on('data', (d) => (output += String(d)))
    child.stderr.on('data', (d) => (output += String(d)))
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

forEachBackend('migrate: the athanor command line', (backend) => {
  let folder: string
  let engine: Engine
  before(async () => {
    folder = workFolder(`cli-${backend.name}`)
    engine = createAsyncEngine(backend.url)
    await engine.begin(async (c) => {
      for (const t of ['cli_customers', 'cli_log', 'athanor_version']) await c.execute(text(`DROP TABLE IF EXISTS ${engine.dialect.compiler.quote(t)}`))
    })
    useModels(false)
  })

  /**
   * Points athanor.config.ts at a new models file. A fresh file name each time: under mocha the
   * config is loaded through require(), whose cache would keep the first version.
   */
  let version = 0
  function useModels(withEmail: boolean): void {
    version++
    writeFileSync(join(folder, `models-${version}.ts`), models(withEmail))
    writeFileSync(join(folder, 'athanor.config.ts'), `import { defineConfig } from '@athanor/migrate'
import '${DIALECT[backend.name]}'
import { Base } from './models-${version}.js'
export default defineConfig({ url: ${JSON.stringify(backend.url)}, metadata: Base.metadata, migrations: './migrations' })
`)
    if (typeof require === 'function') delete require.cache[join(folder, 'athanor.config.ts')]
  }
  after(async () => {
    if ((engine as Engine | undefined) === undefined) return
    await engine.begin(async (c) => {
      for (const t of ['cli_customers', 'cli_log', 'athanor_version']) await c.execute(text(`DROP TABLE IF EXISTS ${engine.dialect.compiler.quote(t)}`))
    })
    await engine.dispose()
    rmSync(folder, { recursive: true, force: true })
  })

  it('has help for every command, and says what is wrong with a bad one', async () => {
    expect((await cli(folder, '--help')).out).to.match(/Usage: athanor <command>/)
    for (const command of ['init', 'revision', 'upgrade', 'downgrade', 'current', 'history', 'heads', 'check', 'stamp', 'merge', 'models']) {
      const r = await cli(folder, command, '--help')
      expect(r.code, command).to.equal(0)
      expect(r.out, command).to.match(new RegExp(`^athanor ${command}`))
    }
    const unknown = await cli(folder, 'upgrayed')
    expect([unknown.code, unknown.err]).to.satisfy(([code, err]: [number, string]) => code === 2 && err.includes("unknown command 'upgrayed'"))
    const noMessage = await cli(folder, 'revision')
    expect(noMessage.code).to.equal(1)
    expect(noMessage.err).to.match(/revision needs a message/)
    const noConfig = await cli(join(folder, 'migrations-nowhere-' + Date.now()).replace(/migrations-nowhere.*$/, '..'), 'current')
    expect(noConfig.err).to.match(/No athanor\.config\.ts in .*'athanor init'/)
  })

  it('autogenerates, upgrades, checks, stamps and downgrades', async function () {
    this.timeout(60_000)
    const first = await cli(folder, 'revision', '--autogenerate', '-m', 'customers', '--no-input')
    expect(first.code, first.err).to.equal(0)
    expect(first.out).to.match(/\+ table cli_customers/)
    expect((await cli(folder, 'current')).out).to.equal('base')
    const up = await cli(folder, 'upgrade')
    expect(up.code, up.err).to.equal(0)
    expect(up.out).to.match(/Applied 1 revision\(s\)/)
    expect((await cli(folder, 'check')).code, 'models and database match').to.equal(0)
    useModels(true)
    const drift = await cli(folder, 'check')
    expect(drift.code, 'drift fails the check').to.equal(1)
    expect(drift.err).to.match(/\+ column cli_customers\.email/)
    expect((await cli(folder, 'revision', '--autogenerate', '-m', 'email', '--no-input')).code).to.equal(0)
    expect((await cli(folder, 'upgrade', 'head')).code).to.equal(0)
    expect((await cli(folder, 'check')).code).to.equal(0)
    const history = await cli(folder, 'history')
    expect(history.out.split('\n')).to.have.length(2)
    expect(history.out).to.match(/\(current\) \(head\), email$/m)
    expect((await cli(folder, 'heads')).out.split('\n')).to.have.length(1)
    const sql = await cli(folder, 'upgrade', '--sql')
    expect(sql.out).to.match(/CREATE TABLE .cli_customers./)
    expect((await cli(folder, 'downgrade', '-1')).code).to.equal(0)
    expect((await cli(folder, 'check')).code, 'one revision down, the email column is missing').to.equal(1)
    expect((await cli(folder, 'upgrade')).code).to.equal(0)
    expect((await cli(folder, 'stamp', 'base')).code).to.equal(0)
    expect((await cli(folder, 'current')).out).to.equal('base')
    expect((await cli(folder, 'stamp', 'head')).code).to.equal(0)
    const [head] = (await cli(folder, 'heads')).out.split('\n')
    expect((await cli(folder, 'current')).out).to.equal(head)
    expect((await cli(folder, 'downgrade', 'base')).code).to.equal(0)
    expect((await cli(folder, 'current')).out).to.equal('base')
    const pulled = await cli(folder, 'models', 'pull', '--only', 'athanor_version')
    expect(pulled.code).to.equal(0)
  })

  it('two deployers running athanor upgrade at once apply each revision exactly once', async function () {
    this.timeout(120_000)
    await cli(folder, 'downgrade', 'base')
    // A revision that would leave a second row behind if it ran twice.
    const files = readdirSync(join(folder, 'migrations')).filter((f) => f.endsWith('.ts'))
    const last = join(folder, 'migrations', files.find((f) => f.includes('email'))!)
    const source = readFileSync(last, 'utf8')
    writeFileSync(last, source.replace(
      /(export async function upgrade\(op: Operations\): Promise<void> \{\n)/,
      "$1  op.execute('CREATE TABLE cli_log (what VARCHAR(20))')\n  op.execute(\"INSERT INTO cli_log (what) VALUES ('applied')\")\n",
    ).replace(/(export async function downgrade\(op: Operations\): Promise<void> \{\n)/, "$1  op.execute('DROP TABLE cli_log')\n"))
    const [a, b] = await Promise.all([spawnCli(folder, 'upgrade', 'head'), spawnCli(folder, 'upgrade', 'head')])
    expect(a.code, a.output).to.equal(0)
    expect(b.code, b.output).to.equal(0)
    expect(`${a.output}\n${b.output}`.match(/applying /g), 'each revision applied by one of them').to.have.length(2)
    const rows = await engine.begin(async (c) => (await c.execute(text('SELECT what FROM cli_log'))).all())
    expect(rows).to.deep.equal([['applied']])
    expect((await cli(folder, 'current')).out).to.equal((await cli(folder, 'heads')).out)
    await cli(folder, 'downgrade', 'base')
  })
})
