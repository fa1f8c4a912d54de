/**
 * Multi-host PostgreSQL URLs (issue 19 item 3): the host list, `target_session_attrs` and
 * `load_balance_hosts` are read by Athanor, a host that refuses is skipped, and a server's role
 * is checked on the new connection with `pg_is_in_recovery()`. The primary/standby cases run
 * against the cluster of `npm run db:cluster` and are in test/cluster/.
 */
import { expect } from 'chai'
import { ArgumentError, OperationalError, createAsyncEngine, text } from '@athanor/core'
import { mismatch, readHostTargets } from '../src/host-targets.js'
import { resolveConnectSettings } from '../src/connect-settings.js'
import '../src/index.js'
import { closedPort } from '../../../test/reliability/support/ports.js'
import { splitUrlHosts } from '../../../test/support/urls.js'

const URL = process.env['ATHANOR_PG_URL']

describe('postgres multi-host URLs', function () {
  it('reads the host list, default ports, target_session_attrs and load_balance_hosts, and gives postgres.js one host without them', () => {
    const t = readHostTargets('postgres://app:s%40cret@10.0.0.1:5433,10.0.0.2,[::1]:5434/shop?sslmode=disable&target_session_attrs=primary&load_balance_hosts=random', undefined)
    expect(t.hosts).to.deep.equal([{ host: '10.0.0.1', port: 5433 }, { host: '10.0.0.2', port: 5432 }, { host: '::1', port: 5434 }])
    expect([t.targetSessionAttrs, t.random]).to.deep.equal(['primary', true])
    expect(t.urlFor(t.hosts[1]!)).to.equal('postgres://app:s%40cret@10.0.0.2:5432/shop?sslmode=disable')
    expect(t.urlFor(t.hosts[2]!)).to.equal('postgres://app:s%40cret@[::1]:5434/shop?sslmode=disable')
    // The driver option applies when the URL says nothing; the URL wins otherwise.
    expect(readHostTargets('postgres://a/db', 'standby').targetSessionAttrs).to.equal('standby')
    expect(readHostTargets('postgres://a/db?target_session_attrs=any', 'standby').targetSessionAttrs).to.equal('any')
    // No host: the URL as given (a socket directory in ?host=).
    const socket = readHostTargets('postgres:///db?host=/var/run/postgresql', undefined)
    expect(socket.urlFor(socket.hosts[0]!)).to.equal('postgres:///db?host=%2Fvar%2Frun%2Fpostgresql')
    expect(resolveConnectSettings({ url: 'postgresql+postgresjs://u@a,b/db?target_session_attrs=read-write', connectTimeoutMs: 1000 }).url).to.equal('postgres://u@a:5432/db')
  })

  it('refuses unknown target_session_attrs and load_balance_hosts values, naming the choices', () => {
    expect(() => readHostTargets('postgres://a/db?target_session_attrs=master', undefined)).to.throw(ArgumentError, /target_session_attrs=master is not one of any, primary, standby, prefer-standby, read-write, read-only/)
    expect(() => readHostTargets('postgres://a,b/db?load_balance_hosts=yes', undefined)).to.throw(ArgumentError, /load_balance_hosts=yes .* use random .* or disable/)
    expect(() => resolveConnectSettings({ url: 'postgres://a/db', connectTimeoutMs: 1000, driverOptions: { targetSessionAttrs: 'writer' } })).to.throw(ArgumentError, /'targetSessionAttrs' must be one of any, primary/)
  })

  it('matches a server to target_session_attrs by recovery state first, then read-only sessions', () => {
    const primary = { inRecovery: false, readOnly: false }
    const readOnlyPrimary = { inRecovery: false, readOnly: true }
    const standby = { inRecovery: true, readOnly: true }
    const table = (['any', 'primary', 'standby', 'prefer-standby', 'read-write', 'read-only'] as const).map((a) => [a, [primary, readOnlyPrimary, standby].map((s) => mismatch(a, s) === undefined)])
    expect(Object.fromEntries(table)).to.deep.equal({
      any: [true, true, true],
      primary: [true, true, false],
      standby: [false, false, true],
      'prefer-standby': [false, false, true],
      'read-write': [true, false, false],
      'read-only': [false, true, true],
    })
    expect(mismatch('primary', standby)).to.equal('a standby (in recovery), not primary')
  })

  describe('against the server', function () {
    let hostPort = ''
    let url: (hosts: string, query?: string) => string = () => ''
    before(function () {
      if (URL === undefined) {
        console.log('[athanor] multi-host tests against a server skipped: ATHANOR_PG_URL not set')
        this.skip()
      }
      const parts = splitUrlHosts(URL!)
      hostPort = parts.hosts.includes(':') ? parts.hosts : `${parts.hosts}:5432`
      url = parts.withHosts
    })

    it('skips a host that refuses and connects to the next for every new connection', async function () {
      const dead = await closedPort()
      const engine = createAsyncEngine(url(`127.0.0.1:${dead},${hostPort}`, 'target_session_attrs=primary'), { pool: { size: 2 } })
      try {
        const pids = await Promise.all([0, 1].map(() => engine.begin(async (c) => Number((await c.execute(text('SELECT pg_backend_pid()'))).scalar()))))
        expect(new Set(pids).size).to.equal(2)
      } finally {
        await engine.dispose()
      }
    })

    it('fails with one error naming every host and why when none is the kind asked for', async function () {
      const dead = await closedPort()
      const engine = createAsyncEngine(url(`127.0.0.1:${dead},${hostPort}`, 'target_session_attrs=standby'), { connectTimeoutMs: 3000 })
      try {
        const err = await engine.begin((c) => c.execute(text('SELECT 1'))).then(() => undefined, (e: unknown) => e)
        expect(err).to.be.instanceOf(OperationalError)
        const message = (err as Error).message
        expect(message).to.include(`127.0.0.1:${dead} (`).and.to.include(`${hostPort} (a read-write primary, not standby)`)
        expect(message).to.include('that one of them is a standby server (target_session_attrs)')
      } finally {
        await engine.dispose()
      }
    })

    it('prefer-standby takes a primary when no standby answers', async function () {
      const engine = createAsyncEngine(url(hostPort, 'target_session_attrs=prefer-standby'))
      try {
        expect(await engine.begin(async (c) => (await c.execute(text('SELECT pg_is_in_recovery()'))).scalar())).to.equal(false)
      } finally {
        await engine.dispose()
      }
    })
  })
})
