/**
 * A generic, immutable rewrite of statement trees: the basis of statement transforms (plugins
 * such as soft-delete add criteria this way). Only subtrees that changed are rebuilt, so an
 * untouched statement comes back as the same object.
 */
import { Between, Binary, BooleanList, Case, Cast, InList, Label, Like, OrderBy, ScalarSubquery, Tuple, Unary } from './elements.js'
import { FunctionCall } from './function-call.js'
import type { Expression } from './elements.js'
import { Column, ColumnRef } from './column.js'
import { FromClause, Join, Subquery } from './from.js'
import { ColumnGroup, CommonTableExpression, CompoundSelect, Select } from './select.js'
import type { JoinStep, SelectColumn } from './select.js'
import { Delete, Insert, Update } from './dml.js'
import type { Keyed } from './key.js'

/** A node that lists and rebuilds its own children, so rewrites need not know it. */
export interface WithChildren extends Keyed {
  mapChildren(visit: (node: Keyed) => Keyed): Keyed
}
function hasChildren(n: Keyed): n is WithChildren {
  return typeof (n as Partial<WithChildren>).mapChildren === 'function'
}

/**
 * What a rewrite does at each node. `enter` runs before a node's children: returning a node
 * replaces the whole subtree without descending. `leave` runs after the children were rewritten
 * and returns the node to use (the one given when nothing changes). A replacement must be usable
 * where the original stood (an expression for an expression, a Select for a Select).
 */
export interface TreeVisitor {
  enter?(node: Keyed): Keyed | undefined
  leave?(node: Keyed, original: Keyed): Keyed
}

export interface TransformOptions {
  /**
   * Rewritten subqueries and CTEs by original, kept across calls. Subqueries carry an identity
   * that is part of the compiled-SQL cache key; reusing the rewrite of the same subquery keeps
   * repeated executions of one statement on the cache.
   */
  readonly memo?: WeakMap<object, Keyed>
}

/**
 * Rewrites a statement or expression tree.
 * ```ts
 * const noDeleted = transform(stmt, {
 *   leave: (node) => (node instanceof Select ? node.where(books.c.deletedAt.isNull()) : node),
 * })
 * ```
 */
export function transform<T extends Keyed>(node: T, visitor: TreeVisitor, options: TransformOptions = {}): T {
  return new Rewriter(visitor, options.memo).visit(node) as T
}

class Rewriter {
  readonly #visitor: TreeVisitor
  readonly #memo: WeakMap<object, Keyed>
  constructor(visitor: TreeVisitor, memo: WeakMap<object, Keyed> | undefined) {
    this.#visitor = visitor
    this.#memo = memo ?? new WeakMap()
  }

  visit(node: Keyed): Keyed {
    const identity = node instanceof Subquery
    if (identity) {
      const done = this.#memo.get(node)
      if (done) return done
      // A CTE that refers to itself (recursion) must meet its own original, not loop.
      this.#memo.set(node, node)
    }
    const entered = this.#visitor.enter?.(node)
    let out: Keyed
    if (entered !== undefined) out = entered
    else {
      const rebuilt = this.#children(node)
      out = this.#visitor.leave ? this.#visitor.leave(rebuilt, node) : rebuilt
    }
    if (identity) this.#memo.set(node, out)
    return out
  }

