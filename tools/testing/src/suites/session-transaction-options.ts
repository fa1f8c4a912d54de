import { expect } from 'chai'
import { ArgumentError, AsyncSession, DatabaseError, Integer, InvalidRequestError, String, declarativeBase, mappedColumn, select } from '@athanor/core'
import type { IsolationLevel } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Note extends Base.model('sto_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  text: mappedColumn(String(40)),
}) {}

/**
 * Per-session and per-begin() transaction options: isolation level, read-only, and PostgreSQL's
 * DEFERRABLE; each begin() option lasts for one transaction, then the session's own apply again.
 */
export const sessionTransactionOptionsSuite: Suite = (ctx) => describe('session: transaction options', () => {
  const db = useDatabase(ctx, Base.metadata)

  async function addNote(text: string): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.add(new Note({ text }))
    await s.commit()
  }
  const texts = async (s: AsyncSession): Promise<string[]> => (await s.scalars(select(Note.c.text).orderBy(Note.c.id))).all()

  it('a read-only session reads, and its writes fail without losing the session', async () => {
    await addNote('first')
    await using s = new AsyncSession(db.engine, { transaction: { readOnly: true } })
    expect(await texts(s)).to.deep.equal(['first'])
    s.add(new Note({ text: 'refused' }))
    const e = await s.commit().then(() => undefined, (x: unknown) => x)
    expect(e, 'the database refuses the write').to.be.instanceOf(DatabaseError)
    expect((e as DatabaseError).code, 'every dialect names the refusal').to.equal('read-only')
    await s.rollback()
    // One transaction with other options: begin() overrides the session's for that transaction only.
    await s.begin({ readOnly: false })
    s.add(new Note({ text: 'written' }))
    await s.commit()
    expect(await texts(s)).to.deep.equal(['first', 'written'])
    s.add(new Note({ text: 'refused again' }))
    expect(await s.commit().then(() => undefined, (x: unknown) => x), 'the next transaction is read-only again').to.be.instanceOf(DatabaseError)
    await s.rollback()
  })

  const levels = [['READ COMMITTED', true], ['REPEATABLE READ', false]] as const
  for (const [level, sees] of levels) {
    it(`an isolation level from the session or begin() (${level}) decides whether a commit made meanwhile is seen`, async function () {
      const caps = db.capabilities
      // SQLite runs every level as SERIALIZABLE (which keeps its snapshot, like REPEATABLE READ).
      const honoured = caps.isolationLevels.includes(level as IsolationLevel) || (!sees && caps.isolationLevels.includes('SERIALIZABLE'))
      if (!caps.concurrentConnections || !honoured) this.skip()
      await addNote('before')
      for (const via of ['session', 'begin'] as const) {
        await using s = new AsyncSession(db.engine, via === 'session' ? { transaction: { isolationLevel: level } } : {})
        if (via === 'begin') await s.begin({ isolationLevel: level })
        expect(await texts(s)).to.have.length(via === 'session' ? 1 : 2)
        await addNote(`during ${via}`)
        const again = await texts(s)
        expect(again.includes(`during ${via}`), `${level} via ${via}`).to.equal(sees)
        await s.commit()
      }
    })
  }

  it('DEFERRABLE where the database has it (PostgreSQL), a clear error elsewhere', async () => {
    await addNote('report')
    await using s = new AsyncSession(db.engine, { transaction: { isolationLevel: 'SERIALIZABLE', readOnly: true, deferrable: true } })
    if (db.capabilities.deferrable === true) {
      expect(await texts(s)).to.deep.equal(['report'])
      await s.commit()
    } else {
      const e = await texts(s).then(() => undefined, (x: unknown) => x)
      expect(e).to.be.instanceOf(ArgumentError)
      expect((e as Error).message).to.match(/^The \w+ dialect has no deferrable transactions \(capabilities\.deferrable is false\); leave deferrable out\.$/)
    }
  })

  it('a session bound to its caller\'s transaction refuses options for it', async () => {
    await using conn = await db.engine.connect()
    await using s = new AsyncSession(db.engine, { bind: conn })
    const e = await s.begin({ readOnly: true }).then(() => undefined, (x: unknown) => x)
    expect(e).to.be.instanceOf(InvalidRequestError)
    expect((e as Error).message).to.match(/joins a transaction its caller owns/)
  })
})
