#!/usr/bin/env node
// Installs a folder's own dependencies the first time a command needs them: the benchmarks'
// peers (Drizzle, Kysely, Prisma, TypeORM, MikroORM and their drivers) and the docs site's
// builders (TypeDoc, marked, playwright-core) are not part of the library's install (`npm ci` at
// the root), which stays lean. Re-runs when the folder's package-lock.json is newer than its install.
//
//   node tools/install-once.mjs benchmarks
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const folder = process.argv[2]
if (folder === undefined) {
  console.error('usage: node tools/install-once.mjs <folder with package.json and package-lock.json>')
  process.exit(2)
}
const dir = resolve(fileURLToPath(new URL('..', import.meta.url)), folder)
const marker = resolve(dir, 'node_modules/.package-lock.json')
const lock = resolve(dir, 'package-lock.json')
if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) process.exit(0)
console.error(`[athanor] installing ${folder}'s own dependencies (once): npm ci in ${folder}/ …`)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' })
process.exit(r.status ?? 1)
