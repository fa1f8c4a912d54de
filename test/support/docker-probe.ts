/**
 * Finds a Docker engine the way testcontainers 12 does, and proves it answers `/_ping` within a
 * timeout before anything hands it to testcontainers: testcontainers' own lookup has no timeout,
 * so a daemon that accepts connections and never answers hangs it (and mocha) forever.
 *
 * ```ts
 * const probe = await probeDocker()
 * if (!probe.ok) console.log(`no Docker: ${probe.reason}`)
 * ```
 */
import { existsSync, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import type { RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { homedir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'

/** One place a Docker engine may listen. */
export interface DockerEndpoint {
  /** How the endpoint was written (`unix:///var/run/docker.sock`, `tcp://host:2375`), for messages. */
  readonly uri: string
  /** Where it came from (`DOCKER_HOST`, `tc.host`, `docker.sock` …), for messages. */
  readonly source: string
  readonly socketPath?: string
  readonly host?: string
  readonly port?: number
  /** Certificates, when `DOCKER_TLS_VERIFY=1` (testcontainers then speaks https). */
  readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer }
  /** Set when the endpoint cannot be probed here (ssh://, npipe://); the probe stops on it. */
  readonly unsupported?: string
}

export type DockerProbe = { readonly ok: true; readonly endpoint: DockerEndpoint } | { readonly ok: false; readonly reason: string }

/** What endpoint discovery reads; tests pass a fake one. */
export interface ProbeEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly home: string
  readonly uid: number
  readonly platform: string
  exists(path: string): boolean
  readFile(path: string): Buffer
}

export const DEFAULT_PROBE_MS = 3000

const realEnvironment = (): ProbeEnvironment => ({
  env: process.env,
  home: homedir(),
  uid: userInfo().uid,
  platform: process.platform,
  exists: existsSync,
  readFile: (path) => readFileSync(path),
})

/**
 * The endpoints testcontainers would try, in its order: `tc.host` from
 * `~/.testcontainers.properties`, `DOCKER_HOST` (env, else `docker.host` there),
 * `/var/run/docker.sock`, then the first rootless socket that exists.
 */
export function dockerEndpoints(environment: ProbeEnvironment = realEnvironment()): DockerEndpoint[] {
  const { env, exists } = environment
  const properties = readProperties(environment)
  const found: DockerEndpoint[] = []
  const tcHost = properties.get('tc.host')
  if (tcHost) found.push(parseUri(tcHost, 'tc.host in ~/.testcontainers.properties', undefined))
  const dockerHost = env.DOCKER_HOST ?? properties.get('docker.host')
  if (dockerHost) {
    const tlsVerify = env.DOCKER_TLS_VERIFY ?? properties.get('docker.tls.verify')
    const certPath = env.DOCKER_CERT_PATH ?? properties.get('docker.cert.path')
    const source = env.DOCKER_HOST !== undefined ? 'DOCKER_HOST' : 'docker.host in ~/.testcontainers.properties'
    found.push(parseUri(dockerHost, source, tlsVerify === '1' && certPath !== undefined ? () => readCerts(environment, certPath) : undefined))
  }
  if (environment.platform !== 'linux' && environment.platform !== 'darwin') return found
  if (exists('/var/run/docker.sock')) found.push({ uri: 'unix:///var/run/docker.sock', source: 'docker.sock', socketPath: '/var/run/docker.sock' })
  const rootless = [
    env.XDG_RUNTIME_DIR === undefined ? undefined : join(env.XDG_RUNTIME_DIR, 'docker.sock'),
    join(environment.home, '.docker', 'run', 'docker.sock'),
    join(environment.home, '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(environment.uid), 'docker.sock'),
  ].find((path) => path !== undefined && exists(path))
  if (rootless !== undefined) found.push({ uri: `unix://${rootless}`, source: 'rootless docker.sock', socketPath: rootless })
  return found
}

/**
 * One HTTP `GET /_ping`. Resolves with `undefined` when the engine answers OK, else with the
 * reason; `timedOut` tells a hung endpoint (testcontainers would hang on it) from a dead one.
 * The socket is destroyed on every path so nothing keeps the process alive.
 */
export function pingDocker(endpoint: DockerEndpoint, timeoutMs: number): Promise<{ readonly reason: string; readonly timedOut: boolean } | undefined> {
  if (endpoint.unsupported !== undefined) return Promise.resolve({ reason: endpoint.unsupported, timedOut: false })
  return new Promise((settle) => {
    let done = false
    const finish = (outcome: { reason: string; timedOut: boolean } | undefined): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      settle(outcome)
    }
    const options: RequestOptions = { method: 'GET', path: '/_ping', agent: false, headers: { Connection: 'close' } }
    if (endpoint.socketPath !== undefined) options.socketPath = endpoint.socketPath
    else {
      options.host = endpoint.host
      options.port = endpoint.port
    }
    const req = endpoint.tls ? httpsRequest({ ...options, ...endpoint.tls }) : httpRequest(options)
    const timer = setTimeout(() => finish({ reason: `no answer within ${timeoutMs} ms`, timedOut: true }), timeoutMs)
    req.on('error', (e: NodeJS.ErrnoException) => finish({ reason: e.code ?? e.message, timedOut: false }))
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => finish(res.statusCode === 200 ? undefined : { reason: `HTTP ${res.statusCode ?? '?'} ${body.trim().slice(0, 80)}`, timedOut: false }))
      res.on('error', (e) => finish({ reason: e.message, timedOut: false }))
    })
    req.end()
  })
}

