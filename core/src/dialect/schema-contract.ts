import type { SqlType } from '../types/index.js'
import type { ReferentialAction } from '../schema/column-spec.js'

/**
 * The schema half of the dialect contract: what a dialect implements so that schemas can be
 * read back (reflection) and changed in place (migrations). Every structure here is plain data
 * in neutral terms; `@athanor/migrate` diffs and renders them, the dialect packages produce and
 * compile them. Core names no database here either.
 */

/** Runs one SQL statement (with `:name` parameters, as text() takes them) on the connection reflection uses; returns its rows. */
export type SchemaQuery = (sql: string, params?: Readonly<Record<string, unknown>>) => Promise<readonly (readonly unknown[])[]>

export interface ReflectedColumn {
  readonly name: string
  /** The portable type the dialect recognises in the column's type (NativeType when it does not). */
  readonly type: SqlType<unknown>
  /** The type as this dialect's compiler would write it (`canonicalType`), for comparing with models. */
  readonly typeDdl: string
  readonly nullable: boolean
  /** The server default as SQL, canonical (`canonicalDefault`); undefined when there is none. */
  readonly default: string | undefined
  /** An identity / auto-increment / rowid-alias column. */
  readonly autoincrement: boolean
  /** `GENERATED ALWAYS AS (expression)`, where the database has generated columns. */
  readonly generated?: { readonly expression: string; readonly stored: boolean } | undefined
  readonly comment?: string | undefined
  /**
   * Set when the column is an inline Enum (`type` is the Enum, its values read from the CHECK
   * that holds them, which is then not listed among the table's checks): that CHECK's name, or
   * '' when the database gives it none (SQLite).
   */
  readonly enumCheck?: string | undefined
  /** A model column's own CHECK (`column(…, { check })`); reflection cannot tell it from the table's. */
  readonly check?: string | undefined
}

export interface ReflectedForeignKey {
  readonly name: string | undefined
  readonly columns: readonly string[]
  readonly referredSchema?: string | undefined
  readonly referredTable: string
  readonly referredColumns: readonly string[]
  /** Undefined for the database's default action (NO ACTION / RESTRICT). */
  readonly onDelete: ReferentialAction | undefined
  readonly onUpdate: ReferentialAction | undefined
}

export interface ReflectedIndex {
  readonly name: string
  /** Column names, in order; an expression part is `undefined` here and given in `expressions`. */
  readonly columns: readonly (string | undefined)[]
  /** The SQL of expression parts, where the index has any. */
  readonly expressions?: readonly string[] | undefined
  readonly unique: boolean
}

export interface ReflectedTable {
  readonly name: string
  readonly schema?: string | undefined
  readonly columns: readonly ReflectedColumn[]
  readonly primaryKey: { readonly name?: string | undefined; readonly columns: readonly string[] } | undefined
  /** Unique constraints (their backing indexes are not repeated in `indexes`). */
  readonly uniques: readonly { readonly name: string | undefined; readonly columns: readonly string[] }[]
  readonly foreignKeys: readonly ReflectedForeignKey[]
  readonly indexes: readonly ReflectedIndex[]
  /**
   * CHECK constraints. `generatedName`: the database named it (the model gave none), so
   * comparisons with a model skip it.
   */
  readonly checks: readonly { readonly name: string | undefined; readonly sql: string; readonly generatedName?: boolean | undefined }[]
  readonly comment?: string | undefined
}

/** A named enum type (PostgreSQL's CREATE TYPE … AS ENUM); inline enums stay in the column type. */
export interface ReflectedEnum {
  readonly name: string
  readonly schema?: string | undefined
  readonly values: readonly string[]
}

export interface ReflectedSchema {
  readonly tables: readonly ReflectedTable[]
  readonly enums: readonly ReflectedEnum[]
}

export interface ReflectOptions {
  /** The schema (namespace) to read; the connection's default when omitted. */
  readonly schema?: string | undefined
  /** Only these tables. */
  readonly only?: readonly string[] | undefined
}

/** A column as schema operations describe it. */
export interface ColumnDefinition {
  readonly name: string
  readonly type: SqlType<unknown>
  readonly nullable: boolean
  /** The server default as SQL. */
  readonly default?: string | undefined
  readonly autoincrement?: boolean | undefined
  readonly primaryKey?: boolean | undefined
  /** A CHECK of the column's own (`column(…, { check })`). */
  readonly check?: string | undefined
  /** The name of the CHECK holding an inline Enum's values, as reflected ('' when unnamed). */
  readonly enumCheck?: string | undefined
  /** `GENERATED ALWAYS AS (expression)`: its nullness is the expression's, and it has no default. */
  readonly generated?: { readonly expression: string; readonly stored: boolean } | undefined
}

