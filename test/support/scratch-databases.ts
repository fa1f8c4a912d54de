/**
 * A database of its own for each test run. ATHANOR_PG_URL / ATHANOR_MYSQL_URL name a server and a
 * database that other runs may use at the same time (a second checkout's `npm test`, another
 * suite on the same CI machine); the suites create tables with fixed names, so two runs in one
 * database see each other's rows and wait on each other's locks. Before any test file loads
 * (mocha's global setup), each URL given is pointed at a new database `athanor_run_<time>_<pid>`
 * on the same server, created here and dropped at the end of the run; runs that were killed
 * leave theirs behind, and the next run drops those older than a few hours.
 * Set ATHANOR_TEST_SHARED_DB=1 to use the given databases as they are.
 */
import { createAsyncEngine, text, type Engine } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { BACKEND_ENV, type ServerBackend } from './backends.js'

const PREFIX = 'athanor_run_'
/** Older than this, a run database belongs to no running suite (a full run takes ~15 minutes). */
const STALE_MS = 6 * 3600_000

interface Scratch {
  readonly variable: string
  /** The URL the run was given (the server's own database), to drop the scratch one from. */
  readonly adminUrl: string
  readonly name: string
  readonly backend: ServerBackend
}

const created: Scratch[] = []

/** The URL with its database (path) replaced. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

const quote = (backend: ServerBackend, name: string): string => (backend === 'postgres' ? `"${name}"` : `\`${name}\``)

/** Runs one statement outside any transaction (CREATE / DROP DATABASE cannot run inside one on PostgreSQL). */
async function runOutside(engine: Engine, sql: string): Promise<unknown[][]> {
  const conn = await engine.connect()
  try {
    return (await conn.executeOutsideTransaction(text(sql))).all() as unknown[][]
  } finally {
    await conn.close()
  }
}

async function existing(engine: Engine, backend: ServerBackend): Promise<string[]> {
  const sql = backend === 'postgres'
    ? `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`
    : `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${PREFIX}%'`
  return (await runOutside(engine, sql)).map((r) => String(r[0]))
}

function dropSql(backend: ServerBackend, name: string): string {
  // WITH (FORCE): connections a test left open must not keep the database alive (PostgreSQL 13+).
  return backend === 'postgres' ? `DROP DATABASE IF EXISTS ${quote(backend, name)} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${quote(backend, name)}`
}

/** Creates the run's databases and points the URL variables at them. */
export async function createScratchDatabases(): Promise<void> {
  if (process.env['ATHANOR_TEST_SHARED_DB'] === '1') return
  const stamp = Date.now()
  for (const backend of Object.keys(BACKEND_ENV) as ServerBackend[]) {
    const variable = BACKEND_ENV[backend]
    const url = process.env[variable]
    if (url === undefined || url === '' || url === 'skip') continue
    const name = `${PREFIX}${stamp.toString(36)}_${process.pid}`
    let scratchUrl: string
    try {
      scratchUrl = withDatabase(url, name)
    } catch {
      continue // a URL the URL parser does not take (several hosts): used as given
    }
    const engine = createAsyncEngine(url, { pool: { size: 1 } })
    try {
      for (const old of await existing(engine, backend)) {
        const born = parseInt(old.slice(PREFIX.length).split('_')[0] ?? '', 36)
        if (Number.isFinite(born) && stamp - born > STALE_MS) await runOutside(engine, dropSql(backend, old)).catch(() => undefined)
      }
      await runOutside(engine, `CREATE DATABASE ${quote(backend, name)}`)
    } catch (e) {
      // No right to create databases: the run uses the one it was given, as before.
      console.log(`[athanor] could not create a database of this run's own on ${variable} (${(e as Error).message.split('\n')[0]}); using the one given`)
      continue
    } finally {
      await engine.dispose()
    }
    created.push({ variable, adminUrl: url, name, backend })
    process.env[variable] = scratchUrl
  }
}

/** The database this run made for the server `variable` names, if it made one. */
export function runDatabase(variable: string): { readonly name: string; readonly givenUrl: string } | undefined {
  const s = created.find((c) => c.variable === variable)
  return s === undefined ? undefined : { name: s.name, givenUrl: s.adminUrl }
}

/** Drops the databases {@link createScratchDatabases} made and gives the variables back. */
export async function dropScratchDatabases(): Promise<void> {
  for (const s of created.splice(0)) {
    process.env[s.variable] = s.adminUrl
    const engine = createAsyncEngine(s.adminUrl, { pool: { size: 1 } })
    try {
      await runOutside(engine, dropSql(s.backend, s.name))
    } catch (e) {
      console.log(`[athanor] could not drop this run's database ${s.name} (${(e as Error).message.split('\n')[0]}); the next run drops it once it is old`)
    } finally {
      await engine.dispose()
    }
  }
}
