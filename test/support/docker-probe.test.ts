// The Docker probe decides between "start a container" and "skip with a reason" without Docker:
// it must find endpoints in testcontainers' order and never hang, whatever listens there.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server as HttpServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { dockerEndpoints, pingDocker, probeDocker, probeTimeoutFromEnv } from './docker-probe.js'
import type { DockerEndpoint, ProbeEnvironment } from './docker-probe.js'

function fakeEnvironment(files: Record<string, string>, env: Record<string, string> = {}): ProbeEnvironment {
  return {
    env, home: '/home/tester', uid: 1000, platform: 'linux',
    exists: (path) => path in files,
    readFile: (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: ${path}`)
      return Buffer.from(text)
    },
  }
}

const open = new Map<Server | HttpServer, Set<Socket>>()
async function listen<T extends Server | HttpServer>(server: T): Promise<T> {
  const sockets = new Set<Socket>()
  open.set(server, sockets)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((ok) => (server as Server).listen(0, '127.0.0.1', ok))
  return server
}
// Closing also ends connections a failed test left open, so a failure cannot hang the run.
async function close(server: Server | HttpServer): Promise<void> {
  for (const socket of open.get(server) ?? []) socket.destroy()
  open.delete(server)
  await new Promise<void>((ok) => server.close(() => ok()))
}
const portOf = (server: Server | HttpServer): number => (server.address() as AddressInfo).port
const tcp = (port: number): DockerEndpoint => ({ uri: `tcp://127.0.0.1:${port}`, source: 'test', host: '127.0.0.1', port })

describe('Docker probe', () => {
  describe('finding endpoints', () => {
    it('finds nothing when no variable, properties file or socket exists', () => {
      expect(dockerEndpoints(fakeEnvironment({}))).to.deep.equal([])
    })

    it('follows testcontainers: tc.host, then DOCKER_HOST over docker.host, then the sockets', () => {
      const files = {
        '/home/tester/.testcontainers.properties': '# comment\ntc.host=tcp://tc.example:2375\ndocker.host = unix:///props.sock\n',
        '/var/run/docker.sock': '',
        '/run/user/1000/docker.sock': '',
      }
      const found = dockerEndpoints(fakeEnvironment(files, { DOCKER_HOST: 'tcp://10.0.0.5:2375' }))
      expect(found.map((e) => [e.source, e.uri])).to.deep.equal([
        ['tc.host in ~/.testcontainers.properties', 'tcp://tc.example:2375'],
        ['DOCKER_HOST', 'tcp://10.0.0.5:2375'],
        ['docker.sock', 'unix:///var/run/docker.sock'],
        ['rootless docker.sock', 'unix:///run/user/1000/docker.sock'],
      ])
      expect(found[1]).to.include({ host: '10.0.0.5', port: 2375 })
      expect(dockerEndpoints(fakeEnvironment(files))[1]).to.deep.equal({ uri: 'unix:///props.sock', source: 'docker.host in ~/.testcontainers.properties', socketPath: '/props.sock' })
    })

    it('prefers XDG_RUNTIME_DIR among rootless sockets and marks ssh:// as not probed', () => {
      const env = fakeEnvironment({ '/xdg/docker.sock': '', '/home/tester/.docker/run/docker.sock': '' }, { XDG_RUNTIME_DIR: '/xdg', DOCKER_HOST: 'ssh://me@box' })
      const found = dockerEndpoints(env)
      expect(found.map((e) => e.uri)).to.deep.equal(['ssh://me@box', 'unix:///xdg/docker.sock'])
      expect(found[0]!.unsupported).to.match(/ssh:\/\/ endpoints are not probed/)
    })

    it('reads TLS certificates when DOCKER_TLS_VERIFY=1, and names a missing one', () => {
      const certs = { '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' }
      const env = { DOCKER_HOST: 'tcp://secure:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }
      const [endpoint] = dockerEndpoints(fakeEnvironment(certs, env))
      expect(endpoint!.tls?.cert.toString()).to.equal('CERT')
      expect(() => dockerEndpoints(fakeEnvironment({}, env))).to.throw(/ca\.pem/)
    })

    it('reads the timeout from ATHANOR_DOCKER_PROBE_MS and rejects nonsense', () => {
      expect(probeTimeoutFromEnv({})).to.equal(3000)
      expect(probeTimeoutFromEnv({ ATHANOR_DOCKER_PROBE_MS: '250' })).to.equal(250)
      expect(() => probeTimeoutFromEnv({ ATHANOR_DOCKER_PROBE_MS: 'soon' })).to.throw(/positive whole number/)
    })
  })

  describe('pinging', () => {
    let servers: (Server | HttpServer)[] = []
    afterEach(async () => {
      await Promise.all(servers.map(close))
      servers = []
    })

    it('reports a refused TCP port at once', async () => {
      const gone = await listen(createTcpServer())
      const port = portOf(gone)
      await close(gone)
      expect(await pingDocker(tcp(port), 2000)).to.deep.equal({ reason: 'ECONNREFUSED', timedOut: false })
    })

    it('reports a missing socket file', async () => {
      const endpoint = { uri: 'unix:///nonexistent/athanor-docker.sock', source: 'test', socketPath: '/nonexistent/athanor-docker.sock' }
      expect(await pingDocker(endpoint, 2000)).to.deep.equal({ reason: 'ENOENT', timedOut: false })
    })

    it('gives up on a listener that accepts and never answers, and closes its socket', async () => {
      const accepted: Socket[] = []
      // resume(): read (and so notice the client's hang-up) but never answer.
      const hung = await listen(createTcpServer((socket) => { accepted.push(socket.resume()) }))
      servers.push(hung)
      expect(await pingDocker(tcp(portOf(hung)), 150)).to.deep.equal({ reason: 'no answer within 150 ms', timedOut: true })
      // The client side is destroyed, so the server sees the connection end and nothing keeps mocha alive.
      await new Promise<void>((ok) => (accepted[0]!.closed ? ok() : accepted[0]!.once('close', () => ok())))
      expect(accepted).to.have.length(1)
    })

    it('accepts an engine that answers OK, over TCP and over a unix socket', async () => {
      const handler = (req: { url?: string | undefined }, res: { writeHead(s: number): void; end(b: string): void }): void => {
        res.writeHead(req.url === '/_ping' ? 200 : 404)
        res.end('OK')
      }
      const daemon = await listen(createServer(handler))
      servers.push(daemon)
      expect(await pingDocker(tcp(portOf(daemon)), 2000)).to.equal(undefined)
      const dir = mkdtempSync(join(tmpdir(), 'athanor-probe-'))
      try {
        const socketPath = join(dir, 'docker.sock')
        const onSocket = createServer(handler)
        open.set(onSocket, new Set())
        await new Promise<void>((ok) => onSocket.listen(socketPath, ok))
        servers.push(onSocket)
        expect(await pingDocker({ uri: `unix://${socketPath}`, source: 'test', socketPath }, 2000)).to.equal(undefined)
      } finally {
        await Promise.all(servers.splice(1).map(close))
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('treats an HTTP error as no engine', async () => {
      const broken = await listen(createServer((_req, res) => { res.writeHead(500); res.end('daemon sick') }))
      servers.push(broken)
      expect(await pingDocker(tcp(portOf(broken)), 2000)).to.deep.equal({ reason: 'HTTP 500 daemon sick', timedOut: false })
    })
  })

  describe('probing in order', () => {
    let servers: Server[] = []
    afterEach(async () => {
      await Promise.all(servers.map(close))
      servers = []
    })

    it('says why when there is no endpoint at all', async () => {
      expect(await probeDocker({ endpoints: [], timeoutMs: 100 })).to.deep.equal({ ok: false, reason: 'no DOCKER_HOST, no tc.host and no docker.sock found' })
    })

    it('passes over a dead endpoint to one that answers, as testcontainers would', async () => {
      const gone = await listen(createTcpServer())
      const deadPort = portOf(gone)
      await close(gone)
      const daemon = await listen(createServer((_req, res) => res.end('OK')))
      servers.push(daemon as unknown as Server)
      const probe = await probeDocker({ endpoints: [tcp(deadPort), tcp(portOf(daemon))], timeoutMs: 1000 })
      expect(probe).to.deep.equal({ ok: true, endpoint: tcp(portOf(daemon)) })
    })

    it('stops at a hung endpoint, because testcontainers would wait on it forever', async () => {
      const hung = await listen(createTcpServer((socket) => { socket.resume() }))
      servers.push(hung)
      const daemon = await listen(createServer((_req, res) => res.end('OK')))
      servers.push(daemon as unknown as Server)
      const probe = await probeDocker({ endpoints: [tcp(portOf(hung)), tcp(portOf(daemon))], timeoutMs: 100 })
      expect(probe).to.deep.equal({ ok: false, reason: `tcp://127.0.0.1:${portOf(hung)} /_ping: no answer within 100 ms` })
    })
  })
})
