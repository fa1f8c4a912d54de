import { ArgumentError } from '../util/errors.js'
import type { SqlType } from '../types/index.js'
import type { ColumnOptions, ForeignKeyRef } from '../schema/column-spec.js'
import { ServerDefault } from '../schema/column-spec.js'
import { Expression } from './elements.js'
import type { KeyBuilder } from './key.js'
import type { FromClause } from './from.js'

/**
 * A column of a FROM clause (a table, an alias, a subquery) as an expression.
 * `K` is its key, which names it in `mappings()` and in the ORM.
 */
export class ColumnRef<T = unknown, K extends string = string> extends Expression<T> {
  readonly kind = 'column'
  /** The key the column is reached by (`table.c.key`). */
  readonly key_: K
  /** The column's name in SQL. */
  readonly name: string
  readonly from: FromClause
  readonly type: SqlType<unknown>
  constructor(key: K, name: string, from: FromClause, type: SqlType<unknown>) {
    super()
    this.key_ = key
    this.name = name
    this.from = from
    this.type = type
  }
  /** A table column's key, the same in every walk (tables are keyed by their global id): made once. */
  #tableKey: string | undefined
  key(k: KeyBuilder): void {
    if (this.from.kind === 'table') {
      k.s += this.#tableKey ??= 'c' + k.ref(this.from) + '.' + this.name
      return
    }
    // A column of a subquery or alias carries its FROM's shape (and bound values) into the key,
    // because FROM clauses are inferred from columns at compile time.
    if (!k.seenFroms.has(this.from)) {
      k.seenFroms.add(this.from)
      this.from.key(k)
    }
    k.s += 'c' + k.ref(this.from) + '.' + this.name
  }
}

/** A table's column, with its schema definition. Reached as `table.c.key`. */
export class Column<T = unknown, K extends string = string> extends ColumnRef<T, K> {
  readonly primaryKey: boolean
  readonly nullable: boolean
  readonly autoincrement: boolean
  readonly unique: boolean
  readonly indexed: boolean
  readonly foreignKeys: readonly ForeignKeyRef[]
  readonly default: unknown
  readonly onupdate: unknown
  readonly serverDefault: ServerDefault | string | number | boolean | undefined
  readonly check: string | undefined
  readonly comment: string | undefined
  /** Makes the next version of the row from the previous one (undefined for a new row), for a version counter column. */
  readonly nextVersion: ((previous: unknown) => unknown) | undefined
  /** The ORM's check of values assigned to the attribute (ColumnOptions.validate). */
  readonly validate: ((value: unknown, object: object) => unknown) | undefined
  /** Left out of the ORM's loads unless a query undefers it (ColumnOptions.deferred). */
  readonly deferred: boolean
  /** Says which class of an inheritance hierarchy a row is (ColumnOptions.discriminator). */
  readonly discriminator: boolean
  /** The SQL a generated column is computed by, and whether it is stored (ColumnOptions.computed). */
  readonly computed: { readonly sql: string; readonly stored: boolean } | undefined
  /** @internal Set by Table when the primary key is known. */
  constructor(key: K, from: FromClause, type: SqlType<unknown>, options: ColumnOptions<unknown>, fks: readonly ForeignKeyRef[], autoincrement: boolean) {
    super(key, options.name ?? key, from, type)
    this.primaryKey = options.primaryKey ?? false
    this.nullable = !this.primaryKey && (options.nullable ?? false)
    this.autoincrement = autoincrement
    this.unique = options.unique ?? false
    this.indexed = options.index ?? false
    this.foreignKeys = fks
    this.default = options.default
    this.onupdate = options.onupdate
    this.serverDefault = options.serverDefault
    this.check = options.check
    this.comment = options.comment
    if (options.validate !== undefined && typeof options.validate !== 'function') throw new ArgumentError(`Column '${key}': validate must be a function (value, object) => value, not ${String(options.validate)}.`)
    this.validate = options.validate
    this.deferred = options.deferred === true
    this.discriminator = options.discriminator === true
    const computed = options.computed
    if (computed !== undefined && typeof computed !== 'string' && (typeof computed !== 'object' || computed === null || typeof computed.sql !== 'string')) {
      throw new ArgumentError(`Column '${key}': computed takes the SQL that computes it, e.g. computed: 'price * quantity', or { sql, stored: false }; not ${String(computed)}.`)
    }
    if (computed !== undefined && (options.default !== undefined || options.serverDefault !== undefined || options.primaryKey === true || options.onupdate !== undefined)) {
      throw new ArgumentError(`Column '${key}' is computed by the database, so it takes no default, serverDefault, onupdate or primaryKey.`)
    }
    this.computed = computed === undefined ? undefined : typeof computed === 'string' ? { sql: computed, stored: true } : { sql: computed.sql, stored: computed.stored ?? true }
    const v = options.versionId
    if (v !== undefined && v !== true && typeof v !== 'function') throw new ArgumentError(`Column '${key}': versionId must be true (an integer counter) or a function that makes the next version, not ${String(v)}.`)
    if (v === true && !['integer', 'bigint', 'smallint'].includes(type.kind)) {
      throw new ArgumentError(`Column '${key}': versionId: true counts with integers, but the column is ${type.kind}; use an Integer column, or give versionId a function that makes the next value.`)
    }
    this.nextVersion = v === undefined ? undefined : v === true ? countVersion(type.kind) : (v as (previous: unknown) => unknown)
  }

  /** True when an INSERT may leave the column out: the database or a default supplies it. */
  get hasDefault(): boolean {
    return this.default !== undefined || this.serverDefault !== undefined || this.autoincrement || this.nullable || this.nextVersion !== undefined || this.computed !== undefined
  }

  /** True when the database produces the value (autoincrement, a server default, a generated column), so it is fetched back. */
  get serverGenerated(): boolean {
    return this.autoincrement || this.serverDefault !== undefined || this.computed !== undefined
  }

  /** The client default's value for a new row (calls the function form). */
  defaultValue(): unknown {
    return typeof this.default === 'function' ? (this.default as () => unknown)() : this.default
  }

  /** The onupdate value for a changed row (calls the function form). */
  onupdateValue(): unknown {
    return typeof this.onupdate === 'function' ? (this.onupdate as () => unknown)() : this.onupdate
  }
}

/** `versionId: true`: 1 for a new row, then one more each time (bigint for BigInteger columns). */
function countVersion(kind: string): (previous: unknown) => unknown {
  if (kind === 'bigint') return (previous) => (typeof previous === 'bigint' ? previous + 1n : 1n)
  return (previous) => (typeof previous === 'number' ? previous + 1 : 1)
}
