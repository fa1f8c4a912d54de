import { ArgumentError } from '../util/errors.js'
import type { RelatedOf } from '../sql/select.js'
import { LoaderOption } from './loader-options.js'
import { Relationship } from './relationship.js'
import type { Mapper } from './mapper.js'

/** What `session.load()` takes after the objects: relationship names, a path of relationships, or loader options. */
export type LoadArgument = string | Relationship<unknown> | LoaderOption<unknown, unknown, readonly unknown[]>

/**
 * `P` when each relationship starts where the previous one ends (`Author.posts, Post.tags` from
 * an Author); otherwise a tuple whose wrong position cannot be matched, so the call does not compile.
 */
export type RelationshipChain<T, P extends readonly unknown[]> = P extends readonly [infer R, ...infer Rest]
  ? R extends Relationship<infer U>
    ? [U] extends [RelatedOf<T>] ? [R, ...RelationshipChain<U, Rest>] : [Relationship<RelatedOf<T>>, ...unknown[]]
    : [never]
  : []

/** The classes a chain of relationships loads, in order: `[Post, Tag]` for `Author.posts, Post.tags`. */
export type ChainTargets<P extends readonly unknown[]> = { [I in keyof P]: P[I] extends Relationship<infer U> ? U : never }

/**
 * The loader options a `load()` call stands for, checked against the class of the objects:
 * names load siblings (`'posts', 'profile'`); relationships load a path (`Author.posts, Post.tags`:
 * the authors' posts, then those posts' tags); loader options load what they say.
 */
export function explicitLoadOptions(mapper: Mapper, args: readonly LoadArgument[]): LoaderOption[] {
  if (args.every((a) => typeof a === 'string')) return args.map((name) => selectinOf(mapper.relationship(name)))
  if (args.every((a) => a instanceof Relationship)) return [chainOf(mapper, args)]
  if (args.every((a) => a instanceof LoaderOption)) {
    for (const o of args) {
      if (o.relationship === '*' || !(o.strategy === 'selectin' || o.strategy === 'joined')) {
        throw new ArgumentError(`load() loads relationships: pass selectinload() or joinedload() options, not ${o.relationship === '*' ? `${o.strategy}('*')` : `a ${o.strategy} option`}.`)
      }
      startsAt(mapper, o.relationship)
    }
    return [...args]
  }
  throw new ArgumentError("load() takes relationship names ('posts'), a path of relationships (Author.posts, Post.tags) or loader options (selectinload(Author.posts)), not a mix of them.")
}

const selectins = new WeakMap<Relationship, LoaderOption>()

/** `selectinload(rel)`, made once per relationship (options are immutable): one parent's load by name runs per object. */
function selectinOf(rel: Relationship): LoaderOption {
  let option = selectins.get(rel)
  if (option === undefined) selectins.set(rel, (option = new LoaderOption(rel, 'selectin')))
  return option
}

/** `Author.posts, Post.tags` as `selectinload(Author.posts).selectinload(Post.tags)`. */
function chainOf(mapper: Mapper, path: readonly Relationship[]): LoaderOption {
  startsAt(mapper, path[0]!)
  let option = new LoaderOption(path[0]!, 'selectin')
  for (let i = 1; i < path.length; i++) {
    const prev = path[i - 1]!
    const rel = path[i]!
    if (!prev.target.isa(rel.owner) && !rel.owner.isa(prev.target)) {
      throw new ArgumentError(
        `${rel.description} does not continue the path after ${prev.description}: it is a relationship of ${rel.owner.className}, and the path ` +
          `has reached ${prev.target.className}. Each relationship must start where the previous one ends (Author.posts, Post.tags); ` +
          'for relationships side by side pass loader options: load(objs, selectinload(Author.posts), selectinload(Author.profile)).',
      )
    }
    option = option.selectinload(rel as never)
  }
  return option
}

function startsAt(mapper: Mapper, rel: Relationship): void {
  if (!mapper.isa(rel.owner) && !rel.owner.isa(mapper)) {
    throw new ArgumentError(`load() got ${rel.description} for ${mapper.className} objects: start at a relationship of ${mapper.className}, e.g. ${mapper.className}.<relationship>.`)
  }
}
