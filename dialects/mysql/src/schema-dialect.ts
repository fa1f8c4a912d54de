import { CompileError, columnDefinitionDdl, enumCheckSql, inlineEnumValues, qualifiedName, standardOperationDdl } from '@athanor/core'
import type { ReflectOptions, ReflectedSchema, SchemaDialect, SchemaOperation, SchemaQuery, SqlType, TableName } from '@athanor/core'
import type { MysqlCompiler } from './compiler.js'
import { canonicalDefault, canonicalType, reflectMysql } from './schema-reflect.js'

/**
 * MySQL's / MariaDB's side of reflection and migrations. A column change restates the whole
 * column (`MODIFY COLUMN`, or `CHANGE COLUMN` when it is renamed); indexes, unique constraints,
 * foreign keys and checks are dropped by their own words; GET_LOCK keeps two deployers apart.
 * DDL is not transactional here: the migration runner reports which operations of a failed
 * revision already ran.
 * ```ts
 * engine.dialect.schema!.operationDdl({ kind: 'dropForeignKey', table: { name: 'posts' }, name: 'fk_posts_author' })
 * // ['ALTER TABLE `posts` DROP FOREIGN KEY `fk_posts_author`']
 * ```
 */
export class MysqlSchema implements SchemaDialect {
  readonly #compiler: MysqlCompiler
  readonly migrationLock = { acquire: "SELECT GET_LOCK('athanor_migrate', 3600)", release: "SELECT RELEASE_LOCK('athanor_migrate')" }

  constructor(compiler: MysqlCompiler) {
    this.#compiler = compiler
  }

  reflect(query: SchemaQuery, options: ReflectOptions): Promise<ReflectedSchema> {
    return reflectMysql(query, options, this.#compiler.target.flavour === 'mariadb' ? 'mariadb' : 'mysql')
  }

  canonicalType(type: SqlType<unknown>): string {
    return canonicalType(type)
  }

  canonicalDefault(sql: string): string {
    return canonicalDefault(sql)
  }

  get #dropCheck(): string {
    return this.#compiler.target.flavour === 'mariadb' ? 'DROP CONSTRAINT' : 'DROP CHECK'
  }

  /** MariaDB keeps a column's check in the column (''); MySQL numbers its checks, so only the database knows. */
  #guessEnumCheck(table: TableName, column: string): string {
    if (this.#compiler.target.flavour === 'mariadb') return ''
    throw new CompileError(`Changing enum column ${table.name}.${column} drops its CHECK, whose name MySQL chose (${table.name}_chk_N): run this migration online, where the name is read from the database.`, 'not-supported')
  }

  operationDdl(op: SchemaOperation): string[] {
    const h = this.#compiler
    const alter = (table: TableName): string => `ALTER TABLE ${qualifiedName(h, table)}`
    switch (op.kind) {
      case 'alterColumn': {
        const e = op.existing
        const name = op.rename ?? op.column
        const type = op.type ?? e.type
        const def = columnDefinitionDdl(h, {
          name, type, nullable: op.nullable ?? e.nullable, default: op.default === null ? undefined : (op.default ?? e.default), autoincrement: e.autoincrement,
        }, { checks: false })
        const change = op.rename !== undefined ? `${alter(op.table)} CHANGE COLUMN ${h.quote(op.column)} ${def}` : `${alter(op.table)} MODIFY COLUMN ${def}`
        // An inline Enum's CHECK names the column and holds the values, so any change replaces
        // it: MySQL refuses to rename a column a check uses, and MariaDB's MODIFY drops the
        // column's checks. It comes back as a table check, which reflection reads the same.
        const values = inlineEnumValues(type)
        const oldCheck = e.enumCheck ?? (inlineEnumValues(e.type) === undefined ? undefined : this.#guessEnumCheck(op.table, op.column))
        if (oldCheck === undefined && values === undefined) return [change]
        return [
          // '' is a check of the column itself (MariaDB), which MODIFY / CHANGE drop with it.
          ...(oldCheck === undefined || oldCheck === '' ? [] : [`${alter(op.table)} ${this.#dropCheck} ${h.quote(oldCheck)}`]),
          change,
          ...(values === undefined ? [] : [`${alter(op.table)} ADD CHECK (${enumCheckSql(h, name, values)})`]),
        ]
      }
      case 'createTable': return h.createTable(op.table, { ifNotExists: false })
      case 'dropIndex': return [`DROP INDEX ${h.quote(op.name)} ON ${qualifiedName(h, op.table)}`]
      case 'dropUnique': return [`${alter(op.table)} DROP INDEX ${h.quote(op.name)}`]
      case 'dropForeignKey': return [`${alter(op.table)} DROP FOREIGN KEY ${h.quote(op.name)}`]
      case 'dropCheck': return [`${alter(op.table)} ${this.#dropCheck} ${h.quote(op.name)}`]
      default: return standardOperationDdl(h, op)
    }
  }
}
