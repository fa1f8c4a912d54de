import type { DriverConnection } from '@athanor/core'
import { MysqlConnection, MysqlDriver } from '@athanor/mysql'
import { PostgresConnection, PostgresDriver } from '@athanor/postgres'
import type { BackendName } from './backends.js'

/**
 * Kills connections this process opened, the way the server would lose them: PostgreSQL
 * `pg_terminate_backend(<its backend pid>)`, MySQL/MariaDB `KILL CONNECTION <its thread id>`,
 * both from a separate admin connection; libSQL runs in process, so its connection is
 * destroyed under the pool's feet instead. It never looks connections up by name or user, so it
 * cannot touch anyone else's.
 */
export interface Killer {
  /** True when a kill was issued (false when the connection was already gone). */
  kill(connection: DriverConnection): Promise<boolean>
  close(): Promise<void>
}

export async function createKiller(backend: BackendName, url: string): Promise<Killer> {
  if (backend === 'libsql') {
    return {
      kill: async (connection) => {
        if (connection.closed) return false
        connection.destroy()
        return true
      },
      close: async () => undefined,
    }
  }
  if (backend === 'postgres') {
    const admin = await new PostgresDriver({ applicationName: 'athanor_rel_killer' }).connect({ url, connectTimeoutMs: 5000 })
    return {
      kill: async (connection) => {
        if (connection.closed || !(connection instanceof PostgresConnection)) return false
        const { rows } = await admin.execute('SELECT pg_terminate_backend($1)', [connection.backendPid])
        return rows[0]?.[0] === true
      },
      close: () => admin.close(),
    }
  }
  const admin = await new MysqlDriver().connect({ url, connectTimeoutMs: 5000 })
  return {
    kill: async (connection) => {
      if (connection.closed || !(connection instanceof MysqlConnection) || !Number.isSafeInteger(connection.threadId)) return false
      try {
        await admin.execute(`KILL CONNECTION ${connection.threadId}`, [])
        return true
      } catch {
        return false // the thread ended on its own meanwhile (errno 1094 unknown thread)
      }
    },
    close: () => admin.close(),
  }
}
