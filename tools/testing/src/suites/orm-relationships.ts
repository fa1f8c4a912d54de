import { expect } from 'chai'
import {
  AsyncSession, ForeignKey, ForeignKeyConstraint, Integer, String, Table, column, declarativeBase, func, joinedload, mappedColumn, relationship,
  select, selectinload,
} from '@athanor/core'
import { useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()

/** Removes an item through the collection's splice, which keeps the other side in step. */
function removeFrom<T>(list: T[], item: T): void {
  list.splice(list.indexOf(item), 1)
}

class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<User> {
  declare addresses: Address[]
  static addresses = relationship(() => Address, { backPopulates: 'user', orderBy: () => [Address.c.email] })
  declare profile: Profile | null
  static profile = relationship(() => Profile, { backPopulates: 'user', uselist: false })
}
class Address extends Base.model('addresses', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(100)),
  user_id: mappedColumn(Integer, ForeignKey('users.id'), { nullable: true }),
})<Address> {
  declare user: User | null
  static user = relationship(() => User, { backPopulates: 'addresses' })
}
class Profile extends Base.model('profiles', {
  id: mappedColumn(Integer, { primaryKey: true }),
  bio: mappedColumn(String(200)),
  user_id: mappedColumn(Integer, ForeignKey('users.id'), { unique: true, nullable: true }),
})<Profile> {
  declare user: User | null
  static user = relationship(() => User, { backPopulates: 'profile' })
}

// Many-to-many through a plain association table, declared on both sides.
const postTags = new Table('post_tags', Base.metadata, {
  post_id: column(Integer, ForeignKey('posts.id'), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('tags.id'), { primaryKey: true }),
})
class Post extends Base.model('posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(100)),
})<Post> {
  declare tags: Tag[]
  static tags = relationship(() => Tag, { secondary: postTags, backPopulates: 'posts', orderBy: () => [Tag.c.name] })
}
class Tag extends Base.model('tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Tag> {
  declare posts: Post[]
  static posts = relationship(() => Post, { secondary: postTags, backPopulates: 'tags' })
}

// An association object: a mapped class with its own column between two others.
class Order extends Base.model('orders', { id: mappedColumn(Integer, { primaryKey: true }), customer: mappedColumn(String(50)) })<Order> {
  declare lines: OrderLine[]
  static lines = relationship(() => OrderLine, { backPopulates: 'order', cascade: 'all, delete-orphan' })
}
class Item extends Base.model('items', { id: mappedColumn(Integer, { primaryKey: true }), sku: mappedColumn(String(20)) }) {}
class OrderLine extends Base.model('order_lines', {
  order_id: mappedColumn(Integer, ForeignKey('orders.id'), { primaryKey: true }),
  item_id: mappedColumn(Integer, ForeignKey('items.id'), { primaryKey: true }),
  quantity: mappedColumn(Integer, { default: 1 }),
})<OrderLine> {
  declare order: Order
  static order = relationship(() => Order, { backPopulates: 'lines' })
  declare item: Item
  static item = relationship(() => Item)
}

// A self-referential adjacency list.
class Node extends Base.model('nodes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  parent_id: mappedColumn(Integer, ForeignKey('nodes.id'), { nullable: true }),
})<Node> {
  declare parent: Node | null
  static parent = relationship(() => Node, { remoteSide: () => [Node.c.id], backPopulates: 'children' })
  declare children: Node[]
  static children = relationship(() => Node, { backPopulates: 'parent', orderBy: () => [Node.c.name] })
}

// A self-referential reference joined by default: one level of it, not a join per ancestor.
class Clerk extends Base.model('clerks', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  boss_id: mappedColumn(Integer, ForeignKey('clerks.id'), { nullable: true }),
})<Clerk> {
  declare boss: Clerk | null
  static boss = relationship(() => Clerk, { remoteSide: () => [Clerk.c.id], lazy: 'joined' })
}

