import { expect } from 'chai'
import { CompileError, ForeignKey, ForeignKeyConstraint, Integer, MetaData, String, Table, column } from '@athanor/core'
import { LibsqlCompiler, libsqlCapabilities } from '@athanor/libsql'
import { MysqlCompiler, mysqlCapabilities } from '@athanor/mysql'
import { PostgresCompiler, postgresCapabilities } from '@athanor/postgres'

// Declared post first: the choice of the closing key must not depend on declaration order.
const md = new MetaData()
const posts = new Table('posts', md, {
  id: column(Integer, { primaryKey: true }),
  author_id: column(Integer, ForeignKey('users.id')),
})
const users = new Table('users', md, {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50)),
  favorite_post_id: column(Integer, ForeignKey('posts.id', { onDelete: 'SET NULL' }), { nullable: true }),
})
const favorite = users.foreignKeys[0]!

const mariadb = { flavour: 'mariadb', versionNumbers: [10, 11, 0] } as const
const mysql8 = { flavour: 'mysql', versionNumbers: [8, 0, 36] } as const
const compilers = {
  postgres: new PostgresCompiler(postgresCapabilities),
  mariadb: new MysqlCompiler(mysqlCapabilities(mariadb), { target: mariadb }),
  mysql: new MysqlCompiler(mysqlCapabilities(mysql8), { target: mysql8 }),
  libsql: new LibsqlCompiler(libsqlCapabilities),
}

