/**
 * Database servers in throwaway containers (testcontainers), one per kind per process, stopped
 * by the global mocha teardown in hooks.ts. testcontainers is imported lazily: a run with env
 * URLs, or without Docker, never loads it. Call only after `probeDocker()` said the engine
 * answers — testcontainers' own lookup can hang forever.
 *
 * ```ts
 * const { url } = await startDatabase('postgres')   // postgres://test:test@localhost:32768/test
 * ```
 */
import type { StartedTestContainer } from 'testcontainers'

export type ContainerKind = 'postgres' | 'mysql'

/** A running server and how to reach it. */
export interface StartedDatabase {
  readonly url: string
  readonly image: string
}

/** Images, overridable by env; a `mariadb:*` MySQL image starts MariaDB instead. */
export const DEFAULT_IMAGES: Readonly<Record<ContainerKind, string>> = { postgres: 'postgres:16-alpine', mysql: 'mysql:8.4' }
const IMAGE_ENV: Readonly<Record<ContainerKind, string>> = { postgres: 'ATHANOR_PG_IMAGE', mysql: 'ATHANOR_MYSQL_IMAGE' }
const STARTUP_MS = 120_000

const started = new Map<ContainerKind, Promise<{ database: StartedDatabase; container: StartedTestContainer }>>()

/** The image for a kind: `ATHANOR_PG_IMAGE` / `ATHANOR_MYSQL_IMAGE`, else the default. */
export function imageFor(kind: ContainerKind, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const image = env[IMAGE_ENV[kind]]
  return image === undefined || image === '' ? DEFAULT_IMAGES[kind] : image
}

/** True for images of the MariaDB repository (`mariadb:11`, `docker.io/library/mariadb:11.4`). */
export function isMariadbImage(image: string): boolean {
  const repository = image.split('@')[0]!.replace(/:[^/:]*$/, '')
  return repository.split('/').at(-1) === 'mariadb'
}

/** Starts (once per process) a server of this kind and returns its URL. */
export async function startDatabase(kind: ContainerKind): Promise<StartedDatabase> {
  let running = started.get(kind)
  if (running === undefined) {
    running = start(kind, imageFor(kind))
    started.set(kind, running)
    // A failed start is not cached, so a later caller sees the failure again rather than a stale promise.
    running.catch(() => started.delete(kind))
  }
  return (await running).database
}

/** Stops every container this process started (the global mocha teardown calls it). */
export async function stopAllDatabases(): Promise<void> {
  const all = [...started.values()]
  started.clear()
  // A container that failed to start has nothing to stop; its error was reported where it was awaited.
  const results = await Promise.allSettled(all.map(async (p) => (await p.catch(() => undefined))?.container.stop()))
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed.length > 0) throw new Error(`Could not stop ${failed.length} test container(s): ${String(failed[0]!.reason)}`)
}

async function start(kind: ContainerKind, image: string): Promise<{ database: StartedDatabase; container: StartedTestContainer }> {
  try {
    if (kind === 'postgres') return await startPostgres(image)
    return isMariadbImage(image) ? await startMariadb(image) : await startMysql(image)
  } catch (e) {
    throw new Error(`The ${kind} test container (${image}) did not start: ${(e as Error).message}. ` +
      `Check the image name (${IMAGE_ENV[kind]}) and that Docker can pull it, or set the backend URL instead.`, { cause: e })
  }
}

async function startPostgres(image: string): Promise<{ database: StartedDatabase; container: StartedTestContainer }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
  // Data on tmpfs and fsync off: a test server needs no durability, and it starts faster.
  const container = await new PostgreSqlContainer(image)
    .withDatabase('test')
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'full_page_writes=off'])
    .withStartupTimeout(STARTUP_MS)
    .start()
  return { database: { url: container.getConnectionUri(), image }, container }
}

async function startMysql(image: string): Promise<{ database: StartedDatabase; container: StartedTestContainer }> {
  const { MySqlContainer } = await import('@testcontainers/mysql')
  const container = await new MySqlContainer(image)
    .withDatabase('test')
    .withTmpFs({ '/var/lib/mysql': 'rw' })
    .withStartupTimeout(STARTUP_MS)
    .start()
  // root, like the local servers the suites run against (DDL and every privilege).
  return { database: { url: container.getConnectionUri(true), image }, container }
}

// @testcontainers/mariadb has no release matching testcontainers 12.0.1 (the last one that runs
// on Node 20), so MariaDB is a GenericContainer waiting on the image's own health check script.
async function startMariadb(image: string): Promise<{ database: StartedDatabase; container: StartedTestContainer }> {
  const { GenericContainer, Wait } = await import('testcontainers')
  const container = await new GenericContainer(image)
    .withEnvironment({ MARIADB_ROOT_PASSWORD: 'test', MARIADB_DATABASE: 'test' })
    .withExposedPorts(3306)
    .withTmpFs({ '/var/lib/mysql': 'rw' })
    .withHealthCheck({ test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'], interval: 1000, timeout: 5000, retries: 60 })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(STARTUP_MS)
    .start()
  const url = `mysql://root:test@${container.getHost()}:${container.getMappedPort(3306)}/test`
  return { database: { url, image }, container }
}
