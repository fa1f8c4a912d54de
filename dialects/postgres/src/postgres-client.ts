import { connect as netConnect, type Socket } from 'node:net'
import postgres from 'postgres'
import type { ConnectSettings } from './connect-settings.js'
import { wireTypes } from './wire-types.js'

/**
 * The slice of postgres.js 3.4.9 this package uses, typed narrowly (its own generic types
 * describe tagged-template use, not `unsafe()` with positional rows).
 */

export interface PgColumn {
  readonly name: string
  readonly type: number
}

/** One statement's result from `.values()`: rows as arrays plus metadata. */
export interface PgResult extends Array<unknown[]> {
  readonly count: number | null
  readonly command: string | null
  readonly columns: readonly PgColumn[] | null | undefined
  /** The live backend key data of the connection ({ pid, secret }). */
  readonly state: { readonly pid: number; readonly secret: number } | null
}

/** A pending postgres.js query. A multi-statement simple query resolves to one result per statement. */
export interface PgQuery extends Promise<PgResult | PgResult[]> {
  values(): PgQuery
  /** Sends the query now (postgres.js sends a query when it is first awaited otherwise). */
  execute(): PgQuery
  /** Runs with an unnamed portal, `rows` at a time; `fn` may return a promise (backpressure) or `CLOSE`. */
  cursor(rows: number, fn: (rows: PgResult) => unknown): Promise<unknown>
}

export interface PgClient {
  unsafe(sql: string, params: readonly unknown[], options: { prepare: boolean }): PgQuery
  end(options: { timeout: number }): Promise<void>
  /** Server parameters reported at startup (server_version, TimeZone, …). */
  readonly parameters: Readonly<Record<string, string | undefined>>
  /** Returned from a cursor callback to close the portal early. */
  readonly CLOSE: object
}

/** State shared between a connection and the callbacks it hands to postgres.js. */
export interface ClientLink {
  /** The socket postgres.js is using, so that destroy() can drop it at once. */
  socket: Socket | undefined
  /** Set once connected: from then on the socket factory refuses to open another socket. */
  established: boolean
  /** Set when the socket closed or the connection was discarded. */
  closed: boolean
  /** Set while postgres.js opens the separate, short-lived socket of a cancel request. */
  cancelling: boolean
}

interface ParsedHostOptions {
  readonly host: readonly string[]
  readonly port: readonly number[]
  readonly path: string | false | undefined
}

const createPostgres = postgres as unknown as (url: string, options: Record<string, unknown>) => PgClient

/**
 * One postgres.js instance with `max: 1`: one dedicated server connection owned by Athanor's pool.
 *
 * Why an instance per connection rather than `sql.reserve()` on a shared instance:
 * - a killed backend under `reserve()` crashes the process on the next query with an
 *   uncatchable TypeError (porsager/postgres #1208; reproduced in reliability.md §0.1);
 * - `max: 1` allows raw BEGIN/COMMIT (a pool instance refuses with UNSAFE_TRANSACTION);
 * - its lifecycle is the connection's: `end()` closes exactly this connection.
 *
 * postgres.js silently reconnects a closed instance on the next query (a fresh session: the
 * transaction and session settings gone). Athanor must never reuse a connection that died, so
 * the socket factory below opens sockets only until the connection is established.
 *
 * ```ts
 * const link = { socket: undefined, established: false, closed: false, cancelling: false }
 * const client = createClient(settings, link)
 * ```
 */
export function createClient(settings: ConnectSettings, link: ClientLink): PgClient {
  const options: Record<string, unknown> = {
    max: 1,
    // Seconds; fractional values work (postgres.js multiplies by 1000).
    connect_timeout: settings.connectTimeoutMs / 1000,
    // Athanor's pool recycles and reaps connections; a postgres.js timer ending the connection
    // would bring a silent reconnect (new session) on the next query.
    idle_timeout: 0,
    max_lifetime: 0,
    prepare: true,
    fetch_types: settings.fetchTypes,
    keep_alive: settings.keepAlive,
    onnotice: settings.onNotice,
    onclose: () => {
      link.closed = true
    },
    connection: settings.startup,
    types: wireTypes,
    socket: (parsed: ParsedHostOptions): Socket => {
      // A cancel request uses the same options (hence this factory) on a new socket.
      const forCancel = link.cancelling
      if (!forCancel && (link.established || link.closed)) {
        // createSocket() catches this and rejects whatever query asked for the reconnect.
        throw Object.assign(new Error('This PostgreSQL connection is closed and is never reopened; use a new connection.'), { code: 'CONNECTION_CLOSED' })
      }
      // One host: a URL's host list is resolved before postgres.js sees it (see driver.ts).
      const host = parsed.host[0] ?? 'localhost'
      const port = parsed.port[0] ?? 5432
      const socket = parsed.path ? netConnect(parsed.path) : netConnect(port, host)
      // postgres.js reads these for TLS servername and for its error messages.
      Object.assign(socket, { host, port })
      guardSocket(socket, link, forCancel)
      if (!forCancel) link.socket = socket
      return socket
    },
  }
  // Only when given: an explicit key would override `?sslmode=` in the URL.
  if (settings.ssl !== undefined) options.ssl = settings.ssl
  return createPostgres(settings.url, options)
}

/**
 * Keeps a socket from ever crashing the process. postgres.js attaches its listeners a tick after
 * the factory returns and strips them all with `removeAllListeners()` when a socket closes —
 * and that call goes to whichever socket it holds at that moment, which need not be the one
 * that closed. A socket left without an 'error' listener turns a later reset (ECONNRESET) into
 * an uncaught exception. So each socket gets its own listeners, put back whenever postgres.js
 * strips them: errors are left to postgres.js's handler (or to the watchdog, if it lost it),
 * and the connection is marked closed when its established socket closes, so later calls fail
 * fast instead of waiting on a socket nobody reads.
 */
export function guardSocket(socket: Socket, link: ClientLink, forCancel: boolean): void {
  const ignore = (): void => undefined
  const onClose = (): void => {
    if (!forCancel && link.established && link.socket === socket) link.closed = true
  }
  const attach = (): void => {
    socket.on('error', ignore)
    socket.on('close', onClose)
  }
  attach()
  const removeAll = socket.removeAllListeners.bind(socket)
  socket.removeAllListeners = ((event?: string | symbol): Socket => {
    if (event === undefined) removeAll()
    else removeAll(event)
    if (event === undefined || event === 'error' || event === 'close') {
      socket.off('error', ignore).off('close', onClose)
      attach()
    }
    return socket
  }) as Socket['removeAllListeners']
}

/**
 * Cancels a running query without an unhandled rejection. postgres.js's `query.cancel()`
 * discards the promise of its cancel request, which rejects when the cancel connection
 * fails (server down) and then surfaces as an unhandled rejection; its `canceller` is called
 * directly here instead.
 */
export function cancelQuery(query: PgQuery, link: ClientLink): void {
  const q = query as PgQuery & { canceller?: ((q: PgQuery) => Promise<unknown> | undefined) | null }
  const canceller = q.canceller
  if (typeof canceller !== 'function' || link.closed) return
  q.canceller = null
  // postgres.js calls the socket factory synchronously inside canceller().
  link.cancelling = true
  try {
    Promise.resolve(canceller(q)).catch(() => undefined)
  } finally {
    link.cancelling = false
  }
}
