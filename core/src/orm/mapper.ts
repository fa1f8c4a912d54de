import { ArgumentError } from '../util/errors.js'
import { installValidated, validatedAttributes } from './validated-attributes.js'
import type { ValidatedAttribute } from './validated-attributes.js'
import type { Column } from '../sql/column.js'
import { DecoratedType } from '../types/type-decorator.js'
import { WATCH_DATES, copierFor, watchDates } from './mutable-values.js'
import type { Copier } from './mutable-values.js'
import { ColumnGroup } from '../sql/select.js'
import type { Table } from '../sql/table.js'
import { attachState, maybeState } from './instance-state.js'
import { keepShape } from '../util/kept-shapes.js'
import { columnSetter, columnsCleared, rowBuilder } from './compiled-stores.js'
import { oneColumnKey } from './identity-key.js'
import type { IdentityKey } from './identity-key.js'
import type { InstanceState } from './instance-state.js'
import { Relationship } from './relationship.js'
import { getRelated, setRelated } from './attributes.js'
import { WriteOnlyCollection } from './write-only.js'
import { UNLOADED } from './unloaded-columns.js'
import { ColumnProperty } from './column-property.js'
import { EventBus } from '../util/events.js'
import type { MapperEvents } from './orm-events.js'
import { columnNamespace } from '../sql/column-namespace.js'
import type { Expression } from '../sql/elements.js'
import { Hierarchy, Polymorphic, declaredParent, ownColumns, polymorphicLoad, subclassCriteria } from './inheritance.js'
import type { PolymorphicLoad, SubclassSpec, TablePart } from './inheritance.js'

type AnyClass = abstract new (...args: never[]) => unknown

let nextMapperId = 0

/** The mappers of one declarative base: class → mapper. */
export class Registry {
  readonly #byClass = new Map<unknown, Mapper>()
  /** Mapper events for this registry's classes (plugins registered on a declarative base). */
  readonly events = new EventBus<MapperEvents>()

