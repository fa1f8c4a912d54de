// The packages as a user receives them: every workspace package packed the way it is published
// (tools/release/pack.mjs), installed from the tarballs into an empty project outside the
// workspace, then the README's example type-checked under each module resolution a TypeScript
// user may choose and run with plain `node`, as ESM and through CommonJS `require`.
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(__dirname, '../..')
const tsc = join(root, 'node_modules/typescript/bin/tsc')

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`)
  }
}

/** The first ```ts block of the README: the example a new user copies. */
function readmeExample(): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))
  if (match === null) throw new Error('README.md has no ```ts example block')
  return match[1]!
}

const resolutions = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
} as const

describe('published packages: packed, installed outside the workspace, used as the README shows', function () {
  this.timeout(300_000)
  let work: string
  let project: string
  let tarballs: string[]

  before(function () {
    work = mkdtempSync(join(tmpdir(), 'athanor-published-'))
    tarballs = run(process.execPath, [join(root, 'tools/release/pack.mjs'), '--out', join(work, 'tarballs')], root).trim().split('\n')
    project = join(work, 'project')
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    const typesNode = JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')).version as string
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, `@types/node@${typesNode}`], project)
  })

  after(function () {
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it('packs every workspace package', function () {
    const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[]
    expect(tarballs).to.have.length(workspaces.length)
  })

  it('ships compiled JavaScript, declarations, README and LICENSE only: no sources, maps or tests', function () {
    for (const tarball of tarballs) {
      const entries = run('tar', ['-tzf', tarball], work).trim().split('\n')
      const unexpected = entries.filter((entry) => !/^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts)|bin\/athanor\.js)$/.test(entry))
      expect(unexpected, tarball).to.deep.equal([])
      expect(entries, tarball).to.include.members(['package/package.json', 'package/README.md', 'package/LICENSE'])
    }
  })

  it('has complete manifests whose every export exists in the package', function () {
    for (const dir of readdir(join(project, 'node_modules/@athanor'))) {
      const home = join(project, 'node_modules/@athanor', dir)
      const text = readFileSync(join(home, 'package.json'), 'utf8')
      const manifest = JSON.parse(text) as Record<string, any>
      expect(text, dir).not.to.contain('@athanor/source')
      expect(manifest.license, dir).to.equal('MIT')
      expect(manifest.engines?.node, dir).to.equal('>=20.19')
      expect(manifest.repository?.url, dir).to.be.a('string')
      expect(manifest.devDependencies, dir).to.equal(undefined)
      if (dir !== 'core') expect(manifest.peerDependencies['@athanor/core'], dir).to.equal('^0.1.0')
      const targets = [manifest.main, manifest.types, ...Object.values(manifest.exports as Record<string, Record<string, string>>).flatMap((entry) => Object.values(entry))]
      for (const target of targets) expect(existsSync(join(home, target)), `${dir}: ${target}`).to.equal(true)
    }
  })

  it('runs the README example with plain node after compiling it under nodenext', function () {
    writeFileSync(join(project, 'example.ts'), readmeExample())
    typeCheck('nodenext', { noEmit: false, outDir: 'out' })
    expect(run(process.execPath, ['out/example.js'], project).trim()).to.equal("[ 'Alice' ]")
  })

  for (const resolution of ['node16', 'bundler'] as const) {
    it(`type-checks the README example under ${resolution} resolution`, function () {
      writeFileSync(join(project, 'example.ts'), readmeExample())
      typeCheck(resolution, { noEmit: true })
    })
  }

  it('loads from CommonJS through require() on Node 20.19+', function () {
    writeFileSync(join(project, 'example.cjs'), `
const { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, select } = require('@athanor/core')
require('@athanor/libsql')
const Base = declarativeBase()
class User extends Base.model('users', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) }) {}
;(async () => {
  const engine = createAsyncEngine('sqlite://:memory:')
  await Base.metadata.createAll(engine)
  const session = new AsyncSession(engine)
  session.add(new User({ name: 'Bob' }))
  await session.commit()
  console.log((await session.scalars(select(User))).all().map((user) => user.name).join(','))
  await session.close()
  await engine.dispose()
})()
`)
    expect(run(process.execPath, ['example.cjs'], project).trim()).to.equal('Bob')
  })

  it('installs the compliance suite with its test-runner dependencies declared', function () {
    const printed = run(process.execPath, ['--input-type=module', '-e', "const m = await import('@athanor/testing'); console.log(typeof m.runCompliance, Object.keys(m.complianceSuites).length > 0)"], project)
    expect(printed.trim()).to.equal('function true')
  })

  it('gives the athanor command from @athanor/migrate', function () {
    expect(run(join(project, 'node_modules/.bin/athanor'), ['--help'], project)).to.match(/upgrade/)
  })

  function typeCheck(resolution: keyof typeof resolutions, emit: { noEmit: boolean; outDir?: string }): void {
    const config = {
      compilerOptions: {
        ...resolutions[resolution], ...emit,
        target: 'ES2022', lib: ['ES2023', 'ESNext.Disposable'], strict: true, types: ['node'], skipLibCheck: false,
      },
      files: ['example.ts'],
    }
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config))
    run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project)
  }
})

function readdir(path: string): string[] {
  return execFileSync('ls', [path], { encoding: 'utf8' }).trim().split('\n')
}
