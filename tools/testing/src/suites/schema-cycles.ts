import { expect } from 'chai'
import {
  AsyncSession, ForeignKey, IntegrityError, Integer, MetaData, ProgrammingError, String, Table, column, declarativeBase, insert,
  mappedColumn, relationship, select, update,
} from '@athanor/core'
import type { Engine, Executable } from '@athanor/core'
import { dialectSql, keyListSql } from '../suite.js'
import type { Suite } from '../suite.js'

// users ⇄ posts: a user's favourite post, written by a user. Declared user first, so neither
// the declaration order nor a plain topological sort can create them.
const Base = declarativeBase()
class User extends Base.model('cyc_users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  favorite_post_id: mappedColumn(Integer, ForeignKey('cyc_posts.id'), { nullable: true }),
})<User> {
  declare favoritePost: Post | null
  static favoritePost = relationship(() => Post, { foreignKeys: () => [User.c.favorite_post_id] })
}
class Post extends Base.model('cyc_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  author_id: mappedColumn(Integer, ForeignKey('cyc_users.id')),
})<Post> {
  declare author: User
  static author = relationship(() => User, { foreignKeys: () => [Post.c.author_id] })
}
// A table referencing itself needs no ALTER: every database accepts it inline.
const nodes = new Table('cyc_nodes', Base.metadata, {
  id: column(Integer, { primaryKey: true }),
  parent_id: column(Integer, ForeignKey('cyc_nodes.id'), { nullable: true }),
})
const users = User.__table__
const posts = Post.__table__

// No cycle, but the author asked for ALTER TABLE.
const explicit = new MetaData()
const shelves = new Table('cyc_shelves', explicit, { id: column(Integer, { primaryKey: true }) })
const books = new Table('cyc_books', explicit, {
  id: column(Integer, { primaryKey: true }),
  shelf_id: column(Integer, ForeignKey('cyc_shelves.id', { useAlter: true, name: 'fk_book_shelf' })),
})

const FAVORITE_FK = 'ALTER TABLE "cyc_users" ADD CONSTRAINT "fk_cyc_users_favorite_post_id" FOREIGN KEY ("favorite_post_id") REFERENCES "cyc_posts" ("id")'

/** The SQL of every statement `engine` runs from now on. */
function record(engine: Engine): string[] {
  const seen: string[] = []
  engine.events.on('afterExecute', (e) => { seen.push(e.sql) })
  return seen
}

async function violation<R extends readonly unknown[], M>(engine: Engine, statement: Executable<R, M>): Promise<IntegrityError> {
  const err = await engine.begin((conn) => conn.execute(statement)).then(() => expect.fail('the statement broke a foreign key but succeeded'), (e: unknown) => e)
  expect(err).to.be.instanceOf(IntegrityError)
  return err as IntegrityError
}

