#!/usr/bin/env node
// The athanor command. Revision files and athanor.config.ts are TypeScript, so tsx's loader is
// registered first. In this repository (no dist/ built) the TypeScript sources run instead, in a
// child process started with the condition that resolves @athanor/* packages to their sources.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (existsSync(built)) {
  const { register } = await import('tsx/esm/api')
  register()
  const { main } = await import(built)
  process.exitCode = await main(process.argv.slice(2))
} else {
  const source = fileURLToPath(new URL('./athanor-source.ts', import.meta.url))
  const child = spawnSync(process.execPath, ['--conditions=@athanor/source', '--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exitCode = child.status ?? 1
}
