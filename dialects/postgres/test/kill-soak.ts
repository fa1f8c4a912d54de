/**
 * Manual soak (not part of `npm test`): kills the backend of a fresh connection at a random
 * moment while it runs statements, a stream, or transactions, N times, and tallies what the
 * caller saw. Passing means: every failure is a disconnect, no reuse after it, no hang, and no
 * uncaught exception or unhandled rejection. It kills only the backends it opened.
 *
 *   node --import tsx --conditions=@athanor/source dialects/postgres/test/kill-soak.ts 400
 */
import { PostgresDriver, translateError } from '../src/index.js'
import { OperationalError } from '@athanor/core'

const url = process.env.ATHANOR_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/athanor_pgdev'
const runs = Number(process.argv[2] ?? 200)
const driver = new PostgresDriver()
const faults: string[] = []
process.on('uncaughtException', (e) => faults.push(`uncaught ${String(e)}`))
process.on('unhandledRejection', (e) => faults.push(`unhandled ${String(e)}`))
const tally = new Map<string, number>()
const note = (k: string): void => void tally.set(k, (tally.get(k) ?? 0) + 1)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('HANG')), ms))])

const admin = await driver.connect({ url, connectTimeoutMs: 3000 })
for (let i = 0; i < runs; i++) {
  const conn = await driver.connect({ url, connectTimeoutMs: 3000 })
  const scenario = ['statements', 'stream', 'transactions', 'sleep'][i % 4]!
  const work = (async () => {
    try {
      if (scenario === 'statements') for (let k = 0; k < 200; k++) await conn.execute('SELECT $1::int', [k], { prepare: k % 2 === 0 })
      else if (scenario === 'stream') for await (const _ of conn.stream('SELECT g FROM generate_series(1, 200000) g', [], { batchSize: 50 })) { /* pull */ }
      else if (scenario === 'transactions') for (let k = 0; k < 100; k++) { await conn.begin({}); await conn.execute('SELECT 1', []); await conn.commit() }
      else await conn.execute('SELECT pg_sleep(1)', [])
      note(`${scenario}: finished before the kill`)
      return
    } catch (e) {
      const t = translateError(e, {})
      const disconnect = t instanceof OperationalError && t.disconnect
      note(`${scenario}: ${t.code} (${(e as { code?: string }).code ?? (e as Error).name})${disconnect ? '' : ' NOT A DISCONNECT'}`)
    }
    try {
      await conn.execute('SELECT 1', [])
      note('REUSED after a failure')
    } catch {
      note('refused after the failure')
    }
  })()
  await sleep(Math.random() * 4)
  await admin.execute('SELECT pg_terminate_backend($1)', [conn.backendPid])
  await within(work, 5000).catch(() => note('HANG'))
  conn.destroy()
}
await sleep(200)
await admin.close()
console.log([...tally.entries()].sort())
console.log(`uncaught exceptions / unhandled rejections: ${faults.length}`, [...new Set(faults)].slice(0, 3))
process.exitCode = faults.length > 0 || tally.has('HANG') ? 1 : 0
