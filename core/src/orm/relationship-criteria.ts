/**
 * Relationships in WHERE and JOIN: `Author.posts.any(…)` and `Post.author.has(…)` as EXISTS,
 * `Post.author.is(obj)` and `Author.posts.contains(obj)` as key comparisons, and join paths
 * with extra ON criteria or to an aliased target.
 */
import { ArgumentError } from '../util/errors.js'
import { describeValue } from '../util/describe-value.js'
import { and, expectExpression } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import { TableAlias } from '../sql/from.js'
import type { FromClause } from '../sql/from.js'
import { inline } from '../sql/literals.js'
import { JOIN_PATH, select } from '../sql/select.js'
import type { JoinPathProvider } from '../sql/select.js'
import { ColumnRef } from '../sql/column.js'
import type { Column } from '../sql/column.js'
import { transform } from '../sql/transform.js'
import { maybeState } from './instance-state.js'
import type { Relationship } from './relationship.js'

/** `EXISTS (SELECT 1 FROM target [, secondary] WHERE <the relationship's condition> AND criteria)`. */
export function relationshipExists(rel: Relationship, criteria: Expression<boolean | null> | undefined, method: 'any' | 'has'): Expression<boolean> {
  const many = rel.direction !== 'many-to-one'
  if (method === 'any' && !many) throw new ArgumentError(`${rel.description} is many-to-one: test it with ${rel.description}.has(…), not any().`)
  if (method === 'has' && many) throw new ArgumentError(`${rel.description} is a collection: test it with ${rel.description}.any(…), not has().`)
  if (criteria !== undefined) expectExpression(criteria, `${rel.description}.${method}()`)
  // A self-reference needs the table twice: the subquery's copy is aliased (and the criteria,
  // written against the class, are moved onto it), the outer row stays the table.
  const table = rel.target.table
  const self = table === rel.owner.table
  const target = self ? new TableAlias(table, `${table.name}_1`) : table
  const onTarget = self && criteria !== undefined
    ? transform(criteria, { leave: (n) => (n instanceof ColumnRef && n.from === table ? ((target as TableAlias).corresponding(n) ?? n) : n) })
    : criteria
  const conditions = rel.joinCondition(rel.owner.table, target)
  const froms: FromClause[] = rel.direction === 'many-to-many' ? [rel.options.secondary!, target] : [target]
  return select(inline(1)).from(...froms).where(...conditions, onTarget).exists()
}

/** The primary-key-or-foreign-key values of `obj` for `cols`, or an error saying why there are none. */
function valuesOf(rel: Relationship, obj: object, cols: readonly Column<unknown>[], what: string): unknown[] {
  const state = maybeState(obj)
  if (state === undefined || !state.mapper.isa(rel.target)) {
    throw new ArgumentError(`${rel.description}.${what}() takes a ${rel.target.className} object, not ${describeValue(obj)}.`)
  }
  const values = cols.map((c) => (obj as Record<string, unknown>)[c.key_])
  if (values.some((v) => v === undefined || v === null)) {
    throw new ArgumentError(`${rel.description}.${what}(): the ${rel.target.className} has no ${cols.map((c) => c.key_).join(', ')} yet; flush it first (await session.flush()).`)
  }
  return values
}

/** `owner.fk = obj.pk` for a many-to-one (`IS NULL` for null). */
export function relationshipIs(rel: Relationship, obj: object | null): Expression<boolean> {
  if (rel.direction !== 'many-to-one') throw new ArgumentError(`${rel.description} is a collection: use ${rel.description}.contains(obj), not is().`)
  if (obj === null) return and(...rel.pairs.map((p) => p.dest.isNull()))
  const values = valuesOf(rel, obj, rel.pairs.map((p) => p.source), 'is')
  return and(...rel.pairs.map((p, i) => p.dest.eq(values[i] as never)))
}

/** The collection holds `obj`: its foreign key names the owner (one-to-many), or a link row does (many-to-many). */
export function relationshipContains(rel: Relationship, obj: object): Expression<boolean> {
  if (rel.direction === 'many-to-one') throw new ArgumentError(`${rel.description} is many-to-one: use ${rel.description}.is(obj), not contains().`)
  if (rel.direction === 'one-to-many') {
    const values = valuesOf(rel, obj, rel.pairs.map((p) => p.dest), 'contains')
    return and(...rel.pairs.map((p, i) => p.source.eq(values[i] as never)))
  }
  const values = valuesOf(rel, obj, rel.secondaryPairs.map((p) => p.source), 'contains')
  const secondary = rel.options.secondary!
  return select(inline(1)).from(secondary).where(...rel.pairs.map((p) => p.dest.eq(p.source)), ...rel.secondaryPairs.map((p, i) => p.dest.eq(values[i] as never))).exists()
}

/**
 * A join along a relationship to its target or an alias of it, with extra ON criteria:
 * `join(Author.posts.and(Post.c.published.eq(true)))`, `join(Employee.manager.of(Manager))`.
 */
export class RelationshipPath implements JoinPathProvider {
  readonly rel: Relationship
  readonly target: FromClause | undefined
  readonly criteria: readonly Expression<boolean | null>[]
  constructor(rel: Relationship, target: FromClause | undefined, criteria: readonly Expression<boolean | null>[]) {
    if (target instanceof TableAlias && target.target !== rel.target.table) {
      throw new ArgumentError(`${rel.description}.of() takes an alias of ${rel.target.className}, not ${target.description}.`)
    }
    this.rel = rel
    this.target = target
    this.criteria = criteria
  }
  /** Adds criteria to the ON of the join to the target. */
  and(...criteria: Expression<boolean | null>[]): RelationshipPath {
    return new RelationshipPath(this.rel, this.target, [...this.criteria, ...criteria.map((c) => expectExpression(c, `${this.rel.description}.and()`) as Expression<boolean | null>)])
  }
  [JOIN_PATH](left: FromClause): readonly { target: FromClause; on: Expression<unknown> }[] {
    const rel = this.rel
    const owner = rel.owner.table
    const from = left.leaves.find((l) => l === owner || (l instanceof TableAlias && l.target === owner)) ?? owner
    const to = this.target ?? rel.target.table
    if (rel.direction === 'many-to-many') {
      const [a, b] = rel.joinCondition(from, to)
      return [{ target: rel.options.secondary!, on: a! }, { target: to, on: and(b, ...this.criteria) }]
    }
    return [{ target: to, on: and(rel.joinCondition(from, to)[0], ...this.criteria) }]
  }
}
