import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { complianceSuites, runCompliance } from '@athanor/testing'
import { resolveBackend } from '../../../test/support/backends.js'
import '@athanor/libsql'

runCompliance({ backend: 'libsql', resolve: () => resolveBackend('libsql') }, complianceSuites)

// The same suites on a file database with a pool of connections (WAL: reads beside the writer).
const file = join(tmpdir(), `athanor-compliance-${process.pid}.db`)
const removeFile = (): void => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
}
describe('libsql file database', () => {
  before(removeFile)
  after(removeFile)
  runCompliance({ backend: 'libsql-file', resolve: async () => ({ url: `sqlite:///${file}` }), engineOptions: { pool: { size: 4 } } }, complianceSuites)
})
