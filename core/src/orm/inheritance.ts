/**
 * Inheritance mapping, as SQLAlchemy does it: a class hierarchy whose rows are told apart by a
 * discriminator column, stored in one table (single-table: a subclass's columns are added to its
 * parent's table) or in a table per subclass holding its own columns, joined to its parent's on
 * the primary key (joined-table). Loading a class loads its subclasses too ("polymorphic"): the
 * select list holds the columns of the whole hierarchy below it, and each row becomes an object of
 * the class its discriminator names.
 */
import { ArgumentError } from '../util/errors.js'
import { and } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { Column } from '../sql/column.js'
import { Join, TableAlias } from '../sql/from.js'
import { ColumnRef } from '../sql/column.js'
import { transform } from '../sql/transform.js'
import type { FromClause } from '../sql/from.js'
import { ColumnGroup } from '../sql/select.js'
import type { Select } from '../sql/select.js'
import { Table } from '../sql/table.js'
import type { ColumnSpecs } from '../sql/table.js'
import { ColumnSpec, ForeignKey } from '../schema/column-spec.js'
import type { Mapper } from './mapper.js'
import type { SqlType } from '../types/sql-type.js'

type AnyClass = abstract new (...args: never[]) => unknown

/** The classes of a hierarchy and their discriminator values, declared as the root's `static polymorphic`: see {@link polymorphic}. */
export class Polymorphic {
  readonly classes: () => Readonly<Record<string, AnyClass>>
  constructor(classes: () => Readonly<Record<string, AnyClass>>) {
    this.classes = classes
  }
}

/**
 * Declares the root of a class hierarchy, as its `static polymorphic`: each class's value in the
 * root's discriminator column (`discriminator: true`) — in a function, so that the subclasses
 * may be defined after the root (and in a static, not an argument of `Base.model()`, because a
 * class cannot name itself in the expression it extends).
 * ```ts
 * class Employee extends Base.model('employees', {
 *   id: mappedColumn(Integer, { primaryKey: true }),
 *   name: mappedColumn(String(50)),
 *   type: mappedColumn(String(20), { discriminator: true }),
 * }) {
 *   static polymorphic = polymorphic(() => ({ employee: Employee, manager: Manager, engineer: Engineer }))
 * }
 * class Manager extends Employee.subclass({ budget: mappedColumn(Integer, { nullable: true }) }) {}
 * class Engineer extends Employee.subclass({ language: mappedColumn(String(30)) }, { table: 'engineers' }) {}
 * ```
 */
export function polymorphic(classes: () => Readonly<Record<string, AnyClass>>): Polymorphic {
  if (typeof classes !== 'function') throw new ArgumentError('polymorphic(classes) takes the classes as a function, e.g. () => ({ employee: Employee, manager: Manager }), so that subclasses defined later can be named.')
  return new Polymorphic(classes)
}

/** Own static of the class `Base.model()` makes: the top of a mapped class's chain. */
export const MODEL_BASE = Symbol('athanor.modelBase')
/** Own static of the class `subclass()` makes: how the subclass's rows are stored. */
export const SUBCLASS = Symbol('athanor.subclass')

/** Columns single-table subclasses added to their parents' tables: not the parents' own. */
const SUBCLASS_COLUMNS = new WeakSet<Column<unknown>>()

/** A root class's columns: its table's, without those its single-table subclasses added. */
export function ownColumns(table: Table): readonly Column<unknown>[] {
  const all = table.columnList
  // A copy: the table's list grows when subclasses defined later add their columns.
  return all.filter((c) => !SUBCLASS_COLUMNS.has(c))
}

/** How a subclass is stored, fixed when `subclass()` runs (so DDL sees its columns). */
export interface SubclassSpec {
  /** The mapped class `subclass()` was called on. */
  readonly parent: AnyClass
  readonly joined: boolean
  /** Its own table (joined) or its parent's (single). */
  readonly table: Table
  /** Its own attribute columns (a joined table's key columns excepted). */
  readonly columns: readonly Column<unknown>[]
}

/**
 * The storage of a subclass: a single-table subclass's columns are added to `parentTable`, which
 * they must not make unwritable for the other classes' rows (so they are nullable or have a
 * default); a joined-table subclass gets a table of its own, keyed like its parent's, with a
 * foreign key to it.
 */
