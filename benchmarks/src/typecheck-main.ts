/**
 * The type checker's cost of an application: a generated 100-model schema with 50 queries,
 * written with Athanor and with Drizzle, each checked by `tsc --noEmit --extendedDiagnostics`
 * (the repository's TypeScript) in a scratch project inside benchmarks/ (so both resolve their
 * packages; Athanor's through its built declarations, as users see it), several rounds
 * interleaved; the report gives the median check time and memory.
 *
 *   npm run bench:types -- [--models 100] [--queries 50] [--rounds 3]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { athanorProject, drizzleProject } from './typecheck/generate.js'
import type { GeneratedProject } from './typecheck/generate.js'

const argv = process.argv.slice(2)
const flag = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? Number(argv[i + 1]) : fallback
}
const models = flag('models', 100)
const queries = flag('queries', 50)
const rounds = flag('rounds', 3)

const benchRoot = fileURLToPath(new URL('..', import.meta.url))
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc')
const scratch = join(benchRoot, 'out', 'typecheck')

interface Measure { readonly checkSeconds: number; readonly totalSeconds: number; readonly memoryMb: number; readonly types: number }

function measure(project: GeneratedProject): Measure {
  const dir = join(scratch, project.name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(project.files)) writeFileSync(join(dir, file), text)
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['ES2023', 'ESNext.Disposable'] },
    files: Object.keys(project.files),
  }))
  let output: string
  try {
    output = execFileSync(process.execPath, [tsc, '-p', dir, '--extendedDiagnostics'], { encoding: 'utf8' })
  } catch (error) {
    throw new Error(`the generated ${project.name} project does not type-check:\n${(error as { stdout?: string }).stdout ?? error}`)
  }
  const read = (label: string): number => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(output)?.[1] ?? Number.NaN)
  return { checkSeconds: read('Check time'), totalSeconds: read('Total time'), memoryMb: read('Memory used') / 1024, types: read('Types') }
}

// The generated projects see the packages as users do, through their built declarations.
execFileSync(process.execPath, [tsc, '-b', join(benchRoot, '..')], { stdio: 'inherit' })

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const projects = [athanorProject(models, queries), drizzleProject(models, queries)]
const results = new Map<string, Measure[]>(projects.map((p) => [p.name, []]))
for (let r = 0; r < rounds; r++) for (const p of projects) results.get(p.name)!.push(measure(p))

console.log(`type-check cost: ${models} models, ${queries} queries, median of ${rounds} rounds (tsc ${execFileSync(process.execPath, [tsc, '-v'], { encoding: 'utf8' }).trim()})`)
console.log('| library | check time | total time | memory | types |')
console.log('|---|---|---|---|---|')
for (const [name, ms] of results) {
  console.log(`| ${name} | ${median(ms.map((m) => m.checkSeconds)).toFixed(2)} s | ${median(ms.map((m) => m.totalSeconds)).toFixed(2)} s | ${median(ms.map((m) => m.memoryMb)).toFixed(0)} MB | ${median(ms.map((m) => m.types))} |`)
}
rmSync(scratch, { recursive: true, force: true })
