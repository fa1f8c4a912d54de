import { expect } from 'chai'
import {
  AsyncSession, DateTime, ForeignKey, IntegrityError, Integer, JSON as Json, String, declarativeBase, func,
  mappedColumn, relationship, select, sqlDefault,
} from '@athanor/core'
import type { Table } from '@athanor/core'
import { dateResultSql, dialectSql, keyListSql, ownInsertSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()

class Author extends Base.model('authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50), { unique: true }),
  bio: mappedColumn(String(200), { nullable: true }),
})<Author> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'author' })
}
class Book extends Base.model('books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
  author_id: mappedColumn(Integer, ForeignKey('authors.id')),
  status: mappedColumn(String(20), { serverDefault: 'draft' }),
  added: mappedColumn(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') }),
  meta: mappedColumn(Json<{ tags: string[] }>(), { nullable: true }),
  published: mappedColumn(DateTime(), { nullable: true }),
  edits: mappedColumn(Integer, { default: 0, onupdate: () => 1 }),
})<Book> {
  declare author: Author
  static author = relationship(() => Author, { backPopulates: 'books' })
}

// A self-referential table whose rows may point at each other (a cycle inside one table).
class Person extends Base.model('people', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  spouse_id: mappedColumn(Integer, ForeignKey('people.id'), { nullable: true }),
  parent_id: mappedColumn(Integer, ForeignKey('people.id'), { nullable: true }),
})<Person> {
  declare spouse: Person | null
  static spouse = relationship(() => Person, { remoteSide: () => [Person.c.id], foreignKeys: () => [Person.c.spouse_id] })
  declare parent: Person | null
  static parent = relationship(() => Person, { remoteSide: () => [Person.c.id], foreignKeys: () => [Person.c.parent_id], backPopulates: 'children' })
  declare children: Person[]
  static children = relationship(() => Person, { foreignKeys: () => [Person.c.parent_id], backPopulates: 'parent', cascade: 'all, delete-orphan' })
}

// Two tables that reference each other: a user's favourite post, written by a user. The insert
// needs a post-update. createAll adds users.favorite_post_id's constraint after both tables.
const CycleBase = declarativeBase()
class User extends CycleBase.model('cycle_users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  favorite_post_id: mappedColumn(Integer, ForeignKey('cycle_posts.id'), { nullable: true }),
})<User> {
  declare favorite: Post | null
  static favorite = relationship(() => Post, { foreignKeys: () => [User.c.favorite_post_id] })
  declare posts: Post[]
  static posts = relationship(() => Post, { foreignKeys: () => [Post.c.author_id], backPopulates: 'author', cascade: 'all, delete-orphan' })
}
class Post extends CycleBase.model('cycle_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  author_id: mappedColumn(Integer, ForeignKey('cycle_users.id')),
})<Post> {
  declare author: User
  static author = relationship(() => User, { foreignKeys: () => [Post.c.author_id], backPopulates: 'posts' })
}