export function declareSubclass(parent: AnyClass, parentTable: Table, columns: ColumnSpecs, table: string | undefined): SubclassSpec {
  const owner = `${parent.name}.subclass()`
  if (table === undefined) {
    for (const [key, spec] of Object.entries(columns)) {
      const o = spec.options
      if (!(o.nullable ?? false) && o.default === undefined && o.serverDefault === undefined && o.computed === undefined) {
        throw new ArgumentError(`${owner}: column '${key}' is NOT NULL, but the subclass's rows share table '${parentTable.fullName}' with ${parent.name}'s, which have no value for it; make it nullable: true (or give it a default), or store the subclass in its own table: subclass({ … }, { table: '…' }).`)
      }
    }
    const added = parentTable.addColumns(columns, owner)
    for (const c of added) SUBCLASS_COLUMNS.add(c)
    return { parent, joined: false, table: parentTable, columns: added }
  }
  const keys: ColumnSpecs = {}
  for (const k of parentTable.primaryKey) {
    if (Object.hasOwn(columns, k.key_)) throw new ArgumentError(`${owner}: '${k.key_}' is the key ${table} shares with ${parentTable.fullName}, made for you; leave it out of the subclass's columns.`)
    keys[k.key_] = new ColumnSpec(k.type as SqlType<NonNullable<unknown>>, { primaryKey: true, name: k.name }, [ForeignKey(`${parentTable.fullName}.${k.name}`)])
  }
  const own = new Table(table, parentTable.metadata, { ...keys, ...columns }, ...(parentTable.schema === undefined ? [] : [{ schema: parentTable.schema }]))
  return { parent, joined: true, table: own, columns: own.columnList.filter((c) => !Object.hasOwn(keys, c.key_)) }
}

/**
 * The declared parent of a mapped class, or undefined for a root. A class that extends a mapped
 * class directly (not through `subclass()`) is refused: it would read every parent row as its own.
 */
export function declaredParent(cls: AnyClass): SubclassSpec | undefined {
  if (Object.hasOwn(cls, MODEL_BASE)) return undefined
  const up = Object.getPrototypeOf(cls) as unknown
  if (typeof up !== 'function') return undefined
  if (Object.hasOwn(up, MODEL_BASE)) return undefined
  if (Object.hasOwn(up, SUBCLASS)) return (up as unknown as Record<symbol, SubclassSpec>)[SUBCLASS]
  if (!('__table__' in up)) return undefined
  throw new ArgumentError(
    `${cls.name} extends the mapped class ${up.name} without saying how its rows are stored, so every ${up.name} row would load as a ${cls.name}. ` +
      `Extend ${up.name}.subclass({ …its columns }) (single table: its rows in ${up.name}'s table) or ${up.name}.subclass({ … }, { table: '…' }) (joined table), ` +
      `and name it in the root's static polymorphic = polymorphic(() => ({ …, <value>: ${cls.name} })).`,
  )
}

/** A table of a mapped class and the class's columns stored in it, for the unit of work. */
export interface TablePart {
  readonly table: Table
  /** Attribute columns stored in this table; a joined table's key columns carry the root key's attribute keys. */
  readonly columns: readonly Column<unknown>[]
}

/**
 * The classes of one hierarchy and their discriminator values, read from the root's
 * `polymorphic()` on first use (when every module has loaded).
 */
export class Hierarchy {
  readonly root: Mapper
  readonly on: Column<unknown>
  readonly #declared: Polymorphic
  #byValue: Map<string, AnyClass> | undefined
  #byClass: Map<AnyClass, string> | undefined
  constructor(root: Mapper, declared: Polymorphic) {
    this.root = root
    this.#declared = declared
    const marked = root.columns.filter((c) => c.discriminator)
    if (marked.length !== 1) {
      throw new ArgumentError(`${root.className}.polymorphic needs one discriminator column in ${root.className}'s table, and it has ${marked.length === 0 ? 'none' : marked.map((c) => c.key_).join(', ')}: mark the column that holds each row's class with mappedColumn(String(20), { discriminator: true }).`)
    }
    const on = marked[0]!
    this.on = on
  }

  #read(): void {
    if (this.#byValue !== undefined) return
    const classes = this.#declared.classes()
    const byValue = new Map<string, AnyClass>()
    const byClass = new Map<AnyClass, string>()
    for (const [value, cls] of Object.entries(classes)) {
      if (typeof cls !== 'function') throw new ArgumentError(`${this.root.className}'s polymorphic() names ${String(cls)} for '${value}'; give a mapped class (is it defined yet?).`)
      if (cls !== this.root.cls && !(cls.prototype instanceof this.root.cls)) throw new ArgumentError(`${this.root.className}'s polymorphic() names ${cls.name} for '${value}', which does not extend ${this.root.className}.`)
      if (byClass.has(cls)) throw new ArgumentError(`${this.root.className}'s polymorphic() names ${cls.name} twice ('${byClass.get(cls)}' and '${value}'); give each class one value.`)
      byValue.set(value, cls)
      byClass.set(cls, value)
    }
    this.#byValue = byValue
    this.#byClass = byClass
  }

