import { expect } from 'chai'
import {
  AsyncSession, BigInteger, Boolean as BooleanType, DateTime, DateType, Enum, Float, ForeignKey, Integer, JSON as JsonType, LargeBinary, Numeric,
  SmallInteger, String as StringType, Table, Text, Time, UUID, column, countStatements, createAsyncEngine, declarativeBase, joinedload,
  Select, TableAlias, mappedColumn, relationship, select, selectinload, text, transform, usePlugin, type Engine,
} from '@athanor/core'
import { NestedRowsType } from '@athanor/core'
import { connectionCapabilities, resultProcessor } from '../src/index.js'
import { nestedRowsReader } from '../src/nested-rows.js'

// Joined collections on SQLite come back as one JSON value per parent row (core's NestedRows,
// src/nested-rows.ts). These specs hold that path to what a row of the table gives: every type's
// values exactly, the loading shapes the row-by-row join handles, one statement.

const Base = declarativeBase()

class Holder extends Base.model('nr_holders', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(StringType(20)),
})<Holder> {
  declare values: Value[]
  static values = relationship(() => Value, { backPopulates: 'holder' })
}

/** A column of every type kind, all nullable. */
class Value extends Base.model('nr_values', {
  id: mappedColumn(Integer, { primaryKey: true }),
  holder_id: mappedColumn(Integer, ForeignKey('nr_holders.id')),
  small: mappedColumn(SmallInteger, { nullable: true }),
  big: mappedColumn(BigInteger, { nullable: true }),
  real: mappedColumn(Float, { nullable: true }),
  money: mappedColumn(Numeric(10, 2), { nullable: true }),
  wide: mappedColumn(Numeric(30, 10), { nullable: true }),
  flag: mappedColumn(BooleanType, { nullable: true }),
  day: mappedColumn(DateType, { nullable: true }),
  at: mappedColumn(DateTime(), { nullable: true }),
  clock: mappedColumn(Time, { nullable: true }),
  doc: mappedColumn(JsonType(), { nullable: true }),
  uid: mappedColumn(UUID, { nullable: true }),
  mood: mappedColumn(Enum(['calm', 'wild'] as const), { nullable: true }),
  body: mappedColumn(Text, { nullable: true }),
  bytes: mappedColumn(LargeBinary, { nullable: true }),
})<Value> {
  declare holder: Holder
  static holder = relationship(() => Holder, { backPopulates: 'values' })
}

const postTags = new Table('nr_post_tags', Base.metadata, {
  post_id: column(Integer, ForeignKey('nr_posts.id'), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('nr_tags.id'), { primaryKey: true }),
})

class Author extends Base.model('nr_authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(StringType(20)),
})<Author> {
  declare posts: Post[]
  static posts = relationship(() => Post, { backPopulates: 'author', orderBy: () => [Post.c.title.desc()] })
}

class Editor extends Base.model('nr_editors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(StringType(20)),
})<Editor> {}

class Post extends Base.model('nr_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(StringType(20)),
  author_id: mappedColumn(Integer, ForeignKey('nr_authors.id')),
  editor_id: mappedColumn(Integer, ForeignKey('nr_editors.id'), { nullable: true }),
})<Post> {
  declare author: Author
  declare editor: Editor | null
  declare tags: Tag[]
  static author = relationship(() => Author, { backPopulates: 'posts' })
  // Joined by default: it rides along wherever a post is loaded.
  static editor = relationship(() => Editor, { lazy: 'joined' })
  static tags = relationship(() => Tag, { secondary: postTags, orderBy: () => [Tag.c.name] })
}

class Tag extends Base.model('nr_tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(StringType(20)),
})<Tag> {}