export interface ForeignKeyDefinition {
  readonly name: string
  readonly columns: readonly string[]
  readonly referredSchema?: string | undefined
  readonly referredTable: string
  readonly referredColumns: readonly string[]
  readonly onDelete?: ReferentialAction | undefined
  readonly onUpdate?: ReferentialAction | undefined
}

/** A table named by a migration operation. */
export interface TableName {
  readonly name: string
  readonly schema?: string | undefined
}

/**
 * One change to a schema, as plain data. `createTable` carries a core `Table` (rendered by the
 * compiler's `createTable`); every other kind is compiled by `SchemaDialect.operationDdl`.
 */
export type SchemaOperation =
  | { readonly kind: 'createTable'; readonly table: unknown }
  | { readonly kind: 'dropTable'; readonly table: TableName }
  | { readonly kind: 'renameTable'; readonly table: TableName; readonly to: string }
  | { readonly kind: 'addColumn'; readonly table: TableName; readonly column: ColumnDefinition }
  | { readonly kind: 'dropColumn'; readonly table: TableName; readonly column: string }
  | {
      readonly kind: 'alterColumn'
      readonly table: TableName
      readonly column: string
      /** The column as it is now (MySQL restates the whole definition). */
      readonly existing: ColumnDefinition
      readonly type?: SqlType<unknown> | undefined
      readonly nullable?: boolean | undefined
      /** New server default SQL; `null` drops it. */
      readonly default?: string | null | undefined
      readonly rename?: string | undefined
    }
  | { readonly kind: 'createIndex'; readonly table: TableName; readonly name: string; readonly columns: readonly string[]; readonly unique: boolean }
  | { readonly kind: 'dropIndex'; readonly table: TableName; readonly name: string }
  | { readonly kind: 'addUnique'; readonly table: TableName; readonly name: string; readonly columns: readonly string[] }
  | { readonly kind: 'dropUnique'; readonly table: TableName; readonly name: string }
  | { readonly kind: 'addForeignKey'; readonly table: TableName; readonly foreignKey: ForeignKeyDefinition }
  | { readonly kind: 'dropForeignKey'; readonly table: TableName; readonly name: string }
  | { readonly kind: 'addCheck'; readonly table: TableName; readonly name: string; readonly sql: string }
  | { readonly kind: 'dropCheck'; readonly table: TableName; readonly name: string }
  | { readonly kind: 'createEnum'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'dropEnum'; readonly name: string }
  | { readonly kind: 'addEnumValue'; readonly name: string; readonly value: string }
  | { readonly kind: 'execute'; readonly sql: string }

/** Statements that keep two migration runs from interleaving, held on one connection for the run. */
export interface MigrationLock {
  readonly acquire: string
  readonly release: string
}

/**
 * The schema side of a dialect. Optional in `Dialect` (a third-party dialect may not have it);
 * the three dialect packages implement it.
 */
export interface SchemaDialect {
  /** Reads tables, columns, keys, indexes, checks and enums through `query`. */
  reflect(query: SchemaQuery, options: ReflectOptions): Promise<ReflectedSchema>
  /** A model type as reflection reports it on this database (`String()` is `VARCHAR(255)` on MySQL). */
  canonicalType(type: SqlType<unknown>, options: { readonly autoincrement: boolean }): string
  /** A server default as reflection reports it, for comparing (casts, quotes and case made uniform). */
  canonicalDefault(sql: string): string
  /**
   * The DDL of one operation. Throws `CompileError` with code `'needs-rebuild'` for changes the
   * database cannot make in place (SQLite cannot alter a column's type): the caller rebuilds the
   * table instead (create, copy, drop, rename).
   */
  operationDdl(op: SchemaOperation): string[]
  /** The database has named enum types (CREATE TYPE … AS ENUM), which migrations create and alter. */
  readonly namedEnums?: boolean | undefined
  /** Serialises concurrent migration runs on servers; absent where a write transaction does (SQLite). */
  readonly migrationLock?: MigrationLock | undefined
  /**
   * Run outside any transaction around a table rebuild (SQLite: foreign keys off, so that
   * dropping the old table fires no ON DELETE actions), with a check before the commit.
   */
  readonly rebuildGuard?: { readonly before: readonly string[]; readonly check: string; readonly after: readonly string[] } | undefined
}
