import { ArgumentError } from '../util/errors.js'
import { and } from './elements.js'
import type { Expression, SubqueryLike } from './elements.js'
import { ColumnRef } from './column.js'
import { columnNamespace } from './column-namespace.js'
import type { Column } from './column.js'
import { newObjectId } from './key.js'
import type { KeyBuilder, Keyed } from './key.js'

/** A pair of columns a join can be made on: `local` = `remote`. */
export interface ForeignKeyPair {
  readonly local: ColumnRef<unknown>
  readonly remote: ColumnRef<unknown>
}

/** Anything that can stand in a FROM clause: a table, an alias, a join, a subquery, a CTE. */
export abstract class FromClause implements Keyed {
  abstract readonly kind: 'table' | 'alias' | 'join' | 'subquery' | 'cte'
  /** A process-unique id; cache keys use it instead of names. */
  readonly id = newObjectId()
  abstract key(k: KeyBuilder): void
  /** The columns this FROM clause exports, in order. */
  abstract get columnList(): readonly ColumnRef<unknown>[]
  /** Column pairs where a foreign key of `this` points at `other` (for joins without ON). */
  foreignKeyPairsTo(_other: FromClause): ForeignKeyPair[] {
    return []
  }
  /** The tables, aliases, subqueries and CTEs this clause is made of (a join lists both sides). */
  get leaves(): readonly FromClause[] {
    return [this]
  }
  /** A readable name for error messages. */
  abstract get description(): string
}

/** Finds the ON condition joining `left` to `right` from their foreign keys. */
export function inferJoinCondition(left: FromClause, right: FromClause): Expression<boolean> {
  for (const l of left.leaves) {
    const pairs = [...right.foreignKeyPairsTo(l), ...l.foreignKeyPairsTo(right)]
    if (pairs.length > 0) return and(...pairs.map((p) => p.local.eq(p.remote as unknown as never)))
  }
  throw new ArgumentError(
    `Cannot join ${right.description} to ${left.description}: no foreign key links them. ` +
      `Pass the ON condition explicitly, e.g. .join(${right.description}, a.c.id.eq(b.c.aId)).`,
  )
}

export type JoinType = 'INNER' | 'LEFT' | 'FULL'

/** `left JOIN right ON condition`. */
export class Join extends FromClause {
  readonly kind = 'join'
  readonly left: FromClause
  readonly right: FromClause
  readonly on: Expression<unknown>
  readonly type: JoinType
  constructor(left: FromClause, right: FromClause, on: Expression<unknown>, type: JoinType) {
    super()
    this.left = left
    this.right = right
    this.on = on
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'J' + this.type + '('
    this.left.key(k)
    k.s += ','
    this.right.key(k)
    k.s += ','
    this.on.key(k)
    k.s += ')'
  }
  get columnList(): readonly ColumnRef<unknown>[] {
    return [...this.left.columnList, ...this.right.columnList]
  }
  override get leaves(): readonly FromClause[] {
    return [...this.left.leaves, ...this.right.leaves]
  }
  get description(): string {
    return `${this.left.description} JOIN ${this.right.description}`
  }
}

/** Columns of an aliased FROM clause, keyed like the original's. */
export type AliasColumns<C> = { readonly [K in keyof C]: C[K] extends ColumnRef<infer T, infer N> ? ColumnRef<T, N> : never }

/**
 * A table under another name: `FROM users AS u`, for self-joins.
 * ```ts
 * const manager = alias(employees, 'manager')
 * select(employees.c.name, manager.c.name).join(manager, employees.c.managerId.eq(manager.c.id))
 * ```
 */
