import { ArgumentError } from '../util/errors.js'
import { resolveFrom } from '../sql/select.js'
import type { ClauseProvider, RelatedOf } from '../sql/select.js'
import type { FromClause } from '../sql/from.js'
import { Relationship } from './relationship.js'
import type { LazyStrategy } from './relationship.js'
import type { Mapper } from './mapper.js'

/** A step of a loader path that leaves its relationship unloaded (raise, lazy, noload): the result type marks nothing from there on. */
declare const NOT_LOADED_STEP: unique symbol
type NotLoadedStep = typeof NOT_LOADED_STEP

/** `'*'`: every relationship at that level that no other option names. */
export type Wildcard = '*'

/** How a loader option loads: a relationship default, or from columns the query already joins. */
export type LoadStrategy = LazyStrategy | 'contains-eager'

/**
 * A loader option for one relationship path, attached with `select(...).options(...)`.
 * `T` is the class the path ends at, so chained options only accept that class's relationships:
 * `selectinload(Author.posts).joinedload(Post.tags)` compiles, `selectinload(Author.posts).joinedload(Tag.posts)` does not.
 */
export class LoaderOption<T = unknown, Leaf = T, Path extends readonly unknown[] = readonly unknown[]> {
  /** The class the path starts loading (type only): lets `select(…).options()` check the path. */
  declare readonly __loads: T
  /** The class at the end of the path (type only): what chained options may load next. */
  declare readonly __leaf: Leaf
  /** The classes the path loads, in order (type only): what the query's result type marks loaded. */
  declare readonly __path: Path
  readonly relationship: Relationship | Wildcard
  readonly strategy: LoadStrategy
  readonly children: readonly LoaderOption[]
  /** containsEager: the FROM clause (an alias) the query joined the target as. */
  readonly source: FromClause | undefined
  constructor(relationship: Relationship | Wildcard, strategy: LoadStrategy, children: readonly LoaderOption[] = [], source?: FromClause) {
    if (relationship !== '*' && !(relationship instanceof Relationship)) {
      throw new ArgumentError(`Loader options take a relationship attribute such as selectinload(Author.books) (or '*'), not ${String(relationship)}.`)
    }
    if (relationship === '*' && (strategy === 'selectin' || strategy === 'joined')) {
      throw new ArgumentError(`${strategy}load('*') would load every relationship recursively; name the relationships to load, and use raiseload('*') or noload('*') for the rest.`)
    }
    if (relationship === '*' && strategy === 'contains-eager') throw new ArgumentError("containsEager('*') cannot know which joins hold which relationship; name the relationship.")
    this.relationship = relationship
    this.strategy = strategy
    this.children = children
    this.source = source
  }
  /** Also loads `rel` of the loaded objects with SELECT … IN. */
  selectinload<U extends RelatedOf<Leaf>>(rel: Relationship<U>): LoaderOption<T, U, [...Path, U]> {
    return this.#chain(rel, 'selectin')
  }
  /** Also loads `rel` of the loaded objects in the same statement, with a LEFT OUTER JOIN. */
  joinedload<U extends RelatedOf<Leaf>>(rel: Relationship<U>): LoaderOption<T, U, [...Path, U]> {
    return this.#chain(rel, 'joined')
  }
  /** Leaves `rel` of the loaded objects unloaded: reading it throws until `session.load()`. */
  raiseload<U extends RelatedOf<Leaf>>(rel: Relationship<U> | Wildcard): LoaderOption<T, U, [...Path, NotLoadedStep]> {
    return this.#chain(rel, 'raise')
  }
  /** Like {@link raiseload}: the relationship is loaded only by an explicit `await session.load()`. */
  lazyload<U extends RelatedOf<Leaf>>(rel: Relationship<U> | Wildcard): LoaderOption<T, U, [...Path, NotLoadedStep]> {
    return this.#chain(rel, 'raise')
  }
  /** Sets `rel` of the loaded objects to empty (null / []) without a query. */
  noload<U extends RelatedOf<Leaf>>(rel: Relationship<U> | Wildcard): LoaderOption<T, U, [...Path, NotLoadedStep]> {
    return this.#chain(rel, 'noload')
  }
  /** Also fills `rel` of the loaded objects from the columns of a join the query already has. */
  containsEager<U extends RelatedOf<Leaf>>(rel: Relationship<U>, alias?: ClauseProvider | FromClause): LoaderOption<T, U, [...Path, U]> {
    return this.#chain(rel, 'contains-eager', alias === undefined ? undefined : resolveFrom(alias, 'containsEager()'))
  }
  #chain<U, P extends readonly unknown[]>(rel: Relationship | Wildcard, strategy: LoadStrategy, source?: FromClause): LoaderOption<T, U, P> {
    // Chains extend the deepest path: a.b(x).c(y) loads x, then y on x's target.
    const last = this.children[this.children.length - 1]
    const kids = last ? [...this.children.slice(0, -1), last.#chain(rel, strategy, source)] : [new LoaderOption(rel, strategy, [], source)]
    return new LoaderOption<T, U, P>(this.relationship, this.strategy, kids, this.source)
  }
}

