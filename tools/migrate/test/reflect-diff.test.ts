/**
 * Reflection and the diff, on every backend: a schema created from models reflects back to
 * exactly those models (the diff is empty) for every column type of the type round-trip suite,
 * the named constraints of the constraint suite, and keys of every shape; a reflected MetaData
 * works in select() at once; and each kind of drift is found.
 */
import { expect } from 'chai'
import {
  Boolean as Bool, CheckConstraint, DateTime, Enum, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData, Numeric, PrimaryKeyConstraint,
  String as Str, Table, Text, UniqueConstraint, column, createAsyncEngine, insert, select, sqlDefault, text, type ColumnSpecs, type Engine,
} from '@athanor/core'
import { constraintsMetadata, typesRoundTripMetadata } from '@athanor/testing'
import { diffSchemas, metadataOf, modelSchema, reflect, reflectSchema, schemaDialectOf } from '@athanor/migrate'
import { forEachBackend } from '../../../test/reliability/support/backends.js'

/** Keys of every shape, defaults, indexes, a self-reference and a named enum. */
function shapes(): MetaData {
  const md = new MetaData()
  new Table('rd_orgs', md, {
    id: column(Integer, { primaryKey: true }),
    name: column(Str(80), { unique: true }),
    parent_id: column(Integer, ForeignKey('rd_orgs.id', { onDelete: 'SET NULL' }), { nullable: true }),
    active: column(Bool, { serverDefault: true }),
    created: column(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') }),
    kind: column(Enum(['club', 'firm'] as const, { name: 'rd_kind' }), { serverDefault: 'club' }),
    note: column(Text, { nullable: true }),
  }, new Index('ix_rd_orgs_created', ['created']), new CheckConstraint("name <> ''", { name: 'ck_rd_orgs_name' }))
  new Table('rd_members', md, {
    org_id: column(Integer, ForeignKey('rd_orgs.id', { onDelete: 'CASCADE' })),
    seq: column(Integer),
    email: column(Str(120)),
    score: column(Numeric(8, 3), { serverDefault: 0 }),
  }, new PrimaryKeyConstraint(['org_id', 'seq']), new UniqueConstraint(['org_id', 'email'], { name: 'uq_rd_members_email' }), new Index('ix_rd_members_score_email', ['score', 'email'], { unique: true }))
  new Table('rd_badges', md, {
    id: column(Integer, { primaryKey: true }),
    org_id: column(Integer),
    seq: column(Integer),
  }, new ForeignKeyConstraint(['org_id', 'seq'], ['rd_members.org_id', 'rd_members.seq'], { name: 'fk_rd_badges_member', onUpdate: 'CASCADE' }))
  return md
}

forEachBackend('migrate: reflection and diff', (backend) => {
  let engine: Engine
  beforeEach(() => {
    engine = createAsyncEngine(backend.url)
  })
  afterEach(async () => {
    for (const md of [typesRoundTripMetadata, constraintsMetadata, shapes()]) await md.dropAll(engine, { checkFirst: true }).catch(() => undefined)
    await engine.dispose()
  })

  const changesFor = async (md: MetaData): Promise<string[]> => {
    const view = { schema: schemaDialectOf(engine), compiler: engine.dialect.compiler as never }
    const only = md.tables.map((t) => (t as Table).name)
    const diff = diffSchemas(modelSchema(md, view), await reflectSchema(engine, { only }), { namedEnums: view.schema.namedEnums })
    return diff.map((c) => c.summary)
  }

  for (const [name, build] of [['every column type (the type round-trip suite)', () => typesRoundTripMetadata], ['named constraints (the constraint suite)', () => constraintsMetadata], ['keys of every shape, defaults, indexes, self-reference, enum', shapes]] as const) {
    it(`createAll → reflect → diff is empty: ${name}`, async () => {
      const md = build()
      await md.dropAll(engine, { checkFirst: true })
      await md.createAll(engine)
      expect(await changesFor(md)).to.deep.equal([])
    })
  }

  it('compares generated columns: created ones reflect back equal; a changed expression or kind remakes the column', async () => {
    const virtual: ColumnSpecs = backend.name.startsWith('postgres') ? {} : { twice: column(Integer, { computed: { sql: 'price * 2', stored: false } }) }
    const lines = (sql: string): MetaData => {
      const md = new MetaData()
      new Table('rd_lines', md, { id: column(Integer, { primaryKey: true }), price: column(Integer), label: column(Str(20)), total: column(Integer, { computed: sql }), shout: column(Str(40), { computed: "upper(label)" }), ...virtual })
      return md
    }
    const md = lines('price * 3')
    await md.dropAll(engine, { checkFirst: true })
    await md.createAll(engine)
    try {
      expect(await changesFor(md), 'as created').to.deep.equal([])
      const changed = await changesFor(lines('price * 4'))
      expect(changed).to.have.length(1)
      expect(changed[0]).to.match(/^~ column rd_lines\.total: generated as \(.*price.*3.*\) → \(price \* 4\)$/)
      const view = { schema: schemaDialectOf(engine), compiler: engine.dialect.compiler as never }
      const plain = new MetaData()
      new Table('rd_lines', plain, { id: column(Integer, { primaryKey: true }), price: column(Integer), label: column(Str(20)), total: column(Integer), shout: column(Str(40), { computed: 'upper(label)' }), ...virtual })
      const [toPlain] = diffSchemas(modelSchema(plain, view), await reflectSchema(engine, { only: ['rd_lines'] }))
      expect(toPlain!.summary).to.equal('~ column rd_lines.total: no longer generated')
      expect(toPlain!.up.map((c) => c.method)).to.deep.equal(['dropColumn', 'addColumn'])
    } finally {
      await md.dropAll(engine, { checkFirst: true })
    }
  })

  it('reports each kind of drift between models and database', async () => {
    const md = shapes()
    await md.dropAll(engine, { checkFirst: true })
    await md.createAll(engine)
    const drifted = new MetaData()
    new Table('rd_orgs', drifted, {
      id: column(Integer, { primaryKey: true }),
      name: column(Str(100), { unique: true }),
      parent_id: column(Integer, ForeignKey('rd_orgs.id', { onDelete: 'SET NULL' }), { nullable: true }),
      active: column(Bool, { serverDefault: false }),
      created: column(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') }),
      kind: column(Enum(['club', 'firm'] as const, { name: 'rd_kind' }), { serverDefault: 'club' }),
      note: column(Text),
      extra: column(Integer, { nullable: true }),
    }, new Index('ix_rd_orgs_name', ['name']), new CheckConstraint("name <> ''", { name: 'ck_rd_orgs_name' }))
    const changes = await changesFor(drifted)
    expect(changes).to.include.members([
      '- index ix_rd_orgs_created on rd_orgs',
      '+ index ix_rd_orgs_name on rd_orgs (name)',
      '+ column rd_orgs.extra ' + schemaDialectOf(engine).canonicalType(Integer, { autoincrement: false }),
    ])
    expect(changes.some((c) => c.startsWith('~ column rd_orgs.name:'))).to.equal(true)
    expect(changes.some((c) => c.startsWith('~ column rd_orgs.active: default'))).to.equal(true)
    expect(changes.some((c) => c.startsWith('~ column rd_orgs.note: NOT NULL'))).to.equal(true)
  })

  it('gives a MetaData whose tables work in select() at once', async () => {
    const md = shapes()
    await md.dropAll(engine, { checkFirst: true })
    await md.createAll(engine)
    await engine.begin(async (c) => { await c.execute(insert(md.table('rd_orgs') as Table).values({ id: 1, name: 'acme' } as never)) })
    const reflected = await reflect(engine, { only: ['rd_orgs', 'rd_members', 'rd_badges'] })
    const orgs = reflected.table('rd_orgs') as Table
    const rows = await engine.begin(async (c) => (await c.execute(select(orgs.c['name']!, orgs.c['active']!))).all())
    expect(rows).to.deep.equal([['acme', true]])
    const badges = reflected.table('rd_badges') as Table
    expect(badges.foreignKeys.map((fk) => [fk.columns.map((c) => c.name), fk.target.name, fk.onUpdate])).to.deep.equal([[['org_id', 'seq'], 'rd_members', 'CASCADE']])
  })

  it('reads another schema (namespace) into tables qualified with it', async () => {
    // PostgreSQL: a schema; MySQL/MariaDB: another database; SQLite: an attached database.
    const ns = `rd_ns_${process.pid}`
    await using conn = await engine.connect()
    const run = async (sql: string): Promise<void> => void (await conn.executeOutsideTransaction(text(sql)))
    if (backend.name === 'libsql') await run(`ATTACH DATABASE '\\:memory:' AS ${ns}`)
    else await run(backend.name === 'postgres' ? `CREATE SCHEMA ${ns}` : `CREATE DATABASE ${ns}`)
    try {
      await run(`CREATE TABLE ${ns}.rd_lists (id INTEGER PRIMARY KEY, title VARCHAR(40) NOT NULL)`)
      const listsRef = backend.name === 'libsql' ? 'rd_lists' : `${ns}.rd_lists` // SQLite's references stay inside their database
      await run(`CREATE TABLE ${ns}.rd_entries (id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL, body VARCHAR(40) NOT NULL, FOREIGN KEY (list_id) REFERENCES ${listsRef} (id))`)
      await run(`INSERT INTO ${ns}.rd_lists VALUES (1, 'groceries')`)
      await run(`INSERT INTO ${ns}.rd_entries VALUES (1, 1, 'milk')`)
      const reflected = metadataOf(await reflectSchema(engine, { schema: ns }, conn))
      expect(reflected.tables.map((t) => t.fullName)).to.deep.equal([`${ns}.rd_entries`, `${ns}.rd_lists`])
      const lists = reflected.table(`${ns}.rd_lists`) as Table
      const entries = reflected.table(`${ns}.rd_entries`) as Table
      expect(entries.foreignKeys.map((fk) => fk.target)).to.deep.equal([lists])
      const rows = (await conn.execute(select(lists.c['title']!, entries.c['body']!).join(entries))).all()
      expect(rows).to.deep.equal([['groceries', 'milk']])
    } finally {
      await conn.rollback()
      if (backend.name === 'libsql') await run(`DETACH DATABASE ${ns}`)
      else await run(backend.name === 'postgres' ? `DROP SCHEMA ${ns} CASCADE` : `DROP DATABASE ${ns}`)
    }
  })

  it('reports an expression index as such, and leaves it alone', async function () {
    const md = shapes()
    await md.dropAll(engine, { checkFirst: true })
    await md.createAll(engine)
    const expression = engine.dialect.name === 'postgresql' ? '(lower(note))' : engine.dialect.name === 'mysql' ? '((lower(note)))' : 'lower(note)'
    const created = await engine.begin(async (c) => { await c.execute(text(`CREATE INDEX ix_rd_orgs_lower_note ON rd_orgs (${expression})`)) }).then(() => true, () => false)
    if (!created) this.skip() // MariaDB has no expression indexes
    const orgs = (await reflectSchema(engine, { only: ['rd_orgs'] })).tables[0]!
    const ix = orgs.indexes.find((i) => i.name === 'ix_rd_orgs_lower_note')!
    expect(ix.columns).to.deep.equal([undefined])
    expect(ix.expressions?.[0]).to.match(/lower/i)
    expect(await changesFor(md)).to.deep.equal(['? index ix_rd_orgs_lower_note on rd_orgs'])
  })
})
