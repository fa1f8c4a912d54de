/**
 * Builds a statement's structural cache key in one walk and collects its bound values on the
 * way, so a cached compilation can be reused for a tree of the same shape with new values.
 */
export class KeyBuilder {
  s = ''
  readonly binds: BindLike[] = []
  /** Nodes whose body was already keyed in this walk (CTEs referenced more than once). */
  readonly seen = new Set<object>()
  /** FROM clauses already keyed through one of their columns. */
  readonly seenFroms = new Set<object>()
  add(part: string): this {
    this.s += part
    return this
  }
}

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