/**
 * Loads a relationship for all parents of a query with one extra `SELECT … WHERE key IN (…)`
 * per level (per 10,000 parents, or fewer where the dialect's parameter limit needs it).
 * ```ts
 * select(Author).options(selectinload(Author.books))
 * ```
 */
export function selectinload<T>(rel: Relationship<T>): LoaderOption<T, T, [T]> {
  return new LoaderOption(rel, 'selectin')
}
/**
 * Loads a relationship in the same statement with a LEFT OUTER JOIN (INNER for a required
 * many-to-one); with LIMIT/OFFSET the parents are limited in a subquery first.
 * ```ts
 * select(Post).options(joinedload(Post.author))
 * ```
 */
export function joinedload<T>(rel: Relationship<T>): LoaderOption<T, T, [T]> {
  return new LoaderOption(rel, 'joined')
}
/**
 * Fills a relationship from a join the query already makes, instead of joining again: the
 * target's columns are added to the select list. With `alias`, from that alias of the target.
 * A filtered join fills the collection with the matching members only.
 * ```ts
 * select(Post).join(Post.author).where(Author.c.name.eq('Alice')).options(containsEager(Post.author))
 * ```
 */
export function containsEager<T>(rel: Relationship<T>, alias?: ClauseProvider | FromClause): LoaderOption<T, T, [T]> {
  return new LoaderOption(rel, 'contains-eager', [], alias === undefined ? undefined : resolveFrom(alias, 'containsEager()'))
}
/** Makes reading the relationship an error until `session.load()` loads it, even where the relationship's default would load it. `raiseload('*')` does so for every relationship not named otherwise. */
export function raiseload(rel: Wildcard): LoaderOption<never, never, []>
export function raiseload<T>(rel: Relationship<T>): LoaderOption<T, T, []>
export function raiseload<T>(rel: Relationship<T> | Wildcard): LoaderOption<T, T, []> {
  return new LoaderOption(rel, 'raise')
}
/** Explicit async loading: no loading now; `await session.load(obj, 'rel')` loads it later. */
export function lazyload(rel: Wildcard): LoaderOption<never, never, []>
export function lazyload<T>(rel: Relationship<T>): LoaderOption<T, T, []>
export function lazyload<T>(rel: Relationship<T> | Wildcard): LoaderOption<T, T, []> {
  return new LoaderOption(rel, 'raise')
}
/** Leaves the relationship empty (null / []) without a query. */
export function noload(rel: Wildcard): LoaderOption<never, never, []>
export function noload<T>(rel: Relationship<T>): LoaderOption<T, T, []>
export function noload<T>(rel: Relationship<T> | Wildcard): LoaderOption<T, T, []> {
  return new LoaderOption(rel, 'noload')
}

/** The options of one level, resolved per relationship of a mapper. */
export class LevelOptions {
  readonly #explicit = new Map<Relationship, LoaderOption>()
  readonly #wildcard: LoaderOption | undefined
  constructor(options: readonly LoaderOption[]) {
    let wildcard: LoaderOption | undefined
    for (const o of options) {
      if (o.relationship === '*') wildcard = o
      else {
        if (o.relationship.writeOnly && o.strategy !== 'raise' && o.strategy !== 'noload') throw writeOnlyLoad(o.relationship)
        this.#explicit.set(o.relationship, o)
      }
    }
    this.#wildcard = wildcard
  }
  /** The option naming `rel`, if any. */
  explicit(rel: Relationship): LoaderOption | undefined {
    return this.#explicit.get(rel)
  }
  /** The strategy for `rel`: the option naming it, else the wildcard, else its `lazy` default. */
  strategy(rel: Relationship): LoadStrategy {
    const explicit = this.#explicit.get(rel)?.strategy
    if (explicit !== undefined) return explicit
    // A wildcard does not reach write-only collections: they are never loaded.
    return this.#wildcard !== undefined && !rel.writeOnly ? this.#wildcard.strategy : rel.lazy
  }
  /** Options for the next level down along `rel`. */
  children(rel: Relationship): readonly LoaderOption[] {
    return this.#explicit.get(rel)?.children ?? []
  }
  /** The loader options among a statement's options (plugins attach options of their own). */
  static optionsOf(options: readonly unknown[]): LoaderOption[] {
    return options.filter((o): o is LoaderOption => o instanceof LoaderOption)
  }
  /** The options of the level whose objects are `mapper`'s: the ones naming its relationships, and wildcards. */
  static forMapper(options: readonly LoaderOption[], mapper: Mapper): LevelOptions {
    return new LevelOptions(options.filter((o) => o.relationship === '*' || mapper.isa(o.relationship.owner)))
  }
}

/** Loading a write-only collection whole is what it exists to prevent. */
export function writeOnlyLoad(rel: Relationship): ArgumentError {
  return new ArgumentError(`${rel.description} is write-only: it is never loaded whole. Read its members with session.scalars(obj.${rel.key}.select()), a page at a time with limit() and offset().`, 'write-only-load')
}