/** Edge values of every kind: past 2^53, doubles that need 17 digits, bytes, text that looks like JSON. */
const EDGES: Record<string, unknown>[] = [
  { big: 9007199254740993n, real: 0.1 + 0.2, small: -32768, money: '12.50', wide: '12345678901234567890.0123456789', flag: true, day: '2024-02-29', at: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), clock: '12:34:56', doc: { a: [1, 'x', null], b: { c: true } }, uid: '123e4567-e89b-12d3-a456-426614174000', mood: 'calm', body: 'emoji 😀, "quotes", \\ back\nslash, [1] {"a":1}', bytes: new Uint8Array([0, 1, 255]) },
  { big: -9223372036854775808n, real: 5e-324, small: 0, money: '-0.01', wide: '0.0000000001', flag: false, day: '0001-01-01', at: new Date(Date.UTC(1970, 0, 1)), clock: '00:00:00', doc: 0.1 + 0.2, mood: 'wild', body: '', bytes: new Uint8Array([]) },
  { big: 9223372036854775807n, real: 1.7976931348623157e308, doc: 12, body: '["not", "json"]' },
  { big: 9007199254740991n, real: 123456789.123456789, doc: 'a string', bytes: new Uint8Array([123, 34, 105, 34, 93]) },
  { big: -1n, real: -1.5, doc: [true, false] },
  {},
]

