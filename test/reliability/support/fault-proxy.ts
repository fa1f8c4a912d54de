import { createServer, connect, type Server, type Socket } from 'node:net'

/** What the proxy does with traffic right now. */
export type ProxyMode = 'up' | 'refuse' | 'partition' | 'blackhole'

interface Pair {
  readonly client: Socket
  readonly upstream: Socket | undefined
}

/**
 * A fault-injecting TCP proxy in front of a real database server, so restarts and partitions
 * can be simulated without touching the shared server:
 * - `crash()` resets every open connection (a server crash or restart, as the client sees it);
 * - `refuse()` resets them and stops listening (server down), `restore()` listens again;
 * - `partition()` keeps sockets open but drops every byte both ways, `heal()` ends that;
 * - `blackhole()` accepts new connections and never answers (a dead host behind a firewall).
 *
 * ```ts
 * const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5432 })
 * const engine = createAsyncEngine(proxy.rewrite(process.env.ATHANOR_PG_URL!))
 * await proxy.refuse(); await sleep(1000); await proxy.restore()
 * await proxy.stop()
 * ```
 */
export class FaultProxy {
  readonly #target: { readonly host: string; readonly port: number }
  readonly #pairs = new Set<Pair>()
  #server: Server | undefined
  #port = 0
  #mode: ProxyMode = 'up'
  /** Connections accepted since start (a reconnect storm shows up here). */
  accepted = 0

  private constructor(target: { host: string; port: number }) {
    this.#target = target
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target)
    await proxy.#listen()
    return proxy
  }

  get port(): number {
    return this.#port
  }

  get mode(): ProxyMode {
    return this.#mode
  }

  /** Open client connections through the proxy. */
  get openConnections(): number {
    return this.#pairs.size
  }

  /** The same database URL, pointed at the proxy. */
  rewrite(url: string): string {
    const u = new URL(url)
    u.hostname = '127.0.0.1'
    u.port = String(this.#port)
    return u.toString()
  }

  /** Resets every open connection; new ones are still accepted. */
  crash(): void {
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy()
      pair.upstream?.destroy()
    }
    this.#pairs.clear()
  }

  /** Server down: every open connection is reset and new ones are refused (nothing listens). */
  async refuse(): Promise<void> {
    this.#mode = 'refuse'
    const server = this.#server
    this.#server = undefined
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()))
    this.crash()
    await closed
  }

  /** Server back up on the same port. */
  async restore(): Promise<void> {
    this.#mode = 'up'
    if (this.#server === undefined) await this.#listen(this.#port)
  }

  /** Sockets stay open, every byte is dropped. */
  partition(): void {
    this.#mode = 'partition'
  }

  heal(): void {
    this.#mode = 'up'
  }

  /** New connections are accepted and never answered; open ones keep working. */
  blackhole(): void {
    this.#mode = 'blackhole'
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()))
    this.crash()
    await closed
  }

  #listen(port = 0): Promise<void> {
    const server = createServer((client) => this.#accept(client))
    this.#server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        const address = server.address()
        if (address !== null && typeof address === 'object') this.#port = address.port
        resolve()
      })
    })
  }

  #accept(client: Socket): void {
    this.accepted++
    client.on('error', () => undefined)
    if (this.#mode === 'blackhole') {
      const pair: Pair = { client, upstream: undefined }
      this.#pairs.add(pair)
      client.on('close', () => this.#pairs.delete(pair))
      return
    }
    const upstream = connect(this.#target.port, this.#target.host)
    const pair: Pair = { client, upstream }
    this.#pairs.add(pair)
    upstream.on('error', () => client.destroy())
    client.on('data', (chunk) => {
      if (this.#mode !== 'partition') upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (this.#mode !== 'partition') client.write(chunk)
    })
    client.on('close', () => {
      upstream.destroy()
      this.#pairs.delete(pair)
    })
    upstream.on('close', () => {
      client.destroy()
      this.#pairs.delete(pair)
    })
  }
}

/** Host and port of a database URL (defaults: 5432 for postgres, 3306 for mysql). */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url)
  const fallback = u.protocol.startsWith('mysql') || u.protocol.startsWith('mariadb') ? 3306 : 5432
  return { host: u.hostname || '127.0.0.1', port: u.port === '' ? fallback : Number(u.port) }
}
