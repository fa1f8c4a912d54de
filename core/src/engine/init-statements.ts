import type { DriverConnection, Driver } from '../dialect/contract.js'
import { ArgumentError, OperationalError } from '../util/errors.js'

/**
 * Takes the `init` query parameters out of a database URL. Each is one SQL statement that every
 * new connection runs before the pool hands it out; the rest of the URL goes to the driver
 * unchanged (other parameters keep their order and encoding).
 *
 * ```ts
 * takeInitStatements('mysql://app@db/shop?init=SET%20SESSION%20wsrep_sync_wait%3D1&charset=utf8mb4')
 * // → { url: 'mysql://app@db/shop?charset=utf8mb4', statements: ['SET SESSION wsrep_sync_wait=1'] }
 * ```
 */
export function takeInitStatements(url: string): { url: string; statements: string[] } {
  const q = url.indexOf('?')
  if (q < 0) return { url, statements: [] }
  const hash = url.indexOf('#', q)
  const end = hash < 0 ? url.length : hash
  const statements: string[] = []
  const kept: string[] = []
  for (const part of url.slice(q + 1, end).split('&')) {
    const params = new URLSearchParams(part)
    const init = params.get('init')
    if (init === null) kept.push(part)
    else statements.push(init)
  }
  if (statements.length === 0) return { url, statements }
  return { url: url.slice(0, q) + (kept.length > 0 ? `?${kept.join('&')}` : '') + url.slice(end), statements }
}

/** Checks EngineOptions.initStatements: a list of non-empty SQL strings. */
export function checkInitStatements(statements: unknown): readonly string[] {
  if (statements === undefined) return []
  if (!Array.isArray(statements) || statements.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new ArgumentError(`initStatements must be an array of SQL strings, such as ['SET SESSION wsrep_sync_wait = 1'], not ${JSON.stringify(statements)}.`)
  }
  return statements as readonly string[]
}

/**
 * Runs the init statements on a new connection. A lost connection stays an OperationalError (the
 * pool treats it as any failed connect); a statement the server refuses is a configuration
 * mistake, reported with the statement and where it came from.
 */
export async function runInitStatements(connection: DriverConnection, driver: Driver, statements: readonly string[]): Promise<void> {
  for (const [i, sql] of statements.entries()) {
    try {
      await connection.execute(sql, [])
    } catch (e) {
      const err = driver.translateError(e, { sql })
      if (err instanceof OperationalError && err.disconnect) throw err
      throw new ArgumentError(
        `Connection init statement ${i + 1} of ${statements.length} failed, so no connection could be opened: ${err.message}\n` +
          "Fix or remove it in the engine's initStatements option or the URL's init= parameter.",
        'init-statement-failed',
        { cause: err },
      )
    }
  }
}
