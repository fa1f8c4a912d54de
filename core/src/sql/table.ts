import type { ColumnSpec, ForeignKeyRef, ReferentialAction } from '../schema/column-spec.js'
import type { TableConstraint } from '../schema/constraints.js'
import { ForeignKeyConstraint, Index, PrimaryKeyConstraint } from '../schema/constraints.js'
import type { MetaData, RegisteredTable } from '../schema/metadata.js'
import { ArgumentError } from '../util/errors.js'
import { Column } from './column.js'
import { columnNamespace } from './column-namespace.js'
import type { ColumnRef } from './column.js'
import { FromClause } from './from.js'
import type { ForeignKeyPair } from './from.js'
import type { KeyBuilder } from './key.js'

// `any` here only lets a spec map accept every column type; it never reaches a value's type.
export type ColumnSpecs = Record<string, ColumnSpec<any, boolean, boolean>>

/** The value type of a column spec. */
export type SpecValue<S> = S extends ColumnSpec<infer T, boolean, boolean> ? T : never

/** `table.c`: each spec becomes a typed Column under the same key. */
export type TableColumns<S extends ColumnSpecs> = { readonly [K in keyof S & string]: Column<SpecValue<S[K]>, K> }

/** A row of the table as an object: what `mappings()` yields for `select(table)`. */
export type TableRow<S extends ColumnSpecs> = { -readonly [K in keyof S]: SpecValue<S[K]> }

type OptionalKeys<S extends ColumnSpecs> = { [K in keyof S]: S[K] extends ColumnSpec<unknown, true, boolean> ? K : never }[keyof S]
type RequiredKeys<S extends ColumnSpecs> = Exclude<keyof S, OptionalKeys<S>>
type ReferenceKeys<S extends ColumnSpecs> = { [K in keyof S]: S[K] extends ColumnSpec<unknown, boolean, true> ? K : never }[keyof S]

/**
 * What a model constructor requires: the NOT NULL columns without a default that are not
 * foreign keys (a relationship usually sets those; a missing one fails at flush, by name).
 * `Refs`: the keys of table-level (composite) foreign keys.
 */
export type ConstructorColumns<S extends ColumnSpecs, Refs extends PropertyKey = never> = { [K in Exclude<RequiredKeys<S>, ReferenceKeys<S> | Refs>]: SpecValue<S[K]> } & {
  [K in OptionalKeys<S> | Extract<RequiredKeys<S>, ReferenceKeys<S> | Refs>]?: SpecValue<S[K]>
}

/** The values an INSERT takes: columns with defaults (or nullable) may be left out. */
export type InsertRow<S extends ColumnSpecs> = { [K in RequiredKeys<S>]: SpecValue<S[K]> } & { [K in OptionalKeys<S>]?: SpecValue<S[K]> }

/** A foreign key after its target is resolved. */
export interface ResolvedForeignKey {
  /** The table the key belongs to (whose columns reference `target`). */
  readonly table: Table
  readonly columns: readonly Column<unknown>[]
  readonly target: Table
  readonly targetColumns: readonly Column<unknown>[]
  readonly onDelete: ReferentialAction | undefined
  readonly onUpdate: ReferentialAction | undefined
  readonly name: string | undefined
  /** Created by ALTER TABLE after the tables (`ForeignKey(…, { useAlter: true })`). */
  readonly useAlter: boolean
}

/**
 * A database table. Its typed columns are reached through `.c` (SQLAlchemy's namespace, which
 * also avoids clashing with `Function.name`).
 * ```ts
 * const users = new Table('users', metadata, {
 *   id: column(Integer, { primaryKey: true }),
 *   name: column(String(50)),
 * })
 * select(users.c.id, users.c.name).where(users.c.name.eq('Alice'))
 * ```
 */
export class Table<S extends ColumnSpecs = ColumnSpecs> extends FromClause implements RegisteredTable {
  readonly kind = 'table'
  readonly name: string
  readonly schema: string | undefined
  readonly metadata: MetaData
  #c: TableColumns<S>
  readonly primaryKey: readonly Column<unknown>[]
  readonly constraints: readonly TableConstraint[]
  readonly #columns: Column<unknown>[]
  #fks: ResolvedForeignKey[] | undefined

  constructor(name: string, metadata: MetaData, columns: S, ...constraints: (TableConstraint | { schema: string })[]) {
    super()
    this.name = name
    this.metadata = metadata
    const schemaOpt = constraints.find((c): c is { schema: string } => 'schema' in c && !('kind' in c))
    this.schema = schemaOpt?.schema
    this.constraints = constraints.filter((c): c is TableConstraint => 'kind' in c)
    const pkKeys = new Set<string>(Object.entries(columns).filter(([, s]) => s.options.primaryKey).map(([k]) => k))
    for (const c of this.constraints) if (c instanceof PrimaryKeyConstraint) c.columns.forEach((k) => pkKeys.add(k))
    const c: Record<string, Column<unknown>> = {}
    this.#columns = []
    for (const [key, spec] of Object.entries(columns)) {
      const isIntPk = pkKeys.size === 1 && pkKeys.has(key) && ['integer', 'bigint', 'smallint'].includes(spec.type.kind)
      const auto = spec.options.autoincrement ?? (isIntPk && spec.foreignKeys.length === 0)
      const options = pkKeys.has(key) ? { ...spec.options, primaryKey: true } : spec.options
      const col = new Column(key, this, spec.type, options, spec.foreignKeys, auto)
      c[key] = col
      this.#columns.push(col)
    }
    for (const k of pkKeys) if (!(k in c)) throw new ArgumentError(`Table '${name}': primary key column '${k}' is not one of its columns (${Object.keys(c).join(', ')}).`)
    this.#c = columnNamespace(`Table '${name}'`, c) as TableColumns<S>
    this.primaryKey = this.#columns.filter((col) => col.primaryKey)
    metadata.register(this)
  }

