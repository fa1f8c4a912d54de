#!/usr/bin/env node
// Packs every published package the way it goes to the registry: a release build (no source or
// declaration maps, since src/ does not ship), then each package staged in a scratch folder with
// the repository-only parts of its manifest removed — the `@athanor/source` export condition
// (it points at src/*.ts), devDependencies and scripts — plus the root LICENSE, and `npm pack`ed
// there. The workspace's own package.json files are never rewritten.
//
//   node tools/release/pack.mjs [--out <dir>]     prints one tarball path per line
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const outFlag = args.indexOf('--out')
const out = resolve(outFlag >= 0 ? args[outFlag + 1] : join(root, '.pack'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** The workspaces that publish (every one not marked private). */
export function publishedPackages() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  return workspaces
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
}

/** Removes the source-only export condition from an exports map, recursively. */
function stripSourceCondition(exports) {
  if (typeof exports !== 'object' || exports === null) return exports
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== '@athanor/source')
      .map(([key, value]) => [key, stripSourceCondition(value)]),
  )
}

function releaseBuild(packages) {
  for (const { dir } of packages) rmSync(join(root, dir, 'dist'), { recursive: true, force: true })
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-b', '--force', '--sourceMap', 'false', '--declarationMap', 'false'], { cwd: root, stdio: 'inherit' })
}

function stage(dir, manifest, into) {
  const source = join(root, dir)
  for (const entry of [...manifest.files, 'README.md']) {
    if (existsSync(join(source, entry))) cpSync(join(source, entry), join(into, entry), { recursive: true })
  }
  cpSync(join(root, 'LICENSE'), join(into, 'LICENSE'))
  const { devDependencies: _dev, scripts: _scripts, ...published } = manifest
  published.exports = stripSourceCondition(manifest.exports)
  writeFileSync(join(into, 'package.json'), JSON.stringify(published, null, 2) + '\n')
}

const packages = publishedPackages()
releaseBuild(packages)
mkdirSync(out, { recursive: true })
const scratch = mkdtempSync(join(tmpdir(), 'athanor-stage-'))
try {
  for (const { dir, manifest } of packages) {
    const into = join(scratch, dir)
    mkdirSync(into, { recursive: true })
    stage(dir, manifest, into)
    const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: into, encoding: 'utf8' }))
    console.log(join(out, packed.filename))
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