  #e<E extends Keyed | undefined>(node: E): E {
    return (node === undefined ? undefined : this.visit(node)) as E
  }

  #list<E extends Keyed>(items: readonly E[]): readonly E[] {
    let changed = false
    const out = items.map((i) => {
      const r = this.visit(i) as E
      if (r !== i) changed = true
      return r
    })
    return changed ? out : items
  }

  #children(n: Keyed): Keyed {
    if (n instanceof Column) return n
    if (n instanceof ColumnRef) return this.#columnRef(n)
    if (n instanceof Binary) {
      const l = this.#e(n.left), r = this.#e(n.right)
      return l === n.left && r === n.right ? n : new Binary(l, n.op, r, n.type)
    }
    if (n instanceof Unary) {
      const o = this.#e(n.operand)
      return o === n.operand ? n : new Unary(n.op, o, n.postfix, n.type)
    }
    if (n instanceof BooleanList) {
      const items = this.#list(n.items)
      return items === n.items ? n : new BooleanList(n.op, items)
    }
    if (n instanceof InList) {
      const o = this.#e(n.operand)
      const v = n.values instanceof ScalarSubquery ? this.#e(n.values) : this.#list(n.values)
      return o === n.operand && v === n.values ? n : new InList(o, v, n.negate)
    }
    if (n instanceof Between) {
      const o = this.#e(n.operand), lo = this.#e(n.low), hi = this.#e(n.high)
      return o === n.operand && lo === n.low && hi === n.high ? n : new Between(o, lo, hi, n.negate)
    }
    if (n instanceof Like) {
      const o = this.#e(n.operand), p = this.#e(n.pattern)
      return o === n.operand && p === n.pattern ? n : new Like(o, p, n.op, n.negate, n.escape)
    }
    if (n instanceof Tuple) {
      const items = this.#list(n.items)
      return items === n.items ? n : new Tuple(items)
    }
    if (n instanceof FunctionCall) {
      const args = this.#list(n.args)
      return args === n.args ? n : new FunctionCall(n.name, args, n.type, n.distinct)
    }
    if (n instanceof Cast) {
      const o = this.#e(n.operand)
      return o === n.operand ? n : new Cast(o, n.type)
    }
    if (n instanceof Case) return this.#case(n)
    if (n instanceof Label) {
      const o = this.#e(n.operand)
      return o === n.operand ? n : new Label(o, n.name)
    }
    if (n instanceof OrderBy) {
      const o = this.#e(n.operand)
      return o === n.operand ? n : new OrderBy(o, n.direction, n.nulls)
    }
    if (n instanceof ScalarSubquery) {
      const q = this.#e(n.query)
      return q === n.query ? n : new ScalarSubquery(q, n.type)
    }
    if (n instanceof ColumnGroup) return this.#group(n)
    if (n instanceof Select) return this.#select(n)
    if (n instanceof CompoundSelect) {
      const selects = this.#list(n.selects), order = this.#list(n.orderByItems)
      const limit = this.#e(n.limitValue), offset = this.#e(n.offsetValue)
      if (selects === n.selects && order === n.orderByItems && limit === n.limitValue && offset === n.offsetValue) return n
      return new CompoundSelect(n.op, selects, order, limit, offset)
    }
    if (n instanceof Join) {
      const l = this.#e(n.left), r = this.#e(n.right), on = this.#e(n.on)
      return l === n.left && r === n.right && on === n.on ? n : new Join(l, r, on, n.type)
    }
    if (n instanceof CommonTableExpression) {
      const q = this.#e(n.query), base = this.#e(n.base)
      return q === n.query && base === n.base ? n : new CommonTableExpression(q, n.name, n.recursive, base, n.columnNames)
    }
    if (n instanceof Subquery) {
      const q = this.#e(n.query)
      return q === n.query ? n : new Subquery(q, n.name, { lateral: n.lateral })
    }
    if (n instanceof Insert) return this.#insert(n)
    if (n instanceof Update) {
      const assignments = this.#assignments(n.assignments), where = this.#e(n.whereClause), ret = this.#list(n.returningColumns)
      return assignments === n.assignments && where === n.whereClause && ret === n.returningColumns ? n : new Update(n.table, assignments, where, ret, n.orm)
    }
    if (n instanceof Delete) {
      const where = this.#e(n.whereClause), ret = this.#list(n.returningColumns)
      return where === n.whereClause && ret === n.returningColumns ? n : new Delete(n.table, where, ret, n.orm)
    }
    // Nodes that rebuild themselves (windows, filters, JSON paths, date parts, …).
    if (hasChildren(n)) return n.mapChildren((c) => this.visit(c))
    // Tables, aliases, binds, keywords, text() and dialect extensions are leaves.
    return n
  }

  /** A column of a rewritten subquery becomes the same-named column of the rewrite. */
  #columnRef(n: ColumnRef<unknown>): Keyed {
    if (!(n.from instanceof Subquery)) return n
    const from = this.visit(n.from)
    if (from === n.from) return n
    return (from as FromClause).columnList.find((c) => c.name === n.name) ?? n
  }

  #group(n: ColumnGroup): Keyed {
    const from = this.visit(n.from) as FromClause
    if (from === n.from) return n
    const cols = n.columns.map((c) => from.columnList.find((x) => x.name === c.name) ?? c)
    return new ColumnGroup(from, cols, n.entity)
  }

  #case(n: Case): Keyed {
    let changed = false
    const whens = n.whens.map(([c, r]) => {
      const c2 = this.#e(c), r2 = this.#e(r)
      if (c2 !== c || r2 !== r) changed = true
      return [c2, r2] as const
    })
    const other = this.#e(n.otherwise)
    const subject = this.#e(n.subject)
    return !changed && other === n.otherwise && subject === n.subject ? n : new Case(whens, other, n.type, subject)
  }

  #select(n: Select): Keyed {
    const s = n.state
    const columns = this.#list<SelectColumn>(s.columns)
    const froms = this.#list<FromClause>(s.froms)
    let joinsChanged = false
    const joins = s.joins.map((j): JoinStep => {
      const target = this.visit(j.target) as FromClause, on = this.#e(j.on)
      if (target === j.target && on === j.on) return j
      joinsChanged = true
      return { target, on, type: j.type }
    })
    const where = this.#e(s.where), groupBy = this.#list(s.groupBy), having = this.#e(s.having)
    const orderBy = this.#list(s.orderBy), limit = this.#e(s.limit), offset = this.#e(s.offset), distinctOn = this.#list(s.distinctOn)
    if (columns === s.columns && froms === s.froms && !joinsChanged && where === s.where && groupBy === s.groupBy && having === s.having && orderBy === s.orderBy && limit === s.limit && offset === s.offset && distinctOn === s.distinctOn) return n
    return new Select({ ...s, columns, froms, joins: joinsChanged ? joins : s.joins, where, groupBy, having, orderBy, limit, offset, distinctOn })
  }

  #insert(n: Insert): Keyed {
    let changed = false
    const rows = n.rows.map((r) => {
      const r2 = this.#list(r)
      if (r2 !== r) changed = true
      return r2
    })
    const from = this.#e(n.fromSelect), ret = this.#list(n.returningColumns)
    if (!changed && from === n.fromSelect && ret === n.returningColumns) return n
    return new Insert(n.table, n.columns, changed ? rows : n.rows, from, ret, n.extensions, n.orm)
  }

  #assignments(list: readonly (readonly [Column<unknown>, Expression<unknown>])[]): readonly (readonly [Column<unknown>, Expression<unknown>])[] {
    let changed = false
    const out = list.map(([c, e]) => {
      const e2 = this.#e(e)
      if (e2 !== e) changed = true
      return [c, e2] as const
    })
    return changed ? out : list
  }
}
