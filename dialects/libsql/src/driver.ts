import { createClient } from '@libsql/client'
import type { LibsqlClient } from './client-api.js'
import { NativeClient } from './native-client.js'
import { ArgumentError, OperationalError } from '@athanor/core'
import type { AthanorError, ConnectOptions, Driver, StatementContext } from '@athanor/core'
import { LibsqlConnection } from './connection.js'
import type { LibsqlConnectionSettings } from './connection.js'
import { isDisconnect, translateError } from './errors.js'
import { filePath, parseLibsqlUrl } from './url.js'
import { writeLockFor } from './write-lock.js'
import type { LibsqlTarget } from './url.js'

/**
 * Options for the libSQL driver, passed as `createAsyncEngine(url, { driverOptions })`.
 * ```ts
 * createAsyncEngine('sqlite:///app.db', { driverOptions: { busyTimeoutMs: 10_000 } })
 * ```
 */
export interface LibsqlDriverOptions {
  /**
   * How long a statement, BEGIN or COMMIT waits for another connection's write lock before
   * failing with LockTimeoutError, in ms (default 5000). The wait is asynchronous; SQLite's own
   * `busy_timeout` is never set because it blocks the event loop.
   */
  readonly busyTimeoutMs?: number
  /**
   * When a transaction takes the database's write lock: 'deferred' (the default for files and
   * `:memory:`) at its first write (a transaction that only reads takes none, and runs beside the
   * writer), 'write' (the default for servers) at its first statement (BEGIN IMMEDIATE: reads in
   * read-write transactions queue behind the writer, but a transaction that reads and then writes
   * can never fail with SerializationError).
   */
  readonly transactionMode?: 'write' | 'deferred'
  /**
   * Run local databases (files, `:memory:`) on the native `libsql` binding directly (default
   * true; see native-client.ts), or, with false, through `@libsql/client` like servers. Both give
   * the same results and errors; the binding skips the client's per-row and per-statement costs.
   */
  readonly nativeBinding?: boolean
  /** Switch file databases to WAL journaling on connect (default true). */
  readonly wal?: boolean
  /** Auth token for libsql:// servers (a `?authToken=` in the URL works too). */
  readonly authToken?: string
  /** Encryption key for an encrypted local database. */
  readonly encryptionKey?: string
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000

/** Reads and checks the libSQL entries of `driverOptions`; other keys are left to others. */
export function readDriverOptions(raw: Readonly<Record<string, unknown>> | undefined): LibsqlDriverOptions {
  const o = raw ?? {}
  const busyTimeoutMs = o['busyTimeoutMs']
  if (busyTimeoutMs !== undefined && (typeof busyTimeoutMs !== 'number' || !(busyTimeoutMs >= 0) || !Number.isFinite(busyTimeoutMs))) {
    throw new ArgumentError(`driverOptions.busyTimeoutMs must be a number of milliseconds ≥ 0, e.g. 5000.`)
  }
  const transactionMode = o['transactionMode']
  if (transactionMode !== undefined && transactionMode !== 'write' && transactionMode !== 'deferred') {
    throw new ArgumentError(`driverOptions.transactionMode must be 'write' or 'deferred'.`)
  }
  const wal = o['wal']
  if (wal !== undefined && typeof wal !== 'boolean') throw new ArgumentError('driverOptions.wal must be true or false.')
  const nativeBinding = o['nativeBinding']
  if (nativeBinding !== undefined && typeof nativeBinding !== 'boolean') throw new ArgumentError('driverOptions.nativeBinding must be true or false.')
  for (const key of ['authToken', 'encryptionKey'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new ArgumentError(`driverOptions.${key} must be a string.`)
  }
  return {
    busyTimeoutMs: busyTimeoutMs as number | undefined,
    transactionMode: transactionMode as 'write' | 'deferred' | undefined,
    wal: wal as boolean | undefined,
    nativeBinding: nativeBinding as boolean | undefined,
    authToken: o['authToken'] as string | undefined,
    encryptionKey: o['encryptionKey'] as string | undefined,
  }
}

/**
 * The driver side of the libSQL dialect, on `@libsql/client` 0.18: one Client per connection,
 * created with `intMode: 'bigint'` (integers past 2^53 are read exactly; rows.ts turns the rest
 * back into numbers) and, for local databases, a single native connection (`concurrency: 1`),
 * so per-connection PRAGMAs apply to every statement.
 *
 * On connect: file databases get `PRAGMA journal_mode = WAL` (readers do not block the writer,
 * and a failed concurrent write cannot make a later COMMIT fail, see toolchain.md) and
 * `PRAGMA foreign_keys = ON`; `:memory:` gets `foreign_keys = ON`; remote databases get a
 * `SELECT 1` bounded by `connectTimeoutMs`, since the client connects lazily.
 * ```ts
 * const driver = new LibsqlDriver()
 * const conn = await driver.connect({ url: 'sqlite:///app.db', connectTimeoutMs: 5000 })
 * ```
 */
export class LibsqlDriver implements Driver {
  async connect(options: ConnectOptions): Promise<LibsqlConnection> {
    const target = parseLibsqlUrl(options.url)
    const driverOptions = readDriverOptions(options.driverOptions)
    const settings: LibsqlConnectionSettings = {
      kind: target.kind,
      busyTimeoutMs: driverOptions.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      // A server transaction begins at begin() (nothing to wait for here), so it keeps taking the lock then.
      transactionMode: driverOptions.transactionMode ?? (target.kind === 'remote' ? 'write' : 'deferred'),
      ...(target.kind === 'file' ? { writeLock: writeLockFor(filePath(target)), database: filePath(target) } : {}),
      openClient: () => openClient(target, driverOptions),
      // foreign_keys is a property of the native connection, so every new client needs it.
      // Remote servers decide it themselves.
      initStatements: target.kind === 'remote' ? [] : ['PRAGMA foreign_keys = ON'],
    }
    let connection: LibsqlConnection | undefined
    try {
      connection = await LibsqlConnection.open(settings)
      await withTimeout(prepare(connection, target, driverOptions), target.kind === 'remote' ? options.connectTimeoutMs : undefined)
    } catch (e) {
      connection?.destroy()
      throw translateError(e, {})
    }
    return connection
  }

  isDisconnect(error: unknown): boolean {
    return isDisconnect(error)
  }

  translateError(error: unknown, context: StatementContext): AthanorError {
    return translateError(error, context)
  }
}

function openClient(target: LibsqlTarget, options: LibsqlDriverOptions): LibsqlClient {
  try {
    // Local databases run on the native binding directly (native-client.ts says why); a URL with
    // query parameters (?mode=ro, cache=shared) is left to the client, which knows them.
    if (target.kind !== 'remote' && !/[?#]/.test(target.url) && options.nativeBinding !== false) {
      return new NativeClient(target.kind === 'memory' ? ':memory:' : filePath(target), { encryptionKey: options.encryptionKey })
    }
    return createClient({
      url: target.url,
      intMode: 'bigint',
      // Locally: one native connection, so PRAGMAs hold for every statement and the client's
      // own pool never runs two of our statements on different connections. Remotely the
      // client's default request concurrency stays.
      ...(target.kind === 'remote' ? {} : { concurrency: 1 }),
      ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
      ...(options.encryptionKey !== undefined ? { encryptionKey: options.encryptionKey } : {}),
    }) as unknown as LibsqlClient
  } catch (e) {
    // createClient and the binding open local files at once (SQLITE_CANTOPEN) and check the URL.
    throw translateError(e, {})
  }
}

/** Per-database setup after the init statements. */
async function prepare(connection: LibsqlConnection, target: LibsqlTarget, options: LibsqlDriverOptions): Promise<void> {
  // WAL is a property of the file, so this is a no-op after the first connection. A database
  // that cannot use WAL (read-only media, some network file systems) reports its old mode.
  if (target.kind === 'file' && options.wal !== false) await connection.execute('PRAGMA journal_mode = WAL', [])
  // The remote client connects lazily: prove the server answers within connectTimeoutMs.
  if (target.kind === 'remote') await connection.ping()
}

async function withTimeout<T>(work: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined || !(ms > 0) || !Number.isFinite(ms)) return work
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OperationalError(`Could not reach the libSQL server within ${ms} ms (connectTimeoutMs).`, undefined, {}, undefined, true, 'connect-timeout')),
      ms,
    )
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