// A composite primary key, referenced by a composite foreign key.
class Revision extends Base.model('revisions', {
  doc: mappedColumn(String(20), { primaryKey: true }),
  rev: mappedColumn(Integer, { primaryKey: true }),
  body: mappedColumn(String(100)),
})<Revision> {
  declare notes: Note[]
  static notes = relationship(() => Note, { backPopulates: 'revision' })
}
class Note extends Base.model('notes', {
  id: mappedColumn(Integer, { primaryKey: true }),
  doc: mappedColumn(String(20)),
  rev: mappedColumn(Integer),
  text: mappedColumn(String(100)),
}, new ForeignKeyConstraint(['doc', 'rev'], ['revisions.doc', 'revisions.rev']))<Note> {
  declare revision: Revision
  static revision = relationship(() => Revision, { backPopulates: 'notes' })
}

// A class mapped over a Table defined first (SQLAlchemy's __table__ = Table(...)).
const labels = new Table('labels', Base.metadata, {
  id: column(Integer, { primaryKey: true }),
  text: column(String(30), { default: 'untitled' }),
})
class Label extends Base.modelOf(labels) {}

export const ormRelationshipsSuite: Suite = (ctx) => describe('ORM relationships', () => {
  const db = useDatabase(ctx, Base.metadata)

  describe('many-to-one and one-to-many with backPopulates', () => {
    it('keeps both sides in step in memory, whichever side is assigned', () => {
      const alice = new User({ name: 'alice' })
      const bob = new User({ name: 'bob' })
      const a1 = new Address({ email: 'a1@x', user: alice })
      expect(alice.addresses).to.deep.equal([a1])
      const a2 = new Address({ email: 'a2@x' })
      alice.addresses.push(a2)
      expect(a2.user).to.equal(alice)
      // Moving an address to another user takes it out of the first user's collection.
      a1.user = bob
      expect(alice.addresses).to.deep.equal([a2])
      expect(bob.addresses).to.deep.equal([a1])
      removeFrom(alice.addresses, a2)
      expect(a2.user).to.equal(null)
      bob.addresses = [a1, a2]
      expect(a2.user).to.equal(bob)
    })

    it('sets foreign keys from related objects at flush, and loads both sides', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const alice = new User({ name: 'alice', addresses: [new Address({ email: 'b@x' }), new Address({ email: 'a@x' })] })
        s.add(alice)
        await s.flush()
        expect(alice.addresses.map((a) => a.user_id)).to.deep.equal([alice.id, alice.id])
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const alice = (await s.scalars(select(User).options(selectinload(User.addresses)))).one()
      // orderBy on the collection: loaded sorted by email, not by insertion.
      expect(alice.addresses.map((a) => a.email)).to.deep.equal(['a@x', 'b@x'])
      expect(alice.addresses[0]!.user).to.equal(alice)
      const addr = (await s.scalars(select(Address).where(Address.c.email.eq('a@x')).options(selectinload(Address.user)))).one()
      expect(addr.user).to.equal(alice)
    })

    it('moves a child between parents with an UPDATE of its foreign key', async () => {
      await using s = new AsyncSession(db.engine)
      const [alice, bob] = [new User({ name: 'alice' }), new User({ name: 'bob' })]
      const addr = new Address({ email: 'a@x', user: alice })
      s.addAll([alice, bob, addr])
      await s.commit()
      await s.load([alice, bob], 'addresses')
      bob.addresses.push(addr)
      await s.commit()
      expect(await s.scalar(select(Address.c.user_id))).to.equal(bob.id)
      // Removed from a collection without delete-orphan: the foreign key becomes NULL.
      await s.load(bob, 'addresses')
      removeFrom(bob.addresses, addr)
      await s.commit()
      expect(await s.scalar(select(Address.c.user_id))).to.equal(null)
    })
  })

  describe('one-to-one (uselist: false)', () => {
    it('holds a single object on both sides and replaces it in step', async () => {
      const u = new User({ name: 'u' })
      const p1 = new Profile({ bio: 'first', user: u })
      expect(u.profile).to.equal(p1)
      const p2 = new Profile({ bio: 'second' })
      u.profile = p2
      expect(p2.user).to.equal(u)
      expect(p1.user).to.equal(null)
      {
        await using s = new AsyncSession(db.engine)
        s.addAll([u, p1])
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const loaded = (await s.scalars(select(User).options(selectinload(User.profile)))).one()
      expect(loaded.profile!.bio).to.equal('second')
      expect(loaded.profile!.user).to.equal(loaded)
      expect((await s.scalars(select(Profile).where(Profile.c.bio.eq('first')))).one().user_id).to.equal(null)
    })
  })

  describe('many-to-many through a secondary table', () => {
    it('mirrors membership in memory and writes one association row per pair', async () => {
      const py = new Tag({ name: 'python' })
      const web = new Tag({ name: 'web' })
      const p1 = new Post({ title: 'one', tags: [py, web] })
      const p2 = new Post({ title: 'two' })
      web.posts.push(p2)
      expect(py.posts).to.deep.equal([p1])
      expect(web.posts).to.deep.equal([p1, p2])
      expect(p2.tags).to.deep.equal([web])
      {
        await using s = new AsyncSession(db.engine)
        s.addAll([p1, p2])
        await s.commit()
        // Both sides list the (p1, web) pair; it is written once.
        expect(await s.scalar(select(func.count()).from(postTags))).to.equal(3)
      }
      await using s = new AsyncSession(db.engine)
      const posts = (await s.scalars(select(Post).orderBy(Post.c.title).options(selectinload(Post.tags)))).all()
      expect(posts.map((p) => p.tags.map((t) => t.name))).to.deep.equal([['python', 'web'], ['web']])
      const webTag = posts[0]!.tags[1]!
      await s.load(webTag, 'posts')
      expect(webTag.posts.map((p) => p.title).sort()).to.deep.equal(['one', 'two'])
      // Removing from one side deletes the association row and updates the other side.
      removeFrom(posts[0]!.tags, webTag)
      expect(webTag.posts.map((p) => p.title)).to.deep.equal(['two'])
      await s.commit()
      const pairs = (await s.execute(select(postTags.c.post_id, postTags.c.tag_id))).all()
      expect(pairs).to.have.length(2)
    })

    it("knows a new object's untouched collections are empty once it is written: read, filled from either side, rolled back", async () => {
      await using s = new AsyncSession(db.engine)
      const [post, other, user] = [new Post({ title: 'fresh' }), new Post({ title: 'other' }), new User({ name: 'carol' })]
      s.addAll([post, other, user])
      await s.flush() // nothing read post.tags, other.tags or user.addresses before this
      const py = new Tag({ name: 'python' })
      py.posts.push(post) // from the other side first
      other.tags.push(py)
      user.addresses.push(new Address({ email: 'c@x' }))
      expect([post.tags, other.tags, py.posts]).to.deep.equal([[py], [py], [post, other]])
      await s.flush()
      expect((await s.execute(select(postTags.c.post_id).orderBy(postTags.c.post_id))).scalars().all()).to.deep.equal([post.id, other.id])
      expect(await s.scalar(select(Address.c.user_id))).to.equal(user.id)
      const untouched = new Post({ title: 'untouched' })
      s.add(untouched)
      const sp = await s.beginNested()
      await s.flush()
      untouched.tags.push(py)
      await s.flush()
      await sp.rollback()
      expect([untouched.tags, py.posts]).to.deep.equal([[], [post, other]])
      await s.commit()
      expect(await s.scalar(select(func.count()).from(postTags))).to.equal(2)
    })

    it('deletes the association rows of a deleted object, loaded or not', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const py = new Tag({ name: 'python' })
        s.addAll([new Post({ title: 'one', tags: [py] }), new Post({ title: 'two', tags: [py] })])
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const [one, two] = (await s.scalars(select(Post).orderBy(Post.c.title))).all()
      await s.load(one!, 'tags')
      await s.delete(one!)
      await s.delete(two!) // tags not loaded: its rows go by the post's key
      await s.commit()
      expect(await s.scalar(select(func.count()).from(postTags))).to.equal(0)
      expect(await s.scalar(select(func.count()).from(Tag))).to.equal(1)
    })
  })

  describe('association object', () => {
    it('maps the row between two classes with its own column, keyed by both foreign keys', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const [pen, ink] = [new Item({ sku: 'pen' }), new Item({ sku: 'ink' })]
        const order = new Order({ customer: 'c1', lines: [new OrderLine({ item: pen, quantity: 3 }), new OrderLine({ item: ink })] })
        s.add(order)
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const order = (await s.scalars(select(Order).options(selectinload(Order.lines).selectinload(OrderLine.item)))).one()
      const lines = [...order.lines].sort((a, b) => a.item.sku.localeCompare(b.item.sku))
      expect(lines.map((l) => [l.item.sku, l.quantity])).to.deep.equal([['ink', 1], ['pen', 3]])
      const ink = lines[0]!.item
      expect(await s.get(OrderLine, [order.id, ink.id])).to.equal(lines[0])
      // Removing the line (delete-orphan) deletes the association row, not the item.
      removeFrom(order.lines, lines[0]!)
      await s.commit()
      expect(await s.scalar(select(func.count()).from(OrderLine))).to.equal(1)
      expect(await s.scalar(select(func.count()).from(Item))).to.equal(2)
    })
  })

  describe('self-referential adjacency list', () => {
    it('stores a tree, inserting each level before the next, and loads it level by level', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const root = new Node({ name: 'root' })
        const b = new Node({ name: 'b', parent: root })
        const a = new Node({ name: 'a', parent: root })
        new Node({ name: 'a1', parent: a })
        s.add(b) // the whole tree is reached by cascade from one node
        await s.commit()
        expect(a.children[0]!.parent_id).to.equal(a.id)
      }
      await using s = new AsyncSession(db.engine)
      const root = (await s.scalars(select(Node).where(Node.c.parent_id.isNull()).options(selectinload(Node.children).selectinload(Node.children)))).one()
      expect(root.children.map((n) => n.name)).to.deep.equal(['a', 'b'])
      expect(root.children[0]!.children.map((n) => n.name)).to.deep.equal(['a1'])
      expect(root.children[0]!.parent).to.equal(root)
      const leaf = root.children[0]!.children[0]!
      await s.load(leaf, 'parent')
      expect(leaf.parent).to.equal(root.children[0])
    })
    it('joins each level a joinedload() chain names, in one statement, and fills the parents from memory', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const root = new Node({ name: 'root' })
        const b = new Node({ name: 'b', parent: root })
        const a = new Node({ name: 'a', parent: root })
        const a1 = new Node({ name: 'a1', parent: a })
        new Node({ name: 'a1x', parent: a1 })
        new Node({ name: 'a0', parent: a })
        s.addAll([root, b])
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      db.statements.length = 0
      const roots = (await s.scalars(select(Node).where(Node.c.parent_id.isNull()).options(joinedload(Node.children).joinedload(Node.children).joinedload(Node.children)))).all()
      expect(db.statements, db.statements.join('\n')).to.have.length(1)
      const [root] = roots
      expect(roots).to.have.length(1)
      expect(root!.children.map((n) => n.name)).to.deep.equal(['a', 'b'])
      const [a, b] = root!.children
      expect(a!.children.map((n) => n.name)).to.deep.equal(['a0', 'a1'])
      expect(b!.children).to.deep.equal([])
      expect(a!.children[1]!.children.map((n) => n.name)).to.deep.equal(['a1x'])
      const a1 = a!.children[1]!
      expect([a!.parent === root, a1.parent === a, a1.children[0]!.parent === a1]).to.deep.equal([true, true, true])
      expect(db.statements, 'the parents came from memory').to.have.length(1)
      // A page of roots counts roots, the levels below it joined all the same. (One session at a
      // time: an in-memory database has one connection.)
      await s.close()
      await using paged = new AsyncSession(db.engine)
      db.statements.length = 0
      const page = (await paged.scalars(select(Node).where(Node.c.parent_id.isNull()).orderBy(Node.c.name).limit(1).options(joinedload(Node.children).joinedload(Node.children)))).all()
      expect(db.statements).to.have.length(1)
      expect(page.map((n) => n.name)).to.deep.equal(['root'])
      expect(page[0]!.children.map((n) => [n.name, n.children.map((m) => m.name)])).to.deep.equal([['a', ['a0', 'a1']], ['b', []]])
    })

    it('joins a self-referential default of lazy: joined one level deep, and as deep as an option chain names it', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const a = new Clerk({ name: 'a' })
        const b = new Clerk({ name: 'b', boss: a })
        const c = new Clerk({ name: 'c', boss: b })
        s.add(new Clerk({ name: 'd', boss: c }))
        await s.commit()
      }
      const byName = select(Clerk).where(Clerk.c.name.eq('d'))
      {
        await using s = new AsyncSession(db.engine)
        db.statements.length = 0
        const d = (await s.scalars(byName)).one()
        // Each statement joins one level; the level it reaches loads by the default again.
        expect(db.statements, db.statements.join('\n')).to.have.length(2)
        expect(db.statements.every((q) => q.match(/JOIN/g)!.length === 1)).to.equal(true)
        expect([d.boss!.name, d.boss!.boss!.name, d.boss!.boss!.boss!.name, d.boss!.boss!.boss!.boss]).to.deep.equal(['c', 'b', 'a', null])
      }
      await using s = new AsyncSession(db.engine)
      db.statements.length = 0
      const d = (await s.scalars(byName.options(joinedload(Clerk.boss).joinedload(Clerk.boss).joinedload(Clerk.boss)))).one()
      expect(db.statements, db.statements.join('\n')).to.have.length(1)
      expect(db.statements[0]!.match(/JOIN/g)).to.have.length(3)
      expect([d.boss!.name, d.boss!.boss!.name, d.boss!.boss!.boss!.name]).to.deep.equal(['c', 'b', 'a'])
    })
  })

  describe('composite keys', () => {
    it('gets by a composite primary key and follows a composite foreign key', async () => {
      {
        await using s = new AsyncSession(db.engine)
        const r1 = new Revision({ doc: 'spec', rev: 1, body: 'draft' })
        const r2 = new Revision({ doc: 'spec', rev: 2, body: 'final' })
        s.addAll([r1, r2, new Note({ text: 'typo', revision: r2 }), new Note({ text: 'ok', revision: r2 })])
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const r2 = await s.get(Revision, ['spec', 2])
      expect(r2!.body).to.equal('final')
      await s.load(r2!, 'notes')
      expect(r2!.notes.map((n) => n.text).sort()).to.deep.equal(['ok', 'typo'])
      expect(r2!.notes.every((n) => n.doc === 'spec' && n.rev === 2)).to.equal(true)
      const note = r2!.notes[0]!
      const r1 = await s.get(Revision, ['spec', 1])
      note.revision = r1!
      await s.commit()
      expect((await s.execute(select(Note.c.doc, Note.c.rev).where(Note.c.id.eq(note.id)))).one()).to.deep.equal(['spec', 1])
    })
  })

  describe('a class mapped over an existing Table', () => {
    it('has typed columns, client defaults and session support like any model', async () => {
      await using s = new AsyncSession(db.engine)
      const l = new Label()
      s.add(l)
      await s.commit()
      expect(l.text).to.equal('untitled')
      expect(Label.__table__).to.equal(labels)
      expect((await s.scalars(select(Label).where(Label.c.text.eq('untitled')))).one()).to.equal(l)
    })
  })
})
