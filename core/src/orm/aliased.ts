import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { TableAlias } from '../sql/from.js'
import type { AliasColumns } from '../sql/from.js'
import { CLAUSE, ColumnGroup } from '../sql/select.js'
import type { EntityAlias } from '../sql/select.js'
import { Mapper } from './mapper.js'
import type { Column } from '../sql/column.js'

/** What `aliased()` takes: a mapped class (its `.c` columns and its instances). */
type MappedClass = (abstract new (...args: never[]) => object) & { readonly c: object; readonly __table__: unknown }

/**
 * A mapped class under another name in one statement: `FROM employees AS manager`. Select it to
 * get objects of the class, join it, compare its columns (`Manager.c.id`), or join a
 * relationship to it with `Employee.manager.of(Manager)`.
 */
export class AliasedEntity<I, C> implements EntityAlias<I> {
  declare readonly __entity: I
  /** The alias's columns, keyed like the class's. */
  readonly c: C
  readonly alias: TableAlias
  readonly mapper: Mapper
  readonly #group: ColumnGroup
  constructor(mapper: Mapper, name: string) {
    this.mapper = mapper
    this.alias = new TableAlias(mapper.table, name)
    this.c = this.alias.c as C
    // A hierarchy's rows carry its subclasses' columns too; over several tables it has no one alias.
    if (mapper.group.from !== mapper.table) throw new ArgumentError(`aliased(${mapper.className}): ${mapper.className}'s rows are stored in several tables (joined-table inheritance), which one alias cannot stand for; alias its tables with Core instead.`)
    this.#group = new ColumnGroup(this.alias, mapper.group.columns.map((col) => this.alias.corresponding(col as Column<unknown>)!), mapper)
  }
  [CLAUSE](): ColumnGroup {
    return this.#group
  }
  get description(): string {
    return `${this.mapper.className} AS ${this.alias.name}`
  }
}

/**
 * An alias of a mapped class, for self-joins and for the same class twice in one query.
 * ```ts
 * const Manager = aliased(Employee, 'manager')
 * const rows = await session.execute(select(Employee, Manager).join(Employee.manager.of(Manager)))   // [Employee, Employee][]
 * ```
 */
export function aliased<K extends MappedClass>(cls: K, name: string): AliasedEntity<InstanceType<K>, AliasColumns<K['c']>> {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ArgumentError(`aliased() takes a name for the alias (letters, digits, '_'), not ${describeValue(name)}: aliased(${typeof cls === 'function' ? cls.name : 'Model'}, 'manager').`)
  }
  const group = typeof cls === 'function' && CLAUSE in cls ? (cls as unknown as { [CLAUSE](): unknown })[CLAUSE]() : undefined
  if (!(group instanceof ColumnGroup) || !(group.entity instanceof Mapper)) {
    throw new ArgumentError(`aliased() takes a mapped class (one that extends Base.model(...)), not ${describeValue(cls)}.`)
  }
  return new AliasedEntity(group.entity, name)
}
