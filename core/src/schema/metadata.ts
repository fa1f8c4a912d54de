import { ArgumentError } from '../util/errors.js'
import { topoSort } from '../util/topo-sort.js'

/** What MetaData needs of a table; the full Table lives in the sql layer above. */
export interface RegisteredTable {
  readonly name: string
  readonly schema: string | undefined
  readonly fullName: string
  /** Full names of the tables this table's foreign keys point at. */
  referencedTables(): string[]
}

/** What `createAll`/`dropAll` need of an engine: implemented by `Engine`. */
export interface SchemaExecutor {
  createTables(tables: readonly RegisteredTable[], options: { checkFirst: boolean }): Promise<void>
  dropTables(tables: readonly RegisteredTable[], options: { checkFirst: boolean }): Promise<void>
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

  /** Tables ordered so each comes after the tables its foreign keys reference. */
  get sortedTables(): RegisteredTable[] {
    return topoSort(this.tables, (t) => t.referencedTables().flatMap((n) => this.#tables.get(n) ?? [])).order
  }

  /** Creates every table (and its indexes) in foreign-key order; `checkFirst` skips existing ones. */
  async createAll(engine: SchemaExecutor, options: { checkFirst?: boolean } = {}): Promise<void> {
    await engine.createTables(this.sortedTables, { checkFirst: options.checkFirst ?? true })
  }

  /** Drops every table in reverse foreign-key order; `checkFirst` skips missing ones. */
  async dropAll(engine: SchemaExecutor, options: { checkFirst?: boolean } = {}): Promise<void> {
    await engine.dropTables(this.sortedTables.reverse(), { checkFirst: options.checkFirst ?? true })
  }
}
