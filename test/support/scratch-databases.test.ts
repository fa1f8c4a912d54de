/**
 * The run works in a database of its own on each server it was given (scratch-databases.ts,
 * created by the global setup in hooks.ts): the URL the tests see names it, and it is the
 * database a connection lands in.
 */
import { expect } from 'chai'
import { createAsyncEngine, text } from '@athanor/core'
import '@athanor/postgres'
import '@athanor/mysql'
import { BACKEND_ENV, type ServerBackend } from './backends.js'
import { runDatabase } from './scratch-databases.js'

const CURRENT: Readonly<Record<ServerBackend, string>> = { postgres: 'SELECT current_database()', mysql: 'SELECT DATABASE()' }

describe('test runs on a database server', () => {
  for (const backend of Object.keys(BACKEND_ENV) as ServerBackend[]) {
    const variable = BACKEND_ENV[backend]
    it(`work in a database of their own on ${backend}`, async function () {
      const url = process.env[variable]
      if (url === undefined || url === '' || url === 'skip') this.skip()
      // Not made: asked for (ATHANOR_TEST_SHARED_DB=1), a URL of several hosts, or no right to (said in one line).
      const made = runDatabase(variable)
      if (made === undefined) this.skip()
      expect(made.name).to.match(new RegExp(`^athanor_run_[0-9a-z]+_${process.pid}$`))
      expect(decodeURIComponent(new URL(url).pathname.slice(1)), `${variable} names this run's database`).to.equal(made.name)
      expect(made.givenUrl).to.not.equal(url)
      const engine = createAsyncEngine(url)
      try {
        const rows = await engine.begin(async (conn) => (await conn.execute(text(CURRENT[backend]))).all())
        expect(String(rows[0]![0])).to.equal(made.name)
      } finally {
        await engine.dispose()
      }
    })
  }
})
