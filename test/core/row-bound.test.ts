/**
 * Which statements the compiler marks as returning at most one row (compiler/row-bound.ts), and
 * what the engine tells the driver (ExecuteOptions.atMostOneRow, .columnNames). A driver may fetch
 * a marked statement's row as one (libSQL: the binding's get()), so a wrong "yes" would lose rows:
 * every case that can return more answers no.
 */
import { expect } from 'chai'
import {
  AsyncSession, ForeignKey, alias, Integer, MetaData, String, Table, column, createAsyncEngine, declarativeBase, func, joinedload, mappedColumn, or, relationship,
  rollup, select, text, type Engine,
} from '@athanor/core'
import { libsql } from '@athanor/libsql'
import { compilers, posts, users } from './compile-helpers.js'
import { FaultyDriver, withDriver } from '../reliability/support/faulty-driver.js'

const md = new MetaData()
const pairs = new Table('pairs', md, {
  a: column(Integer, { primaryKey: true }),
  b: column(Integer, { primaryKey: true }),
  label: column(String(20)),
})
const accounts = new Table('accounts', md, {
  id: column(Integer, { primaryKey: true }),
  email: column(String(50), { unique: true }),
  nickname: column(String(50)),
})

const oneRow = (stmt: unknown): boolean[] => Object.values(compilers).map((c) => c.compile(stmt).atMostOneRow === true)
const yes = [true, true, true, true]
const no = [false, false, false, false]

describe('compile: statements that return at most one row', () => {
  it('marks a select of one table whose WHERE pins its primary key', () => {
    expect(oneRow(select(users).where(users.c.id.eq(5)))).to.deep.equal(yes)
    expect(oneRow(select(users.c.name, users.c.age).where(users.c.age.gt(3), users.c.id.eq(5)))).to.deep.equal(yes)
  })
  it('marks every column of a composite key pinned, and a unique column', () => {
    expect(oneRow(select(pairs).where(pairs.c.a.eq(1), pairs.c.b.eq(2)))).to.deep.equal(yes)
    expect(oneRow(select(accounts).where(accounts.c.email.eq('ann@x.io')))).to.deep.equal(yes)
  })
  it('does not mark a composite key pinned in part, or a non-unique column', () => {
    expect(oneRow(select(pairs).where(pairs.c.a.eq(1)))).to.deep.equal(no)
    expect(oneRow(select(accounts).where(accounts.c.nickname.eq('ann')))).to.deep.equal(no)
  })
  it('does not mark comparisons that can match many rows', () => {
    expect(oneRow(select(users))).to.deep.equal(no)
    expect(oneRow(select(users).where(users.c.id.gt(5)))).to.deep.equal(no)
    expect(oneRow(select(users).where(or(users.c.id.eq(5), users.c.id.eq(6))))).to.deep.equal(no)
    expect(oneRow(select(users).where(users.c.id.in([5, 6])))).to.deep.equal(no)
    // A column compared with another column of the same row pins nothing.
    expect(oneRow(select(posts).where(posts.c.id.eq(posts.c.editorId)))).to.deep.equal(no)
  })
  it('does not mark joins, other tables, grouping with ROLLUP or functions in the select list', () => {
    expect(oneRow(select(users, posts.c.title).join(posts, posts.c.userId.eq(users.c.id)).where(users.c.id.eq(5)))).to.deep.equal(no)
    expect(oneRow(select(users).where(users.c.id.eq(5), posts.c.id.eq(1)))).to.deep.equal(no)
    expect(compilers.postgres.compile(select(users.c.name).where(users.c.id.eq(5)).groupBy(rollup(users.c.name))).atMostOneRow).to.equal(false)
    expect(oneRow(select(func.upper(users.c.name)).where(users.c.id.eq(5)))).to.deep.equal(no)
    const u = alias(users, 'u')
    expect(oneRow(select(u).where(u.c.id.eq(5)))).to.deep.equal(no)
  })
  it('does not mark text() or DML', () => {
    expect(oneRow(text('SELECT 1'))).to.deep.equal(no)
  })
})

const Base = declarativeBase()
class Shelf extends Base.model('row_bound_shelves', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
})<Shelf> {
  declare books: Book[]
  static books = relationship(() => Book, { backPopulates: 'shelf' })
}
class Book extends Base.model('row_bound_books', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  shelf_id: mappedColumn(Integer, ForeignKey('row_bound_shelves.id')),
})<Book> {
  declare shelf: Shelf
  static shelf = relationship(() => Shelf, { backPopulates: 'books' })
}

describe('the engine tells the driver what it needs', () => {
  let faulty: FaultyDriver
  let engine: Engine
  beforeEach(async () => {
    faulty = new FaultyDriver(libsql().driver)
    engine = createAsyncEngine('sqlite://:memory:', { dialect: withDriver(libsql(), faulty) })
    await Base.metadata.createAll(engine)
    await using session = new AsyncSession(engine)
    session.add(new Shelf({ id: 1, name: 'A', books: [new Book({ id: 1, title: 'x' }), new Book({ id: 2, title: 'y' })] }))
    await session.commit()
  })
  afterEach(() => engine.dispose())

  const optionsOf = (pattern: RegExp) => faulty.connections.flatMap((c) => c.executed).filter((e) => pattern.test(e.sql)).map((e) => e.options)

  it('session.get() runs as a statement of at most one row, with no column names asked for', async () => {
    await using session = new AsyncSession(engine)
    expect((await session.get(Shelf, 1))?.name).to.equal('A')
    expect(optionsOf(/FROM "row_bound_shelves"/).map((o) => [o?.atMostOneRow, o?.columnNames])).to.deep.equal([[true, false]])
  })
  it('session.get() with a joined load reads every row of the join', async () => {
    await using session = new AsyncSession(engine)
    const shelf = await session.get(Shelf, 1, { options: [joinedload(Shelf.books)] })
    expect(shelf?.books.map((b) => b.title).sort()).to.deep.equal(['x', 'y'])
    expect(optionsOf(/FROM "row_bound_shelves"/).map((o) => o?.atMostOneRow)).to.deep.equal([false])
  })
  it('text() asks for column names and gets them', async () => {
    await using conn = await engine.connect()
    const result = await conn.execute(text('SELECT id AS shelf, name FROM row_bound_shelves'))
    expect(result.columnNames).to.deep.equal(['shelf', 'name'])
    expect(result.mappings().all()).to.deep.equal([{ shelf: 1, name: 'A' }])
    expect(optionsOf(/AS shelf/).map((o) => o?.columnNames)).to.deep.equal([true])
  })
  it('a select() knows its own column names: the driver is not asked', async () => {
    await using conn = await engine.connect()
    const result = await conn.execute(select(Book.c.id, Book.c.title.label('t')).where(Book.c.shelf_id.eq(1)).orderBy(Book.c.id))
    expect(result.columnNames).to.deep.equal(['id', 't'])
    expect(result.rows).to.deep.equal([[1, 'x'], [2, 'y']])
    expect(optionsOf(/"t"/).map((o) => [o?.atMostOneRow, o?.columnNames])).to.deep.equal([[false, false]])
  })
})
