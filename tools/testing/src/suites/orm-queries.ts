import { expect } from 'chai'
import {
  AsyncSession, ForeignKey, Integer, MultipleResultsError, NoResultError, String, Table, column, declarativeBase, desc, func,
  mappedColumn, relationship, select,
} from '@athanor/core'
import { dialectSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()
const postTags = new Table('q_post_tags', Base.metadata, {
  post_id: column(Integer, ForeignKey('q_posts.id'), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('q_tags.id'), { primaryKey: true }),
})
class Author extends Base.model('q_authors', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Author> {
  declare posts: Post[]
  static posts = relationship(() => Post, { backPopulates: 'author' })
}
class Post extends Base.model('q_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
  author_id: mappedColumn(Integer, ForeignKey('q_authors.id')),
})<Post> {
  declare author: Author
  static author = relationship(() => Author, { backPopulates: 'posts' })
  declare tags: Tag[]
  static tags = relationship(() => Tag, { secondary: postTags })
}
class Tag extends Base.model('q_tags', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(30)) }) {}

export const ormQueriesSuite: Suite = (ctx) => describe('ORM queries', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)

  // alice: "a1" [py, web], "a2" [py]; bob: "b1" [web]
  beforeEach(async () => {
    await using s = new AsyncSession(db.engine)
    const [py, web] = [new Tag({ name: 'py' }), new Tag({ name: 'web' })]
    const alice = new Author({ name: 'alice', posts: [new Post({ title: 'a1', tags: [py, web] }), new Post({ title: 'a2', tags: [py] })] })
    const bob = new Author({ name: 'bob', posts: [new Post({ title: 'b1', tags: [web] })] })
    s.addAll([alice, bob])
    await s.commit()
    statements.length = 0
  })

  it('select(Entity) yields typed instances through the identity map', async () => {
    await using s = new AsyncSession(db.engine)
    const authors = (await s.scalars(select(Author).orderBy(Author.c.name))).all()
    expect(authors.map((a) => a.name)).to.deep.equal(['alice', 'bob'])
    expect(statements).to.deep.equal([sql('SELECT "q_authors"."id", "q_authors"."name" FROM "q_authors" ORDER BY "q_authors"."name" ASC')])
    const again = (await s.scalars(select(Author).orderBy(desc(Author.c.name)))).all()
    expect(again).to.deep.equal([authors[1], authors[0]])
    expect(again[0]).to.equal(authors[1])
  })

  it('select(A, B) yields tuples of entities; rows of one object are the same instance', async () => {
    await using s = new AsyncSession(db.engine)
    const rows = (await s.execute(select(Author, Post).join(Author.posts).orderBy(Post.c.title))).all()
    expect(rows.map(([a, p]) => [a.name, p.title])).to.deep.equal([['alice', 'a1'], ['alice', 'a2'], ['bob', 'b1']])
    expect(rows[0]![0]).to.equal(rows[1]![0])
  })

  it('selects columns as plain values, with aggregates and grouping', async () => {
    await using s = new AsyncSession(db.engine)
    const rows = (await s.execute(select(Author.c.name, func.count(Post.c.id)).join(Post).groupBy(Author.c.name).orderBy(Author.c.name))).all()
    expect(rows).to.deep.equal([['alice', 2], ['bob', 1]])
    expect(await s.scalar(select(func.count()).from(Post))).to.equal(3)
  })

  it('joins along relationships (one-to-many, many-to-one, many-to-many) and filters on related columns', async () => {
    await using s = new AsyncSession(db.engine)
    const pyPosts = (await s.scalars(select(Post).join(Post.tags).where(Tag.c.name.eq('py')).orderBy(Post.c.title))).all()
    expect(pyPosts.map((p) => p.title)).to.deep.equal(['a1', 'a2'])
    expect(statements).to.deep.equal([sql(
      'SELECT "q_posts"."id", "q_posts"."title", "q_posts"."author_id" FROM "q_posts" ' +
        'JOIN "q_post_tags" ON "q_posts"."id" = "q_post_tags"."post_id" JOIN "q_tags" ON "q_post_tags"."tag_id" = "q_tags"."id" ' +
        'WHERE "q_tags"."name" = ? ORDER BY "q_posts"."title" ASC',
    )])
    const byBob = (await s.scalars(select(Post).join(Post.author).where(Author.c.name.eq('bob')))).all()
    expect(byBob.map((p) => p.title)).to.deep.equal(['b1'])
    // A join to a collection repeats the parent per match: unique() keeps each object once.
    const webAuthors = await s.scalars(select(Author).join(Author.posts).join(Post.tags).where(Tag.c.name.in(['py', 'web'])))
    expect(webAuthors.all()).to.have.length(4)
    expect(webAuthors.unique().all().map((a) => a.name).sort()).to.deep.equal(['alice', 'bob'])
  })

  it('joins explicitly with an ON clause, or by the foreign key between two entities', async () => {
    await using s = new AsyncSession(db.engine)
    const explicit = (await s.scalars(select(Post.c.title).join(Author, Author.c.id.eq(Post.c.author_id)).where(Author.c.name.eq('alice')).orderBy(Post.c.title))).all()
    expect(explicit).to.deep.equal(['a1', 'a2'])
    const inferred = (await s.scalars(select(Post.c.title).join(Author).where(Author.c.name.eq('alice')).orderBy(Post.c.title))).all()
    expect(inferred).to.deep.equal(explicit)
    const outer = (await s.execute(select(Tag.c.name, Post.c.title).outerJoin(postTags, postTags.c.tag_id.eq(Tag.c.id)).outerJoin(Post, Post.c.id.eq(postTags.c.post_id)).where(Post.c.title.eq('b1')))).all()
    expect(outer).to.deep.equal([['web', 'b1']])
  })

  it('first, all, one, oneOrNone and scalar answer as their names say', async () => {
    await using s = new AsyncSession(db.engine)
    const q = select(Author).orderBy(Author.c.name)
    expect((await s.scalars(q)).first()!.name).to.equal('alice')
    expect((await s.scalars(q)).all()).to.have.length(2)
    await s.scalars(q).then((r) => r.one()).then(() => expect.fail('two rows'), (e: unknown) => expect(e).to.be.instanceOf(MultipleResultsError))
    const none = select(Author).where(Author.c.name.eq('nobody'))
    expect((await s.scalars(none)).oneOrNone()).to.equal(undefined)
    expect((await s.scalars(none)).first()).to.equal(undefined)
    await s.scalars(none).then((r) => r.one()).then(() => expect.fail('no rows'), (e: unknown) => expect(e).to.be.instanceOf(NoResultError))
    expect(await s.scalar(select(Author.c.name).where(Author.c.name.eq('bob')))).to.equal('bob')
    expect(await s.scalar(none)).to.equal(undefined)
  })

  it('session.query() is a thin veneer over select()', async () => {
    await using s = new AsyncSession(db.engine)
    const alice = await s.query(Author).filterBy({ name: 'alice' }).first()
    expect(alice).to.equal((await s.scalars(select(Author).where(Author.c.name.eq('alice')))).one())
    const titles = (await s.query(Post).filter(Post.c.author_id.eq(alice!.id)).orderBy(desc(Post.c.title)).limit(1).all()).map((p) => p.title)
    expect(titles).to.deep.equal(['a2'])
    expect((await s.query(Author).filterBy({ name: 'bob' }).one()).name).to.equal('bob')
    expect(await s.query(Author).filterBy({ name: 'nobody' }).first()).to.equal(undefined)
    expect(await s.query(Author).filterBy({ name: 'nobody' }).oneOrNone()).to.equal(undefined)
    expect((await s.query(Author).filterBy({ name: 'bob' }).oneOrNone())?.name).to.equal('bob')
    expect(() => s.query(Author).filterBy({ nmae: 'x' } as never)).to.throw(/no column 'nmae'/)
  })
})
