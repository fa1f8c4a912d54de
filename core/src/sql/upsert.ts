import { ArgumentError } from '../util/errors.js'
import { Expression } from './elements.js'
import type { Column } from './column.js'
import { update } from './dml.js'
import type { Insert, Update } from './dml.js'
import { keyList } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'
import type { ColumnSpecs, SpecValue, Table } from './table.js'

/*
 * The syntax-free half of upserts. Core only holds what "insert, and on a key conflict do
 * something else" means; each dialect package renders it (`ON CONFLICT … DO UPDATE`,
 * `ON DUPLICATE KEY UPDATE`) and exports its own builder names, so no database syntax lives here.
 */

/**
 * The value an INSERT proposed for `column`, usable in an upsert's `set`. Dialects render it as
 * they spell it (`excluded."name"`, `VALUES(\`name\`)`); dialect packages hand it out as
 * `excluded(table)` or `inserted(table)`.
 */
export class ProposedValue<T = unknown> extends Expression<T> {
  readonly kind = 'proposed-value'
  readonly column: Column<unknown>
  constructor(column: Column<unknown>) {
    super()
    this.column = column
  }
  get type(): Column<unknown>['type'] {
    return this.column.type
  }
  key(k: KeyBuilder): void {
    k.s += 'PV('
    this.column.key(k)
    k.s += ')'
  }
}

/** Every column of a table as the value its INSERT proposed: `proposedRow(users).name`. */
export type ProposedRow<S extends ColumnSpecs> = { readonly [K in keyof S & string]: Expression<SpecValue<S[K]>> }

/**
 * The proposed values of `table`'s columns, keyed like `table.c`.
 * ```ts
 * const excluded = proposedRow(users)
 * excluded.name   // renders excluded."name" on PostgreSQL, VALUES(`name`) on MariaDB
 * ```
 */
export function proposedRow<S extends ColumnSpecs>(table: Table<S>): ProposedRow<S> {
  const row: Record<string, Expression<unknown>> = {}
  for (const [key, col] of Object.entries(table.c as Record<string, Column<unknown>>)) row[key] = new ProposedValue(col)
  return Object.freeze(row) as ProposedRow<S>
}

/** What an upsert may assign: the table's columns, each a value or an expression of its type. */
export type UpsertSet<S extends ColumnSpecs> = Parameters<Update<S>['set']>[0]

/** What to do when the inserted row collides with an existing one. */
export interface UpsertOptions<S extends ColumnSpecs> {
  /** The unique columns whose conflict is handled (required where the database asks for it). */
  readonly target?: readonly Column<unknown>[] | undefined
  /** A partial unique index's predicate, after the target. */
  readonly targetWhere?: Expression<boolean> | undefined
  /** Columns to update on conflict; omitted means "do nothing". */
  readonly set?: UpsertSet<S> | undefined
  /** Only update rows matching this condition. */
  readonly where?: Expression<boolean> | undefined
}

/**
 * An upsert clause attached to an INSERT with `withExtension`: the conflict target, and either
 * nothing (skip the row) or assignments. Immutable; keyed so compiled SQL is cached by shape.
 */
export class UpsertClause implements Keyed {
  readonly kind = 'upsert'
  readonly target: readonly Column<unknown>[] | undefined
  readonly targetWhere: Expression<unknown> | undefined
  /** `undefined` means do nothing on conflict. */
  readonly assignments: readonly (readonly [Column<unknown>, Expression<unknown>])[] | undefined
  readonly where: Expression<unknown> | undefined
  constructor(
    target: readonly Column<unknown>[] | undefined,
    targetWhere: Expression<unknown> | undefined,
    assignments: readonly (readonly [Column<unknown>, Expression<unknown>])[] | undefined,
    where: Expression<unknown> | undefined,
  ) {
    this.target = target
    this.targetWhere = targetWhere
    this.assignments = assignments
    this.where = where
  }
  key(k: KeyBuilder): void {
    k.s += 'UPSERT'
    if (this.target) keyList(k, this.target)
    if (this.targetWhere) (k.s += 'TW', this.targetWhere.key(k))
    if (this.assignments) {
      k.s += 'SET'
      for (const [c, e] of this.assignments) {
        c.key(k)
        k.s += '='
        e.key(k)
      }
    } else k.s += 'NOTHING'
    if (this.where) (k.s += 'W', this.where.key(k))
  }
}

/**
 * Adds an upsert clause to `statement`, checking that the target columns belong to its table,
 * that `set` names only its columns (columns with `onupdate` get their value, as in `update()`)
 * and that the INSERT has no upsert yet. Dialect packages wrap this in their own builders;
 * `what` names that builder in error messages.
 * ```ts
 * withUpsert(insert(users).values(row), 'onConflictDoUpdate()', { target: [users.c.email], set: { name: 'x' } })
 * ```
 */
export function withUpsert<S extends ColumnSpecs, R extends readonly unknown[], M>(statement: Insert<S, R, M>, what: string, options: UpsertOptions<S>): Insert<S, R, M> {
  const table = statement.table
  if (statement.extensions.some((e) => e instanceof UpsertClause)) {
    throw new ArgumentError(`${what}: insert(${table.name}) already has an upsert clause; an INSERT takes one, so pass everything in a single call.`)
  }
  for (const col of options.target ?? []) {
    if (col.from !== table) {
      throw new ArgumentError(`${what}: the conflict target '${col.name}' is not a column of '${table.fullName}'; pass columns of the table you insert into, e.g. ${table.name}.c.<key>.`)
    }
  }
  let assignments: Update['assignments'] | undefined
  if (options.set !== undefined) {
    assignments = update(table).set(options.set).assignments
    if (assignments.length === 0) throw new ArgumentError(`${what} on '${table.fullName}' has nothing to set: give set at least one column, or use the "do nothing" form.`)
  }
  return statement.withExtension(new UpsertClause(options.target, options.targetWhere, assignments, options.where))
}
