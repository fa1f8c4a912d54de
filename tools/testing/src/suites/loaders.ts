import { expect } from 'chai'
import {
  ArgumentError, AsyncSession, DetachedInstanceError, ForeignKey, SELECTIN_BATCH, ForeignKeyConstraint, Integer, NPlusOneError, String, Table, UnloadedRelationshipError, column,
  countStatements, declarativeBase, insert, joinedload, lazyload, mappedColumn, noload, raiseload, relationship, select, selectinBatchSize, selectinload, usePlugin,
} from '@athanor/core'
import type { NPlusOneReport } from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
const postTags = new Table('ld_post_tags', Base.metadata, {
  post_id: column(Integer, ForeignKey('ld_posts.id', { onDelete: 'CASCADE' }), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('ld_tags.id', { onDelete: 'CASCADE' }), { primaryKey: true }),
})
class Author extends Base.model('ld_authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Author> {
  declare posts: Post[]
  declare profile: Profile | null
  static posts = relationship(() => Post, { backPopulates: 'author', orderBy: () => [Post.c.id] })
  // One-to-one, joined by default: select(Author) brings the profile in the same statement.
  static profile = relationship(() => Profile, { uselist: false, lazy: 'joined', backPopulates: 'author' })
}
class Profile extends Base.model('ld_profiles', {
  id: mappedColumn(Integer, { primaryKey: true }),
  bio: mappedColumn(String(100)),
  author_id: mappedColumn(Integer, ForeignKey('ld_authors.id')),
})<Profile> {
  declare author: Author
  static author = relationship(() => Author, { backPopulates: 'profile' })
}
class Editor extends Base.model('ld_editors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Editor> {
  declare posts: Post[]
  static posts = relationship(() => Post, { backPopulates: 'editor', lazy: 'selectin', orderBy: () => [Post.c.title] })
}
class Post extends Base.model('ld_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  author_id: mappedColumn(Integer, ForeignKey('ld_authors.id')),
  editor_id: mappedColumn(Integer, ForeignKey('ld_editors.id'), { nullable: true }),
})<Post> {
  declare author: Author
  declare editor: Editor | null
  declare tags: Tag[]
  static author = relationship(() => Author, { backPopulates: 'posts' })
  static editor = relationship(() => Editor, { backPopulates: 'posts' })
  static tags = relationship(() => Tag, { secondary: postTags, backPopulates: 'posts', orderBy: () => [Tag.c.name] })
}
class Tag extends Base.model('ld_tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Tag> {
  declare posts: Post[]
  static posts = relationship(() => Post, { secondary: postTags, backPopulates: 'tags' })
}
// Composite keys: a shelf is (region, code); boxes point at it with a two-column foreign key.
class Shelf extends Base.model('ld_shelves', {
  region: mappedColumn(String(10), { primaryKey: true }),
  code: mappedColumn(Integer, { primaryKey: true, autoincrement: false }),
})<Shelf> {
  declare boxes: Box[]
  static boxes = relationship(() => Box, { backPopulates: 'shelf', orderBy: () => [Box.c.id] })
}
class Box extends Base.model('ld_boxes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  shelf_region: mappedColumn(String(10)),
  shelf_code: mappedColumn(Integer),
}, new ForeignKeyConstraint(['shelf_region', 'shelf_code'], ['ld_shelves.region', 'ld_shelves.code']))<Box> {
  declare shelf: Shelf
  static shelf = relationship(() => Shelf, { backPopulates: 'boxes' })
}

// Two collections of one parent: joined together, a board's rows are the product of both.
class Board extends Base.model('ld_boards', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(20)),
})<Board> {
  declare pins: Pin[]
  declare notes: Note[]
  static pins = relationship(() => Pin, { orderBy: () => [Pin.c.id] })
  static notes = relationship(() => Note, { orderBy: () => [Note.c.id] })
}
class Pin extends Base.model('ld_pins', {
  id: mappedColumn(Integer, { primaryKey: true }),
  label: mappedColumn(String(20)),
  board_id: mappedColumn(Integer, ForeignKey('ld_boards.id')),
})<Pin> {}
class Note extends Base.model('ld_notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  text: mappedColumn(String(20)),
  board_id: mappedColumn(Integer, ForeignKey('ld_boards.id')),
})<Note> {}

/** A loaded author graph as plain data, to compare strategies. */
function graph(authors: readonly Author[]): unknown {
  return authors.map((a) => ({ name: a.name, posts: a.posts.map((p) => ({ title: p.title, author: p.author.name, tags: p.tags.map((t) => t.name) })) }))
}

