import { CompileError, proposedRow, withUpsert } from '@athanor/core'
import type { ColumnSpecs, CompileContext, Insert, ProposedRow, ProposedValue, SqlCompiler, Table, UpsertClause, UpsertSet } from '@athanor/core'

/**
 * The values the INSERT proposed, for `onDuplicateKeyUpdate`'s `set`: `inserted(users).name`
 * renders `VALUES(\`name\`)` (MariaDB, MySQL before 8.0.19) or `_new`.`name` (MySQL 8.0.19+,
 * where VALUES() is deprecated).
 * ```ts
 * onDuplicateKeyUpdate(insert(users).values(row), { set: { name: inserted(users).name } })
 * ```
 */
export function inserted<S extends ColumnSpecs>(table: Table<S>): ProposedRow<S> {
  return proposedRow(table)
}

/**
 * `INSERT … ON DUPLICATE KEY UPDATE …`: when the row collides with any PRIMARY KEY or UNIQUE
 * index, update the existing row instead. `set` takes the table's columns; refer to the
 * proposed values with {@link inserted}. MySQL has no conflict target and no WHERE here (use
 * `IF()` in a value for conditional updates).
 * ```ts
 * await conn.execute(onDuplicateKeyUpdate(insert(counters).values({ name: 'hits', n: 1 }), {
 *   set: { n: counters.c.n.add(inserted(counters).n) },
 * }))
 * ```
 */
export function onDuplicateKeyUpdate<S extends ColumnSpecs, R extends readonly unknown[], M>(
  statement: Insert<S, R, M>,
  options: { readonly set: UpsertSet<S> },
): Insert<S, R, M> {
  return withUpsert(statement, 'onDuplicateKeyUpdate()', { set: options.set })
}

/** Renders an upsert clause in MySQL syntax (called by MysqlCompiler.insertExtension). */
export function renderDuplicateKeyUpdate(compiler: SqlCompiler, clause: UpsertClause, ctx: CompileContext, rowAlias: string | undefined): string {
  if (clause.assignments === undefined || clause.target !== undefined || clause.targetWhere !== undefined || clause.where !== undefined) {
    throw new CompileError(
      'MySQL/MariaDB upserts are ON DUPLICATE KEY UPDATE only: no conflict target, WHERE or DO NOTHING. ' +
        "Build it with onDuplicateKeyUpdate() from '@athanor/mysql'.",
    )
  }
  const set = clause.assignments.map(([c, e]) => `${compiler.quote(c.name)} = ${compiler.visit(e, ctx)}`).join(', ')
  return `${rowAlias === undefined ? '' : ` AS ${compiler.quote(rowAlias)}`} ON DUPLICATE KEY UPDATE ${set}`
}

/** Renders a proposed value: `VALUES(col)` or `alias.col`. */
export function renderInsertedValue(compiler: SqlCompiler, value: ProposedValue, rowAlias: string | undefined): string {
  return rowAlias === undefined ? `VALUES(${compiler.quote(value.column.name)})` : `${compiler.quote(rowAlias)}.${compiler.quote(value.column.name)}`
}
