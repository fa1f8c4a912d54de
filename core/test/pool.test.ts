import { expect } from 'chai'
import v8 from 'node:v8'
import vm from 'node:vm'
import type { DriverConnection, DriverResult } from '../src/dialect/contract.js'
import { ArgumentError, InvalidRequestError, OperationalError, PoolTimeoutError } from '../src/util/errors.js'
import { ConnectionPool, resolvePoolOptions, type LeakInfo, type PoolOptions, type PooledConnection } from '../src/pool/index.js'
import { firstUserFrame } from '../src/pool/call-site.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A driver connection with counters and switches for every failure the pool must handle. */
class FakeConnection implements DriverConnection {
  closed = false
  destroyed = false
  closeCalls = 0
  rollbacks = 0
  pings = 0
  pingFails = false
  rollbackFails = false
  rollbackHangs = false
  pingHangs = false
  readonly id: number
  constructor(id: number) {
    this.id = id
  }
  async execute(): Promise<DriverResult> {
    return { rows: [], rowsAffected: 0 }
  }
  async *stream(): AsyncIterable<readonly (readonly unknown[])[]> {
    yield []
  }
  async begin(): Promise<void> {}
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {
    this.rollbacks++
    if (this.rollbackHangs) return new Promise<void>(() => {})
    if (this.rollbackFails) throw new Error('rollback failed: connection reset')
  }
  async ping(): Promise<void> {
    this.pings++
    if (this.pingHangs) return new Promise<void>(() => {})
    if (this.pingFails) throw new Error('ping failed: server closed the connection')
  }
  async close(): Promise<void> {
    this.closeCalls++
    this.closed = true
  }
  destroy(): void {
    this.destroyed = true
    this.closed = true
  }
  get gone(): boolean {
    return this.destroyed || this.closeCalls > 0
  }
}

/** Opens FakeConnections; can be slowed down or made to fail. */
class FakeDriver {
  readonly connections: FakeConnection[] = []
  connectDelayMs = 0
  failures: Error[] = []
  attempts = 0
  readonly factory = async (): Promise<FakeConnection> => {
    this.attempts++
    if (this.connectDelayMs > 0) await sleep(this.connectDelayMs)
    const failure = this.failures.shift()
    if (failure !== undefined) throw failure
    const connection = new FakeConnection(this.connections.length + 1)
    this.connections.push(connection)
    return connection
  }
}

