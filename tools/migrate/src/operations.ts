import { ArgumentError, ForeignKeyConstraint, Integer, MetaData, Table, column } from '@athanor/core'
import type {
  AsyncSession, ColumnDefinition, ColumnSpec, Connection, ReferentialAction, SchemaOperation, ServerDefault, SqlType, TableConstraint,
  TableName,
} from '@athanor/core'
import { defaultSql, type SchemaView } from './model-schema.js'

/** What a data step gets: the migration's connection, and a session joined to its transaction. */
export interface DataContext {
  readonly connection: Connection
  readonly session: AsyncSession
}

/** `alterColumn` before the executor knows the column as it is now (MySQL restates all of it). */
export type AlterColumnOperation = Omit<Extract<SchemaOperation, { kind: 'alterColumn' }>, 'existing'> & { readonly existing?: ColumnDefinition | undefined }

/** One step of a revision: a schema operation, or a data step. */
export interface Step {
  /** 'add column users.email', for progress lines and error messages. */
  readonly description: string
  readonly operation?: Exclude<SchemaOperation, { kind: 'alterColumn' }> | AlterColumnOperation | undefined
  readonly run?: ((ctx: DataContext) => Promise<void>) | undefined
}

export interface AlterColumnChanges {
  readonly type?: SqlType<unknown>
  readonly nullable?: boolean
  /** A new server default (SQL via sqlDefault(), or a literal); `null` drops it. */
  readonly serverDefault?: ServerDefault | string | number | boolean | null
  readonly rename?: string
  /** The column as it is now; read from the database when omitted. */
  readonly existing?: ColumnSpec<unknown>
}

/** 'schema.table' or 'table'. */
export function tableName(name: string): TableName {
  const i = name.indexOf('.')
  return i < 0 ? { name } : { schema: name.slice(0, i), name: name.slice(i + 1) }
}

/**
 * The `op` a revision's `upgrade`/`downgrade` receives: each call records one step, which the
 * runner then executes in order (inside one transaction where the database has transactional
 * DDL), or prints as SQL with `--sql`.
 * ```ts
 * export async function upgrade(op: Operations): Promise<void> {
 *   op.addColumn('users', 'email', column(String(200), { nullable: true }))
 *   op.createIndex('ix_users_email', 'users', ['email'], { unique: true })
 * }
 * ```
 */
export class Operations {
  readonly steps: Step[] = []
  readonly #view: SchemaView

  constructor(view: SchemaView) {
    this.#view = view
  }

