import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { AthanorError } from '@athanor/core'
import { loadConfig, type LoadedConfig } from './config.js'
import type { Change } from './diff.js'
import { MigrationError } from './errors.js'
import { Migrator, type ConfirmRename } from './migrator.js'
import { pullModels } from './models-pull.js'
import { reflectSchema } from './reflect.js'

const USAGE = `athanor — schema migrations for Athanor

Usage: athanor <command> [options]

Commands:
  init                         write athanor.config.ts and a migrations folder
  revision -m <message>        write a new revision after the head (--autogenerate to fill it from the models)
  upgrade [target]             apply revisions: head (default), heads, +N, or a revision id
  downgrade <target>           undo revisions: -N, a revision id, or base
  current                      the revision(s) the database is at
  history                      every revision, oldest first, marking the current one(s)
  heads                        the revisions nothing follows yet
  check                        compare the models with the database; exit 1 when they differ (for CI)
  stamp <target>               record a revision as applied without running it (head, base, or an id)
  merge -m <message> [rev…]    write a revision that joins several heads
  models pull                  write typed model classes for the tables of the database

Options:
  --config <file>              the config file (default: ./athanor.config.ts)
  --help                       help for a command: athanor <command> --help
`

const HELP: Readonly<Record<string, string>> = {
  init: `athanor init [--url <database url>]\n\nWrites athanor.config.ts (reading DATABASE_URL unless --url is given) and an empty migrations folder.`,
  revision: `athanor revision -m <message> [--autogenerate] [--rename-table old:new]… [--rename-column table.old:new]… [--no-input]

Writes a new revision file after the current head. With --autogenerate it diffs the models
against the database (which must be at head) and writes the operations, with downgrade() as
their inverse. Renames are never guessed: on a terminal you are asked about likely ones
(--no-input to skip); otherwise say them with --rename-table / --rename-column, or the revision
drops and adds, with a warning in the file. Changes that can lose data are marked ⚠ DATA LOSS.`,
  upgrade: `athanor upgrade [target] [--sql [--from <rev>]]

target: head (default), heads (every branch), +N (the next N), or a revision id (or a prefix).
Each revision runs in one transaction where the database has transactional DDL (PostgreSQL,
SQLite); on MySQL/MariaDB a failure reports the operations that already ran. Two deployers
running at once do not apply a revision twice (a database lock serialises them).
--sql prints the SQL instead of running it (from --from, default base).`,
  downgrade: `athanor downgrade <target> [--sql --from <rev>]\n\ntarget: -N (the last N), a revision id (which stays applied), or base (everything).`,
  current: 'athanor current\n\nPrints the revision(s) the database is at, or "base".',
  history: 'athanor history\n\nPrints every revision, oldest first: id, what it follows, message; (current) and (head) marks.',
  heads: 'athanor heads\n\nPrints the revisions nothing follows (more than one: branches to merge).',
  check: 'athanor check\n\nCompares the models with the database. Prints the differences and exits 1 when there are any; exits 0 when they match.',
  stamp: 'athanor stamp <target>\n\nRecords <target> (head, base, or a revision id) in the version table without running anything: for a database that already has the schema (after models pull).',
  merge: 'athanor merge -m <message> [rev…]\n\nWrites a revision that follows several heads (all current heads when none are given).',
  models: `athanor models pull [--out <file>] [--only t1,t2] [--schema <name>]

Writes typed model classes for the database's tables (to stdout, or --out): columns, keys,
unique constraints, indexes, checks, and relationships inferred from foreign keys (many-to-many
through link tables). Then 'athanor stamp head' after a first empty revision adopts the database.`,
}

const CONFIG_TEMPLATE = (url: string): string => `import { defineConfig } from '@athanor/migrate'
// The dialect package for the URL's scheme: @athanor/postgres, @athanor/mysql or @athanor/libsql.
import '@athanor/${url.startsWith('postgres') ? 'postgres' : url.startsWith('mysql') || url.startsWith('mariadb') ? 'mysql' : 'libsql'}'

export default defineConfig({
  url: process.env['DATABASE_URL'] ?? ${JSON.stringify(url)},
  // The models' MetaData: import your declarative base here.
  // metadata: async () => (await import('./src/models.js')).Base.metadata,
  migrations: './migrations',
})
`