  /** The columns by key: `users.c.name`. */
  get c(): TableColumns<S> {
    return this.#c
  }

  /**
   * Adds columns to the table after it is defined: a single-table subclass's columns live in its
   * parent's table. They may not be part of the primary key; returns the new columns.
   */
  addColumns(columns: ColumnSpecs, owner: string): Column<unknown>[] {
    const c: Record<string, Column<unknown>> = { ...(this.#c as Record<string, Column<unknown>>) }
    const added: Column<unknown>[] = []
    for (const [key, spec] of Object.entries(columns)) {
      if (Object.hasOwn(c, key)) throw new ArgumentError(`${owner} declares the column '${key}', which table '${this.fullName}' already has; give it another key.`)
      if (spec.options.primaryKey) throw new ArgumentError(`${owner} declares '${key}' as a primary key, but its rows live in table '${this.fullName}', whose key is ${this.primaryKey.map((k) => k.key_).join(', ')}; leave primaryKey out.`)
      const col = new Column(key, this, spec.type, spec.options, spec.foreignKeys, spec.options.autoincrement ?? false)
      c[key] = col
      added.push(col)
    }
    this.#columns.push(...added)
    this.#c = columnNamespace(`Table '${this.fullName}'`, c) as TableColumns<S>
    this.#fks = undefined
    return added
  }

  get fullName(): string {
    return this.schema ? `${this.schema}.${this.name}` : this.name
  }

  key(k: KeyBuilder): void {
    k.s += 't' + this.id
  }

  get columnList(): readonly Column<unknown>[] {
    return this.#columns
  }

  get description(): string {
    return `table '${this.fullName}'`
  }

  /** The column with this key, or an error naming the table's columns. */
  column(key: string): Column<unknown> {
    const col = Object.hasOwn(this.c, key) ? (this.c as Record<string, Column<unknown>>)[key] : undefined
    if (!col) throw new ArgumentError(`Table '${this.fullName}' has no column '${key}'; its columns are ${Object.keys(this.c).join(', ')}.`)
    return col
  }

  /** Indexes declared on the table and on its columns (`index: true`). */
  get indexes(): Index[] {
    const out = this.constraints.filter((c): c is Index => c instanceof Index)
    for (const col of this.#columns) if (col.indexed) out.push(new Index(`ix_${this.name}_${col.name}`, [col.key_]))
    return out
  }

  /** Foreign keys with their targets looked up in the MetaData (resolved on first use). */
  get foreignKeys(): readonly ResolvedForeignKey[] {
    if (this.#fks) return this.#fks
    const fks: ResolvedForeignKey[] = []
    for (const col of this.#columns) {
      for (const fk of col.foreignKeys) {
        const [target, targetCol] = this.#resolve(fk.target, fk)
        fks.push({ table: this, columns: [col], target, targetColumns: [targetCol], onDelete: fk.onDelete, onUpdate: fk.onUpdate, name: fk.name, useAlter: fk.useAlter })
      }
    }
    for (const c of this.constraints) {
      if (!(c instanceof ForeignKeyConstraint)) continue
      const resolved = c.targets.map((t) => this.#resolve(t))
      const target = resolved[0]![0]
      fks.push({
        table: this, columns: c.columns.map((k) => this.column(k)), target, targetColumns: resolved.map((r) => r[1]),
        onDelete: c.options.onDelete, onUpdate: c.options.onUpdate, name: c.options.name, useAlter: c.options.useAlter ?? false,
      })
    }
    this.#fks = fks
    return fks
  }

  #resolve(target: string, fk?: ForeignKeyRef): [Table, Column<unknown>] {
    const i = target.lastIndexOf('.')
    const tableName = target.slice(0, i)
    const colName = target.slice(i + 1)
    const table = this.metadata.table(tableName)
    if (!(table instanceof Table)) {
      throw new ArgumentError(
        `Foreign key ${fk ? `on '${this.fullName}'` : ''} points at '${target}', but no table '${tableName}' is defined in the same MetaData. ` +
          `Define that table with the same MetaData (or Base) before the foreign key is used.`,
      )
    }
    const col = table.columnList.find((c) => c.name === colName || c.key_ === colName)
    if (!col) throw new ArgumentError(`Foreign key on '${this.fullName}' points at '${target}', but '${tableName}' has no column '${colName}'.`)
    return [table, col]
  }

  referencedTables(): string[] {
    return this.foreignKeys.filter((fk) => fk.target !== this).map((fk) => fk.target.fullName)
  }

  override foreignKeyPairsTo(other: FromClause): ForeignKeyPair[] {
    const target = other.kind === 'alias' ? (other as unknown as { target: FromClause }).target : other
    const fk = this.foreignKeys.find((f) => f.target === target)
    if (!fk) return []
    const remote = (c: Column<unknown>): ColumnRef<unknown> =>
      other.kind === 'alias' ? ((other as unknown as { corresponding(c: ColumnRef<unknown>): ColumnRef<unknown> | undefined }).corresponding(c) ?? c) : c
    return fk.columns.map((col, i) => ({ local: col, remote: remote(fk.targetColumns[i]!) }))
  }
}
