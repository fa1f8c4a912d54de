/**
 * Where each backend under test comes from, memoised per process:
 *   1. ATHANOR_PG_URL / ATHANOR_MYSQL_URL ("skip" forces a skip); testcontainers is never loaded;
 *   2. a testcontainers container, when a Docker engine answers `/_ping` within
 *      ATHANOR_DOCKER_PROBE_MS (default 3000) — images from ATHANOR_PG_IMAGE / ATHANOR_MYSQL_IMAGE;
 *   3. otherwise a skip with one line that says why.
 * libSQL needs no server: it runs on an embedded in-memory database.
 *
 * ```ts
 * runCompliance({ backend: 'postgres', resolve: () => resolveBackend('postgres') }, complianceSuites)
 * ```
 */
import type { BackendResolution } from '@athanor/testing'
import { startDatabase } from './containers.js'
import { probeDocker } from './docker-probe.js'
import type { DockerProbe } from './docker-probe.js'

export type BackendName = 'libsql' | 'postgres' | 'mysql'
export type ServerBackend = Exclude<BackendName, 'libsql'>

export const BACKEND_ENV: Readonly<Record<ServerBackend, string>> = { postgres: 'ATHANOR_PG_URL', mysql: 'ATHANOR_MYSQL_URL' }
const resolved = new Map<BackendName, Promise<BackendResolution>>()
let probe: Promise<DockerProbe> | undefined

/** The URL of a backend, or why it is skipped. A container that fails to start rejects. */
export function resolveBackend(name: BackendName): Promise<BackendResolution> {
  let found = resolved.get(name)
  if (found === undefined) {
    found = find(name)
    resolved.set(name, found)
  }
  return found
}

/** The Docker probe, run at most once per process. */
export function dockerProbe(): Promise<DockerProbe> {
  probe ??= probeDocker()
  return probe
}

async function find(name: BackendName): Promise<BackendResolution> {
  if (name === 'libsql') return { url: 'sqlite://:memory:' }
  const variable = BACKEND_ENV[name]
  const url = process.env[variable]
  if (url === 'skip') return { skip: `${variable}=skip` }
  if (url !== undefined && url !== '') return { url }
  const docker = await dockerProbe()
  if (!docker.ok) return { skip: `${variable} unset and no Docker engine (${docker.reason})` }
  return { url: (await startDatabase(name)).url }
}