describe('libsql nested rows: joined collections as one JSON value per parent', function () {
  let engine: Engine
  before(async function () {
    engine = createAsyncEngine('sqlite://:memory:')
    await Base.metadata.createAll(engine)
    await using s = new AsyncSession(engine)
    const h = new Holder({ name: 'h' })
    h.values = EDGES.map((v) => new Value(v as never))
    const a = new Author({ name: 'Ann' })
    const [red, blue] = [new Tag({ name: 'red' }), new Tag({ name: 'blue' })]
    const ed = new Editor({ name: 'Ed' })
    a.posts = [new Post({ title: 'A1', editor: ed, tags: [red, blue] } as never), new Post({ title: 'A2', tags: [] } as never)]
    s.addAll([h, a, new Author({ name: 'Bob' }), new Author({ name: 'Cy' })])
    await s.commit()
    const [post] = (await s.scalars(select(Post).where(Post.c.title.eq('A2')))).all()
    post!.tags.push(blue)
    await s.commit()
  })
  after(async () => engine.dispose())

  it('is the capability of a local database (bundled SQLite 3.45), not of a server of unknown version', function () {
    expect(connectionCapabilities('memory').nestedRows).to.equal(true)
    expect(connectionCapabilities('file').nestedRows).to.equal(true)
    expect(connectionCapabilities('remote').nestedRows).to.equal(false)
  })

  it('reads markers back to their values and a child that came as text (its JSON subtype lost) as JSON', function () {
    const tags = new NestedRowsType([Integer, StringType(20)], [], false)
    const editor = new NestedRowsType([Integer, DateTime()], [], true)
    const read = nestedRowsReader(new NestedRowsType([BigInteger, Float, LargeBinary], [tags, editor], false), resultProcessor)
    const rows = read(JSON.stringify([
      [['i', '9007199254740993'], ['r', '0.30000000000000004'], ['b', '00ff'], [[1, 'red']], null],
      [7, 1.5, null, '[[2,"blue"]]', '[3,"2024-01-02 03:04:05.678"]'],
    ]))
    expect(rows).to.deep.equal([
      [9007199254740993n, 0.1 + 0.2, Buffer.from([0, 255]), [[1, 'red']], null],
      [7n, 1.5, null, [[2, 'blue']], [3, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))]],
    ])
  })

  it('reads every type back exactly as a row of the table gives it (select-in is the reference)', async function () {
    const load = async (how: 'joined' | 'selectin', shape: RegExp): Promise<Record<string, unknown>[]> => {
      await using s = new AsyncSession(engine)
      using counter = countStatements(engine)
      const [h] = (await s.scalars(select(Holder).where(Holder.c.name.eq('h')).options(how === 'joined' ? joinedload(Holder.values) : selectinload(Holder.values)))).all()
      expect(counter.statements.some((st) => shape.test(st.sql))).to.equal(true)
      return h!.values.map((v) => Object.fromEntries(Object.keys(Value.__table__.c).map((k) => [k, (v as unknown as Record<string, unknown>)[k]])))
    }
    const nested = await load('joined', /json_group_array/)
    const rows = await load('selectin', /IN \(/)
    expect(nested).to.deep.equal(rows)
    // …and the reference itself holds the values as written.
    expect(nested.map((v) => v.big)).to.deep.equal([9007199254740993n, -9223372036854775808n, 9223372036854775807n, 9007199254740991n, -1n, null])
    expect(nested.map((v) => v.real)).to.deep.equal([0.1 + 0.2, 5e-324, 1.7976931348623157e308, 123456789.123456789, -1.5, null])
    expect(nested.map((v) => v.doc)).to.deep.equal([{ a: [1, 'x', null], b: { c: true } }, 0.1 + 0.2, 12, 'a string', [true, false], null])
    expect(nested.map((v) => (v.bytes === null ? null : [...(v.bytes as Uint8Array)]))).to.deep.equal([[0, 1, 255], [], null, [123, 34, 105, 34, 93], null, null])
    expect(nested[0]!.at).to.deep.equal(new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)))
    expect(nested[0]!.body).to.equal('emoji 😀, "quotes", \\ back\nslash, [1] {"a":1}')
  })

  it('reads values other software stored in a column of another storage class as a row would', async function () {
    await engine.begin(async (c) => {
      await c.execute(text("INSERT INTO nr_holders (id, name) VALUES (99, 'foreign')"))
      // An INTEGER column holding a REAL and text, a TEXT column holding a number's text and a
      // BLOB, a DATETIME column holding a BLOB and a REAL.
      await c.execute(text("INSERT INTO nr_values (id, holder_id, small, big, body, at) VALUES (990, 99, 1.25, 'abc', 42, x'00ff'), (991, 99, 7, 1e300, x'6869', 1.5)"))
    })
    const read = async (how: 'joined' | 'selectin'): Promise<unknown[][]> => {
      await using s = new AsyncSession(engine)
      const h = await s.get(Holder, 99, { options: [how === 'joined' ? joinedload(Holder.values) : selectinload(Holder.values)] })
      return h!.values.map((v) => [v.small, v.big, v.body, v.at])
    }
    try {
      expect(await read('joined')).to.deep.equal(await read('selectin'))
    } finally {
      await engine.begin(async (c) => {
        await c.execute(text('DELETE FROM nr_values WHERE holder_id = 99'))
        await c.execute(text('DELETE FROM nr_holders WHERE id = 99'))
      })
    }
  })

  it('loads a collection with what hangs below it (a reference, a many-to-many list) in one statement, in the relationship order', async function () {
    await using s = new AsyncSession(engine)
    using counter = countStatements(engine)
    const authors = (await s.scalars(select(Author).orderBy(Author.c.name).options(joinedload(Author.posts).joinedload(Post.tags)))).all()
    expect(counter.count).to.equal(1)
    expect(counter.statements[0]!.sql).to.not.match(/JOIN "nr_posts"/)
    const graph = authors.map((a) => [a.name, a.posts.map((p) => [p.title, p.editor?.name ?? null, p.tags.map((t) => t.name), p.author === a])])
    expect(graph).to.deep.equal([
      ['Ann', [['A2', null, ['blue'], true], ['A1', 'Ed', ['blue', 'red'], true]]],
      ['Bob', []],
      ['Cy', []],
    ])
    // Loaded means loaded: reading them sends nothing.
    expect(counter.count).to.equal(1)
  })

  it('gives no member for a row whose key is NULL, which a table made elsewhere can hold, as a join gives none', async function () {
    // SQLite lets a PRIMARY KEY column other than an INTEGER one hold NULL unless it says NOT NULL.
    const Other = declarativeBase()
    class Shelf extends Other.model('nr_shelves', { id: mappedColumn(Integer, { primaryKey: true }) })<Shelf> {
      declare boxes: Box[]
      static boxes = relationship(() => Box)
    }
    class Box extends Other.model('nr_boxes', { code: mappedColumn(StringType(5), { primaryKey: true }), shelf_id: mappedColumn(Integer, ForeignKey('nr_shelves.id')) })<Box> {}
    await engine.begin(async (c) => {
      await c.execute(text('CREATE TABLE nr_shelves (id INTEGER PRIMARY KEY)'))
      await c.execute(text('CREATE TABLE nr_boxes (code VARCHAR(5) PRIMARY KEY, shelf_id INTEGER)'))
      await c.execute(text('INSERT INTO nr_shelves VALUES (1)'))
      await c.execute(text("INSERT INTO nr_boxes VALUES ('b1', 1), (NULL, 1)"))
    })
    try {
      await using s = new AsyncSession(engine)
      const [shelf] = (await s.scalars(select(Shelf).options(joinedload(Shelf.boxes)))).all()
      expect(shelf!.boxes.map((b) => b.code)).to.deep.equal(['b1'])
    } finally {
      await engine.begin(async (c) => {
        await c.execute(text('DROP TABLE nr_boxes'))
        await c.execute(text('DROP TABLE nr_shelves'))
      })
    }
  })

  it("lets statement transforms reach the nested subqueries: a plugin's criteria two levels down", async function () {
    const tags = Tag.__table__
    // Leaves out the tag 'red' wherever a select joins the tags table (here: the posts' tags, inside the authors' posts).
    const remove = usePlugin(engine, {
      name: 'no-red-tags',
      install: (host) => host.transformStatement((statement) => transform(statement, {
        leave: (n) => {
          if (!(n instanceof Select)) return n
          const at = n.state.joins.map((j) => j.target).find((t): t is TableAlias => t instanceof TableAlias && t.target === tags)
          return at === undefined ? n : n.where(at.corresponding(tags.c.name)!.ne('red'))
        },
      })),
    })
    try {
      await using s = new AsyncSession(engine)
      using counter = countStatements(engine)
      const [ann] = (await s.scalars(select(Author).where(Author.c.name.eq('Ann')).options(joinedload(Author.posts).joinedload(Post.tags)))).all()
      expect(ann!.posts.map((p) => [p.title, p.tags.map((t) => t.name)])).to.deep.equal([['A2', ['blue']], ['A1', ['blue']]])
      expect(counter.statements[0]!.sql).to.match(/"nr_tags_\d+"\."name" <> \?/)
    } finally {
      remove()
    }
  })

  it('limits parents directly: the rows are one per parent, so no subquery wraps the caller', async function () {
    await using s = new AsyncSession(engine)
    using counter = countStatements(engine)
    const authors = (await s.scalars(select(Author).orderBy(Author.c.name).limit(2).options(joinedload(Author.posts)))).all()
    expect(authors.map((a) => [a.name, a.posts.length])).to.deep.equal([['Ann', 2], ['Bob', 0]])
    expect(counter.statements[0]!.sql).to.match(/ FROM "nr_authors" ORDER BY "nr_authors"\."name" ASC LIMIT 2$/)
  })

  it('compiles to a correlated json_group_array per collection (a reference: json_array), each value wrapped to read back exactly', async function () {
    await using s = new AsyncSession(engine)
    using counter = countStatements(engine)
    await s.scalars(select(Author).where(Author.c.name.eq('Bob')).options(joinedload(Author.posts)))
    const exact = (x: string): string =>
      `CASE typeof(${x}) WHEN 'integer' THEN IIF(${x} BETWEEN -9007199254740991 AND 9007199254740991, ${x}, json_array('i', CAST(${x} AS TEXT))) ` +
      `WHEN 'real' THEN json_array('r', printf('%!.17g', ${x})) WHEN 'blob' THEN json_array('b', hex(${x})) ELSE ${x} END`
    const textual = (x: string): string => `CASE typeof(${x}) WHEN 'blob' THEN json_array('b', hex(${x})) ELSE ${x} END`
    const p = (c: string): string => `"nr_posts_1"."${c}"`
    const e = (c: string): string => `"nr_editors_2"."${c}"`
    // The post's editor (joined by default) is one row, or null, inside the post's row.
    const editor = `(SELECT json_array(${exact(e('id'))}, ${textual(e('name'))}) FROM "nr_editors" AS "nr_editors_2" WHERE ${p('editor_id')} = ${e('id')})`
    expect(counter.statements[0]!.sql).to.equal(
      'SELECT "nr_authors"."id", "nr_authors"."name", (SELECT json_group_array(json_array(' +
        `${exact(p('id'))}, ${textual(p('title'))}, ${exact(p('author_id'))}, ${exact(p('editor_id'))}, ${editor}) ORDER BY ${p('title')} DESC) ` +
        'FROM "nr_posts" AS "nr_posts_1" WHERE "nr_authors"."id" = "nr_posts_1"."author_id") AS "_nested_2" ' +
        'FROM "nr_authors" WHERE "nr_authors"."name" = ?',
    )
  })
})
