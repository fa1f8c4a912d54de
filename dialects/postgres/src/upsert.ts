import { ArgumentError, CompileError, proposedRow, withUpsert } from '@athanor/core'
import type { Column, ColumnSpecs, CompileContext, Expression, Insert, ProposedRow, ProposedValue, SqlCompiler, Table, UpsertClause, UpsertSet } from '@athanor/core'

/** The conflict target: one unique column or several (a composite unique key). */
type Target<S extends ColumnSpecs> = Column<unknown, keyof S & string> | readonly Column<unknown, keyof S & string>[]

/**
 * The row the INSERT proposed, for `onConflictDoUpdate`'s `set` and `where`:
 * `excluded(users).name` renders `excluded."name"`.
 * ```ts
 * onConflictDoUpdate(insert(users).values(row), { target: users.c.email, set: { name: excluded(users).name } })
 * ```
 */
export function excluded<S extends ColumnSpecs>(table: Table<S>): ProposedRow<S> {
  return proposedRow(table)
}

/**
 * `INSERT … ON CONFLICT [(target)] DO NOTHING`: rows that collide with a unique key are skipped
 * (with RETURNING, skipped rows return nothing). Without a target any unique violation counts.
 * ```ts
 * await conn.execute(onConflictDoNothing(insert(tags).values([{ name: 'a' }, { name: 'b' }]), { target: tags.c.name }))
 * ```
 */
export function onConflictDoNothing<S extends ColumnSpecs, R extends readonly unknown[], M>(
  statement: Insert<S, R, M>,
  options: { readonly target?: Target<S>; readonly targetWhere?: Expression<boolean> } = {},
): Insert<S, R, M> {
  return withUpsert(statement, 'onConflictDoNothing()', { target: targetList(options.target), targetWhere: options.targetWhere })
}

/**
 * `INSERT … ON CONFLICT (target) DO UPDATE SET … [WHERE …]`: a row that collides on `target`
 * updates the existing row instead. `set` takes the table's columns; the proposed values are
 * {@link excluded}; `where` limits which existing rows are updated.
 * ```ts
 * await conn.execute(onConflictDoUpdate(insert(users).values({ email, name }), {
 *   target: users.c.email,
 *   set: { name: excluded(users).name },
 *   where: users.c.name.ne(excluded(users).name),
 * }))
 * ```
 */
export function onConflictDoUpdate<S extends ColumnSpecs, R extends readonly unknown[], M>(
  statement: Insert<S, R, M>,
  options: { readonly target: Target<S>; readonly targetWhere?: Expression<boolean>; readonly set: UpsertSet<S>; readonly where?: Expression<boolean> },
): Insert<S, R, M> {
  const target = targetList(options.target)
  if (target === undefined || target.length === 0) {
    throw new ArgumentError(`onConflictDoUpdate() on '${statement.table.name}' needs a target: the unique column(s) whose conflict triggers the update, e.g. { target: ${statement.table.name}.c.<key> }.`)
  }
  return withUpsert(statement, 'onConflictDoUpdate()', { target, targetWhere: options.targetWhere, set: options.set, where: options.where })
}

function targetList<S extends ColumnSpecs>(target: Target<S> | undefined): readonly Column<unknown>[] | undefined {
  return target === undefined ? undefined : Array.isArray(target) ? target : [target as Column<unknown>]
}

/** Renders an upsert clause as `ON CONFLICT …` (called by PostgresCompiler.insertExtension). */
export function renderOnConflict(compiler: SqlCompiler, clause: UpsertClause, ctx: CompileContext): string {
  let sql = ' ON CONFLICT'
  if (clause.target !== undefined && clause.target.length > 0) {
    sql += ` (${clause.target.map((c) => compiler.quote(c.name)).join(', ')})`
    if (clause.targetWhere !== undefined) sql += ` WHERE ${compiler.visit(clause.targetWhere, ctx)}`
  }
  if (clause.assignments === undefined) return sql + ' DO NOTHING'
  if (clause.target === undefined || clause.target.length === 0) {
    throw new CompileError('ON CONFLICT DO UPDATE needs a conflict target; build it with onConflictDoUpdate({ target, set }).')
  }
  sql += ` DO UPDATE SET ${clause.assignments.map(([c, e]) => `${compiler.quote(c.name)} = ${compiler.visit(e, ctx)}`).join(', ')}`
  if (clause.where !== undefined) sql += ` WHERE ${compiler.visit(clause.where, ctx)}`
  return sql
}

/** Renders a proposed value as `excluded."col"`. */
export function renderExcluded(compiler: SqlCompiler, value: ProposedValue): string {
  return `excluded.${compiler.quote(value.column.name)}`
}
