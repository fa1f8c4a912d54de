// How a backend is found: env URL, else a container when Docker answers, else a one-line skip.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { createAsyncEngine, text } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { dockerProbe } from './backends.js'
import { imageFor, isMariadbImage, startDatabase } from './containers.js'
import type { ContainerKind } from './containers.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

/** Resolves one backend in a fresh process with only `env` set, and returns what it printed. */
async function resolveInChild(name: string, env: Record<string, string>): Promise<string> {
  const script = `const { resolveBackend } = await import('./test/support/backends.ts'); console.log(JSON.stringify(await resolveBackend('${name}')))`
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ATHANOR_|DOCKER_)/.test(k)))
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=@athanor/source', '--input-type=module', '-e', script], {
    cwd: root, env: { ...base, HOME: '/nonexistent-home', XDG_RUNTIME_DIR: '/nonexistent-xdg', ...env }, timeout: 15_000,
  })
  return stdout.trim()
}

describe('test backends', () => {
  describe('resolution', () => {
    it('uses the env URL as given, whatever Docker endpoint is configured', async () => {
      const out = await resolveInChild('postgres', { ATHANOR_PG_URL: 'postgres://u@db.invalid/x', DOCKER_HOST: 'tcp://127.0.0.1:1' })
      expect(JSON.parse(out)).to.deep.equal({ url: 'postgres://u@db.invalid/x' })
    })

    it('skips when the URL is "skip"', async () => {
      expect(JSON.parse(await resolveInChild('mysql', { ATHANOR_MYSQL_URL: 'skip' }))).to.deep.equal({ skip: 'ATHANOR_MYSQL_URL=skip' })
    })

    it('skips with the probe reason when DOCKER_HOST refuses', async () => {
      const server = createServer()
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
      const port = (server.address() as AddressInfo).port
      await new Promise<void>((ok) => server.close(() => ok()))
      const out = JSON.parse(await resolveInChild('postgres', { DOCKER_HOST: `tcp://127.0.0.1:${port}` })) as { skip: string }
      expect(out.skip).to.equal(`ATHANOR_PG_URL unset and no Docker engine (tcp://127.0.0.1:${port} /_ping: ECONNREFUSED)`)
    })

    it('skips and the process exits when the Docker endpoint accepts and never answers', async () => {
      const accepted: Socket[] = []
      const hung = createServer((socket) => { accepted.push(socket.resume()) })
      await new Promise<void>((ok) => hung.listen(0, '127.0.0.1', ok))
      const port = (hung.address() as AddressInfo).port
      try {
        // execFile resolves only once the child has exited: nothing is left holding it open.
        const out = JSON.parse(await resolveInChild('mysql', { DOCKER_HOST: `tcp://127.0.0.1:${port}`, ATHANOR_DOCKER_PROBE_MS: '200' })) as { skip: string }
        expect(out.skip).to.equal(`ATHANOR_MYSQL_URL unset and no Docker engine (tcp://127.0.0.1:${port} /_ping: no answer within 200 ms)`)
      } finally {
        for (const socket of accepted) socket.destroy()
        await new Promise<void>((ok) => hung.close(() => ok()))
      }
    })
  })

  describe('container images', () => {
    it('default to PostgreSQL 16 and MySQL 8.4 and follow the env overrides', () => {
      expect(imageFor('postgres', {})).to.equal('postgres:16-alpine')
      expect(imageFor('mysql', {})).to.equal('mysql:8.4')
      expect(imageFor('mysql', { ATHANOR_MYSQL_IMAGE: 'mariadb:11' })).to.equal('mariadb:11')
    })

    it('recognise MariaDB images by repository name', () => {
      expect(['mariadb:11', 'docker.io/library/mariadb:11.4', 'mariadb', 'registry:5000/mariadb@sha256:ab'].map(isMariadbImage)).to.deep.equal([true, true, true, true])
      expect(['mysql:8.4', 'mariadb-tools:1', 'example/mariadbish:2'].map(isMariadbImage)).to.deep.equal([false, false, false])
    })
  })

  // Runs only where a Docker engine answers; elsewhere it is pending with the probe's reason.
  describe('containers', () => {
    const cases: [ContainerKind, string, RegExp][] = [
      ['postgres', 'SELECT version()', /^PostgreSQL \d+/],
      ['mysql', 'SELECT VERSION()', /^\d+\.\d+\.\d+/],
    ]
    for (const [kind, sql, version] of cases) {
      it(`starts ${kind} (${imageFor(kind)}) in a container and connects to it`, async function () {
        const probe = await dockerProbe()
        if (!probe.ok) {
          console.log(`[athanor] container test for ${kind} skipped: no Docker engine (${probe.reason})`)
          this.skip()
        }
        this.timeout(240_000)
        const { url } = await startDatabase(kind)
        await using engine = createAsyncEngine(url, { pool: { size: 1 } })
        await using conn = await engine.connect()
        const result = await conn.execute(text(sql))
        expect(String(result.scalar())).to.match(version)
      })
    }
  })
})
