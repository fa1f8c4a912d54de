import { runCompliance } from '@athanor/testing'
import type { Suite } from '@athanor/testing'
import { resolveBackend } from './backends.js'
import '@athanor/libsql'
import '@athanor/postgres'
import '@athanor/mysql'

/** Runs suites on libSQL, PostgreSQL and MySQL/MariaDB (each skipped with one line when its server is not configured). */
export function onEveryBackend(suites: readonly Suite[]): void {
  for (const backend of ['libsql', 'postgres', 'mysql'] as const) runCompliance({ backend, resolve: () => resolveBackend(backend) }, suites)
}
