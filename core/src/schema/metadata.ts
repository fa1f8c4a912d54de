import { ArgumentError } from '../util/errors.js'
import { orderTables } from './table-order.js'

/** What MetaData needs of a table; the full Table lives in the sql layer above. */
export interface RegisteredTable {
  readonly name: string
  readonly schema: string | undefined
  readonly fullName: string
  /** Full names of the tables this table's foreign keys point at. */
  referencedTables(): string[]
  readonly foreignKeys: readonly RegisteredForeignKey[]
}

/** What MetaData needs of a foreign key to order tables and break cycles. */
export interface RegisteredForeignKey {
  /** The table holding the key. */
  readonly table: RegisteredTable
  readonly target: RegisteredTable
  readonly columns: readonly { readonly nullable: boolean }[]
  readonly useAlter: boolean
}

/**
 * What `createAll`/`dropAll` need of an engine: implemented by `Engine`. `alterForeignKeys` are
 * created after the tables (ALTER TABLE … ADD CONSTRAINT) and dropped before them, where the
 * database can; elsewhere they stay inline and dropping defers the checks they would fail.
 */
export interface SchemaExecutor {
  createTables(tables: readonly RegisteredTable[], options: SchemaOptions): Promise<void>
  dropTables(tables: readonly RegisteredTable[], options: SchemaOptions): Promise<void>
}

export interface SchemaOptions {
  readonly checkFirst: boolean
  readonly alterForeignKeys: readonly RegisteredForeignKey[]
}

/**
 * A collection of tables that are created and dropped together.
 * ```ts
 * const metadata = new MetaData()
 * await metadata.createAll(engine)
 * ```
 */
export class MetaData {
  readonly #tables = new Map<string, RegisteredTable>()

  /** @internal called by the Table constructor. */
  register(table: RegisteredTable): void {
    if (this.#tables.has(table.fullName)) {
      throw new ArgumentError(`Table '${table.fullName}' is already defined in this MetaData; define it once and import it where needed.`)
    }
    this.#tables.set(table.fullName, table)
  }

  /** The table named `name`, or undefined. */
  table(name: string): RegisteredTable | undefined {
    return this.#tables.get(name)
  }

  get tables(): readonly RegisteredTable[] {
    return [...this.#tables.values()]
  }

  /**
   * Tables ordered so each comes after the tables its foreign keys reference, leaving out the
   * keys in {@link alterForeignKeys}.
   */
  get sortedTables(): RegisteredTable[] {
    return this.#order().tables
  }

  /**
   * The foreign keys `createAll` adds with ALTER TABLE once every table exists (and `dropAll`
   * drops first): those declared with `useAlter: true`, and one per cycle between tables — a key
   * with nullable columns where the cycle has one, else the first in table order.
   * ```ts
   * metadata.alterForeignKeys.map((fk) => fk.table.name) // ['users'] for users ⇄ posts
   * ```
   */
  get alterForeignKeys(): RegisteredForeignKey[] {
    return this.#order().alterForeignKeys
  }

  #order(): { tables: RegisteredTable[]; alterForeignKeys: RegisteredForeignKey[] } {
    return orderTables<RegisteredTable, RegisteredForeignKey>(this.tables, (t) => t.foreignKeys)
  }

  /**
   * Creates every table (and its indexes) in foreign-key order, then the foreign keys that close
   * cycles; `checkFirst` skips existing ones.
   */
  async createAll(engine: SchemaExecutor, options: { checkFirst?: boolean } = {}): Promise<void> {
    const { tables, alterForeignKeys } = this.#order()
    await engine.createTables(tables, { checkFirst: options.checkFirst ?? true, alterForeignKeys })
  }

  /**
   * Drops the foreign keys that close cycles, then every table in reverse foreign-key order;
   * `checkFirst` skips missing ones.
   */
  async dropAll(engine: SchemaExecutor, options: { checkFirst?: boolean } = {}): Promise<void> {
    const { tables, alterForeignKeys } = this.#order()
    await engine.dropTables(tables.reverse(), { checkFirst: options.checkFirst ?? true, alterForeignKeys })
  }
}
