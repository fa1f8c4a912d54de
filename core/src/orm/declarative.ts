import { MetaData } from '../schema/metadata.js'
import type { ForeignKeyConstraint, TableConstraint } from '../schema/constraints.js'
import { Table } from '../sql/table.js'
import type { ColumnSpecs, ConstructorColumns, SpecValue, TableColumns } from '../sql/table.js'
import { CLAUSE } from '../sql/select.js'
import type { ColumnGroup } from '../sql/select.js'
import type { ColumnKeys, LoadedValue } from '../sql/loaded.js'
import type { ColumnSpec } from '../schema/column-spec.js'
import { Registry } from './mapper.js'
import { awaitableAttrs } from './awaitable-attrs.js'
import type { AwaitableAttrs, MappedInstance } from './awaitable-attrs.js'
import type { Mapper } from './mapper.js'
import { MODEL_BASE, SUBCLASS, declareSubclass } from './inheritance.js'

/** The column values of a model instance. */
export type ModelValues<S extends ColumnSpecs> = { -readonly [K in keyof S]: SpecValue<S[K]> }

/** The columns a query's column options may leave out: not keys, version counters, discriminators or foreign keys. */
type MayUnload<S extends ColumnSpecs> = { [K in keyof S]: S[K] extends ColumnSpec<unknown, boolean, infer Ref, infer Key> ? (Ref extends false ? (Key extends false ? K : never) : never) : never }[keyof S] & string

/** The keys of a class's instance type that hold data (not methods), beyond its columns. */
type RelationshipKeys<S extends ColumnSpecs, Self> = {
  [K in keyof Self]: K extends keyof S ? never : Self[K] extends (...args: never[]) => unknown ? never : K
}[keyof Self]

/**
 * What a model constructor takes: its columns, typed, with the NOT NULL columns that have no
 * default required (foreign keys excepted: a relationship usually sets them) and unknown keys
 * rejected; and, when the class names itself (`Base.model(…)<Post>`), its relationships, typed
 * by their `declare`d fields. An unknown key is also an error at run time, listing the valid ones.
 */
export type ModelInit<S extends ColumnSpecs, Self = never, Refs extends PropertyKey = never> = ConstructorColumns<S, Refs> &
  ([Self] extends [never] ? unknown : { [K in RelationshipKeys<S, Self>]?: LoadedValue<Self[K]> })

/** `new Model(init)`, with `init` optional only when no column is required. */
type InitArgs<S extends ColumnSpecs, Self, Refs extends PropertyKey> = {} extends ConstructorColumns<S, Refs>
  ? [init?: ModelInit<S, Self, Refs>]
  : [init: ModelInit<S, Self, Refs>]

/** The column keys of the table-level foreign keys among a model's constraints. */
type ConstraintReferences<C> = C extends readonly unknown[] ? { [I in keyof C]: C[I] extends ForeignKeyConstraint<infer K> ? K : never }[number] : never

/**
 * The class a model extends: typed columns at class level (`.c`) and on instances. Its
 * constructor takes the class's own type as an optional type argument, so that relationship
 * values given to the constructor are checked too:
 * ```ts
 * class Post extends Base.model('posts', { … })<Post> {
 *   declare author: Author
 *   static author = relationship(() => Author, { backPopulates: 'posts' })
 * }
 * new Post({ title: 'Hello', author })     // author must be an Author
 * ```
 */
/** What every model instance has beside its columns. */
export interface ModelInstance extends MappedInstance {
  /**
   * Each relationship as a promise of its value, loaded on the first await if it is not loaded:
   * `const posts = await author.$.posts`. See {@link AwaitableAttrs}.
   */
  readonly $: AwaitableAttrs<this>
}

export interface ModelClass<S extends ColumnSpecs, Refs extends PropertyKey = never, Parent = unknown> {
  new <Self = never>(...args: InitArgs<S, Self, Refs>): Parent & ModelValues<S> & ColumnKeys<keyof S & string, MayUnload<S>> & ModelInstance
  /** Typed column expressions: `User.c.name.eq('Alice')`. */
  readonly c: TableColumns<S>
  /** The mapped table (a subclass's own, or the one it shares with its parent). */
  readonly __table__: Table<S>
  [CLAUSE](): ColumnGroup
  /**
   * The base class for a subclass of this mapped class, in its root's `polymorphic()` hierarchy:
   * its rows in this class's table (single-table: `columns` are added to it and must be nullable
   * or have a default), or with `{ table }` in a table of its own holding `columns`, keyed like
   * this one's and joined to it (joined-table).
   * ```ts
   * class Manager extends Employee.subclass({ budget: mappedColumn(Integer, { nullable: true }) }) {}
   * class Engineer extends Employee.subclass({ language: mappedColumn(String(30)) }, { table: 'engineers' }) {}
   * ```
   */
  subclass<This extends abstract new (...args: never[]) => object, const S2 extends ColumnSpecs = {}>(
    this: This, columns?: S2, options?: { readonly table?: string },
  ): ModelClass<S & S2, Refs, InstanceType<This>>
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
  model<const S extends ColumnSpecs, const C extends readonly (TableConstraint | { schema: string })[] = []>(
    tableName: string,
    columns: S,
    ...constraints: C
  ): ModelClass<S, ConstraintReferences<C>>
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
      static readonly [MODEL_BASE] = true
      /** The columns; reading them configures the class (so its relationships know their owner). */
      static get c(): TableColumns<S> {
        if (this === Model) return table.c
        return registry.mapperOf(this, `${(this as { name?: string }).name ?? 'model'}.c`).c as TableColumns<S>
      }
      static readonly __table__: Table = table
      static [CLAUSE](this: unknown): ColumnGroup {
        return registry.mapperOf(this, 'select()').group
      }
      static subclass(this: abstract new (...args: never[]) => object, columns: ColumnSpecs = {}, options: { readonly table?: string } = {}): unknown {
        // The parent's table, not its mapper: configuring it here would run before later classes exist.
        const spec = declareSubclass(this, (this as unknown as { __table__: Table }).__table__, columns, options.table)
        abstract class Subclass extends (this as unknown as typeof Model) {
          static override readonly __table__: Table = spec.table
        }
        Object.defineProperty(Subclass, SUBCLASS, { value: spec })
        return Subclass
      }
      constructor(init?: Readonly<Record<string, unknown>>) {
        const mapper = registry.mapperOf(new.target, `new ${new.target.name}()`)
        mapper.initInstance(this, init)
        // Built by this constructor alone, as `new` builds it before the subclass's own code runs.
        if (!mapper.newShapeKept) mapper.keepNewShape(() => Reflect.construct(Model, [], new.target) as object)
      }
      /** The relationships as promises: `await author.$.posts`. */
      get $(): object {
        return awaitableAttrs(this)
      }
    }
    return Model as unknown as ModelClass<S>
  }
  return {
    metadata,
    registry,
    // The composite foreign keys only loosen the constructor's type; the class is the same.
    model: <const S extends ColumnSpecs, const C extends readonly (TableConstraint | { schema: string })[]>(tableName: string, columns: S, ...constraints: C) =>
      modelOf(new Table(tableName, metadata, columns, ...constraints)) as ModelClass<S, ConstraintReferences<C>>,
    modelOf,
    mapperOf: (cls) => registry.mapperOf(cls),
  }
}
