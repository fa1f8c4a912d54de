import { expect } from 'chai'
import {
  ArgumentError, AsyncSession, ForeignKey, Integer, InvalidRequestError, ListenerError, Result, Select, String, declarativeBase,
  insert, mappedColumn, pluginsOf, relationship, removePlugin, select, selectinload, sessionmaker, transform, usePlugin,
} from '@athanor/core'
import type { Plugin, PropagatingOption } from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
class Shelf extends Base.model('plugin_shelves', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(50)),
})<Shelf> {
  declare items: Item[]
  static items = relationship(() => Item, { backPopulates: 'shelf' })
}
class Item extends Base.model('plugin_items', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  hidden: mappedColumn(Integer, { default: 0 }),
  shelf_id: mappedColumn(Integer, ForeignKey('plugin_shelves.id'), { nullable: true }),
})<Item> {
  declare shelf: Shelf | null
  static shelf = relationship(() => Shelf, { backPopulates: 'items' })
}

/** An option that propagates to relationship loads and turns the filter off. */
const showHidden: PropagatingOption = { propagateToLoaders: true }

/** Leaves out hidden items in every select that reads plugin_items, unless asked. */
const hideItems: Plugin = {
  name: 'hide-items',
  install(host) {
    host.transformStatement((stmt) => {
      if (!(stmt instanceof Select) || stmt.state.options.includes(showHidden)) return stmt
      return transform(stmt, {
        leave: (node) => (node instanceof Select && node.state.columns.some((c) => 'from' in c && c.from === Item.__table__) ? node.where(Item.c.hidden.eq(0)) : node),
      })
    })
  },
}

