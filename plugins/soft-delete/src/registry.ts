import { ArgumentError, Table, TableAlias, stateOf } from '@athanor/core'
import type { Column, ColumnRef, FromClause } from '@athanor/core'

const deletedColumns = new WeakMap<Table, Column<unknown>>()

/**
 * Opts a mapped class (or a plain Table) into soft deletion: `session.delete()` sets `column`
 * to the deletion time instead of deleting the row, and selects leave rows where it is set out.
 * The column must be nullable (NULL means "not deleted").
 * ```ts
 * class Book extends Base.model('books', { …, deleted_at: mappedColumn(DateTime(), { nullable: true }) }) {}
 * softDeletable(Book, { column: 'deleted_at' })
 * ```
 */
export function softDeletable(model: Table | { readonly __table__: Table }, options: { column?: string } = {}): void {
  const table = model instanceof Table ? model : (model as { readonly __table__?: Table }).__table__
  if (!(table instanceof Table)) throw new ArgumentError('softDeletable() takes a mapped class or a Table.')
  const key = options.column ?? 'deleted_at'
  const col = (table.c as Record<string, Column<unknown> | undefined>)[key]
  if (!col) {
    throw new ArgumentError(`softDeletable(): table '${table.name}' has no column '${key}'; add a nullable timestamp column such as ${key}: mappedColumn(DateTime(), { nullable: true }), or pass { column: '…' }.`)
  }
  if (!col.nullable) throw new ArgumentError(`softDeletable(): ${table.name}.${key} must be nullable (NULL marks a row that is not deleted); declare it with { nullable: true }.`)
  deletedColumns.set(table, col)
}

/** The deleted-at column of a soft-deletable table, else undefined. */
export function deletedColumnOf(table: Table): Column<unknown> | undefined {
  return deletedColumns.get(table)
}

/** The deleted-at column of a FROM leaf (a table or an alias of one), as that leaf's column. */
export function deletedColumnIn(from: FromClause): ColumnRef<unknown> | undefined {
  if (from instanceof Table) return deletedColumns.get(from)
  if (from instanceof TableAlias && from.target instanceof Table) {
    const col = deletedColumns.get(from.target)
    return col && from.corresponding(col)
  }
  return undefined
}

/** The deleted-at column of a mapped instance's table, or an error naming the fix. */
export function deletedColumnOfObject(obj: object, what: string): Column<unknown> {
  const m = stateOf(obj).mapper
  const col = deletedColumns.get(m.table)
  if (!col) throw new ArgumentError(`${what}: ${m.className} is not soft-deletable; call softDeletable(${m.className}) first.`)
  return col
}
