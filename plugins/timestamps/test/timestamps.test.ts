import { expect } from 'chai'
import { AsyncSession, DateTime, Integer, String, declarativeBase, mappedColumn, removePlugin, select, sessionmaker, usePlugin } from '@athanor/core'
import { useDatabase } from '@athanor/testing'
import type { Suite } from '@athanor/testing'
import { timestamps } from '@athanor/plugin-timestamps'
import { onEveryBackend } from '../../../test/support/every-backend.js'

const Base = declarativeBase()
class Note extends Base.model('ts_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(String(50)),
  created_at: mappedColumn(DateTime(), { nullable: true }),
  updated_at: mappedColumn(DateTime(), { nullable: true }),
}) {}
class Tag extends Base.model('ts_tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(50)),
}) {}

const suite: Suite = (ctx) => describe('timestamps', () => {
  const db = useDatabase(ctx, Base.metadata)
  const times = ['2024-01-01T00:00:00.000Z', '2024-02-02T00:00:00.000Z', '2024-03-03T00:00:00.000Z']
  let clock = 0
  const now = (): Date => new Date(times[clock]!)
  beforeEach(() => { clock = 0 })
  afterEach(() => { removePlugin(Base, 'timestamps') })

  async function stored(): Promise<[string | undefined, string | undefined]> {
    await using s = new AsyncSession(db.engine)
    const [c, u] = (await s.execute(select(Note.c.created_at, Note.c.updated_at))).one()
    return [c?.toISOString(), u?.toISOString()]
  }

  it('stamps created-at and updated-at on insert, and updated-at alone on update', async () => {
    usePlugin(Base, timestamps({ now }))
    await using s = new AsyncSession(db.engine)
    const note = new Note({ body: 'first' })
    s.add(note)
    await s.commit()
    expect(await stored()).to.deep.equal([times[0], times[0]])
    clock = 1
    note.body = 'second'
    await s.commit()
    expect(await stored()).to.deep.equal([times[0], times[1]])
    expect(db.statements.filter((q) => q.startsWith('UPDATE'))).to.have.length(1)
  })

  it('keeps values the application set itself, and leaves classes without the columns alone', async () => {
    usePlugin(Base, timestamps({ now }))
    await using s = new AsyncSession(db.engine)
    const note = new Note({ body: 'dated', created_at: new Date(times[2]!) })
    s.add(note)
    s.add(new Tag({ label: 'plain' }))
    await s.commit()
    expect(await stored()).to.deep.equal([times[2], times[0]])
    clock = 1
    note.body = 'again'
    note.updated_at = new Date(times[2]!)
    await s.commit()
    expect(await stored()).to.deep.equal([times[2], times[2]])
  })

  it('works registered on a session factory, only for its sessions', async () => {
    const Session = sessionmaker(db.engine)
    usePlugin(Session, timestamps({ now, createdAt: false }))
    await using s = Session()
    s.add(new Note({ body: 'factory' }))
    await s.commit()
    expect(await stored()).to.deep.equal([undefined, times[0]])
    await using plain = new AsyncSession(db.engine)
    plain.add(new Note({ body: 'plain' }))
    await plain.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.execute(select(Note.c.updated_at).where(Note.c.body.eq('plain')))).scalar()).to.equal(null)
  })

  it('stops when removed', async () => {
    const remove = usePlugin(Base, timestamps({ now }))
    remove()
    await using s = new AsyncSession(db.engine)
    s.add(new Note({ body: 'none' }))
    await s.commit()
    expect(await stored()).to.deep.equal([undefined, undefined])
  })
})

onEveryBackend([suite])
