/**
 * session.stream() keeps memory at one batch: over 100,000 rows read as entities, the heap after
 * the last batch is where it was after the tenth (within a few MB, where holding the objects
 * would take tens of MB), and the identity map never holds more than a batch.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { expect } from 'chai'
import { AsyncSession, Integer, String, createAsyncEngine, declarativeBase, insert, mappedColumn, select, type Engine } from '@athanor/core'
import { forEachBackend } from '../reliability/support/backends.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const heapAfterGc = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const Base = declarativeBase()
class Event extends Base.model('stream_memory_events', {
  id: mappedColumn(Integer, { primaryKey: true }),
  kind: mappedColumn(String(20)),
  payload: mappedColumn(String(100)),
}) {}

const ROWS = 100_000
const BATCH = 1_000

forEachBackend('session.stream() memory', (backend) => {
  let engine: Engine
  before(async function () {
    this.timeout(120_000)
    engine = createAsyncEngine(backend.url)
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    await s.execute(insert(Event).values(Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, kind: `kind ${i % 7}`, payload: `payload of event ${i + 1} `.padEnd(60, '.') }))))
    await s.commit()
  })
  after(async () => {
    // Skipped backends (no URL, no Docker) never ran before().
    if ((engine as Engine | undefined) === undefined) return
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await engine.dispose()
  })

  // In key order the stream reads keyset pages; in any other order it reads the keys first.
  for (const [how, stmt] of [['keyset pages', select(Event).orderBy(Event.c.id)], ['keys, then IN batches', select(Event).orderBy(Event.c.kind, Event.c.id)]] as const) {
  it(`reads ${ROWS.toLocaleString('en')} rows as entities with the heap flat after the first batches (${how})`, async function () {
    this.timeout(120_000)
    await using s = new AsyncSession(engine)
    let batches = 0
    let rows = 0
    let largestIdentityMap = 0
    let heapAtTen = 0
    let lastId = 0
    // Allocated up front, so that the heap measured is the stream's.
    const seen = new Uint8Array(ROWS + 1)
    let distinct = 0
    for await (const batch of s.stream(stmt, { batchSize: BATCH }).partitions()) {
      batches++
      rows += batch.length
      for (const [e] of batch) if (seen[e.id] === 0) (seen[e.id] = 1, distinct++)
      lastId = Math.max(lastId, batch[batch.length - 1]![0].id)
      largestIdentityMap = Math.max(largestIdentityMap, s.identityMap.size)
      if (batches === 10) heapAtTen = heapAfterGc()
    }
    const heapAtEnd = heapAfterGc()
    expect([rows, distinct, batches]).to.deep.equal([ROWS, ROWS, ROWS / BATCH])
    expect(lastId).to.be.at.least(ROWS - 7)
    expect(largestIdentityMap).to.equal(BATCH)
    const growthMb = (heapAtEnd - heapAtTen) / 1e6
    console.log(`      [${backend.name}, ${how}] heap after batch 10: ${(heapAtTen / 1e6).toFixed(1)} MB, after batch 100: ${(heapAtEnd / 1e6).toFixed(1)} MB (growth ${growthMb.toFixed(1)} MB)`)
    expect(growthMb).to.be.below(8)
  })
  }

  it('the same rows held in one result take far more: the bound above is meaningful', async function () {
    this.timeout(120_000)
    const base = heapAfterGc()
    await using s = new AsyncSession(engine)
    const all = (await s.scalars(select(Event))).all()
    const heldMb = (heapAfterGc() - base) / 1e6
    expect(all).to.have.length(ROWS)
    console.log(`      [${backend.name}] ${ROWS.toLocaleString('en')} objects held: ${heldMb.toFixed(1)} MB`)
    expect(heldMb).to.be.above(30)
  })
})
