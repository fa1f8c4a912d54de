/**
 * `autoincrementInsertOrder`: SQLite gives the rows of one multi-row INSERT consecutive rowids in
 * VALUES order, so the unit of work batches inserts and matches RETURNING rows by sorting on the
 * key. These tests pin the SQLite behaviour the flag relies on, and the refusal when it fails.
 */
import { expect } from 'chai'
import { AsyncSession, BigInteger, InvalidRequestError, Integer, String as StringType, createAsyncEngine, declarativeBase, mappedColumn, select, text } from '@athanor/core'
import type { Engine } from '@athanor/core'
import { libsqlCapabilities } from '../src/index.js'

const Base = declarativeBase()
class Note extends Base.model('notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(StringType(20)),
}) {}
// Keys near 2^63 do not fit a JavaScript number, so the overflow case maps its key as BigInteger.
class WideNote extends Base.model('wide_notes', {
  id: mappedColumn(BigInteger, { primaryKey: true }),
  body: mappedColumn(StringType(20)),
}) {}

describe('libSQL: batched inserts matched by autoincrement order', () => {
  let engine: Engine
  beforeEach(async () => {
    engine = createAsyncEngine('sqlite://:memory:')
    await Base.metadata.createAll(engine)
  })
  afterEach(async () => engine.dispose())

  it('declares the capability', () => {
    expect(libsqlCapabilities.autoincrementInsertOrder).to.equal(true)
  })

  it('inserts 2,500 objects as pages of insertPageRows (1,000) rows and gives each object its own row id', async () => {
    expect(libsqlCapabilities.insertPageRows).to.equal(1000)
    const inserts: { sql: string; params: number }[] = []
    engine.events.on('afterExecute', (e) => {
      if (e.sql.startsWith('INSERT')) inserts.push({ sql: e.sql, params: e.params.length })
    })
    await using s = new AsyncSession(engine)
    const notes = Array.from({ length: 2500 }, (_, i) => new Note({ body: `note ${i}` }))
    s.addAll(notes)
    await s.flush()
    // One column given per row (the key is generated): 1,000 + 1,000 + 500 rows, the first two
    // the same statement.
    expect(inserts.map((i) => i.params)).to.deep.equal([1000, 1000, 500])
    expect(inserts[0]!.sql).to.equal(inserts[1]!.sql)
    const rows = (await s.execute(select(Note.c.id, Note.c.body))).all()
    expect(rows).to.have.length(2500)
    const bodyById = new Map(rows.map(([id, body]) => [id, body]))
    for (const n of notes) expect(bodyById.get(n.id)).to.equal(n.body)
    expect(new Set(notes.map((n) => n.id)).size).to.equal(2500)
  })

  it('refuses to guess when the keys are not consecutive (a table whose rowid reached 2^63 - 1)', async () => {
    await using s = new AsyncSession(engine)
    await s.execute(text("INSERT INTO wide_notes (id, body) VALUES (9223372036854775807, 'max')"))
    s.addAll([new WideNote({ body: 'a' }), new WideNote({ body: 'b' }), new WideNote({ body: 'c' })])
    const err = await s.flush().then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(InvalidRequestError)
    expect((err as InvalidRequestError).message).to.match(/INSERT into wide_notes are not consecutive/)
  })
})
