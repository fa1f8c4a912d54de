/**
 * The hidden classes of the objects a request builds outlive them (core/src/util/kept-shapes.ts):
 * after a full GC with no session, instance or statement of the last request left alive, the next
 * request's objects still have the shapes the kept exemplars hold — so the code V8 optimized for
 * them stays valid. Checked with V8's own %HaveSameMap, on every backend.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { expect } from 'chai'
import { AsyncSession, ForeignKey, Integer, String, createAsyncEngine, declarativeBase, mappedColumn, relationship, select, selectinload, stateOf, type Engine } from '@athanor/core'
import { keptShapes } from '../../core/src/util/kept-shapes.js'
import { forEachBackend } from '../reliability/support/backends.js'

v8.setFlagsFromString('--allow-natives-syntax')
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean
/** The names of the objects whose hidden class no kept exemplar has. */
const unkept = (objects: Readonly<Record<string, object>>): string[] =>
  Object.entries(objects).filter(([, o]) => !keptShapes().some((e) => sameMap(e, o))).map(([name]) => name)

const Base = declarativeBase()
class Shelf extends Base.model('kept_shape_shelves', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Shelf> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'shelf', cascade: 'all, delete-orphan' })
}
class Book extends Base.model('kept_shape_books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  shelf_id: mappedColumn(Integer, ForeignKey('kept_shape_shelves.id')),
})<Book> {
  declare shelf: Shelf
  static shelf = relationship(() => Shelf, { backPopulates: 'books' })
}

forEachBackend('kept shapes', (backend) => {
  let engine: Engine
  before(async () => {
    engine = createAsyncEngine(backend.url)
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    s.add(new Shelf({ name: 'fiction', books: [new Book({ title: 'Emma' }), new Book({ title: 'Dune' })] }))
    await s.commit()
  })
  after(async () => {
    if ((engine as Engine | undefined) === undefined) return
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await engine.dispose()
  })

  /** One request: a select-in load, a new graph flushed (and rolled back), a query built. */
  async function request(): Promise<Record<string, object>> {
    await using s = new AsyncSession(engine)
    const query = select(Shelf).where(Shelf.c.name.like('f%')).orderBy(Shelf.c.id).options(selectinload(Shelf.books))
    const [loaded] = (await s.scalars(query)).all()
    const fresh = new Shelf({ name: 'poetry', books: [new Book({ title: 'Odes' })] })
    s.add(fresh)
    await s.flush()
    const result = await s.execute(select(Book.c.title).where(Book.c.id.in([1, 2])))
    return {
      'a loaded instance': loaded!, 'its state': stateOf(loaded!), 'its collection': loaded!.books, 'a loaded child': loaded!.books[0]!,
      'a new instance': fresh, 'its new state': stateOf(fresh), 'a new child': fresh.books[0]!,
      'the session': s, 'the select': query, 'a result': result,
    }
  }

  it("a request's objects have the shapes of kept exemplars", async () => {
    expect(unkept(await request())).to.deep.equal([])
  })

  it('so do the next request\'s, after a full GC that found none of the last one alive', async () => {
    await request()
    gc()
    gc()
    expect(unkept(await request())).to.deep.equal([])
  })

  it('keeps one exemplar per shape: none more for more requests', async () => {
    await request()
    const before = keptShapes().length
    for (let i = 0; i < 5; i++) await request()
    expect(keptShapes().length).to.equal(before)
  })
})