export const pluginsSuite: Suite = (ctx) => describe('plugins', () => {
  const db = useDatabase(ctx, Base.metadata)
  afterEach(() => { for (const name of pluginsOf(Base)) removePlugin(Base, name) })

  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine)
    s.add(new Shelf({ label: 'A', items: [new Item({ name: 'shown' }), new Item({ name: 'secret', hidden: 1 })] }))
    await s.commit()
  }

  describe('statement transforms', () => {
    it('rewrite statements before compilation, and the rewritten shape hits the compiled-SQL cache', async () => {
      await seed()
      usePlugin(db.engine, hideItems)
      db.statements.length = 0
      const cached: boolean[] = []
      db.engine.events.on('afterExecute', (e) => { cached.push(e.cached) })
      await using conn = await db.engine.connect()
      expect((await conn.execute(select(Item.c.name).where(Item.c.name.ne('nobody')))).scalars().all()).to.deep.equal(['shown'])
      expect((await conn.execute(select(Item.c.name).where(Item.c.name.ne('other')))).scalars().all()).to.deep.equal(['shown'])
      // The second statement is a new tree of the same shape: its rewrite compiles from the cache.
      expect(cached).to.deep.equal([false, true])
      expect(db.statements[1]).to.equal(db.statements[0]).and.to.match(/hidden/)
    })

    it('apply to ORM selects and to the relationship loads they trigger; a propagating option reaches the loads', async () => {
      await seed()
      usePlugin(db.engine, hideItems)
      await using s = new AsyncSession(db.engine)
      const shelf = (await s.scalars(select(Shelf).options(selectinload(Shelf.items)))).one()
      expect(shelf.items.map((i) => i.name)).to.deep.equal(['shown'])
      await s.close() // one connection at a time on single-connection backends
      await using s2 = new AsyncSession(db.engine)
      const all = (await s2.scalars(select(Shelf).options(selectinload(Shelf.items), showHidden))).one()
      expect(all.items.map((i) => i.name).sort()).to.deep.equal(['secret', 'shown'])
    })

    it('stop when the plugin is removed, and run in registration order unless added first', async () => {
      await seed()
      const order: string[] = []
      const tracer = (name: string): Plugin => ({ name, install: (h) => h.transformStatement((stmt) => (order.push(name), stmt)) })
      const remove = usePlugin(db.engine, hideItems)
      usePlugin(db.engine, tracer('second'))
      usePlugin(db.engine, tracer('first'), { first: true })
      expect(pluginsOf(db.engine)).to.deep.equal(['hide-items', 'second', 'first'])
      await using conn = await db.engine.connect()
      expect(await conn.execute(select(Item.c.name))).to.have.property('rows').with.length(1)
      expect(order).to.deep.equal(['first', 'second'])
      remove()
      expect(removePlugin(db.engine, 'second')).to.equal(true)
      expect(removePlugin(db.engine, 'second')).to.equal(false)
      expect(pluginsOf(db.engine)).to.deep.equal(['first'])
      expect((await conn.execute(select(Item.c.name))).rows).to.have.length(2)
    })

    it('registered on a session factory apply to its sessions only', async () => {
      await seed()
      const Session = sessionmaker(db.engine)
      usePlugin(Session, hideItems)
      await using filtered = Session()
      expect((await filtered.scalars(select(Item))).all().map((i) => i.name)).to.deep.equal(['shown'])
      await filtered.close()
      await using plain = new AsyncSession(db.engine)
      expect((await plain.scalars(select(Item))).all()).to.have.length(2)
    })
  })

  it('result transforms rewrite results after execution', async () => {
    await seed()
    usePlugin(db.engine, {
      name: 'upper',
      install: (h) => h.transformResult((r) => new Result(r.rows.map((row) => row.map((v) => (typeof v === 'string' ? v.toUpperCase() : v))), r.columnNames, r.rowsAffected)),
    })
    await using conn = await db.engine.connect()
    expect((await conn.execute(select(Item.c.name).orderBy(Item.c.id))).scalars().all()).to.deep.equal(['SHOWN', 'SECRET'])
  })

  it('engine and pool events reach a plugin, and an error in it names the plugin', async () => {
    const seen: string[] = []
    usePlugin(db.engine, {
      name: 'spy',
      install(h) {
        h.onEngine('checkout', () => { seen.push('checkout') })
        h.onEngine('beforeExecute', (e) => { seen.push(e.sql.split(' ')[0]!) })
        h.onEngine('checkin', () => { seen.push('checkin') })
      },
    })
    await db.engine.begin(async (conn) => { await conn.execute(insert(Shelf.__table__).values({ label: 'x' })) })
    expect(seen).to.deep.equal(['checkout', 'INSERT', 'checkin'])
    removePlugin(db.engine, 'spy')
    usePlugin(db.engine, { name: 'broken', install: (h) => h.onEngine('beforeExecute', () => { throw new Error('boom') }) })
    await using conn = await db.engine.connect()
    const err = await conn.execute(select(Shelf.c.id)).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(ListenerError).with.property('listener', 'broken')
    expect((err as Error).message).to.contain('boom')
    removePlugin(db.engine, 'broken')
  })

  it('session events fire around flush, commit and rollback', async () => {
    const seen: string[] = []
    const Session = sessionmaker(db.engine)
    usePlugin(Session, {
      name: 'session-spy',
      install(h) {
        for (const event of ['beforeFlush', 'afterFlush', 'beforeCommit', 'afterCommit', 'afterRollback'] as const) h.onSession(event, () => { seen.push(event) })
      },
    })
    await using s = Session()
    s.add(new Shelf({ label: 'B' }))
    await s.commit()
    expect(seen).to.deep.equal(['beforeFlush', 'afterFlush', 'beforeCommit', 'afterCommit'])
    seen.length = 0
    await s.scalars(select(Shelf))
    await s.rollback()
    expect(seen).to.deep.equal(['afterRollback'])
  })

  it('mapper events see inserts, updates, deletes and loads; a before-listener may change values', async () => {
    const seen: string[] = []
    const remove = usePlugin(Base, {
      name: 'mapper-spy',
      install(h) {
        for (const event of ['beforeInsert', 'afterInsert', 'afterUpdate', 'beforeDelete', 'afterDelete', 'load'] as const) {
          h.onMapper(event, ({ mapper }) => { seen.push(`${event} ${mapper.className}`) })
        }
        h.onMapper('beforeUpdate', ({ object, changes }) => {
          seen.push(`beforeUpdate ${Object.keys(changes).join()}`)
          if (object instanceof Shelf) object.label = object.label.toUpperCase()
        })
      },
    })
    await using s = new AsyncSession(db.engine)
    const shelf = new Shelf({ label: 'c' })
    s.add(shelf)
    await s.flush()
    shelf.label = 'd'
    await s.flush()
    await s.delete(shelf)
    await s.commit()
    expect(seen).to.deep.equal(['beforeInsert Shelf', 'afterInsert Shelf', 'beforeUpdate label', 'afterUpdate Shelf', 'beforeDelete Shelf', 'afterDelete Shelf'])
    expect(db.statements.some((q) => q.startsWith('UPDATE'))).to.equal(true)
    s.add(new Shelf({ label: 'e' }))
    await s.commit()
    seen.length = 0
    const [loaded] = (await s.scalars(select(Shelf))).all()
    expect(seen).to.deep.equal(['load Shelf'])
    expect(loaded!.label).to.equal('e')
    remove()
    seen.length = 0
    await s.scalars(select(Shelf))
    expect(seen).to.deep.equal([])
  })

  it('the updated value written by a beforeUpdate listener reaches the database', async () => {
    usePlugin(Base, { name: 'upper-labels', install: (h) => h.onMapper('beforeUpdate', ({ object }) => { if (object instanceof Shelf) object.label = object.label.toUpperCase() }) })
    await using s = new AsyncSession(db.engine)
    const shelf = new Shelf({ label: 'f' })
    s.add(shelf)
    await s.commit()
    shelf.label = 'g'
    await s.commit()
    await using check = new AsyncSession(db.engine)
    expect((await check.scalars(select(Shelf.c.label))).all()).to.deep.equal(['G'])
  })

  it('a hook the scope does not offer, or a second plugin of the same name, is an error that says what to do', () => {
    expect(() => usePlugin(Base, hideItems)).to.throw(ArgumentError, /hide-items.*statement transform.*register it on an engine or a session factory/)
    expect(pluginsOf(Base)).to.deep.equal([])
    usePlugin(db.engine, hideItems)
    expect(() => usePlugin(db.engine, hideItems)).to.throw(InvalidRequestError, /'hide-items' is already registered/)
    expect(() => usePlugin(sessionmaker(db.engine), { name: 'r', install: (h) => h.route(() => undefined) })).to.throw(ArgumentError, /register it on an engine/)
  })
})