/**
 * Pings the endpoints in testcontainers' order. A dead endpoint is passed over (testcontainers
 * moves on too); a hung one ends the probe, because testcontainers would wait on it forever.
 */
export async function probeDocker(options: { endpoints?: readonly DockerEndpoint[]; timeoutMs?: number } = {}): Promise<DockerProbe> {
  const timeoutMs = options.timeoutMs ?? probeTimeoutFromEnv()
  let endpoints: readonly DockerEndpoint[]
  try {
    endpoints = options.endpoints ?? dockerEndpoints()
  } catch (e) {
    return { ok: false, reason: (e as Error).message }
  }
  if (endpoints.length === 0) return { ok: false, reason: 'no DOCKER_HOST, no tc.host and no docker.sock found' }
  const failures: string[] = []
  for (const endpoint of endpoints) {
    const failure = await pingDocker(endpoint, timeoutMs)
    if (failure === undefined) return { ok: true, endpoint }
    failures.push(`${endpoint.uri} /_ping: ${failure.reason}`)
    if (failure.timedOut || endpoint.unsupported !== undefined) break
  }
  return { ok: false, reason: failures.join('; ') }
}

/** `ATHANOR_DOCKER_PROBE_MS`, default 3000. */
export function probeTimeoutFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.ATHANOR_DOCKER_PROBE_MS
  if (raw === undefined || raw === '') return DEFAULT_PROBE_MS
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`ATHANOR_DOCKER_PROBE_MS must be a positive whole number of milliseconds, not '${raw}'.`)
  return ms
}

function parseUri(uri: string, source: string, certs: (() => DockerEndpoint['tls']) | undefined): DockerEndpoint {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return { uri, source, unsupported: `${source} '${uri}' is not a URL (expected unix:///path or tcp://host:port)` }
  }
  if (url.protocol === 'ssh:' || url.protocol === 'npipe:') {
    return { uri, source, unsupported: `${url.protocol}// endpoints are not probed; set the backend URL variables instead` }
  }
  if (url.hostname === '' && url.pathname !== '') return { uri, source, socketPath: decodeURIComponent(url.pathname) }
  const tls = certs?.()
  return { uri, source, host: url.hostname, port: url.port === '' ? (tls ? 2376 : 2375) : Number(url.port), ...(tls ? { tls } : {}) }
}

function readCerts(environment: ProbeEnvironment, certPath: string): DockerEndpoint['tls'] {
  const read = (name: string): Buffer => environment.readFile(resolve(certPath, name))
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') }
}

/** The few `key=value` / `key: value` lines of a Java properties file testcontainers reads. */
function readProperties(environment: ProbeEnvironment): Map<string, string> {
  const file = join(environment.home, '.testcontainers.properties')
  const map = new Map<string, string>()
  if (!environment.exists(file)) return map
  for (const line of environment.readFile(file).toString('utf8').split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(trimmed)
    if (m) map.set(m[1]!, m[2]!.trim())
  }
  return map
}
