/**
 * Types that tell a loaded relationship from an unloaded one. They live beside the select types
 * because `Select.options()` computes its result type with them; nothing here exists at run time.
 */

declare const NOT_LOADED: unique symbol

/**
 * What an unloaded relationship reads as: nothing can be done with it until a loader option,
 * `session.load()` or an assignment loads it. Reading one at run time raises
 * UnloadedRelationshipError, which names the fix.
 */
export interface NotLoaded<X> {
  readonly [NOT_LOADED]: X
}

/**
 * The declared type of a relationship whose reads must be proved loaded:
 * ```ts
 * class Author extends Base.model('authors', { … })<Author> {
 *   declare posts: Lazy<Post[]>
 *   static posts = relationship(() => Post, { backPopulates: 'author' })
 * }
 * const [a] = await session.scalars(select(Author).options(selectinload(Author.posts)))
 * a.posts.length          // Loaded<Author, 'posts'>: compiles
 * (await session.get(Author, 1))!.posts.length   // does not compile: not loaded
 * ```
 * Assigning a value (`a.posts = []`, the constructor) needs no proof. A relationship declared
 * without `Lazy` (`declare posts: Post[]`) reads as loaded everywhere, as before.
 */
export type Lazy<X> = X | NotLoaded<X>

/** The loaded value of a relationship field: its declared type without the NotLoaded member. */
export type LoadedValue<V> = V extends NotLoaded<unknown> ? never : V

/** The class a relationship field refers to: `Post` for `Post[]`, `Lazy<Post[]>` or `Post | null`. */
export type RelatedClass<V> = NonNullable<LoadedValue<V>> extends infer L ? (L extends readonly (infer I)[] ? I : L) : never

type Head<P extends string> = P extends `${infer H}.${string}` ? H : P
type Tail<P extends string, H extends string> = P extends `${H}.${infer R}` ? R : never
type LoadedMember<V, P extends string> = V extends readonly (infer I)[] ? Loaded<I, P>[] : V extends null | undefined ? V : Loaded<V, P>

/**
 * `T` with the relationships on the dotted paths `P` loaded: `Loaded<Author, 'posts' | 'posts.tags'>`
 * reads `author.posts[0].tags` without a cast. Query results with loader options carry it.
 */
export type Loaded<T, P extends string = never> = [P] extends [never]
  ? T
  : T & { [K in Head<P> & keyof T]: LoadedMember<LoadedValue<T[K]>, Tail<P, K & string>> }

// ---- from loader options to paths -------------------------------------------------------------

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type IsSingle<U, C = U> = [U] extends [never] ? false : U extends unknown ? ([C] extends [U] ? true : false) : never

/** The data keys of `E` whose relationship refers to `T`. */
type KeysTo<E, T> = {
  [K in keyof E]-?: E[K] extends (...args: never[]) => unknown ? never : Same<RelatedClass<E[K]>, T> extends true ? K : never
}[keyof E]

/** The one key of `E` whose relationship refers to `T`, or never when there is none or several (then the type cannot tell which was loaded, and claims nothing). */
type KeyTo<E, T> = KeysTo<E, T> extends infer K ? (IsSingle<K> extends true ? K & string : never) : never

/**
 * The dotted paths a loader option's target chain `Path` loads below an object of type `E`:
 * `[Post, Tag]` on Author gives `'posts' | 'posts.tags'`.
 */
export type PathsOf<E, Path> = Path extends readonly [infer T, ...infer Rest]
  ? KeyTo<E, T> extends infer K extends string
    ? [K] extends [never] ? never : K | `${K}.${PathsOf<RelatedClass<E[K & keyof E]>, Rest>}`
    : never
  : never

/** A statement option that records the classes its path loads, in order (type only). */
export interface PathOption {
  readonly __path: readonly unknown[]
}

/** The indexes of row `R` whose class an option with `Path` applies to; only one may match. */
type TargetIndex<R extends readonly unknown[], Path> = Path extends readonly [infer T, ...unknown[]]
  ? { [I in keyof R & `${number}`]: [KeyTo<R[I], T>] extends [never] ? never : I }[keyof R & `${number}`]
  : never

type PathsAt<R extends readonly unknown[], I, O> = O extends PathOption
  ? TargetIndex<R, O['__path']> extends infer J ? (IsSingle<J> extends true ? (I extends J ? PathsOf<R[I & keyof R], O['__path']> : never) : never) : never
  : never

/**
 * Rows `R` after loader options `O`: each entity in the row becomes `Loaded<…>` on the paths the
 * options load for it. An option whose first step could belong to two entities of the row, or to
 * two relationships of one class, marks nothing (the result type stays on the safe side).
 */
export type WithLoads<R extends readonly unknown[], O> = {
  [I in keyof R]: Loaded<R[I], PathsAt<R, I, O>>
}

// ---- columns left out by defer() / loadOnly() -------------------------------------------------

/** Type-only key of a model instance's column brand. */
export declare const COLUMN_KEYS: unique symbol

/**
 * A model instance's columns as the types see them: all of them, and those a query's options may
 * leave out (not keys, version counters, discriminators or foreign keys, which loads keep).
 */
export interface ColumnKeys<C extends string, M extends string> {
  readonly [COLUMN_KEYS]?: { readonly columns: C; readonly mayUnload: M }
}

/** What `defer()`, `undefer()` and `loadOnly()` say at the type level: their kind and column keys. */
export interface ColumnLoadMarker<Kind extends string, K extends string> {
  readonly __columnLoad: { readonly kind: Kind; readonly keys: K }
}

type OptionKeys<O, Kind extends string> = O extends ColumnLoadMarker<Kind, infer K> ? K : never

/**
 * The columns of `E` that options `O` certainly leave out, whatever their order: deferred or left
 * out by a `loadOnly()` naming some of `E`'s columns, and named by no `undefer()` or `loadOnly()`.
 */
type UnloadedKeys<E, O> = E extends ColumnKeys<infer C, infer M>
  ? Exclude<
      Extract<OptionKeys<O, 'defer'>, M> | ([Extract<OptionKeys<O, 'loadOnly'>, C>] extends [never] ? never : M),
      OptionKeys<O, 'undefer'> | OptionKeys<O, 'loadOnly'>
    >
  : never

/** `T` with columns `U` unloaded: they read as NotLoaded, as unloaded relationships do. */
export type WithUnloaded<T, U extends PropertyKey> = [U] extends [never] ? T : Omit<T, U> & { readonly [K in U & keyof T]: NotLoaded<T[K]> }

type EntityIndexes<R extends readonly unknown[]> = { [I in keyof R & `${number}`]: R[I] extends ColumnKeys<string, string> ? I : never }[keyof R & `${number}`]

/**
 * Rows `R` after column options `O`: with one entity in the row, its columns the options
 * certainly leave out read as NotLoaded (with several, options could name either, so nothing is
 * claimed). `await obj.$.col` and `session.loadColumns()` load them.
 */
export type WithColumnLoads<R extends readonly unknown[], O> = [OptionKeys<O, string>] extends [never]
  ? R
  : IsSingle<EntityIndexes<R>> extends true
    ? { [I in keyof R]: WithUnloaded<R[I], UnloadedKeys<R[I], O>> }
    : R