describe('foreign-key cycles in createAll / dropAll', () => {
  describe('choosing the keys added with ALTER TABLE', () => {
    it('breaks users ⇄ posts at the nullable key and creates the other table first', () => {
      expect(md.alterForeignKeys).to.deep.equal([favorite])
      expect(md.sortedTables).to.deep.equal([users, posts])
    })

    it('with no nullable key, breaks the cycle at the first table in declaration order, the same on every run', () => {
      const m = new MetaData()
      const a = new Table('a', m, { id: column(Integer, { primaryKey: true }), b_id: column(Integer, ForeignKey('b.id')) })
      const b = new Table('b', m, { id: column(Integer, { primaryKey: true }), c_id: column(Integer, ForeignKey('c.id')) })
      const c = new Table('c', m, { id: column(Integer, { primaryKey: true }), a_id: column(Integer, ForeignKey('a.id')) })
      expect(m.alterForeignKeys).to.deep.equal([a.foreignKeys[0]])
      expect(m.sortedTables).to.deep.equal([a, c, b])
      expect(m.alterForeignKeys).to.deep.equal([a.foreignKeys[0]])
    })

    it('defers every key of the chosen edge, one edge per independent cycle', () => {
      const m = new MetaData()
      const p = new Table('p', m, {
        id: column(Integer, { primaryKey: true }),
        first_id: column(Integer, ForeignKey('q.id'), { nullable: true }),
        second_id: column(Integer, ForeignKey('q.id'), { nullable: true }),
      })
      const q = new Table('q', m, { id: column(Integer, { primaryKey: true }), p_id: column(Integer, ForeignKey('p.id')) })
      const r = new Table('r', m, { id: column(Integer, { primaryKey: true }), s_id: column(Integer, ForeignKey('s.id')) })
      const s = new Table('s', m, { id: column(Integer, { primaryKey: true }), r_id: column(Integer, ForeignKey('r.id'), { nullable: true }) })
      expect(m.alterForeignKeys).to.deep.equal([...p.foreignKeys, s.foreignKeys[0]])
      expect(m.sortedTables).to.deep.equal([p, q, s, r])
    })

    it('keeps a table referencing itself inline, and honours useAlter without a cycle', () => {
      const m = new MetaData()
      const nodes = new Table('nodes', m, { id: column(Integer, { primaryKey: true }), parent_id: column(Integer, ForeignKey('nodes.id'), { nullable: true }) })
      const shelves = new Table('shelves', m, { id: column(Integer, { primaryKey: true }) })
      const books = new Table('books', m, { id: column(Integer, { primaryKey: true }), shelf_id: column(Integer) },
        new ForeignKeyConstraint(['shelf_id'], ['shelves.id'], { useAlter: true }))
      expect(m.alterForeignKeys).to.deep.equal([books.foreignKeys[0]])
      expect(m.sortedTables).to.deep.equal([nodes, shelves, books])
    })
  })

  describe('DDL per dialect', () => {
    it('leaves an omitted key out of CREATE TABLE', () => {
      const [create] = compilers.postgres.createTable(users, { ifNotExists: false, omitForeignKeys: [favorite] })
      expect(create).to.not.include('FOREIGN KEY')
      expect(compilers.postgres.createTable(users, { ifNotExists: false })[0]).to.include('FOREIGN KEY ("favorite_post_id") REFERENCES "posts" ("id") ON DELETE SET NULL')
    })

    it('PostgreSQL: ADD CONSTRAINT, in a DO block that ignores an existing one; DROP CONSTRAINT IF EXISTS', () => {
      const add = 'ALTER TABLE "users" ADD CONSTRAINT "fk_users_favorite_post_id" FOREIGN KEY ("favorite_post_id") REFERENCES "posts" ("id") ON DELETE SET NULL'
      expect(compilers.postgres.addForeignKey(favorite, { ifNotExists: false })).to.deep.equal([add])
      expect(compilers.postgres.addForeignKey(favorite, { ifNotExists: true })).to.deep.equal([`DO $$ BEGIN ${add}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`])
      expect(compilers.postgres.dropForeignKey(favorite, { ifExists: false })).to.deep.equal(['ALTER TABLE "users" DROP CONSTRAINT "fk_users_favorite_post_id"'])
      expect(compilers.postgres.dropForeignKey(favorite, { ifExists: true })).to.deep.equal(['ALTER TABLE IF EXISTS "users" DROP CONSTRAINT IF EXISTS "fk_users_favorite_post_id"'])
      expect(compilers.postgres.deferForeignKeyChecks()).to.deep.equal([])
    })

    it('MariaDB: FOREIGN KEY IF NOT EXISTS and DROP FOREIGN KEY IF EXISTS', () => {
      expect(compilers.mariadb.addForeignKey(favorite, { ifNotExists: true })).to.deep.equal([
        'ALTER TABLE `users` ADD CONSTRAINT `fk_users_favorite_post_id` FOREIGN KEY IF NOT EXISTS (`favorite_post_id`) REFERENCES `posts` (`id`) ON DELETE SET NULL',
      ])
      expect(compilers.mariadb.dropForeignKey(favorite, { ifExists: false })).to.deep.equal(['ALTER TABLE `users` DROP FOREIGN KEY `fk_users_favorite_post_id`'])
      expect(compilers.mariadb.dropForeignKey(favorite, { ifExists: true })).to.deep.equal(['ALTER TABLE IF EXISTS `users` DROP FOREIGN KEY IF EXISTS `fk_users_favorite_post_id`'])
    })

    it('MySQL: plain ALTER without checkFirst; with it, a prepared ALTER guarded by information_schema', () => {
      const add = 'ALTER TABLE `users` ADD CONSTRAINT `fk_users_favorite_post_id` FOREIGN KEY (`favorite_post_id`) REFERENCES `posts` (`id`) ON DELETE SET NULL'
      expect(compilers.mysql.addForeignKey(favorite, { ifNotExists: false })).to.deep.equal([add])
      const found = "SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'users' " +
        "AND CONSTRAINT_NAME = 'fk_users_favorite_post_id' AND CONSTRAINT_TYPE = 'FOREIGN KEY'"
      const prepared = ['PREPARE athanor_ddl FROM @athanor_ddl', 'EXECUTE athanor_ddl', 'DEALLOCATE PREPARE athanor_ddl']
      expect(compilers.mysql.addForeignKey(favorite, { ifNotExists: true })).to.deep.equal([`SET @athanor_ddl = IF((${found}) = 0, '${add}', 'DO 0')`, ...prepared])
      expect(compilers.mysql.dropForeignKey(favorite, { ifExists: true })).to.deep.equal([
        `SET @athanor_ddl = IF((${found}) > 0, 'ALTER TABLE \`users\` DROP FOREIGN KEY \`fk_users_favorite_post_id\`', 'DO 0')`, ...prepared,
      ])
    })

    it('libSQL: keeps the key inline, refuses ALTER for it, and defers checks while dropping', () => {
      expect(compilers.libsql.createTable(users, { ifNotExists: false })[0]).to.include('FOREIGN KEY ("favorite_post_id") REFERENCES "posts" ("id")')
      expect(() => compilers.libsql.addForeignKey(favorite, { ifNotExists: false })).to.throw(CompileError, /cannot add or drop foreign keys with ALTER TABLE/)
      expect(compilers.libsql.deferForeignKeyChecks()).to.deep.equal(['PRAGMA defer_foreign_keys = ON'])
    })

    it('uses the key\'s own name, and cuts a long generated one to 63 bytes with a stable hash', () => {
      const m = new MetaData()
      new Table('t', m, { id: column(Integer, { primaryKey: true }) })
      const long = new Table('a_table_with_a_rather_long_name', m, {
        id: column(Integer, { primaryKey: true }),
        referencing_column_with_a_long_name: column(Integer, ForeignKey('t.id', { useAlter: true })),
        named: column(Integer, ForeignKey('t.id', { useAlter: true, name: 'my_fk' })),
      })
      const [generated, named] = long.foreignKeys.map((fk) => compilers.postgres.dropForeignKey(fk, { ifExists: false })[0]!)
      const name = /CONSTRAINT "([^"]+)"$/.exec(generated!)![1]!
      expect(name).to.match(/^fk_a_table_with_a_rather_long_name_referencing_column__[0-9a-f]{8}$/)
      expect(name).to.have.length(63)
      expect(compilers.postgres.dropForeignKey(long.foreignKeys[0], { ifExists: false })[0]).to.equal(generated)
      expect(named).to.equal('ALTER TABLE "a_table_with_a_rather_long_name" DROP CONSTRAINT "my_fk"')
    })

    it('refuses something that is not a table\'s foreign key, naming the method', () => {
      expect(() => compilers.postgres.addForeignKey({ table: users }, { ifNotExists: false })).to.throw(CompileError, /addForeignKey\(\) takes one of a Table's foreignKeys/)
    })
  })
})
