import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'

/** What a foreign key does when the row it points at is deleted or its key changes. */
export type ReferentialAction = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION'

/**
 * A reference from a column to `'table.column'` (or a thunk returning a column, for tables
 * defined later).
 * ```ts
 * authorId: column(Integer, ForeignKey('authors.id', { onDelete: 'CASCADE' }))
 * ```
 */
export class ForeignKeyRef {
  readonly target: string
  readonly onDelete: ReferentialAction | undefined
  readonly onUpdate: ReferentialAction | undefined
  readonly name: string | undefined
  readonly useAlter: boolean
  constructor(target: string, options: ForeignKeyOptions = {}) {
    if (!/^[^.]+(\.[^.]+)+$/.test(target)) {
      throw new ArgumentError(`ForeignKey('${target}') needs 'table.column' (or 'schema.table.column'), e.g. ForeignKey('authors.id').`)
    }
    this.target = target
    this.onDelete = options.onDelete
    this.onUpdate = options.onUpdate
    this.name = options.name
    this.useAlter = options.useAlter ?? false
  }
  /** The referenced table's name (with schema if given) and column name. */
  get parts(): { table: string; column: string } {
    const i = this.target.lastIndexOf('.')
    return { table: this.target.slice(0, i), column: this.target.slice(i + 1) }
  }
}

export interface ForeignKeyOptions {
  readonly onDelete?: ReferentialAction
  readonly onUpdate?: ReferentialAction
  readonly name?: string
  /**
   * Add the constraint with `ALTER TABLE … ADD CONSTRAINT` after every table exists, and drop it
   * before the tables. `createAll` does this on its own for keys that close a cycle between
   * tables; set it to choose the key yourself. Ignored where the database cannot alter foreign
   * keys (SQLite accepts references to tables not created yet).
   * ```ts
   * favoritePostId: column(Integer, ForeignKey('posts.id', { useAlter: true }), { nullable: true })
   * ```
   */
  readonly useAlter?: boolean
}

/** Creates a column's reference to `'table.column'`: `column(Integer, ForeignKey('authors.id'))`. */
export function ForeignKey(target: string, options?: ForeignKeyOptions): ForeignKeyRef {
  return new ForeignKeyRef(target, options)
}
export { ForeignKey as foreignKey }

/** A SQL fragment used as a server default; build it with `sqlDefault('CURRENT_TIMESTAMP')`. */
export class ServerDefault {
  readonly sql: string
  constructor(sql: string) {
    this.sql = sql
  }
}

/** A server-side default given as SQL text, e.g. `serverDefault: sqlDefault('CURRENT_TIMESTAMP')`. */
export function sqlDefault(sql: string): ServerDefault {
  return new ServerDefault(sql)
}

/** A client default: a value, or a function called once per row at flush/insert time. */
export type ClientDefault<T> = T | (() => T)

export interface ColumnOptions<T> {
  /** The column's name in the database, when it differs from its key in the table. */
  readonly name?: string
  readonly primaryKey?: boolean
  /** Defaults to true for a single integer primary key. */
  readonly autoincrement?: boolean
  /** Columns are NOT NULL unless `nullable: true` (primary keys never are). */
  readonly nullable?: boolean
  readonly unique?: boolean
  readonly index?: boolean
  readonly default?: ClientDefault<T>
  readonly onupdate?: ClientDefault<T>
  /** A literal value, or SQL text through `sqlDefault()`. */
  readonly serverDefault?: ServerDefault | string | number | boolean
  /** A CHECK constraint on this column, as SQL text. */
  readonly check?: string
  readonly comment?: string
  readonly foreignKey?: ForeignKeyRef | string
  /**
   * The row's version counter (SQLAlchemy's `version_id_col`): every UPDATE and DELETE the unit of
   * work sends for the object checks it (`WHERE version = <the value read>`), and an UPDATE sets the
   * next one, so a write based on a stale read fails with StaleDataError instead of overwriting.
   * `true` counts 1, 2, 3… (integer columns); a function makes the next value from the previous one
   * (undefined for a new row), e.g. `() => crypto.randomUUID()`.
   * ```ts
   * version: mappedColumn(Integer, { versionId: true })
   * ```
   */
  readonly versionId?: true | VersionGenerator
  /**
   * Checks every value the application gives this attribute of a mapped object — in the
   * constructor and on each assignment (SQLAlchemy's `@validates`) — and returns the value to
   * store (possibly normalised), or throws; Athanor then throws a ValidationError naming the
   * model and attribute. Values read from the database are not checked, nor are `null` and
   * `undefined` (whether a column may be NULL is the database's NOT NULL, checked at flush).
   * Annotate the parameter (`v: string`): it is checked against the column's type.
   * ```ts
   * email: mappedColumn(String(100), { validate: (v: string) => { if (!v.includes('@')) throw new Error('needs an @'); return v.toLowerCase() } })
   * ```
   */
  validate?(value: T, object: object): T
  /**
   * Leave the column out of the ORM's loads unless a query asks for it (`undefer()`), for large
   * values most reads do not need; reading it unloaded is an UnloadedColumnError, and
   * `await obj.$.bio` or `session.loadColumns()` loads it. Primary keys, version counters and
   * foreign keys of relationships are always loaded.
   * ```ts
   * bio: mappedColumn(Text, { deferred: true })
   * ```
   */
  readonly deferred?: boolean
  /**
   * The column that says which class of an inheritance hierarchy a row is (SQLAlchemy's
   * `polymorphic_on`), on the root class, which lists the classes' values in its `static
   * polymorphic`. Objects get their class's value when created, so constructors leave it out.
   * ```ts
   * type: mappedColumn(String(20), { discriminator: true })
   * ```
   */
  readonly discriminator?: boolean
  /**
   * A generated column: the database computes it from the row's other columns with this SQL
   * (`GENERATED ALWAYS AS (…) STORED`, or `VIRTUAL` with `stored: false` where the database has
   * it). The ORM never writes it and reads it back after each INSERT and UPDATE; assigning it is
   * an error at the flush.
   * ```ts
   * total: mappedColumn(Integer, { computed: 'price * quantity' })
   * ```
   */
  readonly computed?: string | { readonly sql: string; readonly stored?: boolean }
}