/** createAll / dropAll for tables whose foreign keys reference each other (SQLAlchemy's use_alter). */
export const schemaCyclesSuite: Suite = (ctx) => describe('createAll / dropAll with foreign-key cycles', () => {
  let engine: Engine
  beforeEach(async () => {
    engine = ctx.createEngine()
    await Base.metadata.dropAll(engine)
    await explicit.dropAll(engine)
  })
  afterEach(async () => {
    await Base.metadata.dropAll(engine)
    await explicit.dropAll(engine)
  })

  it('breaks the cycle at the nullable key and leaves the self-reference inline', () => {
    expect(Base.metadata.alterForeignKeys.map((fk) => fk.table)).to.deep.equal([users])
    expect(Base.metadata.sortedTables).to.deep.equal([users, posts, nodes])
  })

  it('creates the tables, then adds the key that closes the cycle (inline where ALTER cannot add it)', async () => {
    const seen = record(engine)
    await Base.metadata.createAll(engine, { checkFirst: false })
    const creates = seen.filter((sql) => sql.startsWith('CREATE TABLE'))
    expect(creates.map((sql) => /^CREATE TABLE (\S+)/.exec(sql)![1])).to.deep.equal(['cyc_users', 'cyc_posts', 'cyc_nodes'].map((t) => dialectSql(engine, `"${t}"`)))
    const inlineFavorite = creates[0]!.includes(dialectSql(engine, 'FOREIGN KEY ("favorite_post_id")'))
    if (engine.dialect.capabilities.alterForeignKeys) {
      expect(inlineFavorite, 'the closing key is left out of CREATE TABLE').to.equal(false)
      expect(seen.at(-1)).to.equal(dialectSql(engine, FAVORITE_FK))
    } else {
      expect(inlineFavorite, 'the closing key stays in CREATE TABLE').to.equal(true)
      expect(seen.filter((sql) => sql.startsWith('ALTER'))).to.deep.equal([])
    }
  })

  for (const checkFirst of [false, true]) {
    it(`with checkFirst: ${checkFirst}, both keys of the cycle are enforced`, async () => {
      await Base.metadata.createAll(engine, { checkFirst })
      if (checkFirst) await Base.metadata.createAll(engine, { checkFirst }) // a second run changes nothing
      await engine.begin(async (conn) => {
        await conn.execute(insert(users).values({ id: 1, name: 'ann' }))
        await conn.execute(insert(posts).values({ id: 10, title: 'hello', author_id: 1 }))
        await conn.execute(update(users).set({ favorite_post_id: 10 }).where(users.c.id.eq(1)))
        await conn.execute(insert(nodes).values([{ id: 1, parent_id: null }, { id: 2, parent_id: 1 }]))
      })
      expect((await violation(engine, insert(posts).values({ id: 11, title: 'orphan', author_id: 99 }))).kind).to.equal('foreign-key')
      expect((await violation(engine, update(users).set({ favorite_post_id: 99 }).where(users.c.id.eq(1)))).kind).to.equal('foreign-key')
      expect((await violation(engine, insert(nodes).values({ id: 3, parent_id: 99 }))).kind).to.equal('foreign-key')
      await using conn = await engine.connect()
      expect((await conn.execute(select(users.c.name, users.c.favorite_post_id))).all()).to.deep.equal([['ann', 10]])
    })

    it(`with checkFirst: ${checkFirst}, dropAll removes tables that still hold rows pointing at each other`, async () => {
      await Base.metadata.createAll(engine, { checkFirst: false })
      await engine.begin(async (conn) => {
        await conn.execute(insert(users).values({ id: 1, name: 'ann' }))
        await conn.execute(insert(posts).values({ id: 10, title: 'hello', author_id: 1 }))
        await conn.execute(update(users).set({ favorite_post_id: 10 }).where(users.c.id.eq(1)))
      })
      await Base.metadata.dropAll(engine, { checkFirst })
      {
        await using conn = await engine.connect()
        expect(await conn.execute(select(posts.c.id)).catch((e: unknown) => e)).to.be.instanceOf(ProgrammingError)
      }
      await Base.metadata.createAll(engine, { checkFirst: false }) // nothing was left behind, the key's name included
      await using conn = await engine.connect()
      expect((await conn.execute(select(users.c.id))).all()).to.deep.equal([])
    })
  }

  it('dropAll with checkFirst skips tables and keys that are already gone', async () => {
    await Base.metadata.dropAll(engine, { checkFirst: true })
    await Base.metadata.createAll(engine)
    await Base.metadata.dropAll(engine)
    await Base.metadata.dropAll(engine)
  })

  it('a unit-of-work flush across the cycle inserts, post-updates and deletes', async () => {
    await Base.metadata.createAll(engine)
    const seen = record(engine)
    {
      await using s = new AsyncSession(engine)
      const ann = new User({ name: 'ann' })
      const post = new Post({ title: 'hello', author: ann })
      ann.favoritePost = post
      s.add(post)
      await s.commit()
      expect(seen.filter((sql) => sql.startsWith('UPDATE'))).to.deep.equal([dialectSql(engine, 'UPDATE "cyc_users" SET "favorite_post_id" = ? WHERE "cyc_users"."id" = ?')])
      expect(await s.scalar(select(users.c.favorite_post_id))).to.equal(post.id)
      // Deleting both in one flush, as post_update does: the nullable key is cleared first,
      // then the NOT NULL side decides the order.
      await s.delete(ann)
      await s.delete(post)
      seen.length = 0
      await s.commit()
      expect(seen).to.deep.equal([
        dialectSql(engine, `UPDATE "cyc_users" SET "favorite_post_id" = ? WHERE "cyc_users"."id" ${keyListSql(engine, 1)}`),
        dialectSql(engine, `DELETE FROM "cyc_posts" WHERE "cyc_posts"."id" ${keyListSql(engine, 1)}`),
        dialectSql(engine, `DELETE FROM "cyc_users" WHERE "cyc_users"."id" ${keyListSql(engine, 1)}`),
      ])
    }
    await using conn = await engine.connect()
    expect((await conn.execute(select(users.c.id))).all()).to.deep.equal([])
    expect((await conn.execute(select(posts.c.id))).all()).to.deep.equal([])
  })

  it('adds a key declared with useAlter after the tables, and drops it before them', async () => {
    const seen = record(engine)
    await explicit.createAll(engine, { checkFirst: false })
    expect(explicit.alterForeignKeys.map((fk) => fk.table)).to.deep.equal([books])
    const alters = seen.filter((sql) => sql.startsWith('ALTER'))
    if (engine.dialect.capabilities.alterForeignKeys) {
      expect(alters).to.deep.equal([dialectSql(engine, 'ALTER TABLE "cyc_books" ADD CONSTRAINT "fk_book_shelf" FOREIGN KEY ("shelf_id") REFERENCES "cyc_shelves" ("id")')])
    } else {
      expect(alters).to.deep.equal([])
    }
    expect((await violation(engine, insert(books).values({ id: 1, shelf_id: 99 }))).kind).to.equal('foreign-key')
    seen.length = 0
    await explicit.dropAll(engine, { checkFirst: false })
    if (engine.dialect.capabilities.alterForeignKeys) expect(seen[0]).to.match(/^ALTER TABLE \S+ DROP /)
    expect(seen.filter((sql) => sql.startsWith('DROP TABLE'))).to.have.length(2)
  })
})
