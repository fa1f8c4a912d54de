/**
 * Multi-host MySQL URLs (issue 19 item 3): the host list is read, and a connection goes to the
 * first host that accepts it and is ready — a refused host is skipped, and on a Galera cluster
 * a node that is not a synced member of the primary component is skipped too.
 */
import { expect } from 'chai'
import { ArgumentError, OperationalError, createAsyncEngine, text } from '@athanor/core'
import { parseMysqlUrl } from '../src/url.js'
import '../src/index.js'
import { closedPort } from '../../../test/reliability/support/ports.js'
import { splitUrlHosts } from '../../../test/support/urls.js'

const URL = process.env['ATHANOR_MYSQL_URL']

describe('mysql multi-host URLs', function () {
  it('reads a host list, with default ports and loadBalanceHosts', () => {
    const parts = parseMysqlUrl('mysql://app:s%40cret@10.0.0.1:3317,10.0.0.2,[::1]:3319/shop?loadBalanceHosts=random')
    expect(parts.hosts).to.deep.equal([{ host: '10.0.0.1', port: 3317 }, { host: '10.0.0.2', port: 3306 }, { host: '::1', port: 3319 }])
    expect([parts.host, parts.port, parts.user, parts.password, parts.database, parts.randomHosts]).to.deep.equal(['10.0.0.1', 3317, 'app', 's@cret', 'shop', true])
    expect(parseMysqlUrl('mysql://root@db/x').hosts).to.deep.equal([{ host: 'db', port: 3306 }])
    expect(() => parseMysqlUrl('mysql://root@a,b:x/test')).to.throw(ArgumentError, /lists the host 'b:x', which is not host or host:port/)
    expect(() => parseMysqlUrl('mysql://root@a,b/test?loadBalanceHosts=yes')).to.throw(ArgumentError, /loadBalanceHosts=yes .* use random .* or disable/)
  })

  describe('against the server', function () {
    let hostPort = ''
    let url: (hosts: string) => string = () => ''
    before(function () {
      if (URL === undefined) {
        console.log('[athanor] multi-host tests against a server skipped: ATHANOR_MYSQL_URL not set')
        this.skip()
      }
      const parts = splitUrlHosts(URL!)
      hostPort = parts.hosts
      url = (hosts) => parts.withHosts(hosts)
    })

    it('skips a host that refuses and connects to the next, in order, for every new connection', async function () {
      const dead = await closedPort()
      const engine = createAsyncEngine(url(`127.0.0.1:${dead},${hostPort}`), { pool: { size: 2 } })
      try {
        const ports = await Promise.all([0, 1].map(() => engine.begin(async (c) => Number((await c.execute(text('SELECT @@port'))).scalar()))))
        expect(new Set(ports).size).to.equal(1)
        expect(ports[0]).to.not.equal(dead)
      } finally {
        await engine.dispose()
      }
    })

    it('fails with one error naming every host and why when none takes the connection', async function () {
      const [a, b] = [await closedPort(), await closedPort()]
      const engine = createAsyncEngine(url(`127.0.0.1:${a},127.0.0.1:${b}`), { connectTimeoutMs: 3000 })
      try {
        const err = await engine.begin((c) => c.execute(text('SELECT 1'))).then(() => undefined, (e: unknown) => e)
        expect(err).to.be.instanceOf(OperationalError)
        expect((err as Error).message).to.include(`127.0.0.1:${a} (connect ECONNREFUSED`).and.to.include(`127.0.0.1:${b} (connect ECONNREFUSED`)
        expect((err as Error).message).to.match(/on a Galera cluster, that they are synced members of the primary component/)
      } finally {
        await engine.dispose()
      }
    })
  })
})