function fake(lease: PooledConnection): FakeConnection {
  return lease.connection as FakeConnection
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

describe('ConnectionPool', () => {
  let driver: FakeDriver
  const pools: ConnectionPool[] = []
  const makePool = (options: PoolOptions = {}): ConnectionPool => {
    const pool = new ConnectionPool(driver.factory, { debug: false, ...options })
    pools.push(pool)
    return pool
  }

  beforeEach(() => {
    driver = new FakeDriver()
  })
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.dispose()))
  })

  describe('checkout and release', () => {
    it('reuses a returned connection and reports status numbers', async () => {
      const pool = makePool({ size: 2, maxOverflow: 1 })
      expect(pool.status()).to.include({ size: 2, maxOverflow: 1, total: 0, checkedOut: 0, idle: 0, overflow: 0, waiting: 0, connecting: 0 })
      const a = await pool.checkout()
      const b = await pool.checkout()
      expect(pool.status()).to.include({ total: 2, checkedOut: 2, idle: 0, overflow: 0 })
      const c = await pool.checkout()
      expect(pool.status()).to.include({ total: 3, checkedOut: 3, overflow: 1 })
      await a.release()
      expect(pool.status()).to.include({ total: 3, checkedOut: 2, idle: 1 })
      const d = await pool.checkout()
      expect(d.connection).to.equal(driver.connections[0])
      expect(driver.attempts).to.equal(3)
      await Promise.all([b.release(), c.release(), d.release()])
      expect(pool.status()).to.include({ total: 2, checkedOut: 0, idle: 2, overflow: 0 })
    })

    it('hands out the connection returned last (lifo), or with lifo: false the one returned first', async () => {
      for (const [lifo, want] of [[undefined, 2], [false, 0]] as const) {
        driver = new FakeDriver()
        const pool = makePool({ size: 3, ...(lifo === undefined ? {} : { lifo }) })
        const leases = await Promise.all([pool.checkout(), pool.checkout(), pool.checkout()])
        for (const lease of leases) await lease.release()
        const next = await pool.checkout()
        expect(next.connection, `lifo: ${String(lifo)}`).to.equal(driver.connections[want])
        await next.release()
        const again = await pool.checkout()
        expect(again.connection, 'a request after request').to.equal(lifo === false ? driver.connections[1] : driver.connections[want])
        await again.release()
      }
    })

    it('a connection whose driver ends its transaction without a round trip is idle again at once, without rollback()', async () => {
      const pool = makePool({ size: 2 })
      const lease = await pool.checkout()
      const connection = fake(lease) as FakeConnection & { resetWithoutRoundTrip(): boolean }
      let quiet = true
      connection.resetWithoutRoundTrip = () => quiet
      void lease.release()
      // Synchronously back: the next checkout of the same tick chain gets it, not a new connection.
      expect(pool.status()).to.include({ idle: 1, checkedOut: 0 })
      expect(connection.rollbacks).to.equal(0)
      const again = await pool.checkout()
      expect(again.connection).to.equal(connection)
      quiet = false
      await again.release()
      expect(connection.rollbacks, 'a transaction that sent something is rolled back').to.equal(1)
      expect(driver.attempts).to.equal(1)
    })

    it('release() is idempotent and the lease stops handing out its connection', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0 })
      const lease = await pool.checkout({ holder: 'report job' })
      expect(lease.holder).to.equal('report job')
      expect(lease.checkedOutAt).to.be.closeTo(Date.now(), 50)
      const connection = fake(lease)
      const first = lease.release()
      expect(lease.release()).to.equal(first)
      await first
      await lease.release()
      lease.invalidate(new Error('ignored after release'))
      expect(lease.state).to.equal('released')
      expect(connection.rollbacks).to.equal(1)
      expect(connection.destroyed).to.equal(false)
      expect(pool.status()).to.include({ checkedOut: 0, idle: 1 })
      const error = (() => {
        try {
          return lease.connection
        } catch (e) {
          return e
        }
      })()
      expect(error).to.be.instanceOf(InvalidRequestError).with.property('code', 'connection-released')
      // The slot was freed exactly once: one more checkout succeeds, a second one would wait.
      const again = await pool.checkout()
      expect(again.connection).to.equal(connection)
      await again.release()
    })

    it('serves waiters in FIFO order', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0, checkoutTimeoutMs: 1000 })
      const holder = await pool.checkout()
      const served: number[] = []
      const waiters = [1, 2, 3, 4, 5].map(async (n) => {
        const lease = await pool.checkout()
        served.push(n)
        await sleep(1)
        await lease.release()
      })
      await sleep(5)
      expect(pool.status().waiting).to.equal(5)
      await holder.release()
      await Promise.all(waiters)
      expect(served).to.deep.equal([1, 2, 3, 4, 5])
      expect(driver.attempts).to.equal(1)
    })
  })

  describe('checkout timeout', () => {
    it('a waiter that timed out leaves the queue without taking a slot', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0, checkoutTimeoutMs: 30 })
      const holder = await pool.checkout()
      const first = rejection(pool.checkout())
      await sleep(15)
      const second = pool.checkout()
      expect(pool.status().waiting).to.equal(2)
      expect(await first).to.be.instanceOf(PoolTimeoutError)
      expect(pool.status().waiting).to.equal(1)
      await holder.release()
      const lease = await second
      expect(lease.connection).to.equal(driver.connections[0])
      await lease.release()
    })

    it('fails with PoolTimeoutError that shows the status and tells how to see holders', async () => {
      const pool = makePool({ size: 1, maxOverflow: 1, checkoutTimeoutMs: 30 })
      const a = await pool.checkout()
      const b = await pool.checkout()
      const started = Date.now()
      const error = await rejection(pool.checkout())
      const elapsed = Date.now() - started
      expect(error).to.be.instanceOf(PoolTimeoutError)
      expect(elapsed).to.be.within(25, 200)
      const message = (error as PoolTimeoutError).message
      expect(message).to.include('size 1 + maxOverflow 1 = 2')
      expect(message).to.include('Pool status: size 1, checked out 2, idle 0, connecting 0, overflow 1/1, waiting 1')
      expect(message).to.include('debug: true')
      expect(message).to.include('self-deadlock')
      expect(pool.status().waiting).to.equal(0)
      await a.release()
      await b.release()
    })

    it('with debug, names the call site that holds each connection', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0, checkoutTimeoutMs: 20, debug: true })
      const held = await pool.checkout({ holder: 'nightly report' })
      expect(held.checkoutStack).to.include('pool.test.ts')
      expect(held.checkoutStack).not.to.include('src/pool/pool.ts')
      const error = await rejection(pool.checkout())
      expect(error).to.be.instanceOf(PoolTimeoutError)
      const message = (error as PoolTimeoutError).message
      expect(message).to.match(/connection #\d+ held for \d+ ms by .*pool\.test\.ts:\d+:\d+/)
      expect(message).to.include('[nightly report]')
      expect(message).not.to.include('debug: true')
      await held.release()
    })

    it('counts connect time against checkoutTimeoutMs', async () => {
      driver.connectDelayMs = 200
      const pool = makePool({ checkoutTimeoutMs: 20, connectTimeoutMs: 5000 })
      const error = await rejection(pool.checkout())
      expect(error).to.be.instanceOf(PoolTimeoutError)
      expect((error as Error).message).to.include('did not accept a new connection')
      expect(pool.status()).to.include({ connecting: 0, checkedOut: 0 })
    })
  })

  describe('overflow', () => {
    it('opens overflow connections up to the limit and closes them on return', async () => {
      const pool = makePool({ size: 1, maxOverflow: 2, checkoutTimeoutMs: 20 })
      const leases = await Promise.all([pool.checkout(), pool.checkout(), pool.checkout()])
      expect(driver.attempts).to.equal(3)
      expect(pool.status()).to.include({ total: 3, overflow: 2 })
      expect(await rejection(pool.checkout())).to.be.instanceOf(PoolTimeoutError)
      for (const lease of leases) await lease.release()
      expect(pool.status()).to.include({ total: 1, idle: 1, overflow: 0 })
      const closed = driver.connections.filter((c) => c.closeCalls > 0)
      expect(closed).to.have.length(2)
      expect(driver.connections.filter((c) => !c.gone)).to.have.length(1)
    })
  })

  describe('connection health', () => {
    it('recycles connections older than recycleMs at checkout', async () => {
      const pool = makePool({ recycleMs: 20 })
      const first = await pool.checkout()
      const old = fake(first)
      await first.release()
      const reused = await pool.checkout()
      expect(reused.connection).to.equal(old)
      await reused.release()
      await sleep(30)
      const second = await pool.checkout()
      expect(second.connection).not.to.equal(old)
      expect(old.closeCalls).to.equal(1)
      await second.release()
    })

    it('pre-ping replaces a dead idle connection transparently', async () => {
      const invalidated: unknown[] = []
      const pool = makePool({ prePing: true, listeners: { onInvalidate: (_c, e) => invalidated.push(e) } })
      const first = await pool.checkout()
      const c1 = fake(first)
      expect(c1.pings).to.equal(0) // a fresh connection is not pinged
      await first.release()
      const again = await pool.checkout()
      expect(again.connection).to.equal(c1)
      expect(c1.pings).to.equal(1)
      await again.release()
      c1.pingFails = true
      const replaced = await pool.checkout()
      expect(replaced.connection).not.to.equal(c1)
      expect(c1.destroyed).to.equal(true)
      expect(invalidated).to.have.length(1)
      expect(String(invalidated[0])).to.include('ping failed')
      expect(pool.status()).to.include({ total: 1, checkedOut: 1 })
      await replaced.release()
    })

    it('a failed pre-ping also retires the other idle connections', async () => {
      const pool = makePool({ prePing: true, size: 3 })
      const leases = await Promise.all([pool.checkout(), pool.checkout(), pool.checkout()])
      for (const lease of leases) await lease.release()
      for (const c of driver.connections) c.pingFails = true
      const lease = await pool.checkout()
      // One ping (of the connection returned last: lifo), not one per idle connection.
      expect(driver.connections.slice(0, 3).map((c) => c.pings)).to.deep.equal([0, 0, 1])
      expect(driver.connections.slice(0, 3).every((c) => c.gone)).to.equal(true)
      expect(pool.status()).to.include({ total: 1, idle: 0 })
      await lease.release()
    })

    it('treats a pre-ping that does not answer within connectTimeoutMs as failed', async () => {
      const pool = makePool({ prePing: true, connectTimeoutMs: 15 })
      const first = await pool.checkout()
      const c1 = fake(first)
      await first.release()
      c1.pingHangs = true
      const replaced = await pool.checkout()
      expect(replaced.connection).not.to.equal(c1)
      expect(c1.destroyed).to.equal(true)
      await replaced.release()
    })

    it('replaces an idle connection the driver reports closed', async () => {
      const pool = makePool()
      const lease = await pool.checkout()
      const c1 = fake(lease)
      await lease.release()
      c1.closed = true
      const next = await pool.checkout()
      expect(next.connection).not.to.equal(c1)
      expect(c1.destroyed).to.equal(true)
      await next.release()
    })
  })

  describe('reset on return', () => {
    it('rolls back on every return by default', async () => {
      const pool = makePool()
      const lease = await pool.checkout()
      const c1 = fake(lease)
      await lease.release()
      expect(c1.rollbacks).to.equal(1)
    })

    it('destroys a connection whose rollback fails', async () => {
      const invalidated: DriverConnection[] = []
      const pool = makePool({ listeners: { onInvalidate: (c) => invalidated.push(c) } })
      const lease = await pool.checkout()
      const c1 = fake(lease)
      c1.rollbackFails = true
      await lease.release()
      expect(c1.destroyed).to.equal(true)
      expect(invalidated).to.deep.equal([c1])
      expect(pool.status()).to.include({ total: 0, idle: 0 })
      const next = await pool.checkout()
      expect(next.connection).not.to.equal(c1)
      await next.release()
    })

    it('destroys a connection whose rollback hangs', async () => {
      const pool = makePool({ connectTimeoutMs: 20 })
      const lease = await pool.checkout()
      const c1 = fake(lease)
      c1.rollbackHangs = true
      await lease.release()
      expect(c1.destroyed).to.equal(true)
      expect(pool.status().total).to.equal(0)
    })

    it('counts a released connection as resetting, not checked out, and hands it out only after its reset', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0 })
      const lease = await pool.checkout()
      const c1 = fake(lease)
      let finishReset: () => void = () => {}
      const rollback = c1.rollback.bind(c1)
      c1.rollback = () => new Promise<void>((resolve) => (finishReset = resolve)).then(() => void (c1.rollback = rollback))
      const released = lease.release()
      expect(pool.status()).to.include({ total: 1, checkedOut: 0, resetting: 1, idle: 0 })
      let next: PooledConnection | undefined
      const checkout = pool.checkout().then((l) => (next = l))
      await sleep(5)
      expect(next, 'no checkout while the only connection is still being reset').to.equal(undefined)
      finishReset()
      await released
      await checkout
      expect(next!.connection).to.equal(c1)
      expect(pool.status()).to.include({ checkedOut: 1, resetting: 0 })
      await next!.release()
    })

    it('skips the rollback with resetOnReturn: false', async () => {
      const pool = makePool({ resetOnReturn: false })
      const lease = await pool.checkout()
      const c1 = fake(lease)
      await lease.release()
      expect(c1.rollbacks).to.equal(0)
      expect(pool.status().idle).to.equal(1)
    })
  })

  describe('invalidation', () => {
    it('invalidate() destroys the connection and never returns it to the pool', async () => {
      const seen: unknown[] = []
      const pool = makePool({ size: 1, maxOverflow: 0, listeners: { onInvalidate: (_c, e) => seen.push(e) } })
      const lease = await pool.checkout()
      const c1 = fake(lease)
      const cause = new Error('server closed the connection unexpectedly')
      lease.invalidate(cause)
      lease.invalidate(cause)
      await lease.release()
      expect(lease.state).to.equal('invalidated')
      expect(c1.destroyed).to.equal(true)
      expect(c1.rollbacks).to.equal(0)
      expect(seen).to.deep.equal([cause])
      expect(pool.status()).to.include({ total: 0, checkedOut: 0 })
      const next = await pool.checkout()
      expect(next.connection).not.to.equal(c1)
      await next.release()
      expect(pool.status().idle).to.equal(1)
    })

    it('invalidateAll() closes idle connections now and checked-out ones on return', async () => {
      const pool = makePool()
      const [a, b] = await Promise.all([pool.checkout(), pool.checkout()])
      const ca = fake(a)
      const cb = fake(b)
      await a.release()
      pool.invalidateAll()
      await sleep(0)
      expect(ca.closeCalls).to.equal(1)
      await b.release()
      expect(cb.closeCalls).to.equal(1)
      expect(pool.status().total).to.equal(0)
    })
  })

  describe('connect', () => {
    it('bounds connect with connectTimeoutMs and destroys a connection that arrives late', async () => {
      driver.connectDelayMs = 40
      const pool = makePool({ size: 1, maxOverflow: 0, connectTimeoutMs: 10 })
      const error = await rejection(pool.checkout())
      expect(error).to.be.instanceOf(OperationalError).with.property('code', 'connect-timeout')
      expect((error as OperationalError).disconnect).to.equal(true)
      expect(pool.status()).to.include({ connecting: 0, checkedOut: 0, total: 0 })
      await sleep(45)
      expect(driver.connections).to.have.length(1)
      expect(driver.connections[0]!.destroyed).to.equal(true)
      driver.connectDelayMs = 0
      const lease = await pool.checkout()
      expect(lease.connection).to.equal(driver.connections[1])
      await lease.release()
    })

    it('passes a factory error through unchanged and frees the slot', async () => {
      const pool = makePool({ size: 1, maxOverflow: 0, checkoutTimeoutMs: 50 })
      const refused = new Error('ECONNREFUSED')
      driver.failures.push(refused)
      expect(await rejection(pool.checkout())).to.equal(refused)
      expect(pool.status()).to.include({ connecting: 0, checkedOut: 0, waiting: 0 })
      const lease = await pool.checkout()
      await lease.release()
    })

    it('a factory that throws synchronously is treated like a failed connect', async () => {
      const boom = new Error('bad options')
      const pool = new ConnectionPool(() => {
        throw boom
      })
      pools.push(pool)
      expect(await rejection(pool.checkout())).to.equal(boom)
    })
  })

  describe('dispose', () => {
    it('rejects queued and later checkouts and destroys connections returned after it', async () => {
      const pool = makePool({ size: 2, maxOverflow: 0, checkoutTimeoutMs: 1000 })
      const a = await pool.checkout()
      const b = await pool.checkout()
      await a.release()
      const c = await pool.checkout()
      const queued = pool.checkout()
      await sleep(1)
      const disposing = pool.dispose()
      expect(await rejection(queued)).to.be.instanceOf(InvalidRequestError).with.property('code', 'pool-disposed')
      await c.release()
      await b.release()
      await disposing
      expect(pool.disposed).to.equal(true)
      expect(driver.connections.every((conn) => conn.destroyed)).to.equal(true)
      // Only a's return before dispose() was reset; after it, returns destroy without a rollback.
      expect(driver.connections.map((conn) => conn.rollbacks)).to.deep.equal([1, 0])
      expect(pool.status()).to.include({ total: 0, checkedOut: 0, idle: 0, waiting: 0 })
      expect(pool.dispose()).to.equal(disposing)
      const late = await rejection(pool.checkout())
      expect(late).to.be.instanceOf(InvalidRequestError).with.property('code', 'pool-disposed')
    })

    it('closes idle connections gracefully', async () => {
      const pool = makePool()
      const lease = await pool.checkout()
      await lease.release()
      await pool.dispose()
      expect(driver.connections[0]!.closeCalls).to.equal(1)
      expect(driver.connections[0]!.destroyed).to.equal(false)
    })

    it('destroys a connection that finishes opening after dispose', async () => {
      driver.connectDelayMs = 20
      const pool = makePool()
      const pending = pool.checkout()
      await sleep(5)
      await pool.dispose()
      expect(await rejection(pending)).to.be.instanceOf(InvalidRequestError)
      await sleep(30)
      expect(driver.connections.every((c) => c.destroyed)).to.equal(true)
    })
  })

  describe('listeners', () => {
    it('calls onConnect, onCheckout, onCheckin and onInvalidate', async () => {
      const events: string[] = []
      const pool = makePool({
        listeners: {
          onConnect: () => events.push('connect'),
          onCheckout: (lease) => events.push(`checkout #${lease.id}`),
          onCheckin: () => events.push('checkin'),
          onInvalidate: () => events.push('invalidate'),
        },
      })
      const a = await pool.checkout()
      await a.release()
      const b = await pool.checkout()
      b.invalidate()
      expect(events).to.deep.equal(['connect', `checkout #${a.id}`, 'checkin', `checkout #${a.id}`, 'invalidate'])
    })

    it('a throwing onCheckout refuses the checkout and returns the connection', async () => {
      const pool = makePool({ listeners: { onCheckout: () => { throw new Error('vetoed') } } })
      expect(String(await rejection(pool.checkout()))).to.include('vetoed')
      expect(pool.status()).to.include({ checkedOut: 0, idle: 1 })
    })
  })

  describe('options', () => {
    it('rejects unusable sizes and timeouts', () => {
      expect(() => new ConnectionPool(driver.factory, { size: -1 })).to.throw(ArgumentError)
      expect(() => new ConnectionPool(driver.factory, { size: 0, maxOverflow: 0 })).to.throw(ArgumentError)
      expect(() => new ConnectionPool(driver.factory, { checkoutTimeoutMs: 0 })).to.throw(ArgumentError)
      expect(() => new ConnectionPool(driver.factory, { size: 1.5 })).to.throw(ArgumentError)
    })

    it('turns debug on from ATHANOR_POOL_DEBUG=1 unless the option says otherwise', () => {
      expect(resolvePoolOptions({}, { ATHANOR_POOL_DEBUG: '1' }).debug).to.equal(true)
      expect(resolvePoolOptions({}, {}).debug).to.equal(false)
      expect(resolvePoolOptions({ debug: false }, { ATHANOR_POOL_DEBUG: '1' }).debug).to.equal(false)
    })

    it('applies the defaults', () => {
      const pool = new ConnectionPool(driver.factory)
      expect(pool.options).to.include({ size: 5, maxOverflow: 10, checkoutTimeoutMs: 30_000, recycleMs: undefined, prePing: false, resetOnReturn: true })
    })
  })

  describe('call sites', () => {
    it('names the first frame outside Athanor core and Node internals', () => {
      const core = new URL('../src/', import.meta.url).pathname
      const stack = [
        `    at Engine.connect (${core}engine/engine.ts:10:5)`,
        '    at new Promise (<anonymous>)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        '    at async handler (/app/routes/users.ts:42:11)',
      ].join('\n')
      expect(firstUserFrame(stack)).to.equal('async handler (/app/routes/users.ts:42:11)')
      expect(firstUserFrame('    at Context.<anonymous> (/app/x.test.ts:1:2)')).to.equal('Context.<anonymous> (/app/x.test.ts:1:2)')
      expect(firstUserFrame(undefined)).to.equal(undefined)
    })
  })

  describe('leak tracking', () => {
    const gc = (): (() => void) => {
      v8.setFlagsFromString('--expose-gc')
      return vm.runInNewContext('gc') as () => void
    }

    it('reports a lease garbage-collected without release() once and frees its slot', async () => {
      const leaks: LeakInfo[] = []
      const pool = makePool({ size: 1, maxOverflow: 0, debug: true, onLeak: (info) => leaks.push(info) })
      await (async function forgetfulTask() {
        const lease = await pool.checkout({ holder: 'forgetful task' })
        await lease.connection.execute('SELECT 1', [])
      })()
      const collect = gc()
      for (let i = 0; i < 50 && leaks.length === 0; i++) {
        collect()
        await sleep(2)
      }
      expect(leaks).to.have.length(1)
      expect(leaks[0]!.holder).to.equal('forgetful task')
      expect(leaks[0]!.stack).to.include('pool.test.ts')
      expect(pool.status()).to.include({ checkedOut: 0, total: 0 })
      expect(driver.connections[0]!.destroyed).to.equal(true)
      const next = await pool.checkout()
      await next.release()
      collect()
      await sleep(5)
      expect(leaks).to.have.length(1)
    })
  })
})