export const loaderSuite: Suite = (ctx) => describe('Loader strategies', () => {
  const db = useDatabase(ctx, Base.metadata)
  const quiet = { nPlusOne: { mode: 'off' } } as const

  async function seed(): Promise<void> {
    await using s = new AsyncSession(db.engine, quiet)
    const [red, blue, green] = ['red', 'blue', 'green'].map((name) => new Tag({ name }))
    const ed = new Editor({ name: 'Ed' })
    s.add(new Author({ name: 'Ann', profile: new Profile({ bio: 'poet' }), posts: [
      new Post({ title: 'A1', tags: [red!, blue!], editor: ed }),
      new Post({ title: 'A2', tags: [green!] }),
    ] }))
    s.add(new Author({ name: 'Bob', posts: [new Post({ title: 'B1', tags: [red!, green!, blue!], editor: ed })] }))
    s.add(new Author({ name: 'Cy' }))
    await s.commit()
  }

  const byName = select(Author).orderBy(Author.c.name)
  const expected = [
    { name: 'Ann', posts: [{ title: 'A1', author: 'Ann', tags: ['blue', 'red'] }, { title: 'A2', author: 'Ann', tags: ['green'] }] },
    { name: 'Bob', posts: [{ title: 'B1', author: 'Bob', tags: ['blue', 'green', 'red'] }] },
    { name: 'Cy', posts: [] },
  ]

  /** Runs `stmt` in a fresh session and returns its authors and the number of statements it took. */
  async function run(stmt: typeof byName): Promise<{ authors: Author[]; statements: number }> {
    await using s = new AsyncSession(db.engine, quiet)
    using counter = countStatements(db.engine)
    const authors = (await s.scalars(stmt)).all()
    return { authors, statements: counter.count }
  }

  describe('selectin', () => {
    it('takes one statement per level and loads many-to-many through the secondary table', async () => {
      await seed()
      const { authors, statements } = await run(byName.options(selectinload(Author.posts).selectinload(Post.tags)))
      // authors (+ their profile, joined by default), posts, tags
      expect(statements).to.equal(3)
      expect(graph(authors)).to.deep.equal(expected)
    })

    it('sends up to 10,000 parents\' keys per statement (fewer where the parameter limit needs it)', async () => {
      const size = selectinBatchSize(db.engine.dialect.capabilities.maxParams, 1)
      expect(size, 'every bundled dialect allows the full batch').to.equal(SELECTIN_BATCH)
      await using s = new AsyncSession(db.engine, quiet)
      await s.execute(insert(Author.__table__).values(Array.from({ length: SELECTIN_BATCH + 1 }, (_, i) => ({ name: `author ${i}` }))))
      await s.commit()
      const [first] = (await s.scalars(select(Author).orderBy(Author.c.id).limit(1))).all()
      s.add(new Post({ title: 'last batch', author: first! }))
      await s.commit()
      await using s2 = new AsyncSession(db.engine, quiet)
      using counter = countStatements(db.engine)
      const authors = (await s2.scalars(select(Author).options(selectinload(Author.posts), noload(Author.profile)))).all()
      expect(authors).to.have.length(SELECTIN_BATCH + 1)
      // the authors, then their posts in two statements: 10,000 keys and 1
      expect(counter.count).to.equal(1 + 2)
      expect(authors.filter((a) => a.posts.length > 0).map((a) => a.posts.map((p) => p.title))).to.deep.equal([['last batch']])
    })

    it('matches composite keys', async () => {
      await using s = new AsyncSession(db.engine, quiet)
      s.add(new Shelf({ region: 'eu', code: 1, boxes: [new Box({}), new Box({})] }))
      s.add(new Shelf({ region: 'eu', code: 2, boxes: [new Box({})] }))
      s.add(new Shelf({ region: 'us', code: 1 }))
      await s.commit()
      const sizes = async (opt: ReturnType<typeof selectinload<Box>>): Promise<[string, number, number][]> => {
        await using s2 = new AsyncSession(db.engine, quiet)
        const shelves = (await s2.scalars(select(Shelf).orderBy(Shelf.c.region, Shelf.c.code).options(opt))).all()
        return shelves.map((sh) => [sh.region, sh.code, sh.boxes.length])
      }
      const want = [['eu', 1, 2], ['eu', 2, 1], ['us', 1, 0]]
      expect(await sizes(selectinload(Shelf.boxes))).to.deep.equal(want)
      expect(await sizes(joinedload(Shelf.boxes))).to.deep.equal(want)
    })
  })

  describe('joined', () => {
    it('loads nested collections in one statement with LEFT OUTER JOINs, parents once each, members in order', async () => {
      await seed()
      const { authors, statements } = await run(byName.options(joinedload(Author.posts).joinedload(Post.tags)))
      expect(statements).to.equal(1)
      expect(graph(authors)).to.deep.equal(expected)
    })

    it('uses an INNER JOIN for a required many-to-one and LEFT OUTER JOIN for an optional one', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const posts = (await s.scalars(select(Post).orderBy(Post.c.title).options(joinedload(Post.author), joinedload(Post.editor)))).all()
      expect(db.statements.find((sql) => sql.includes('JOIN'))).to.equal(dialectSql(db.engine,
        'SELECT "ld_posts"."id", "ld_posts"."title", "ld_posts"."author_id", "ld_posts"."editor_id", ' +
        '"ld_authors_1"."id", "ld_authors_1"."name", "ld_profiles_2"."id", "ld_profiles_2"."bio", "ld_profiles_2"."author_id", ' +
        '"ld_editors_3"."id", "ld_editors_3"."name" ' +
        'FROM "ld_posts" JOIN "ld_authors" AS "ld_authors_1" ON "ld_posts"."author_id" = "ld_authors_1"."id" ' +
        // Author.profile is joined by default, so it rides along below the author, as an outer join.
        'LEFT OUTER JOIN "ld_profiles" AS "ld_profiles_2" ON "ld_authors_1"."id" = "ld_profiles_2"."author_id" ' +
        'LEFT OUTER JOIN "ld_editors" AS "ld_editors_3" ON "ld_posts"."editor_id" = "ld_editors_3"."id" ' +
        'ORDER BY "ld_posts"."title" ASC'))
      expect(posts.map((p) => [p.title, p.author.name, p.editor?.name ?? null])).to.deep.equal([['A1', 'Ann', 'Ed'], ['A2', 'Ann', null], ['B1', 'Bob', 'Ed']])
    })

    it('limits parents, not joined rows, by wrapping the parent query in a subquery', async () => {
      await seed()
      const { authors, statements } = await run(byName.limit(2).options(joinedload(Author.posts).joinedload(Post.tags)))
      expect(statements).to.equal(1)
      expect(graph(authors)).to.deep.equal(expected.slice(0, 2))
      const page2 = await run(select(Author).orderBy(Author.c.name.desc()).limit(2).offset(1).options(joinedload(Author.posts)))
      expect(page2.authors.map((a) => [a.name, a.posts.length])).to.deep.equal([['Bob', 1], ['Ann', 2]])
    })

    it('mixes with selectin in either order, one statement per selectin level', async () => {
      await seed()
      const a = await run(byName.options(selectinload(Author.posts).joinedload(Post.tags)))
      const b = await run(byName.options(joinedload(Author.posts).selectinload(Post.tags)))
      expect([a.statements, b.statements]).to.deep.equal([2, 2])
      expect(graph(a.authors)).to.deep.equal(expected)
      expect(graph(b.authors)).to.deep.equal(expected)
    })

    it("hears one 'load' per object however often its rows repeat, also when the query refreshes the objects held", async () => {
      await seed()
      const loads: string[] = []
      const remove = usePlugin(db.engine, { name: 'load-spy', install: (h) => h.onMapper('load', ({ object }) => void (object instanceof Author && loads.push(object.name))) })
      try {
        await using s = new AsyncSession(db.engine, quiet)
        // Ann's rows: A1 × 2 tags, A2 × 1; Bob's: B1 × 3 tags.
        const stmt = byName.options(joinedload(Author.posts).joinedload(Post.tags))
        await s.scalars(stmt)
        expect(loads).to.deep.equal(['Ann', 'Bob', 'Cy'])
        loads.length = 0
        await s.scalars(stmt.executionOptions({ populateExisting: true }))
        expect(loads).to.deep.equal(['Ann', 'Bob', 'Cy'])
      } finally {
        remove()
      }
    })

    it('gives each member once, in order, when the rows repeat it apart: two collections of one parent, joined together', async () => {
      await using s = new AsyncSession(db.engine, quiet)
      const names = Array.from({ length: 20 }, (_, i) => `n${i < 10 ? '0' : ''}${i}`)
      s.add(new Board({ name: 'big', pins: [1, 2, 3].map((i) => new Pin({ label: `p${i}` })), notes: names.map((text) => new Note({ text })) }))
      s.add(new Board({ name: 'small', pins: [new Pin({ label: 'q1' }), new Pin({ label: 'q2' })], notes: ['m1', 'm2', 'm3'].map((text) => new Note({ text })) }))
      s.add(new Board({ name: 'empty' }))
      await s.commit()
      await using s2 = new AsyncSession(db.engine, quiet)
      using counter = countStatements(db.engine)
      // A board's rows are its pins × its notes: each note comes round again for every pin, its
      // repeats a whole list of notes apart (3, and 20: more than a short list is scanned for).
      const boards = (await s2.scalars(select(Board).orderBy(Board.c.name).options(joinedload(Board.pins), joinedload(Board.notes)))).all()
      expect(counter.count).to.equal(1)
      expect(boards.map((b) => [b.name, b.pins.map((p) => p.label), b.notes.map((n) => n.text)])).to.deep.equal([
        ['big', ['p1', 'p2', 'p3'], names], ['empty', [], []], ['small', ['q1', 'q2'], ['m1', 'm2', 'm3']],
      ])
    })

    it('diffs objects that share joined rows column by column: one UPDATE per change, none for the rest, and close() reverts what was not flushed', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const authors = (await s.scalars(byName.options(joinedload(Author.posts).joinedload(Post.tags)))).all()
      const [ann, bob] = authors as [Author, Author]
      expect(s.dirty).to.have.length(0)
      ann.posts[1]!.title = 'A2 revised' // a post read from the middle of its author's rows
      bob.name = 'Bobby'
      db.statements.length = 0
      await s.flush()
      expect(db.statements.filter((sql) => sql.startsWith('UPDATE')).sort()).to.deep.equal([
        dialectSql(db.engine, 'UPDATE "ld_authors" SET "name" = ? WHERE "ld_authors"."id" = ?'),
        dialectSql(db.engine, 'UPDATE "ld_posts" SET "title" = ? WHERE "ld_posts"."id" = ?'),
      ])
      ann.posts[1]!.title = 'A2 again' // the snapshot is the flushed value now
      db.statements.length = 0
      await s.flush()
      expect(db.statements.filter((sql) => sql.startsWith('UPDATE'))).to.have.length(1)
      await s.commit()
      await using s2 = new AsyncSession(db.engine, quiet)
      const again = (await s2.scalars(byName.options(joinedload(Author.posts).joinedload(Post.tags)))).all()
      expect(again.map((a) => a.name)).to.deep.equal(['Ann', 'Bobby', 'Cy'])
      expect(again[0]!.posts.map((p) => p.title)).to.deep.equal(['A1', 'A2 again'])
      const blue = again[0]!.posts[0]!.tags[0]!
      blue.name = 'navy' // changed, never flushed: close() gives it its loaded value back
      await s2.close()
      expect(blue.name).to.equal('blue')
    })

    it('reuses the compiled statement on the next run', async () => {
      await seed()
      const stmt = (): typeof byName => byName.limit(2).options(joinedload(Author.posts))
      await run(stmt())
      using counter = countStatements(db.engine)
      await run(stmt())
      expect(counter.statements.map((s) => s.cached)).to.deep.equal([true])
    })
  })

  describe('defaults and wildcards', () => {
    it('applies each relationship\'s lazy default: joined in the same statement, selectin in one more', async () => {
      await seed()
      {
        await using s = new AsyncSession(db.engine, quiet)
        using counter = countStatements(db.engine)
        const ann = (await s.scalars(select(Author).where(Author.c.name.eq('Ann')))).one()
        expect(counter.count).to.equal(1)
        expect(ann.profile?.bio).to.equal('poet')
        expect(ann.profile?.author).to.equal(ann)
      }
      await using s = new AsyncSession(db.engine, quiet)
      using counter = countStatements(db.engine)
      const ed = (await s.scalars(select(Editor))).one()
      expect(counter.count).to.equal(2)
      expect(ed.posts.map((p) => p.title)).to.deep.equal(['A1', 'B1'])
    })

    it('raiseload(\'*\') and noload(\'*\') override every default of their level', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      using counter = countStatements(db.engine)
      const ann = (await s.scalars(select(Author).where(Author.c.name.eq('Ann')).options(raiseload('*')))).one()
      const ed = (await s.scalars(select(Editor).options(noload('*')))).one()
      expect(counter.count).to.equal(2)
      expect(() => ann.profile).to.throw(UnloadedRelationshipError)
      expect(ed.posts).to.deep.equal([])
      // A named option wins over the wildcard of its level.
      s.expunge(ann)
      const again = (await s.scalars(select(Author).where(Author.c.name.eq('Ann')).options(raiseload('*'), selectinload(Author.posts)))).one()
      expect(again.posts.map((p) => p.title)).to.deep.equal(['A1', 'A2'])
      expect(() => again.profile).to.throw(UnloadedRelationshipError)
    })

    it('lazyload leaves a default-eager relationship for an explicit load', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const ann = (await s.scalars(select(Author).where(Author.c.name.eq('Ann')).options(lazyload(Author.profile)))).one()
      expect(() => ann.profile).to.throw(UnloadedRelationshipError)
      const loaded = await s.load(ann, 'profile')
      expect(loaded, 'load() returns the object it loaded').to.equal(ann)
      expect(loaded.profile?.bio).to.equal('poet')
    })

    it('rejects an option whose path does not start at the selected class', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const wrong = select(Author).options(selectinload(Tag.posts) as never)
      await s.scalars(wrong).then(() => expect.fail('should reject'), (e: Error) => expect(e.message).to.match(/Tag\.posts does not apply to select\(Author\)/))
    })
  })

  describe('no hidden I/O and explicit loading', () => {
    it('names the class, the attribute and both fixes when an unloaded relationship is read', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const post = (await s.scalars(select(Post).where(Post.c.title.eq('A1')))).one()
      expect(() => post.tags).to.throw(UnloadedRelationshipError, /Post\.tags is not loaded.*selectinload\(Post\.tags\).*await session\.load\(post, 'tags'\)/s)
    })

    it('loads a relationship for many objects in one statement, and refresh reloads chosen ones', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const posts = (await s.scalars(select(Post).orderBy(Post.c.title))).all()
      using counter = countStatements(db.engine)
      await s.load(posts, 'tags')
      expect(counter.count).to.equal(1)
      expect(posts.map((p) => p.tags.length)).to.deep.equal([2, 1, 3])
      // Another transaction tags A2 again; refresh picks it up for the relationship asked for.
      await s.commit()
      await db.engine.begin(async (conn) => { await conn.execute(insert(postTags).values({ post_id: posts[1]!.id, tag_id: posts[0]!.tags[0]!.id })) })
      await s.refresh(posts[1]!, { relationships: ['tags'] })
      expect(posts[1]!.tags.map((t) => t.name)).to.deep.equal(['blue', 'green'])
    })

    it('loads a path of relationships: the authors\' posts, then those posts\' tags, one statement per level', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const authors = (await s.scalars(byName)).all()
      using counter = countStatements(db.engine)
      const loaded = await s.load(authors, Author.posts, Post.tags)
      expect(loaded, 'load() returns what it was given').to.equal(authors)
      expect(counter.count, 'posts, then tags (through the association table)').to.equal(2)
      expect(loaded.map((a) => a.posts.map((p) => `${p.title}:${p.tags.map((t) => t.name).join('+')}`))).to.deep.equal([['A1:blue+red', 'A2:green'], ['B1:blue+green+red'], []])
    })

    it('loads loader options side by side, with the strategies of their deeper levels', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const authors = (await s.scalars(byName.options(lazyload(Author.profile)))).all()
      using counter = countStatements(db.engine)
      await s.load(authors, selectinload(Author.posts).joinedload(Post.tags), selectinload(Author.profile))
      expect(counter.count, 'posts joined with their tags, then profiles').to.equal(2)
      expect(authors.map((a) => [a.profile?.bio ?? null, a.posts.flatMap((p) => p.tags.map((t) => t.name))])).to.deep.equal([['poet', ['blue', 'red', 'green']], [null, ['blue', 'green', 'red']], [null, []]])
    })

    it('awaits one relationship with obj.$: loads it once, then reads it from memory', async () => {
      await seed()
      let ann: Author
      {
        await using s = new AsyncSession(db.engine, quiet)
        ann = (await s.scalars(byName)).first()!
        using counter = countStatements(db.engine)
        const posts = await ann.$.posts
        expect(counter.count, 'one SELECT for the posts').to.equal(1)
        expect(posts.map((p) => p.title)).to.deep.equal(['A1', 'A2'])
        expect(await ann.$.posts, 'already loaded: the same collection').to.equal(posts)
        expect(counter.count, 'and no second statement').to.equal(1)
        expect((await ann.$.profile)?.bio, 'a default-joined relationship is already there').to.equal('poet')
        expect(counter.count).to.equal(1)
        expect(await ann.$.name, 'a loaded column: its value, no statement').to.equal(ann.name)
        expect(counter.count).to.equal(1)
        const wrong = await (ann.$ as unknown as Record<string, Promise<unknown>>)['nope']!.then(() => undefined, (e: unknown) => e)
        expect(wrong).to.be.instanceOf(ArgumentError)
        expect((wrong as Error).message).to.equal("Author has no relationship 'nope'; its relationships are posts, profile.")
        await s.rollback()
      }
      // A new object has its empty collection; a detached one says how to attach it.
      expect(await new Author({ name: 'New' }).$.posts).to.deep.equal([])
      const post = ann.posts[0]!
      const detached = await post.$.tags.then(() => undefined, (e: unknown) => e)
      expect(detached).to.be.instanceOf(DetachedInstanceError)
      expect((detached as Error).message).to.match(/^Post\.tags cannot be loaded: this Post is detached .*await session\.merge\(obj\), then await attached\.\$\.tags\./)
    })

    it('refuses a path that does not continue, an option that does not load, and a mix, saying what to pass', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      const authors = (await s.scalars(byName)).all()
      const load = s.load.bind(s) as (objs: unknown, ...args: unknown[]) => Promise<unknown>
      const failures: unknown[] = []
      for (const args of [[Author.posts, Author.profile], [Post.tags], [raiseload(Author.posts)], ['posts', Author.profile]]) {
        failures.push(await load(authors, ...args).then(() => undefined, (e: unknown) => (e as Error).message))
      }
      expect(failures[0]).to.match(/^Author\.profile does not continue the path after Author\.posts: it is a relationship of Author, and the path has reached Post\./)
      expect(failures[1]).to.match(/^load\(\) got Post\.tags for Author objects: start at a relationship of Author/)
      expect(failures[2]).to.match(/^load\(\) loads relationships: pass selectinload\(\) or joinedload\(\) options, not a raise option\./)
      expect(failures[3]).to.match(/not a mix of them\.$/)
    })
  })

  describe('N+1 detection', () => {
    it('raises on a relationship loaded one parent at a time, naming it, the call site and the fix', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, { nPlusOne: { mode: 'raise', threshold: 3 } })
      const authors = (await s.scalars(byName)).all()
      const err = await (async () => { for (const a of authors) await s.load(a, 'posts') })().then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(NPlusOneError)
      const report = (err as NPlusOneError).report
      expect(report.relationship).to.equal('Author.posts')
      expect(report.times).to.equal(3)
      expect(report.callSite).to.match(/loaders\.ts:\d+/)
      expect(report.message).to.match(/selectinload\(Author\.posts\)/)
    })

    it('warns once per pattern for selects by foreign key in a loop, and starts over in the next transaction', async () => {
      await seed()
      const reports: NPlusOneReport[] = []
      const warnings: Error[] = []
      const onWarning = (w: Error): void => { if (w.name === 'AthanorNPlusOneWarning') warnings.push(w) }
      process.on('warning', onWarning)
      try {
        await using s = new AsyncSession(db.engine, { nPlusOne: { mode: 'warn', threshold: 2, onDetect: (r) => reports.push(r) } })
        const authors = (await s.scalars(byName)).all()
        for (const a of authors) await s.scalars(select(Post).where(Post.c.author_id.eq(a.id)))
        expect(reports.map((r) => [r.relationship, r.times])).to.deep.equal([['Author.posts', 2]])
        await s.commit()
        for (const a of authors.slice(0, 2)) await s.scalars(select(Post).where(Post.c.author_id.eq(a.id)))
        expect(reports).to.have.length(2)
        // Loading them all at once is not a pattern.
        await s.load(authors, 'posts')
        expect(reports).to.have.length(2)
        await new Promise((r) => setImmediate(r))
        expect(warnings).to.have.length(2)
        expect(warnings[0]!.message).to.match(/N\+1 queries: Author\.posts was loaded one parent at a time 2 times/)
      } finally {
        process.off('warning', onWarning)
      }
    })
  })

  describe('statement counter', () => {
    it('counts statements and groups them by SQL, most frequent first', async () => {
      await seed()
      await using s = new AsyncSession(db.engine, quiet)
      using counter = countStatements(db.engine)
      const authors = (await s.scalars(byName)).all()
      for (const a of authors) await s.load(a, 'posts')
      expect(counter.count).to.equal(4)
      expect(counter.shapes[0]![1]).to.equal(3)
      counter.reset()
      expect(counter.count).to.equal(0)
    })
  })
})