export const ormUnitOfWorkSuite: Suite = (ctx) => describe('ORM unit of work', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)
  /** The INSERT of `n` rows, as the dialect batches them: one multi-row statement where it can. */
  const inserts = (table: string, cols: string[], n: number, returning: string[] = ['id']): string[] => {
    const caps = db.capabilities
    const isDate = (c: string): boolean => (Base.metadata.table(table) as Table | undefined)?.column(c).type.kind === 'datetime'
    const listed = (ref: string, c: string): string => (isDate(c) ? dateResultSql(db.engine, ref, c) : ref)
    const ret = caps.returning.insert && returning.length ? ` RETURNING ${returning.map((c) => listed(`"${c}"`, c)).join(', ')}` : ''
    const row = `(${cols.map(() => '?').join(', ')})`
    const head = `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES `
    const multi = returning.length === 0 || (returning.length === 1 ? (caps.returning.insert ? caps.orderedReturning || caps.autoincrementInsertOrder === true : caps.insertIdArithmetic) : caps.returning.insert && caps.orderedReturning)
    if (multi) {
      const own = ownInsertSql(db.engine, Base.metadata.table(table) as Table, cols, n, caps.returning.insert ? returning : [])
      return [own ?? sql(head + Array(n).fill(row).join(', ') + ret)]
    }
    // Without RETURNING, server defaults other than the key are read back with a SELECT per row.
    const extra = caps.returning.insert ? [] : returning.slice(1)
    const fetch = extra.length ? [sql(`SELECT ${extra.map((c) => listed(`"${table}"."${c}"`, c)).join(', ')} FROM "${table}" WHERE "${table}"."id" = ?`)] : []
    return Array.from({ length: n }, () => [sql(head + row + ret), ...fetch]).flat()
  }

  async function seedBook(): Promise<{ s: AsyncSession; book: Book }> {
    const s = new AsyncSession(db.engine)
    const book = new Book({ title: 'Dune', author: new Author({ name: 'Herbert' }), meta: { tags: ['sf'] }, published: new Date(Date.UTC(1965, 7, 1)) })
    s.add(book)
    await s.commit()
    statements.length = 0
    return { s, book }
  }

  describe('dirty tracking by snapshot diff', () => {
    it('writes only the changed columns, and nothing when a value is set back or to an equal value', async () => {
      const { s, book } = await seedBook()
      await using _ = s
      book.title = 'Dune Messiah'
      book.published = new Date(book.published!.getTime()) // a different Date object with the same time
      expect(s.dirty).to.deep.equal([book])
      await s.flush()
      // `edits` has onupdate: it is written with every UPDATE.
      expect(statements).to.deep.equal([sql('UPDATE "books" SET "title" = ?, "edits" = ? WHERE "books"."id" = ?')])
      expect(book.edits).to.equal(1)
      statements.length = 0
      book.title = 'changed'
      book.title = 'Dune Messiah'
      expect(s.dirty).to.deep.equal([])
      await s.commit()
      expect(statements).to.deep.equal([])
    })

    it('sees a new JSON value or Date, and a JSON value changed in place; a Date only when a new one is assigned', async () => {
      const { s, book } = await seedBook()
      await using _ = s
      book.meta = { tags: [...book.meta!.tags, 'classic'] }
      book.published = new Date(Date.UTC(1966, 0, 1))
      await s.flush()
      expect(statements).to.deep.equal([sql('UPDATE "books" SET "meta" = ?, "published" = ?, "edits" = ? WHERE "books"."id" = ?')])
      statements.length = 0
      // The snapshot holds a copy of the JSON document, so a change inside it is a difference.
      // A Date changed in place is not saved, by rule (mutable-values.ts; warned outside production).
      book.meta!.tags.push('dune')
      const warned = new Promise<Error>((resolve) => process.once('warning', resolve))
      book.published!.setUTCFullYear(1970)
      expect(s.dirty).to.deep.equal([book])
      await s.commit()
      expect((await warned).name, 'the flush reports the Date changed in place').to.equal('AthanorDateMutationWarning')
      expect(statements).to.deep.equal([sql('UPDATE "books" SET "meta" = ?, "edits" = ? WHERE "books"."id" = ?')])
      await using other = new AsyncSession(db.engine)
      const fresh = await other.get(Book, book.id)
      expect(fresh!.meta).to.deep.equal({ tags: ['sf', 'classic', 'dune'] })
      expect(fresh!.published!.toISOString()).to.equal('1966-01-01T00:00:00.000Z')
    })
  })

  describe('inserts', () => {
    it('orders inserts by foreign key whatever the add order, batching rows of one table', async () => {
      await using s = new AsyncSession(db.engine)
      const a = new Author({ name: 'A' })
      s.addAll([new Book({ title: 'b1', author: a }), new Book({ title: 'b2', author: a }), new Author({ name: 'B' })])
      await s.flush()
      expect(statements).to.deep.equal([
        ...inserts('authors', ['name'], 2),
        ...inserts('books', ['title', 'author_id', 'edits'], 2, ['id', 'status', 'added']),
      ])
      expect(a.books.map((b) => b.author_id)).to.deep.equal([a.id, a.id])
    })

    it('fetches generated keys and server defaults back onto the objects', async () => {
      const { book } = await seedBook()
      expect(book.id).to.be.a('number')
      expect(book.status).to.equal('draft')
      expect(book.added).to.be.instanceOf(Date)
      expect(book.edits).to.equal(0) // client default, applied to the object at flush
    })

    it('inserts a self-referential tree level by level', async () => {
      await using s = new AsyncSession(db.engine)
      const root = new Person({ name: 'root' })
      const kids = [new Person({ name: 'k1', parent: root }), new Person({ name: 'k2', parent: root })]
      s.addAll([new Person({ name: 'g', parent: kids[0]! }), ...kids, root])
      await s.flush()
      const child = ['name', 'parent_id']
      expect(statements).to.deep.equal([...inserts('people', ['name'], 1), ...inserts('people', child, 2), ...inserts('people', child, 1)])
    })

    it('breaks a cycle inside one table with a post-update', async () => {
      await using s = new AsyncSession(db.engine)
      const [ann, bob] = [new Person({ name: 'ann' }), new Person({ name: 'bob' })]
      ann.spouse = bob
      bob.spouse = ann
      s.addAll([ann, bob])
      await s.flush()
      expect(statements.slice(-1)).to.deep.equal([sql('UPDATE "people" SET "spouse_id" = ? WHERE "people"."id" = ?')])
      await s.commit()
      const rows = (await s.execute(select(Person.c.name, Person.c.spouse_id).orderBy(Person.c.name))).all()
      expect(rows).to.deep.equal([['ann', bob.id], ['bob', ann.id]])
    })
  })

  describe('deletes in a table that references itself', () => {
    const loadChildren = 'SELECT "people"."id", "people"."name", "people"."spouse_id", "people"."parent_id" FROM "people" WHERE "people"."parent_id" IN (?)'

    it('deletes a tree leaves first, one statement per level (the database may check each row at once)', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const root = new Person({ name: 'root' })
        const k1 = new Person({ name: 'k1', parent: root })
        new Person({ name: 'k2', parent: root })
        new Person({ name: 'g', parent: k1 })
        s.add(root)
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const root = (await s.scalars(select(Person).where(Person.c.name.eq('root')))).one()
      statements.length = 0
      await s.delete(root) // the delete cascade reaches the children and the grandchild
      await s.flush()
      expect(statements).to.deep.equal([
        // Each deleted person's children are loaded for the cascade: root, k1, k2, g.
        ...Array<string>(4).fill(sql(loadChildren)),
        sql(`DELETE FROM "people" WHERE "people"."id" ${keyListSql(db.engine, 1)}`),
        sql(`DELETE FROM "people" WHERE "people"."id" ${keyListSql(db.engine, 2)}`),
        sql(`DELETE FROM "people" WHERE "people"."id" ${keyListSql(db.engine, 1)}`),
      ])
      await s.commit()
      expect(await s.scalar(select(func.count()).from(Person))).to.equal(0)
    })

    it('clears the keys of rows that point at each other, then deletes them together', async () => {
      const ids: number[] = []
      {
        await using s = new AsyncSession(db.engine)
        const [ann, bob] = [new Person({ name: 'ann' }), new Person({ name: 'bob' })]
        ann.spouse = bob
        bob.spouse = ann
        s.addAll([ann, bob])
        await s.commit()
        ids.push(ann.id, bob.id)
      }
      await using s = new AsyncSession(db.engine)
      const [ann, bob] = (await s.scalars(select(Person).where(Person.c.id.in(ids)).orderBy(Person.c.name))).all()
      statements.length = 0
      await s.delete(ann!)
      await s.delete(bob!)
      await s.flush()
      expect(statements).to.deep.equal([
        sql(loadChildren),
        sql(loadChildren),
        sql(`UPDATE "people" SET "spouse_id" = ? WHERE "people"."id" ${keyListSql(db.engine, 2)}`),
        sql(`DELETE FROM "people" WHERE "people"."id" ${keyListSql(db.engine, 2)}`),
      ])
      await s.commit()
      expect(await s.scalar(select(func.count()).from(Person))).to.equal(0)
    })
  })

  describe('a cycle between two tables', () => {
    beforeEach(async () => {
      await CycleBase.metadata.dropAll(db.engine)
      await CycleBase.metadata.createAll(db.engine)
      statements.length = 0
    })
    afterEach(async () => { await CycleBase.metadata.dropAll(db.engine) })

    it('inserts the row with the NOT NULL foreign key second and post-updates the nullable one', async () => {
      await using s = new AsyncSession(db.engine)
      const ann = new User({ name: 'ann' })
      const post = new Post({ title: 'hello', author: ann })
      ann.favorite = post
      s.add(ann) // the add order does not matter: the NOT NULL side decides
      await s.commit()
      expect(statements).to.deep.equal([
        ...inserts('cycle_users', ['name', 'favorite_post_id'], 1),
        ...inserts('cycle_posts', ['title', 'author_id'], 1),
        sql('UPDATE "cycle_users" SET "favorite_post_id" = ? WHERE "cycle_users"."id" = ?'),
      ])
      expect(await s.scalar(select(User.c.favorite_post_id))).to.equal(post.id)
    })

    const loadPosts = 'SELECT "cycle_posts"."id", "cycle_posts"."title", "cycle_posts"."author_id" FROM "cycle_posts" WHERE "cycle_posts"."author_id" IN (?)'
    const clearFavorite = (n: number): string => sql(`UPDATE "cycle_users" SET "favorite_post_id" = ? WHERE "cycle_users"."id" ${keyListSql(db.engine, n)}`)

    /** ann wrote post a, bob wrote post b; `bobLikes` picks bob's favourite. Returns the ids. */
    async function seedUsers(bobLikes: 'a' | 'b'): Promise<{ ann: number; bob: number; a: number; b: number }> {
      await using s = new AsyncSession(db.engine)
      const ann = new User({ name: 'ann' })
      const bob = new User({ name: 'bob' })
      const a = new Post({ title: 'a', author: ann })
      const b = new Post({ title: 'b', author: bob })
      bob.favorite = bobLikes === 'a' ? a : b
      s.addAll([ann, bob])
      await s.commit()
      statements.length = 0
      return { ann: ann.id, bob: bob.id, a: a.id, b: b.id }
    }

    async function remaining(): Promise<{ users: unknown[]; posts: unknown[] }> {
      await using s = new AsyncSession(db.engine)
      return {
        users: (await s.execute(select(User.c.name, User.c.favorite_post_id).orderBy(User.c.name))).all(),
        posts: (await s.scalars(select(Post.c.title).orderBy(Post.c.title))).all(),
      }
    }

    it('deletes both rows of the cycle in one flush: clears the nullable key, then follows the NOT NULL one', async () => {
      const ids = await seedUsers('b')
      {
        await using s = new AsyncSession(db.engine)
        const bob = (await s.get(User, ids.bob))!
        const post = (await s.get(Post, ids.b))!
        statements.length = 0
        await s.delete(bob)
        await s.delete(post)
        await s.commit()
        expect(statements).to.deep.equal([
          sql(loadPosts), // bob's posts, for the delete cascade
          clearFavorite(1),
          sql(`DELETE FROM "cycle_posts" WHERE "cycle_posts"."id" ${keyListSql(db.engine, 1)}`),
          sql(`DELETE FROM "cycle_users" WHERE "cycle_users"."id" ${keyListSql(db.engine, 1)}`),
        ])
      }
      expect(await remaining()).to.deep.equal({ users: [['ann', null]], posts: ['a'] })
    })

    it('deletes a user whose favourite is another user\'s post without clearing it', async () => {
      const ids = await seedUsers('a')
      {
        await using s = new AsyncSession(db.engine)
        const bob = (await s.get(User, ids.bob))!
        statements.length = 0
        await s.delete(bob) // and post b by cascade; post a stays, so bob's key to it may stay too
        await s.commit()
        expect(statements).to.deep.equal([
          sql(loadPosts),
          sql(`DELETE FROM "cycle_posts" WHERE "cycle_posts"."id" ${keyListSql(db.engine, 1)}`),
          sql(`DELETE FROM "cycle_users" WHERE "cycle_users"."id" ${keyListSql(db.engine, 1)}`),
        ])
      }
      expect(await remaining()).to.deep.equal({ users: [['ann', null]], posts: ['a'] })
    })

    it('clears the favourite first when the other user\'s post is deleted in the same flush', async () => {
      const ids = await seedUsers('a')
      {
        await using s = new AsyncSession(db.engine)
        const bob = (await s.get(User, ids.bob))!
        const a = (await s.get(Post, ids.a))!
        statements.length = 0
        await s.delete(a)
        await s.delete(bob)
        await s.commit()
        expect(statements).to.deep.equal([
          sql(loadPosts),
          clearFavorite(1),
          sql(`DELETE FROM "cycle_posts" WHERE "cycle_posts"."id" ${keyListSql(db.engine, 2)}`),
          sql(`DELETE FROM "cycle_users" WHERE "cycle_users"."id" ${keyListSql(db.engine, 1)}`),
        ])
      }
      expect(await remaining()).to.deep.equal({ users: [['ann', null]], posts: [] })
    })
  })

  describe('updates and deletes', () => {
    it('writes a foreign key changed through a relationship, and deletes children before parents', async () => {
      const { s, book } = await seedBook()
      await using _ = s
      const other = new Author({ name: 'Asimov' })
      s.add(other)
      await s.flush()
      statements.length = 0
      book.author = other
      await s.flush()
      expect(statements).to.deep.equal([sql('UPDATE "books" SET "author_id" = ?, "edits" = ? WHERE "books"."id" = ?')])
      statements.length = 0
      await s.delete(other)
      await s.delete(book)
      await s.flush()
      expect(statements).to.deep.equal([
        // Without a delete cascade, the author's books would be loaded to clear their foreign key;
        // the author was inserted in this session, so its collection is known (the one book,
        // added by backPopulates) and needs no SELECT. That book is deleted too: nothing to clear.
        sql(`DELETE FROM "books" WHERE "books"."id" ${keyListSql(db.engine, 1)}`),
        sql(`DELETE FROM "authors" WHERE "authors"."id" ${keyListSql(db.engine, 1)}`),
      ])
    })
  })

  describe('a flush is one transaction', () => {
    it('leaves nothing behind when a later statement of the flush fails', async () => {
      await using s = new AsyncSession(db.engine)
      const x = new Author({ name: 'x' })
      s.addAll([new Author({ name: 'taken' }), x])
      await s.commit()
      statements.length = 0
      s.add(new Author({ name: 'fresh', books: [new Book({ title: 'new' })] }))
      x.name = 'taken' // the UPDATE, after both INSERTs, violates the unique constraint
      const err = await s.flush().catch((e: unknown) => e)
      expect(err).to.be.instanceOf(IntegrityError)
      // The failed UPDATE is not logged; the INSERTs before it ran.
      expect(statements.filter((q) => q.startsWith('INSERT'))).to.have.length(2)
      await s.rollback()
      expect(x.name).to.equal('x')
      await using other = new AsyncSession(db.engine)
      expect((await other.scalars(select(Author.c.name).orderBy(Author.c.name))).all()).to.deep.equal(['taken', 'x'])
      expect(await other.scalar(select(func.count()).from(Book))).to.equal(0)
    })

    it('is undone by rollback when the session has not committed', async () => {
      await using s = new AsyncSession(db.engine)
      const a = new Author({ name: 'temp' })
      s.add(a)
      await s.flush()
      expect(a.id).to.be.a('number')
      await s.rollback()
      expect(a.id).to.equal(undefined) // transient again: it may be added and inserted anew
      expect(await s.scalar(select(func.count()).from(Author))).to.equal(0)
    })
  })
})