/**
 * Makes a row's next version from the previous one (undefined for a new row). Declared as a
 * method type so that a function typed for the column's values fits (parameters are compared
 * both ways, as for methods), without making `ColumnOptions` depend on the column's type.
 */
export type VersionGenerator = { next(previous: unknown): unknown }['next']

declare const insertOptional: unique symbol
declare const references: unique symbol
declare const keyed: unique symbol

/**
 * The definition of a column before it belongs to a table. `T` is its value type (with `null`
 * when nullable); `Opt` tells whether an insert may leave it out; `Ref` whether it is a foreign
 * key (a model constructor may leave those out: a relationship usually fills them); `Key` whether
 * the ORM loads it whatever a query's options say (a primary key, version counter or discriminator).
 */
export class ColumnSpec<T, Opt extends boolean = boolean, Ref extends boolean = boolean, Key extends boolean = boolean> {
  declare readonly [insertOptional]: Opt
  declare readonly [references]: Ref
  declare readonly [keyed]: Key
  readonly type: SqlType<NonNullable<T>>
  readonly options: ColumnOptions<T>
  readonly foreignKeys: readonly ForeignKeyRef[]
  constructor(type: SqlType<NonNullable<T>>, options: ColumnOptions<T>, foreignKeys: readonly ForeignKeyRef[]) {
    this.type = type
    this.options = options
    this.foreignKeys = foreignKeys
  }
}

type Nullability<T, O> = O extends { nullable: true } ? T | null : T
/** Whether every load includes the column (see `ColumnSpec`'s `Key`). */
type Keyed<O> = O extends { primaryKey: true } | { versionId: unknown } | { discriminator: true } ? true : false

type Optionality<O> = O extends { nullable: true } | { primaryKey: true } | { default: unknown } | { serverDefault: unknown } | { autoincrement: true } | { versionId: unknown } | { computed: unknown } | { discriminator: true }
  ? true
  : false

/**
 * Defines a column. Columns are NOT NULL unless `nullable: true`; a single integer primary key
 * autoincrements.
 * ```ts
 * const users = new Table('users', metadata, {
 *   id: column(Integer, { primaryKey: true }),
 *   email: column(String(100), { unique: true }),
 *   teamId: column(Integer, ForeignKey('teams.id'), { nullable: true }),
 * })
 * ```
 */
export function column<T, const O extends ColumnOptions<T> = {}>(type: SqlType<T>, fk: ForeignKeyRef, options?: O): ColumnSpec<Nullability<T, O>, Optionality<O>, true, Keyed<O>>
export function column<T, const O extends ColumnOptions<T> = {}>(type: SqlType<T>, options?: O): ColumnSpec<Nullability<T, O>, Optionality<O>, O extends { foreignKey: unknown } ? true : false, Keyed<O>>
export function column(type: SqlType<unknown>, a?: ForeignKeyRef | ColumnOptions<unknown>, b?: ColumnOptions<unknown>): ColumnSpec<unknown> {
  const fks: ForeignKeyRef[] = []
  let options: ColumnOptions<unknown> = {}
  if (a instanceof ForeignKeyRef) {
    fks.push(a)
    options = b ?? {}
  } else if (a !== undefined) options = a
  if (options.foreignKey !== undefined) {
    fks.push(typeof options.foreignKey === 'string' ? new ForeignKeyRef(options.foreignKey) : options.foreignKey)
  }
  if (options.primaryKey && options.nullable) {
    throw new ArgumentError('A primary key column cannot be nullable: remove nullable: true or primaryKey: true.')
  }
  return new ColumnSpec(type as SqlType<NonNullable<unknown>>, options, fks)
}

/** The ORM spelling of `column()`: `mappedColumn(String(100), { unique: true })`. */
export const mappedColumn = column
