/**
 * Connecting to one of several servers named by a multi-host URL (a cluster's nodes, a primary
 * and its standbys). Each dialect opens and inspects a connection its own way; the order, the
 * fallback and the one error naming every host are the same everywhere.
 */

/** One entry of a URL's host list. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** How {@link connectFirstReadyHost} opens, judges and closes a connection. */
export interface HostListConnector<C> {
  /** Try the hosts in a random order (per connection) instead of in the URL's order. */
  readonly random: boolean
  open(host: HostPort): Promise<C>
  /** Why this connection must not be used (a standby when the primary was asked for…), or undefined to take it. */
  refuse(conn: C): Promise<string | undefined>
  /** A refused connection that may still serve when no host is taken (`prefer-standby` keeps a primary). */
  fallback?: ((conn: C) => boolean) | undefined
  close(conn: C): void
  /** Ends the error message: what to check ("that the servers run and …"). */
  readonly hint: string
  /** Names the URL kind in the error: "PostgreSQL", "MySQL". */
  readonly label: string
}

/**
 * Opens a connection to the first host that accepts it and is not refused; when none is, keeps
 * the first fallback connection; when there is none, throws one error naming every host and why.
 *
 * ```ts
 * const conn = await connectFirstReadyHost(hosts, { random: false, label: 'PostgreSQL', hint: 'check the servers run.',
 *   open: (h) => openOne(h), refuse: async (c) => (c.inRecovery ? 'a standby' : undefined), close: (c) => c.destroy() })
 * ```
 */
export async function connectFirstReadyHost<C>(hosts: readonly HostPort[], connector: HostListConnector<C>): Promise<C> {
  const order = connector.random ? shuffled(hosts) : hosts
  const reasons: string[] = []
  let spare: C | undefined
  let last: unknown
  for (const h of order) {
    let conn: C
    try {
      conn = await connector.open(h)
    } catch (err) {
      last = err
      reasons.push(`${h.host}:${h.port} (${(err as Error).message})`)
      continue
    }
    let why: string | undefined
    try {
      why = await connector.refuse(conn)
    } catch (err) {
      // The connection died while being inspected: as good as refused.
      connector.close(conn)
      last = err
      reasons.push(`${h.host}:${h.port} (${(err as Error).message})`)
      continue
    }
    if (why === undefined) {
      if (spare !== undefined) connector.close(spare)
      return conn
    }
    if (spare === undefined && connector.fallback?.(conn) === true) spare = conn
    else connector.close(conn)
    reasons.push(`${h.host}:${h.port} (${why})`)
  }
  if (spare !== undefined) return spare
  throw new NoReadyHostError(`No host of the ${connector.label} URL took the connection: ${reasons.join('; ')}. Check ${connector.hint}`, last)
}

/**
 * Every host of a multi-host URL refused the connection or was not the kind asked for. `code` is
 * the last host's socket code (ECONNREFUSED when none failed at the socket), so each dialect's
 * error translation treats it as the connection failure it is.
 */
export class NoReadyHostError extends Error {
  readonly code: string
  constructor(message: string, cause: unknown) {
    super(message, { cause })
    this.name = 'NoReadyHostError'
    const code = (cause as { code?: unknown } | undefined)?.code
    this.code = typeof code === 'string' ? code : 'ECONNREFUSED'
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
