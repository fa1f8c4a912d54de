/**
 * The backends the reliability tests run on: libSQL on a temporary file (a file, not :memory:,
 * because a "killed" connection must not take the database with it), PostgreSQL and
 * MySQL/MariaDB from ATHANOR_PG_URL / ATHANOR_MYSQL_URL. A backend that is not available is
 * skipped with one line that says why.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import '@athanor/libsql'
import '@athanor/postgres'
import '@athanor/mysql'
import { resolveBackend, type BackendName } from '../../support/backends.js'

export type { BackendName }

export interface ReliabilityBackend {
  readonly name: BackendName
  /** Valid inside hooks and tests of the describe made by {@link forEachBackend}. */
  readonly url: string
}

const tempDirs: string[] = []
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** A fresh libSQL database file, removed when the process exits. */
export function tempLibsqlUrl(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `athanor-rel-${label}-`))
  tempDirs.push(dir)
  return `sqlite:///${join(dir, 'db.sqlite')}`
}

async function urlFor(name: BackendName, label: string): Promise<{ url: string } | { skip: string }> {
  if (name === 'libsql') return { url: tempLibsqlUrl(label) }
  return resolveBackend(name)
}

/**
 * Registers `body` once per backend inside `describe('<title> on <backend>')`; the URL is
 * resolved in a `before` hook (libSQL gets a new file per describe).
 */
export function forEachBackend(
  title: string,
  body: (backend: ReliabilityBackend) => void,
  names: readonly BackendName[] = ['libsql', 'postgres', 'mysql'],
): void {
  for (const name of names) {
    describe(`${title} on ${name}`, function () {
      let url: string | undefined
      before(async function () {
        const found = await urlFor(name, title.replace(/\W+/g, '-').slice(0, 20))
        if ('skip' in found) {
          console.log(`[athanor] skipping reliability '${title}' on ${name}: ${found.skip}`)
          this.skip()
        }
        url = found.url
      })
      body({
        name,
        get url(): string {
          if (url === undefined) throw new Error(`the ${name} URL is known only inside hooks and tests`)
          return url
        },
      })
    })
  }
}