  /** The mapper of a mapped class, configuring it on first use. */
  mapperOf(cls: unknown, context = 'this operation'): Mapper {
    let m = this.#byClass.get(cls)
    if (m) return m
    const table = (cls as { __table__?: Table }).__table__
    if (typeof cls !== 'function' || !table) {
      throw new ArgumentError(`${context} needs a mapped class (one that extends Base.model(...)), not ${typeof cls === 'function' ? cls.name : String(cls)}.`)
    }
    const spec = declaredParent(cls as AnyClass)
    const parent = spec === undefined ? undefined : this.mapperOf(spec.parent, context)
    if ((m = this.#byClass.get(cls))) return m // configuring the parent configured this class
    m = new Mapper(this, cls as AnyClass, table, parent, spec)
    this.#byClass.set(cls, m)
    m.configure()
    // The classes it relates to are configured too (and theirs, in turn), so that their
    // relationships know their owners before a query names them (Order.items.any(…)).
    for (const rel of m.relationships) {
      let target: unknown
      try {
        target = rel.targetClass
      } catch (e) {
        if (e instanceof ReferenceError) continue // used while its module still loads: configured on first use
        throw e
      }
      if (target !== cls && !this.#byClass.has(target)) this.mapperOf(target, `${rel.description}`)
    }
    return m
  }

  has(cls: unknown): boolean {
    return this.#byClass.has(cls)
  }

  /** The mappers configured so far. */
  get mappers(): Iterable<Mapper> {
    return this.#byClass.values()
  }
}

/** A registry for classes mapped outside a declarative base (shared). */
export const defaultRegistry = new Registry()

/**
 * The link between a class and its table: column attributes, the primary key, relationships,
 * and how instances are created and identified. Built on first use of the class.
 */
export class Mapper {
  readonly id = ++nextMapperId
  readonly registry: Registry
  readonly cls: AnyClass
  readonly table: Table
  readonly columns: readonly Column<unknown>[]
  readonly columnKeys: readonly string[]
  readonly columnIndex: ReadonlyMap<string, number>
  readonly pkIndexes: readonly number[]
  readonly #plainGroup: ColumnGroup | undefined
  #polymorphic: PolymorphicLoad | undefined
  #criteria: Expression<boolean> | undefined

  /** The entity as a select-list item: its columns (and in a hierarchy, its subclasses') plus this mapper. */
  get group(): ColumnGroup {
    return this.#plainGroup ?? this.polymorphic!.group
  }

  /** In a hierarchy, how rows of this class and its subclasses are selected and told apart. */
  get polymorphic(): PolymorphicLoad | undefined {
    if (this.hierarchy === undefined) return undefined
    return (this.#polymorphic ??= polymorphicLoad(this, this.hierarchy))
  }

  /** For a single-table subclass, the WHERE that keeps a select to its rows (`type IN (…)`). */
  get criteria(): Expression<boolean> | undefined {
    if (this.inherits !== 'single') return undefined
    return (this.#criteria ??= subclassCriteria(this, this.hierarchy!))
  }

  /** Whether this class is `other` or one of its subclasses. */
  isa(other: Mapper): boolean {
    for (let m: Mapper | undefined = this; m !== undefined; m = m.parent) if (m === other) return true
    return false
  }

  /** This class's discriminator value, in a hierarchy. */
  get identity(): string | undefined {
    return this.hierarchy?.identityOf(this)
  }
  readonly #relationships = new Map<string, Relationship>()
  #relationshipList: readonly Relationship[] | undefined
  /** A text key's start (identity-key.ts): the root's id, so a row has one object whichever class loads it. */
  readonly #keyPrefix: string
  /** The mapped class this one extends (`Parent.subclass()`), and the root of its hierarchy. */
  readonly parent: Mapper | undefined
  readonly root: Mapper
  /** How a subclass is stored: in its parent's table, or in its own joined to it. */
  readonly inherits: 'single' | 'joined' | undefined
  /** The classes of this one's hierarchy and its discriminator (inheritance.ts). */
  readonly hierarchy: Hierarchy | undefined
  /** The tables of this class's rows, root first, with the columns each stores. */
  readonly tables: readonly TablePart[]
  /** Typed column expressions (`Manager.c`): the table's, or for a subclass its own and inherited ones. */
  readonly c: object

  constructor(registry: Registry, cls: AnyClass, table: Table, parent?: Mapper, spec?: SubclassSpec) {
    this.registry = registry
    this.cls = cls
    this.parent = parent
    this.root = parent?.root ?? this
    this.#keyPrefix = `${this.root.id}\u0001`
    this.inherits = spec === undefined ? undefined : spec.joined ? 'joined' : 'single'
    this.table = spec?.table ?? table
    if (parent === undefined) {
      this.columns = ownColumns(table)
      this.tables = [{ table, columns: this.columns }]
      const declared = Object.hasOwn(cls, 'polymorphic') ? (cls as unknown as { polymorphic: unknown }).polymorphic : undefined
      this.hierarchy = declared instanceof Polymorphic ? new Hierarchy(this, declared) : undefined
      this.c = table.c
    } else {
      if (parent.hierarchy === undefined) {
        throw new ArgumentError(`${cls.name} extends ${parent.className}.subclass(), but ${parent.root.className} has no discriminator: declare one on ${parent.root.className}: static polymorphic = polymorphic(() => ({ … })), with its discriminator column marked { discriminator: true }.`)
      }
      this.hierarchy = parent.hierarchy
      this.columns = [...parent.columns, ...spec!.columns]
      this.tables = spec!.joined
        ? [...parent.tables, { table: spec!.table, columns: [...spec!.table.primaryKey, ...spec!.columns] }]
        : parent.tables.map((p) => (p.table === spec!.table ? { table: p.table, columns: [...p.columns, ...spec!.columns] } : p))
      this.c = columnNamespace(cls.name, Object.fromEntries(this.columns.map((col) => [col.key_, col])))
    }
    this.columnKeys = this.columns.map((c) => c.key_)
    this.columnIndex = new Map(this.columnKeys.map((k, i) => [k, i]))
    this.pkIndexes = this.columns.flatMap((c, i) => (c.primaryKey ? [i] : []))
    if (this.pkIndexes.length === 0) {
      throw new ArgumentError(`${cls.name} maps table '${table.name}', which has no primary key; the ORM needs one to identify rows. Add primaryKey: true to a column.`)
    }
    const decoratedKey = this.pkIndexes.map((i) => this.columns[i]!).find((c) => c.type instanceof DecoratedType)
    if (decoratedKey !== undefined) {
      throw new ArgumentError(`${cls.name}.${decoratedKey.key_} is a primary key of the custom type ${decoratedKey.type.description}; identity keys need the stored value, so map the key with the underlying type (and convert in your code).`)
    }
    this.#copiers = this.columns.map(copierFor)
    this.#mutable = this.#copiers.some((c) => c !== undefined)
    this.dateIndexes = WATCH_DATES ? this.columns.flatMap((c, i) => (c.type.kind === 'datetime' && !(c.type instanceof DecoratedType) ? [i] : [])) : []
    const versions = this.columns.filter((c) => c.nextVersion !== undefined)
    if (versions.length > 1) throw new ArgumentError(`${cls.name} has ${versions.length} version counters (${versions.map((c) => c.key_).join(', ')}); a row has one: keep versionId on one column.`)
    this.versionColumn = versions[0]
    this.validated = validatedAttributes(cls.name, this.columns)
    this.#plainGroup = this.hierarchy === undefined ? new ColumnGroup(this.table, this.columns, this) : undefined
    this.deferredIndexes = this.columns.flatMap((c, i) => (c.deferred ? [i] : []))
    this.computedColumns = this.columns.filter((c) => c.computed !== undefined)
    this.defaultedColumns = this.columns.filter((c) => c.default !== undefined || c.nextVersion !== undefined)
  }

  /** Read-only attributes computed by SQL, loaded after the objects (column-property.ts). */
  readonly columnProperties: ColumnProperty[] = []

  /** Generated columns: never written, read back after each INSERT and UPDATE. */
  readonly computedColumns: readonly Column<unknown>[]

  /** Columns with a client default or a version counter: a new object that leaves one out gets it at flush. */
  readonly defaultedColumns: readonly Column<unknown>[]

  /** Columns declared `deferred: true`: left out of loads unless a query undefers them. */
  readonly deferredIndexes: readonly number[]
  get hasDeferred(): boolean {
    return this.deferredIndexes.length > 0
  }
  /** Set once any load of this class left columns out: only then do held objects need filling from fuller rows. */
  partialLoads = false
  /**
   * Columns every load includes: the key, the version counter, and the columns relationships join
   * on (computed per query that defers: classes configured later may add relationships).
   */
  get alwaysLoaded(): ReadonlySet<number> {
    const out = new Set<number>(this.pkIndexes)
    if (this.hierarchy !== undefined) out.add(this.columns.indexOf(this.hierarchy.on))
    if (this.versionColumn !== undefined) out.add(this.columns.indexOf(this.versionColumn))
    for (const rel of this.relationships) {
      if (rel.direction === 'many-to-many') continue
      for (const p of rel.pairs) for (const c of [p.source, p.dest]) if (c.from === this.table) out.add(this.columns.indexOf(c))
    }
    // Relationships whose other side points here join on this class's columns too.
    for (const m of this.registry.mappers) for (const rel of m.relationships) {
      if (rel.direction === 'many-to-many' || rel.target !== this) continue
      for (const p of rel.pairs) for (const c of [p.source, p.dest]) if (c.from === this.table) out.add(this.columns.indexOf(c))
    }
    return out
  }

  /** Column attributes with a validator: accessors on each object (validated-attributes.ts). */
  readonly validated: readonly ValidatedAttribute[]

  /** The version counter column (`versionId`), checked by every UPDATE and DELETE of the unit of work. */
  readonly versionColumn: Column<unknown> | undefined
  /** Per column, how to copy a value that can change in place (JSON, Date, bytes); see mutable-values.ts. */
  readonly #copiers: readonly (Copier | undefined)[]
  readonly #mutable: boolean

  /** Date columns watched for in-place changes (outside production; see mutable-values.ts). */
  readonly dateIndexes: readonly number[]

  /**
   * `values` (in column order) as a committed snapshot: the same array when no column holds
   * values that can change in place, else a copy whose JSON documents, Dates and bytes are copies,
   * so that an in-place change to the object's value shows as a difference.
   */
  snapshot(values: readonly unknown[], fresh = false): unknown[] {
    if (this.dateIndexes.length > 0) watchDates(values, this.dateIndexes)
    if (!this.#mutable) return values as unknown[]
    const copiers = this.#copiers
    // A fresh array (a driver row, values() just read) is not held elsewhere: convert it in place.
    const out = fresh ? (values as unknown[]) : values.slice()
    for (let i = 0; i < out.length; i++) {
      const copy = copiers[i]
      if (copy !== undefined && out[i] !== UNLOADED) out[i] = copy(out[i])
    }
    return out
  }

  /**
   * Whether a loaded row can be kept as the committed snapshot as it is (InstanceState.commitRow):
   * no column needs a copy, and no Date is watched (production).
   */
  get snapshotsRows(): boolean {
    return !this.#mutable && this.dateIndexes.length === 0
  }

  get className(): string {
    return this.cls.name
  }

  /** Finds the class's static relationships and installs instance accessors for them. */
  configure(): void {
    // A subclass shares its parent's relationships and column properties (bound to the parent).
    if (this.parent !== undefined) {
      for (const r of this.parent.relationships) this.#relationships.set(r.key, r)
      this.columnProperties.push(...this.parent.columnProperties)
    }
    const stop = this.parent?.cls ?? Function.prototype
    for (let c: unknown = this.cls; typeof c === 'function' && c !== stop; c = Object.getPrototypeOf(c)) {
      for (const key of Object.getOwnPropertyNames(c)) {
        const v: unknown = (c as unknown as Record<string, unknown>)[key]
        if (v instanceof ColumnProperty) {
          if (!this.columnProperties.includes(v as ColumnProperty)) (v.bind(this, key), this.columnProperties.push(v as ColumnProperty))
          continue
        }
        if (!(v instanceof Relationship) || this.#relationships.has(key)) continue
        if (this.columnIndex.has(key)) throw new ArgumentError(`${this.className}.${key} is both a column and a relationship; rename one.`)
        v.bind(this, key)
        this.#relationships.set(key, v)
        this.#relationshipList = undefined
        this.#relationshipKeys = undefined
        const rel = v
        Object.defineProperty(this.cls.prototype, key, {
          configurable: true,
          enumerable: false,
          get(this: object) {
            return rel.writeOnly ? new WriteOnlyCollection(stateOfMapped(this), rel) : getRelated(stateOfMapped(this), rel)
          },
          set(this: object, value: unknown) {
            setRelated(stateOfMapped(this), rel, value)
          },
        })
      }
    }
  }

  relationship(key: string): Relationship {
    const r = this.#relationships.get(key)
    if (!r) {
      const known = [...this.#relationships.keys()]
      throw new ArgumentError(`${this.className} has no relationship '${key}'${known.length ? `; its relationships are ${known.join(', ')}` : ''}.`)
    }
    return r
  }

  get relationships(): readonly Relationship[] {
    // Read per loaded object (snapshots, loaders): cached rather than copied on every call.
    return (this.#relationshipList ??= Object.freeze([...this.#relationships.values()]))
  }

  /** The relationships' names in order: the keys every object's RelationMaps share. */
  get relationshipKeys(): readonly string[] {
    // Fixed once configured (before any object exists); a new list only while configuring.
    return (this.#relationshipKeys ??= Object.freeze([...this.#relationships.keys()]))
  }
  #relationshipKeys: readonly string[] | undefined

  hasRelationship(key: string): boolean {
    return this.#relationships.has(key)
  }

  /** The identity-map key for primary key values, or undefined when part of the key is missing. */
  identityKey(pk: readonly unknown[]): IdentityKey | undefined {
    if (pk.length === 1) {
      const v = pk[0]
      return this.#oneKey(v)
    }
    let k = String(this.root.id)
    for (const v of pk) {
      if (v === undefined || v === null) return undefined
      k += '\u0001' + (typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
    return k
  }

  /** `identityKey` of the primary key columns of the entity whose columns start at `start` in `row`, without copying them. */
  rowIdentityKey(row: readonly unknown[], start: number, keyAt: readonly number[] = this.pkIndexes): IdentityKey | undefined {
    const pk = keyAt
    if (pk.length === 1) {
      const v = row[start + pk[0]!]
      return this.#oneKey(v)
    }
    let k = String(this.root.id)
    for (const i of pk) {
      const v = row[start + i]
      if (v === undefined || v === null) return undefined
      k += '\u0001' + (typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
    return k
  }

  /** The key of a one-column primary key value; undefined when it is missing. */
  #oneKey(v: unknown): IdentityKey | undefined {
    return v === undefined || v === null ? undefined : oneColumnKey(v, this.root.id, this.#keyPrefix)
  }

  /** `identityKey(primaryKeyOf(obj))`, without the array for a one-column key (once per inserted object). */
  objectIdentityKey(obj: object): IdentityKey | undefined {
    if (this.pkIndexes.length !== 1) return this.identityKey(this.primaryKeyOf(obj))
    const v = (obj as Record<string, unknown>)[this.columnKeys[this.pkIndexes[0]!]!]
    return this.#oneKey(v)
  }

  /** The primary key values of an instance. */
  primaryKeyOf(obj: object): unknown[] {
    const o = obj as Record<string, unknown>
    return this.pkIndexes.map((i) => o[this.columnKeys[i]!])
  }

  /**
   * A new instance holding a full row's column values (from `start`), bypassing the class's
   * constructor, with its state attached: how a load builds objects. Undefined for a class
   * with validated attributes (their accessors go on each object; use `blank()`).
   */
  fromRow(row: readonly unknown[], start: number): InstanceState | undefined {
    if (this.validated.length > 0) return undefined
    const build = this.#rowBuilder ?? this.#compileRowBuilder(row, start)
    return attachState(build(row, start), this)
  }
  #rowBuilder: ((row: readonly unknown[], start: number) => object) | undefined

  #compileRowBuilder(row: readonly unknown[], start: number): (row: readonly unknown[], start: number) => object {
    const build = (this.#rowBuilder = rowBuilder(this.columnKeys, this.cls.prototype as object))
    // A loaded object's shape (and its state's) outlives the objects of any one session.
    const exemplar = attachState(build(row, start), this)
    keepShape(exemplar.obj, exemplar)
    return build
  }

  /** A new empty instance, bypassing the constructor (used when loading rows). */
  blank(): { obj: Record<string, unknown>; state: InstanceState } {
    if (!this.#blankShapeKept) {
      this.#blankShapeKept = true
      const exemplar = this.#blank()
      keepShape(exemplar.obj, exemplar.state)
    }
    return this.#blank()
  }
  #blankShapeKept = false

  #blank(): { obj: Record<string, unknown>; state: InstanceState } {
    const obj = Object.create(this.cls.prototype as object) as Record<string, unknown>
    if (this.validated.length > 0) installValidated(obj, this.validated)
    return { obj, state: attachState(obj, this) }
  }

  /**
   * @internal Keeps the shape of a new instance (see util/kept-shapes.ts), once: `make` builds one
   * the way `new` does, without running the class's own constructor code.
   */
  keepNewShape(make: () => object): void {
    if (this.#newShapeKept) return
    this.#newShapeKept = true
    try {
      const exemplar = make()
      keepShape(exemplar, stateOfMapped(exemplar))
    } catch {
      // A class that cannot be built without arguments (an abstract polymorphic base) keeps none.
    }
  }
  /** @internal Whether keepNewShape() ran. */
  get newShapeKept(): boolean {
    return this.#newShapeKept
  }
  #newShapeKept = false

  /** A new instance's columns set to undefined, and `init`'s column values stored: compiled once (compiled-stores.ts). */
  #clearColumns: ((o: object) => void) | undefined
  #setColumn: ((o: object, k: string, v: unknown) => boolean) | undefined

  /** Called by the model constructor: sets column values and relationships from `init`. */
  initInstance(obj: object, init: Readonly<Record<string, unknown>> | undefined): void {
    const state = attachState(obj, this)
    const o = obj as Record<string, unknown>
    if (this.validated.length > 0) installValidated(obj, this.validated)
    ;(this.#clearColumns ??= columnsCleared(this.columnKeys))(o)
    const on = this.hierarchy?.on
    if (on !== undefined) {
      const value = this.identity
      const given = (init as Record<string, unknown> | undefined)?.[on.key_]
      if (value === undefined) throw new ArgumentError(`new ${this.className}(): ${this.className}'s polymorphic('${on.key_}', …) gives it no value, so it has no rows of its own; add <value>: ${this.className} to it, or create one of its subclasses.`)
      if (given !== undefined && given !== value) throw new ArgumentError(`new ${this.className}(): ${on.key_} is '${value}' for every ${this.className}; leave it out (it was ${JSON.stringify(given)}).`)
      o[on.key_] = value
    }
    if (init === undefined || init === null) return
    if (typeof init !== 'object' || Array.isArray(init)) {
      throw new ArgumentError(`new ${this.className}() takes an object of attribute values, e.g. new ${this.className}({ ${this.columnKeys[1] ?? this.columnKeys[0]}: … }), not ${Array.isArray(init) ? 'an array' : `a ${typeof init}`}.`)
    }
    // for…in over own keys, not Object.keys() or entries: no array (or pairs) per new object.
    const setColumn = (this.#setColumn ??= columnSetter(this.columnKeys))
    for (const k in init) {
      if (!Object.hasOwn(init, k)) continue
      const v = init[k]
      if (setColumn(o, k, v)) continue
      if (this.#relationships.has(k)) setRelated(state, this.#relationships.get(k)!, v)
      else {
        throw new ArgumentError(`${this.className} has no attribute '${k}'; its columns are ${this.columnKeys.join(', ')}${this.#relationships.size ? ` and its relationships ${[...this.#relationships.keys()].join(', ')}` : ''}.`)
      }
    }
  }
}

function stateOfMapped(obj: object): InstanceState {
  const s = maybeState(obj)
  if (!s) throw new ArgumentError(`${obj.constructor.name} instance has no ORM state: create it with new ${obj.constructor.name}(...).`)
  return s
}
