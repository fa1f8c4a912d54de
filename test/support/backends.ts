/**
 * Where each backend under test comes from, memoised per process:
 *   1. ATHANOR_PG_URL / ATHANOR_MYSQL_URL ("skip" forces a skip);
 *   2. TODO(harness): a testcontainers container when a Docker engine answers a ping;
 *   3. otherwise a skip with one line that says why.
 * libSQL needs no server: it runs on an embedded in-memory database.
 */
import type { BackendResolution } from '@athanor/core/testing'

export type BackendName = 'libsql' | 'postgres' | 'mysql'

const ENV: Record<Exclude<BackendName, 'libsql'>, string> = { postgres: 'ATHANOR_PG_URL', mysql: 'ATHANOR_MYSQL_URL' }
const resolved = new Map<BackendName, Promise<BackendResolution>>()

export function resolveBackend(name: BackendName): Promise<BackendResolution> {
  let found = resolved.get(name)
  if (found === undefined) {
    found = find(name)
    resolved.set(name, found)
  }
  return found
}

async function find(name: BackendName): Promise<BackendResolution> {
  if (name === 'libsql') return { url: 'sqlite://:memory:' }
  const variable = ENV[name]
  const url = process.env[variable]
  if (url === 'skip') return { skip: `${variable}=skip` }
  if (url !== undefined && url !== '') return { url }
  return { skip: `${variable} unset and no Docker engine` }
}