  #push(description: string, operation?: Step['operation'], run?: Step['run']): void {
    this.steps.push({ description, operation, run })
  }

  /** `CREATE TABLE` with columns given as `column()` specs keyed by column name, and constraints. */
  createTable(name: string, columns: Readonly<Record<string, ColumnSpec<unknown>>>, ...constraints: readonly TableConstraint[]): void {
    const t = tableName(name)
    // Foreign keys name their targets by string; stand-ins let the Table resolve them without
    // the whole schema at hand (the DDL only needs the names).
    const metadata = new MetaData()
    const targets = new Map<string, Set<string>>()
    const note = (target: string): void => {
      const i = target.lastIndexOf('.')
      const table = target.slice(0, i)
      if (table !== t.name && table !== name) (targets.get(table) ?? targets.set(table, new Set()).get(table)!).add(target.slice(i + 1))
    }
    for (const spec of Object.values(columns)) for (const fk of spec.foreignKeys) note(fk.target)
    for (const c of constraints) if (c instanceof ForeignKeyConstraint) c.targets.forEach(note)
    for (const [target, cols] of targets) {
      const j = target.indexOf('.')
      new Table(j < 0 ? target : target.slice(j + 1), metadata, Object.fromEntries([...cols].map((c) => [c, column(Integer)])), ...(j < 0 ? [] : [{ schema: target.slice(0, j) }]))
    }
    const table = new Table(t.name, metadata, columns, ...constraints, ...(t.schema === undefined ? [] : [{ schema: t.schema }]))
    this.#push(`create table ${name}`, { kind: 'createTable', table })
  }

  dropTable(name: string): void {
    this.#push(`drop table ${name}`, { kind: 'dropTable', table: tableName(name) })
  }

  renameTable(name: string, to: string): void {
    this.#push(`rename table ${name} to ${to}`, { kind: 'renameTable', table: tableName(name), to })
  }

  addColumn(table: string, name: string, spec: ColumnSpec<unknown>): void {
    this.#push(`add column ${table}.${name}`, { kind: 'addColumn', table: tableName(table), column: this.#definition(name, spec) })
  }

  dropColumn(table: string, name: string): void {
    this.#push(`drop column ${table}.${name}`, { kind: 'dropColumn', table: tableName(table), column: name })
  }

  /** Changes a column's type, nullability, server default or name (any together). */
  alterColumn(table: string, name: string, changes: AlterColumnChanges): void {
    const what = [changes.type && 'type', changes.nullable !== undefined && 'nullability', changes.serverDefault !== undefined && 'default', changes.rename && `name (to ${changes.rename})`].filter(Boolean).join(', ')
    if (what === '') throw new ArgumentError(`alterColumn('${table}', '${name}') changes nothing: give type, nullable, serverDefault or rename.`)
    this.#push(`alter column ${table}.${name}: ${what}`, {
      kind: 'alterColumn', table: tableName(table), column: name,
      existing: changes.existing === undefined ? undefined : this.#definition(name, changes.existing),
      type: changes.type, nullable: changes.nullable, rename: changes.rename,
      default: changes.serverDefault === undefined ? undefined : changes.serverDefault === null ? null : defaultSql(this.#view, changes.serverDefault),
    })
  }

  createIndex(name: string, table: string, columns: readonly string[], options: { unique?: boolean } = {}): void {
    this.#push(`create index ${name} on ${table}`, { kind: 'createIndex', table: tableName(table), name, columns, unique: options.unique ?? false })
  }

  dropIndex(name: string, table: string): void {
    this.#push(`drop index ${name} on ${table}`, { kind: 'dropIndex', table: tableName(table), name })
  }

  createUnique(name: string, table: string, columns: readonly string[]): void {
    this.#push(`add unique ${name} on ${table}`, { kind: 'addUnique', table: tableName(table), name, columns })
  }

  dropUnique(name: string, table: string): void {
    this.#push(`drop unique ${name} on ${table}`, { kind: 'dropUnique', table: tableName(table), name })
  }

  createForeignKey(
    name: string, table: string, columns: readonly string[], referredTable: string, referredColumns: readonly string[],
    options: { onDelete?: ReferentialAction; onUpdate?: ReferentialAction } = {},
  ): void {
    const referred = tableName(referredTable)
    this.#push(`add foreign key ${name} on ${table}`, {
      kind: 'addForeignKey', table: tableName(table),
      foreignKey: { name, columns, referredTable: referred.name, referredSchema: referred.schema, referredColumns, onDelete: options.onDelete, onUpdate: options.onUpdate },
    })
  }

  dropForeignKey(name: string, table: string): void {
    this.#push(`drop foreign key ${name} on ${table}`, { kind: 'dropForeignKey', table: tableName(table), name })
  }

  createCheck(name: string, table: string, sql: string): void {
    this.#push(`add check ${name} on ${table}`, { kind: 'addCheck', table: tableName(table), name, sql })
  }

  dropCheck(name: string, table: string): void {
    this.#push(`drop check ${name} on ${table}`, { kind: 'dropCheck', table: tableName(table), name })
  }

  /** A named enum type (PostgreSQL); elsewhere Enum columns carry their values inline. */
  createEnum(name: string, values: readonly string[]): void {
    this.#push(`create enum ${name}`, { kind: 'createEnum', name, values })
  }

  dropEnum(name: string): void {
    this.#push(`drop enum ${name}`, { kind: 'dropEnum', name })
  }

  addEnumValue(name: string, value: string): void {
    this.#push(`add value '${value}' to enum ${name}`, { kind: 'addEnumValue', name, value })
  }

  /** Raw SQL, run as it is. */
  execute(sql: string): void {
    this.#push(`execute ${sql.length > 60 ? sql.slice(0, 57) + '…' : sql}`, { kind: 'execute', sql })
  }

  /**
   * A data step: runs inside the revision's transaction, with a session joined to it.
   * ```ts
   * op.run(async ({ session }) => {
   *   for (const u of (await session.scalars(select(User))).all()) u.displayName = u.name
   * })
   * ```
   */
  run(fn: (ctx: DataContext) => Promise<void>, description = 'data step'): void {
    this.#push(description, undefined, fn)
  }

  #definition(name: string, spec: ColumnSpec<unknown>): ColumnDefinition {
    const o = spec.options
    return {
      name: o.name ?? name, type: spec.type, nullable: o.primaryKey !== true && o.nullable === true,
      default: defaultSql(this.#view, o.serverDefault), autoincrement: o.autoincrement, primaryKey: o.primaryKey, check: o.check,
      generated: o.computed === undefined ? undefined : typeof o.computed === 'string' ? { expression: o.computed, stored: true } : { expression: o.computed.sql, stored: o.computed.stored ?? true },
    }
  }
}
