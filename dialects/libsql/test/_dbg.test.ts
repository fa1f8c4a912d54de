import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LibsqlDriver } from '../src/index.js'
it('dbg', async () => {
  const d = new LibsqlDriver(); const dir = mkdtempSync(join(tmpdir(), 'dbg-'))
  const url = `sqlite:///${join(dir, 'x.db')}`
  const a = await d.connect({ url, connectTimeoutMs: 1000 }); const b = await d.connect({ url, connectTimeoutMs: 1000 })
  await a.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)', [])
  await a.begin({}); await a.execute('INSERT INTO t VALUES (1)', [])
  setTimeout(() => void a.commit().then(() => console.log('a committed'), (e) => console.log('commit err', e)), 300)
  await b.execute('INSERT INTO t VALUES (2)', [])
  console.log('b inserted')
  try { await a.begin({}) } catch (e: any) { console.log('a.begin', e.code, e.extendedCode, e.rawCode, e.message) }
  try { await b.begin({}) ; console.log('b began')} catch (e: any) { console.log('b.begin', e.code, e.extendedCode, e.rawCode, e.message) }
})