  /** A class's discriminator value; undefined for a root left out of the map (rows are never of it exactly). */
  identityOf(m: Mapper): string | undefined {
    this.#read()
    const v = this.#byClass!.get(m.cls)
    if (v === undefined && m !== this.root) {
      throw new ArgumentError(`${m.className} extends ${this.root.className}, but ${this.root.className}.polymorphic does not name it: add <its value>: ${m.className} to polymorphic(() => ({ … })).`)
    }
    return v
  }

  /** The mappers of every class in the hierarchy (configured on the way). */
  get mappers(): Mapper[] {
    this.#read()
    return [...this.#byValue!.values()].map((cls) => this.root.registry.mapperOf(cls, `${this.root.className}'s polymorphic()`))
  }

  /** The class of a row loaded as `loading`, by its discriminator value. */
  mapperFor(value: unknown, loading: Mapper): Mapper {
    this.#read()
    const cls = this.#byValue!.get(String(value))
    const m = cls === undefined ? undefined : this.root.registry.mapperOf(cls)
    if (m === undefined || !m.isa(loading)) {
      const known = [...this.#byValue!.keys()].map((k) => `'${k}'`).join(', ')
      throw new ArgumentError(
        m === undefined
          ? `A row of ${this.root.table.fullName} has ${this.on.key_} = ${JSON.stringify(value)}, which ${this.root.className}'s polymorphic() does not name (it names ${known}); add the class for it, or correct the row.`
          : `A row loaded as ${loading.className} has ${this.on.key_} = ${JSON.stringify(value)}, the value of ${m.className}, which is not a ${loading.className}.`,
      )
    }
    return m
  }
}

/** How a class's rows are selected: the hierarchy below it, and where each class's columns are. */
export interface PolymorphicLoad {
  readonly group: ColumnGroup
  /** Position of the discriminator in the group. */
  readonly on: number
  /** Per class, the group position of each of its columns (in mapper column order). */
  readonly layouts: ReadonlyMap<Mapper, readonly number[]>
}

/**
 * The select-list item for `m` in a hierarchy: its columns, then each subclass's own, from its
 * tables inner-joined up to the root and its subclasses' tables outer-joined.
 */
export function polymorphicLoad(m: Mapper, hierarchy: Hierarchy): PolymorphicLoad {
  const below = hierarchy.mappers.filter((d) => d !== m && d.isa(m))
  const columns = [...m.columns]
  let from: FromClause = ownTables(m)
  for (const d of below) {
    for (const part of d.tables) if (!m.tables.some((p) => p.table === part.table) && !(from.leaves as readonly FromClause[]).includes(part.table)) from = new Join(from, part.table, joinOn(m.root, part.table), 'LEFT')
    for (const c of d.columns) if (!columns.includes(c)) columns.push(c)
  }
  const layouts = new Map<Mapper, number[]>()
  for (const d of [m, ...below]) layouts.set(d, d.columns.map((c) => columns.indexOf(c)))
  return { group: new ColumnGroup(from, columns, m), on: columns.indexOf(hierarchy.on), layouts }
}

/** The tables of `m`'s rows inner-joined on the key (its one table when it has one). */
export function ownTables(m: Mapper): FromClause {
  let from: FromClause = m.root.table
  for (const part of m.tables.slice(1)) from = new Join(from, part.table, joinOn(m.root, part.table), 'INNER')
  return from
}

/** `child.key = root.key` for a joined table. */
function joinOn(root: Mapper, table: Table): Expression<boolean> {
  return and(...table.primaryKey.map((k, i) => k.eq(root.table.primaryKey[i] as never)))
}

/** The criterion that keeps a single-table subclass's select to its rows: `type IN (its values and its subclasses')`. */
export function subclassCriteria(m: Mapper, hierarchy: Hierarchy): Expression<boolean> {
  const values = hierarchy.mappers.filter((d) => d.isa(m)).map((d) => hierarchy.identityOf(d)).filter((v) => v !== undefined)
  return hierarchy.on.in(values as never[])
}

/**
 * `statement` with the criteria of the single-table subclasses it selects as entities (on the
 * alias they are selected from, if any).
 */
export function withSubclassCriteria(statement: Select): Select {
  const criteria: Expression<boolean>[] = []
  for (const c of statement.state.columns) {
    if (!(c instanceof ColumnGroup) || !(c.entity instanceof Object) || !('criteria' in c.entity)) continue
    const where = (c.entity as Mapper).criteria
    if (where !== undefined) criteria.push(onFrom(where, c.from))
  }
  return criteria.length === 0 ? statement : statement.where(...criteria)
}

/** `expr` moved onto `from` when that is an alias of the table it names. */
export function onFrom(expr: Expression<boolean>, from: FromClause): Expression<boolean> {
  if (!(from instanceof TableAlias)) return expr
  return transform(expr, { leave: (n) => (n instanceof ColumnRef && n.from === from.target ? (from.corresponding(n) ?? n) : n) })
}