/** Runs one command; returns the exit code. */
export async function main(argv: readonly string[], io: { out: (line: string) => void; err: (line: string) => void } = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(rest[0] !== undefined && HELP[rest[0]] ? HELP[rest[0]]! : USAGE)
    return 0
  }
  const topic = command === 'models' ? 'models' : command
  if (HELP[topic] === undefined) {
    io.err(`athanor: unknown command '${command}'.\n\n${USAGE}`)
    return 2
  }
  let args
  try {
    // '-1' (downgrade one) is a target, not an option: pass such tokens after '--'.
    const steps = rest.filter((a) => /^-\d+$/.test(a))
    args = parseArgs({
      args: [...rest.filter((a) => !steps.includes(a)), ...(steps.length ? ['--', ...steps] : [])], allowPositionals: true, strict: true,
      options: {
        config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, message: { type: 'string', short: 'm' }, autogenerate: { type: 'boolean' },
        'rename-table': { type: 'string', multiple: true }, 'rename-column': { type: 'string', multiple: true }, 'no-input': { type: 'boolean' },
        sql: { type: 'boolean' }, from: { type: 'string', multiple: true }, out: { type: 'string' }, only: { type: 'string' }, schema: { type: 'string' },
        url: { type: 'string' },
      },
    })
  } catch (e) {
    io.err(`athanor ${command}: ${(e as Error).message}\n\n${HELP[topic]}`)
    return 2
  }
  const { values: o, positionals } = args
  if (o.help === true) {
    io.out(HELP[topic]!)
    return 0
  }
  if (command === 'init') return init(o.url, io)
  let config: LoadedConfig | undefined
  try {
    config = await loadConfig(o.config)
    const migrator = new Migrator({ engine: config.engine, migrations: config.migrations, metadata: needsModels(command, o) ? await config.metadata() : undefined, schema: o.schema ?? config.schema, log: io.out })
    return await run(command, positionals, o, migrator, config, io)
  } catch (e) {
    io.err(e instanceof AthanorError ? `athanor ${command}: ${e.message}` : `athanor ${command}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return 1
  } finally {
    if (config?.ownsEngine === true) await config.engine.dispose()
  }
}

type Options = { readonly [k: string]: string | boolean | string[] | undefined }

/** Only these compare with the models; the rest run without importing them (a broken model file does not block a downgrade). */
function needsModels(command: string, o: Options): boolean {
  return command === 'check' || (command === 'revision' && o['autogenerate'] === true)
}

async function run(command: string, positionals: readonly string[], o: Options, migrator: Migrator, config: LoadedConfig, io: { out: (l: string) => void; err: (l: string) => void }): Promise<number> {
  switch (command) {
    case 'revision': {
      const message = o['message']
      if (typeof message !== 'string') throw new MigrationError('revision needs a message: athanor revision -m "add users.email".', { code: 'migration-usage' })
      const renames = {
        tables: new Map((o['rename-table'] as string[] | undefined ?? []).map((r) => pair(r, 'rename-table', 'old:new'))),
        columns: new Map((o['rename-column'] as string[] | undefined ?? []).map((r) => pair(r, 'rename-column', 'table.old:new'))),
      }
      const ask = o['no-input'] !== true && process.stdin.isTTY ? terminalConfirm() : undefined
      const { file, changes } = await migrator.revision({ message, autogenerate: o['autogenerate'] === true, renames, confirmRename: ask })
      printChanges(changes, io)
      io.out(`Wrote ${file}`)
      return 0
    }
    case 'upgrade': case 'downgrade': {
      const target = positionals[0] ?? (command === 'upgrade' ? 'head' : undefined)
      if (target === undefined) throw new MigrationError('downgrade needs a target: -1, a revision id, or base.', { code: 'migration-usage' })
      if (o['sql'] === true) {
        io.out(await migrator.sql(command, target, (o['from'] as string[] | undefined) ?? []))
        return 0
      }
      const started = Date.now()
      const done = command === 'upgrade' ? await migrator.upgrade(target) : await migrator.downgrade(target)
      io.out(done.length === 0 ? 'Nothing to do: the database is already there.' : `${command === 'upgrade' ? 'Applied' : 'Reverted'} ${done.length} revision(s) in ${Date.now() - started} ms; now at ${(await migrator.current()).join(', ') || 'base'}.`)
      return 0
    }
    case 'current':
      io.out((await migrator.current()).join('\n') || 'base')
      return 0
    case 'heads':
      io.out((await migrator.history()).heads.join('\n') || '(no revisions)')
      return 0
    case 'history': {
      const graph = await migrator.history()
      const current = new Set(await migrator.current())
      const heads = new Set(graph.heads)
      for (const id of graph.ordered) {
        const r = graph.revisions.get(id)!
        const marks = [current.has(id) ? '(current)' : '', heads.has(id) ? '(head)' : ''].filter(Boolean).join(' ')
        io.out(`${r.downs.join(', ') || '<base>'} -> ${id}${marks ? ' ' + marks : ''}, ${r.message}`)
      }
      if (graph.ordered.length === 0) io.out('(no revisions)')
      return 0
    }
    case 'check': {
      const changes = await migrator.check()
      if (changes.length === 0) {
        io.out('The database matches the models.')
        return 0
      }
      io.err(`The database differs from the models in ${changes.length} place(s):`)
      printChanges(changes, { out: io.err })
      io.err("Write a revision for them: athanor revision --autogenerate -m '…'")
      return 1
    }
    case 'stamp': {
      const target = positionals[0]
      if (target === undefined) throw new MigrationError('stamp needs a target: head, base, or a revision id.', { code: 'migration-usage' })
      await migrator.stamp(target)
      return 0
    }
    case 'merge': {
      const message = o['message']
      if (typeof message !== 'string') throw new MigrationError('merge needs a message: athanor merge -m "merge branches".', { code: 'migration-usage' })
      const { file } = await migrator.merge(message, positionals)
      io.out(`Wrote ${file}`)
      return 0
    }
    case 'models': {
      if (positionals[0] !== 'pull') throw new MigrationError(`models has one subcommand, pull: athanor models pull --out src/models.ts.`, { code: 'migration-usage' })
      const only = typeof o['only'] === 'string' ? o['only'].split(',').map((s) => s.trim()) : undefined
      const schema = await reflectSchema(config.engine, { schema: (o['schema'] as string | undefined) ?? config.schema, only })
      const source = pullModels({ ...schema, tables: schema.tables.filter((t) => t.name !== 'athanor_version') })
      if (typeof o['out'] === 'string') {
        writeFileSync(resolve(o['out']), source)
        io.out(`Wrote ${schema.tables.length} table(s) to ${o['out']}`)
      } else io.out(source)
      return 0
    }
  }
  return 2
}

function pair(text: string, flag: string, shape: string): [string, string] {
  const i = text.lastIndexOf(':')
  if (i <= 0 || i === text.length - 1) throw new MigrationError(`--${flag} takes ${shape}, not '${text}'.`, { code: 'migration-usage' })
  return [text.slice(0, i), text.slice(i + 1)]
}

function printChanges(changes: readonly Change[], io: { out: (l: string) => void }): void {
  if (changes.length === 0) return
  for (const c of changes) {
    io.out(`  ${c.summary}`)
    if (c.dataLoss !== undefined) io.out(`      ⚠ data loss: ${c.dataLoss}`)
    if (c.manual !== undefined) io.out(`      ⚠ by hand: ${c.manual}`)
  }
}

function terminalConfirm(): ConfirmRename {
  return async (kind, from, to) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    try {
      const answer = await rl.question(`Was ${kind} ${from} renamed to ${to}? [y/N] `)
      return /^y(es)?$/i.test(answer.trim())
    } finally {
      rl.close()
    }
  }
}

function init(url: string | boolean | string[] | undefined, io: { out: (l: string) => void; err: (l: string) => void }): number {
  const file = resolve('athanor.config.ts')
  if (existsSync(file)) {
    io.err(`athanor init: ${file} exists already; edit it instead.`)
    return 1
  }
  writeFileSync(file, CONFIG_TEMPLATE(typeof url === 'string' ? url : 'sqlite:///app.db'))
  mkdirSync(resolve('migrations'), { recursive: true })
  io.out(`Wrote ${file} and migrations/. Point metadata at your models, then: athanor revision --autogenerate -m "first"`)
  return 0
}
