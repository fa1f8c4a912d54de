#!/usr/bin/env node
// The athanor command. Revision files and athanor.config.ts are TypeScript, so tsx's loader is
// registered first. In a checkout of the repository (src/ present; the published package ships
// dist/ only) the TypeScript sources run instead, so a stale dist/ is never used, in a child
// process started with the condition that resolves @athanor/* packages to their sources.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const source = fileURLToPath(new URL('./athanor-source.ts', import.meta.url))
if (!existsSync(fileURLToPath(new URL('../src/cli.ts', import.meta.url)))) {
  const { register } = await import('tsx/esm/api')
  register()
  const { main } = await import(built)
  process.exitCode = await main(process.argv.slice(2))
} else {
  const child = spawnSync(process.execPath, ['--conditions=@athanor/source', '--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exitCode = child.status ?? 1
}
