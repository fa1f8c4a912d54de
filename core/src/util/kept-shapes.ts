/**
 * One object of each short-lived shape, kept alive for the life of the process.
 *
 * Why: V8 gives objects built the same way one hidden class (a "map") and specialises optimized
 * code to it, but holds maps weakly: a full GC that finds no object of a map left frees it and
 * throws away every piece of optimized code that assumed it (`--trace-deopt` says "weak objects").
 * A session's objects (instances, their InstanceStates, collections, the statement nodes of a
 * query) all die when it closes, so a full GC between two requests — a quiet moment on a server,
 * or the forced GC a benchmark runs before each timed iteration — sent the ORM's hot functions
 * back to the interpreter to be optimized again, ~15 functions per unit of work; measured, that
 * cost more than the unit of work's own planning. An object kept here holds its map, and the
 * map holds the maps it was built through, so the code stays optimized. It costs one small
 * object per shape: built once per class (per mapper for mapped instances), never per row.
 */
const kept: object[] = []

/**
 * Keeps `exemplar` and `more` (and so their hidden classes) alive; returns `exemplar`. Each must
 * have been built the way the hot path builds its objects, in the same order, or it keeps some
 * other shape.
 * ```ts
 * keepShape(new KeyBuilder())   // at module level, next to the class
 * ```
 */
export function keepShape<T extends object>(exemplar: T, ...more: object[]): T {
  kept.push(exemplar, ...more)
  return exemplar
}

/** @internal The exemplars kept (for tests: one per shape, never one per object). */
export function keptShapes(): readonly object[] {
  return kept
}