export class TableAlias<C extends Record<string, ColumnRef<unknown>> = Record<string, ColumnRef<unknown>>> extends FromClause {
  readonly kind = 'alias'
  readonly target: FromClause & { readonly c: C }
  readonly name: string
  readonly c: AliasColumns<C>
  readonly #columns: ColumnRef<unknown>[]
  readonly #map = new Map<ColumnRef<unknown>, ColumnRef<unknown>>()
  constructor(target: FromClause & { readonly c: C }, name: string) {
    super()
    this.target = target
    this.name = name
    const c: Record<string, ColumnRef<unknown>> = {}
    this.#columns = []
    for (const [key, col] of Object.entries(target.c)) {
      const ref = new ColumnRef(key, col.name, this, col.type)
      c[key] = ref
      this.#columns.push(ref)
      this.#map.set(col, ref)
    }
    this.c = columnNamespace(`The alias '${name}'`, c) as AliasColumns<C>
  }
  key(k: KeyBuilder): void {
    k.s += 'A' + JSON.stringify(this.name) + '('
    this.target.key(k)
    k.s += ')'
  }
  get columnList(): readonly ColumnRef<unknown>[] {
    return this.#columns
  }
  /** This alias's column for a column of the aliased table. */
  corresponding(col: ColumnRef<unknown>): ColumnRef<unknown> | undefined {
    return this.#map.get(col)
  }
  override foreignKeyPairsTo(other: FromClause): ForeignKeyPair[] {
    const target = other instanceof TableAlias ? other.target : other
    return this.target.foreignKeyPairsTo(target).map((p) => ({
      local: this.#map.get(p.local) ?? p.local,
      remote: other instanceof TableAlias ? (other.corresponding(p.remote) ?? p.remote) : p.remote,
    }))
  }
  get description(): string {
    return `${this.target.description} AS ${this.name}`
  }
}

/** Creates an alias of a table (or any FROM clause with columns). */
export function alias<C extends Record<string, ColumnRef<unknown>>>(target: FromClause & { readonly c: C }, name: string): TableAlias<C> {
  return new TableAlias(target, name)
}

/** What a subquery or CTE needs of its query: its result columns, named. */
export interface NamedColumnsQuery extends SubqueryLike {
  /** The result columns as (name, type) pairs, in order. */
  readonly resultColumns: readonly { readonly name: string; readonly type: Column['type'] }[]
}

/** Columns of a subquery, typed from the query's row mapping. */
export type SubqueryColumns<M> = { readonly [K in keyof M & string]: ColumnRef<M[K], K> }

/**
 * A SELECT used as a FROM clause: `(SELECT …) AS name`. Created with `select(...).subquery('name')`.
 */
export class Subquery<M = Record<string, unknown>> extends FromClause {
  readonly kind: 'subquery' | 'cte' = 'subquery'
  readonly query: NamedColumnsQuery
  readonly name: string
  readonly c: SubqueryColumns<M>
  /** `LATERAL (…)`: may refer to the FROM clauses before it. */
  readonly lateral: boolean
  readonly #columns: ColumnRef<unknown>[]
  constructor(query: NamedColumnsQuery, name: string, options: { readonly lateral?: boolean; readonly columnNames?: readonly string[] | undefined } = {}) {
    super()
    if (!name) throw new ArgumentError('A subquery needs a name: select(...).subquery("name").')
    this.query = query
    this.name = name
    this.lateral = options.lateral ?? false
    const names = options.columnNames
    if (names !== undefined && names.length !== query.resultColumns.length) {
      throw new ArgumentError(`'${name}' names ${names.length} columns, but its query has ${query.resultColumns.length} (${query.resultColumns.map((r) => r.name).join(', ')}).`)
    }
    const c: Record<string, ColumnRef<unknown>> = {}
    this.#columns = query.resultColumns.map((rc, i) => {
      const n = names?.[i] ?? rc.name
      return (c[n] = new ColumnRef(n, n, this, rc.type))
    })
    this.c = columnNamespace(`'${name}'`, c) as SubqueryColumns<M>
  }
  key(k: KeyBuilder): void {
    k.s += 'S' + (this.lateral ? 'L' : '') + k.ref(this) + JSON.stringify(this.name) + '('
    this.query.key(k)
    k.s += ')'
  }
  get columnList(): readonly ColumnRef<unknown>[] {
    return this.#columns
  }
  get description(): string {
    return `subquery ${this.name}`
  }
}

