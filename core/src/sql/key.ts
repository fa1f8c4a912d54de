import { keepShape } from '../util/kept-shapes.js'

/**
 * Builds a statement's structural cache key in one walk and collects its bound values on the
 * way, so a cached compilation can be reused for a tree of the same shape with new values.
 */
export class KeyBuilder {
  s = ''
  readonly binds: BindLike[] = []
  // Made at first use: every executed statement is keyed, and most (tables only, no CTE) never
  // need them — three collections less per statement.
  #seen: Set<object> | undefined
  #seenFroms: Set<object> | undefined
  #local: Map<object, number> | undefined
  /** Nodes whose body was already keyed in this walk (CTEs referenced more than once). */
  get seen(): Set<object> {
    return (this.#seen ??= new Set())
  }
  /** FROM clauses already keyed through one of their columns. */
  get seenFroms(): Set<object> {
    return (this.#seenFroms ??= new Set())
  }
  add(part: string): this {
    this.s += part
    return this
  }
  /**
   * How a FROM clause is named in the key. Tables are schema objects and keep their global id;
   * aliases, subqueries and CTEs get walk-local ordinals, so two statements built the same way
   * from fresh alias/subquery objects share one cached compilation (their SQL only depends on
   * structure and names).
   */
  ref(from: { readonly kind: string; readonly id: number }): string {
    if (from.kind === 'table') return 't' + from.id
    const local = (this.#local ??= new Map())
    let n = local.get(from)
    if (n === undefined) local.set(from, (n = local.size))
    return '#' + n
  }
}
// One per statement executed: its shape outlives them (util/kept-shapes.ts).
keepShape(new KeyBuilder())

/** A bound value as the key walk sees it. */
export interface BindLike {
  readonly value: unknown
}

/** Every node of the expression tree can describe its shape. */
export interface Keyed {
  key(k: KeyBuilder): void
}

let nextId = 0
/** A process-unique id for schema objects, used in cache keys instead of their names. */
export function newObjectId(): number {
  return ++nextId
}

/** Writes a list of nodes into the key, separated so [a,b][c] and [a][b,c] differ. */
export function keyList(k: KeyBuilder, items: readonly Keyed[]): void {
  k.s += '['
  for (const item of items) {
    item.key(k)
    k.s += ','
  }
  k.s += ']'
}
