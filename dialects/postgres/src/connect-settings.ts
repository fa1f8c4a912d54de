import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { ArgumentError, type ConnectOptions } from './core.js'
import { readHostTargets, TARGET_SESSION_ATTRS, type HostTargets, type TargetSessionAttrs } from './host-targets.js'

/** A notice or warning the server sent (postgres.js `onnotice` payload). */
export interface PostgresNotice {
  readonly severity?: string | undefined
  readonly code?: string | undefined
  readonly message?: string | undefined
  readonly [field: string]: unknown
}

/**
 * Options for `@athanor/postgres`, passed as `createAsyncEngine(url, { driverOptions })`.
 *
 * ```ts
 * createAsyncEngine('postgresql://app@db/app', { driverOptions: { ssl: 'verify-full', applicationName: 'billing' } })
 * ```
 */
export interface PostgresDriverOptions {
  /** `application_name` shown in pg_stat_activity (default `'athanor'`; a URL parameter wins). */
  readonly applicationName?: string | undefined
  /**
   * Session `TimeZone` (default `'UTC'`). UTC makes `now()` defaults on `timestamp` columns UTC
   * wall time, which is how Athanor reads and writes them.
   */
  readonly timeZone?: string | undefined
  /** TLS, as postgres.js takes it: `'require'`, `'verify-full'`, `true`, or `tls.connect` options. */
  readonly ssl?: boolean | 'require' | 'allow' | 'prefer' | 'verify-full' | TlsOptions | undefined
  /** More startup parameters (server settings) for every connection, e.g. `{ lock_timeout: 2000 }`. */
  readonly connection?: Readonly<Record<string, string | number | boolean>> | undefined
  /** Server-side prepared statements kept per connection before new SQL runs unprepared (default 1000). */
  readonly maxPreparedStatements?: number | undefined
  /** Called with server notices and warnings (default: ignored; postgres.js would print them). */
  readonly onNotice?: ((notice: PostgresNotice) => void) | undefined
  /** Load array type OIDs on connect so array columns parse (default true; one query per new connection). */
  readonly fetchTypes?: boolean | undefined
  /** TCP keepalive delay in seconds (default 60). */
  readonly keepAlive?: number | undefined
  /**
   * Which server of a multi-host URL to use (default `'any'`; the URL's `target_session_attrs`
   * wins): `'primary'` for writes after a failover, `'standby'` / `'prefer-standby'` for a read
   * engine. Checked with `pg_is_in_recovery()` on each new connection.
   */
  readonly targetSessionAttrs?: TargetSessionAttrs | undefined
}

/** Everything a connection needs, resolved and checked once. */
export interface ConnectSettings {
  /** The URL for postgres.js: one host, without the parameters Athanor reads itself. */
  readonly url: string
  /** The URL's hosts and which of them a connection may use. */
  readonly targets: HostTargets
  readonly connectTimeoutMs: number
  readonly maxPreparedStatements: number
  readonly onNotice: (notice: PostgresNotice) => void
  readonly ssl: PostgresDriverOptions['ssl']
  readonly fetchTypes: boolean
  readonly keepAlive: number
  /** Startup parameters: no round trip, unlike SET after connecting. */
  readonly startup: Readonly<Record<string, string | number | boolean>>
}

const KNOWN_OPTIONS = ['applicationName', 'timeZone', 'ssl', 'connection', 'maxPreparedStatements', 'onNotice', 'fetchTypes', 'keepAlive', 'targetSessionAttrs']

const ignoreNotice = (): void => undefined

/**
 * Resolves engine connect options plus driver options into connection settings.
 *
 * ```ts
 * resolveConnectSettings({ url: 'postgres://u@h/db', connectTimeoutMs: 10_000 })
 * ```
 */
export function resolveConnectSettings(options: ConnectOptions, defaults: PostgresDriverOptions = {}): ConnectSettings {
  const o: PostgresDriverOptions = { ...defaults, ...checkDriverOptions(options.driverOptions ?? {}) }
  if (!(options.connectTimeoutMs > 0)) throw new ArgumentError(`connectTimeoutMs must be a positive number of milliseconds, not ${options.connectTimeoutMs}.`)
  const startup: Record<string, string | number | boolean> = {
    application_name: o.applicationName ?? 'athanor',
    TimeZone: o.timeZone ?? 'UTC',
    // Output style only (the MDY/DMY input order stays the server's); the parsers need ISO.
    DateStyle: 'ISO',
    ...o.connection,
  }
  const st = options.statementTimeoutMs
  if (st !== undefined) {
    if (!Number.isInteger(st) || st < 0) throw new ArgumentError(`statementTimeoutMs must be a whole number of milliseconds ≥ 0, not ${st}.`)
    startup.statement_timeout = st
  }
  const targets = readHostTargets(normaliseUrl(options.url), o.targetSessionAttrs)
  return {
    url: targets.urlFor(targets.hosts[0]!),
    targets,
    connectTimeoutMs: options.connectTimeoutMs,
    maxPreparedStatements: o.maxPreparedStatements ?? 1000,
    onNotice: o.onNotice ?? ignoreNotice,
    ssl: o.ssl,
    fetchTypes: o.fetchTypes ?? true,
    keepAlive: o.keepAlive ?? 60,
    startup,
  }
}

// Athanor URLs may name the driver (`postgresql+postgresjs://`); postgres.js only needs host,
// credentials, database and query parameters, which the scheme does not change.
function normaliseUrl(url: string): string {
  return url.replace(/^[a-z][a-z0-9.-]*(\+[a-z0-9.-]+)?:\/\//i, 'postgres://')
}

function checkDriverOptions(raw: Readonly<Record<string, unknown>>): PostgresDriverOptions {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new ArgumentError(`Unknown PostgreSQL driver option '${key}'. Known options: ${KNOWN_OPTIONS.join(', ')}.`)
    }
  }
  const expect = (key: string, ok: boolean, what: string): void => {
    if (raw[key] !== undefined && !ok) throw new ArgumentError(`PostgreSQL driver option '${key}' must be ${what}.`)
  }
  expect('applicationName', typeof raw.applicationName === 'string', 'a string')
  expect('timeZone', typeof raw.timeZone === 'string', "a time zone name such as 'UTC'")
  expect('ssl', ['boolean', 'string', 'object'].includes(typeof raw.ssl), "true, 'require', 'verify-full' or tls options")
  expect('connection', typeof raw.connection === 'object' && raw.connection !== null, 'an object of server settings')
  expect('maxPreparedStatements', Number.isInteger(raw.maxPreparedStatements) && (raw.maxPreparedStatements as number) >= 0, 'a whole number ≥ 0')
  expect('onNotice', typeof raw.onNotice === 'function', 'a function')
  expect('fetchTypes', typeof raw.fetchTypes === 'boolean', 'true or false')
  expect('targetSessionAttrs', TARGET_SESSION_ATTRS.includes(raw.targetSessionAttrs as TargetSessionAttrs), `one of ${TARGET_SESSION_ATTRS.join(', ')}`)
  expect('keepAlive', typeof raw.keepAlive === 'number' && raw.keepAlive >= 0, 'a number of seconds ≥ 0')
  return raw as PostgresDriverOptions
}
