import { MetaData } from '../schema/metadata.js'
import type { TableConstraint } from '../schema/constraints.js'
import { Table } from '../sql/table.js'
import type { ColumnSpecs, SpecValue, TableColumns } from '../sql/table.js'
import { CLAUSE } from '../sql/select.js'
import type { ColumnGroup } from '../sql/select.js'
import { Registry } from './mapper.js'
import type { Mapper } from './mapper.js'

/** The column values of a model instance. */
export type ModelValues<S extends ColumnSpecs> = { -readonly [K in keyof S]: SpecValue<S[K]> }

/**
 * What a model constructor takes: any subset of its columns (typed), plus relationship values
 * (checked when the object is built: an unknown name is an error listing the valid ones).
 */
export type ModelInit<S extends ColumnSpecs> = { [K in keyof S]?: SpecValue<S[K]> } & { readonly [relationship: string]: unknown }

/** The class a model extends: typed columns at class level (`.c`) and on instances. */
export interface ModelClass<S extends ColumnSpecs> {
  new (init?: ModelInit<S>): ModelValues<S>
  /** Typed column expressions: `User.c.name.eq('Alice')`. */
  readonly c: TableColumns<S>
  /** The mapped table. */
  readonly __table__: Table<S>
  [CLAUSE](): ColumnGroup
}

/** A declarative base: a MetaData and a mapper registry shared by its models. */
export interface DeclarativeBase {
  readonly metadata: MetaData
  readonly registry: Registry
  /**
   * The base class for a model over a new table.
   * ```ts
   * class User extends Base.model('users', {
   *   id: mappedColumn(Integer, { primaryKey: true }),
   *   name: mappedColumn(String(50)),
   * }) {}
   * ```
   */
  model<const S extends ColumnSpecs>(tableName: string, columns: S, ...constraints: (TableConstraint | { schema: string })[]): ModelClass<S>
  /** The base class for a model over an existing Table. */
  modelOf<S extends ColumnSpecs>(table: Table<S>): ModelClass<S>
  /** The mapper of a model class (for tools and plugins). */
  mapperOf(cls: unknown): Mapper
}

/**
 * Creates a declarative base, SQLAlchemy's `DeclarativeBase`.
 * ```ts
 * const Base = declarativeBase()
 * await Base.metadata.createAll(engine)
 * ```
 */
export function declarativeBase(options: { metadata?: MetaData } = {}): DeclarativeBase {
  const metadata = options.metadata ?? new MetaData()
  const registry = new Registry()
  const modelOf = <S extends ColumnSpecs>(table: Table<S>): ModelClass<S> => {
    abstract class Model {
      /** The columns; reading them configures the class (so its relationships know their owner). */
      static get c(): TableColumns<S> {
        if (this !== Model) registry.mapperOf(this, `${(this as { name?: string }).name ?? 'model'}.c`)
        return table.c
      }
      static readonly __table__ = table
      static [CLAUSE](this: unknown): ColumnGroup {
        return registry.mapperOf(this, 'select()').group
      }
      constructor(init?: Readonly<Record<string, unknown>>) {
        registry.mapperOf(new.target, `new ${new.target.name}()`).initInstance(this, init)
      }
    }
    return Model as unknown as ModelClass<S>
  }
  return {
    metadata,
    registry,
    model: (tableName, columns, ...constraints) => modelOf(new Table(tableName, metadata, columns, ...constraints)),
    modelOf,
    mapperOf: (cls) => registry.mapperOf(cls),
  }
}
