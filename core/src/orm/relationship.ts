import { ArgumentError } from '../util/errors.js'
import { Deferred, and } from '../sql/elements.js'
import { Boolean as BooleanType } from '../types/index.js'
import { OrderBy } from '../sql/elements.js'
import type { Expression } from '../sql/elements.js'
import type { Column } from '../sql/column.js'
import { FromClause, TableAlias } from '../sql/from.js'
import { JOIN_PATH, resolveFrom } from '../sql/select.js'
import type { ClauseProvider, JoinPathProvider, Select } from '../sql/select.js'
import { RelationshipPath, relationshipContains, relationshipExists, relationshipIs } from './relationship-criteria.js'
import type { Table } from '../sql/table.js'
import type { Mapper } from './mapper.js'

/** How related rows are loaded when nothing on the statement says otherwise. */
export type LazyStrategy = 'raise' | 'selectin' | 'joined' | 'noload'

export type CascadeOption = 'save-update' | 'merge' | 'delete' | 'delete-orphan' | 'expunge' | 'refresh-expire'

export interface RelationshipOptions {
  /** The attribute on the other class that mirrors this one; both are kept in step in memory. */
  readonly backPopulates?: string
  /** The association table of a many-to-many relationship. */
  readonly secondary?: Table
  /** `'all, delete-orphan'`, `'save-update, merge'` (the default), `'all'`, … */
  readonly cascade?: string
  /** Let the database's ON DELETE handle children instead of loading and deleting them. */
  readonly passiveDeletes?: boolean
  /** Order of a collection's members when loaded. */
  readonly orderBy?: () => readonly (OrderBy | Expression<unknown>)[]
  /** Default loading (`'raise'`: reading it unloaded is an error that names the fix). */
  readonly lazy?: LazyStrategy
  /** false: a one-to-many that holds one object (one-to-one). */
  readonly uselist?: boolean
  /** For self-referential relationships: the remote side's columns (makes it many-to-one). */
  readonly remoteSide?: () => readonly Column<unknown>[]
  /** The foreign key columns to use when there are several between the tables. */
  readonly foreignKeys?: () => readonly Column<unknown>[]
  /** Only for loading: never written at flush. */
  readonly viewonly?: boolean
  /**
   * A one-to-many too large to load: the attribute is a {@link WriteOnlyCollection} that records
   * `add()`/`remove()` for the next flush and gives a `select()` of its members; loader options
   * refuse it. Declare it `declare posts: WriteOnlyCollection<Post>`.
   */
  readonly writeOnly?: boolean
}

export type Direction = 'many-to-one' | 'one-to-many' | 'many-to-many'

/** A column pair: `parent` on the owner's side, `child` on the other side of a foreign key. */
export interface SyncPair {
  /** The referenced (primary key) column. */
  readonly source: Column<unknown>
  /** The foreign key column that copies it. */
  readonly dest: Column<unknown>
}

interface Resolved {
  readonly direction: Direction
  readonly targetMapper: Mapper
  readonly pairs: SyncPair[]
  readonly secondaryPairs: SyncPair[]
}

const ALL_CASCADES: CascadeOption[] = ['save-update', 'merge', 'delete', 'expunge', 'refresh-expire']

function parseCascade(text: string | undefined): Set<CascadeOption> {
  const out = new Set<CascadeOption>()
  for (const part of (text ?? 'save-update, merge').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'all') ALL_CASCADES.forEach((c) => out.add(c))
    else if ([...ALL_CASCADES, 'delete-orphan'].includes(part)) out.add(part as CascadeOption)
    else throw new ArgumentError(`Unknown cascade '${part}': use any of all, save-update, merge, delete, delete-orphan, expunge, refresh-expire.`)
  }
  return out
}

/**
 * A relationship between two mapped classes, declared as a static property next to a
 * `declare`d instance field of the same name.
 * ```ts
 * class Author extends Base.model('authors', { … }) {
 *   declare books: Book[]
 *   static books = relationship(() => Book, { backPopulates: 'author', cascade: 'all, delete-orphan' })
 * }
 * ```
 */
export class Relationship<T = unknown> implements JoinPathProvider {
  declare readonly __target: T
  readonly options: RelationshipOptions
  readonly #target: () => abstract new (...args: never[]) => T
  readonly cascade: Set<CascadeOption>
  #owner: Mapper | undefined
  #key: string | undefined
  #resolved: Resolved | undefined
  #sources: readonly Column<unknown>[] | undefined
  #dests: readonly Column<unknown>[] | undefined

  constructor(target: () => abstract new (...args: never[]) => T, options: RelationshipOptions = {}) {
    this.#target = target
    this.options = options
    this.cascade = parseCascade(options.cascade)
    if (this.cascade.has('delete-orphan') && !this.cascade.has('delete')) this.cascade.add('delete')
  }

  /** @internal set when the owning class is configured. */
  bind(owner: Mapper, key: string): void {
    if (this.#owner && this.#owner !== owner) {
      throw new ArgumentError(`The relationship ${this.#owner.className}.${this.#key} is also assigned to ${owner.className}.${key}; create one relationship() per attribute.`)
    }
    this.#owner = owner
    this.#key = key
  }

  get owner(): Mapper {
    if (!this.#owner) throw new ArgumentError('This relationship is not attached to a mapped class: declare it as a static property of one.')
    return this.#owner
  }
  get key(): string {
    return this.#key ?? '?'
  }
  get targetClass(): abstract new (...args: never[]) => T {
    return this.#target()
  }
  get lazy(): LazyStrategy {
    return this.options.lazy ?? 'raise'
  }
  get direction(): Direction {
    return this.#resolve().direction
  }
  get target(): Mapper {
    return this.#resolve().targetMapper
  }
  /**
   * This relationship typed as holding `cls`, a subclass of its target (the objects stay of every
   * class), so that a loader path can go on with the subclass's relationships, which load for its
   * objects: `selectinload(Company.staff.ofType(Engineer)).selectinload(Engineer.projects)`.
   */
  ofType<U extends T>(cls: abstract new (...args: never[]) => U): Relationship<U> {
    const target = this.target
    if (!target.registry.mapperOf(cls, `${this.description}.ofType()`).isa(target)) {
      throw new ArgumentError(`${this.description}.ofType(${cls.name}): ${cls.name} is not a subclass of ${target.className}, the class this relationship holds.`)
    }
    return this as unknown as Relationship<U>
  }
  /** One-to-many/many-to-many hold collections unless `uselist: false`. */
  get uselist(): boolean {
    return this.direction !== 'many-to-one' && this.options.uselist !== false
  }
  /**
   * Column pairs of the foreign key: for many-to-one, source = target's key, dest = owner's FK;
   * for one-to-many, source = owner's key, dest = target's FK; for many-to-many, the owner side
   * (source = owner's key, dest = the secondary table's column).
   */
  get pairs(): readonly SyncPair[] {
    return this.#resolve().pairs
  }
  /** The source columns of {@link pairs}, in order (made once: every load of the relationship keys by them). */
  get sourceColumns(): readonly Column<unknown>[] {
    return (this.#sources ??= this.pairs.map((p) => p.source))
  }
  /** The dest columns of {@link pairs}, in order. */
  get destColumns(): readonly Column<unknown>[] {
    return (this.#dests ??= this.pairs.map((p) => p.dest))
  }
  /** Many-to-many only: source = target's key, dest = the secondary table's column. */
  get secondaryPairs(): readonly SyncPair[] {
    return this.#resolve().secondaryPairs
  }
  /** The mirrored relationship on the target, if `backPopulates` names one. */
  get back(): Relationship | undefined {
    return this.options.backPopulates ? this.target.relationship(this.options.backPopulates) : undefined
  }
  get description(): string {
    return `${this.#owner?.className ?? '?'}.${this.key}`
  }
  /** `stmt` ordered by the relationship's `orderBy`, if it has one (loads and write-only selects). */
  ordered<S extends Select<readonly unknown[], unknown>>(stmt: S): S {
    const order = this.options.orderBy?.()
    return order ? (stmt.orderBy(...order.map((o) => (o instanceof OrderBy ? o : (o as Expression<unknown>).asc()))) as S) : stmt
  }
  /** Whether the relationship is write-only (never loaded whole); checked against its other options on first use. */
  get writeOnly(): boolean {
    if (this.options.writeOnly !== true) return false
    if (this.direction !== 'one-to-many' || this.options.uselist === false || this.options.lazy !== undefined || this.options.viewonly === true) {
      throw new ArgumentError(`${this.description}: writeOnly applies to a one-to-many collection that is written (no uselist: false, lazy or viewonly); this one is ${this.direction}${this.options.lazy !== undefined ? ` with lazy: '${this.options.lazy}'` : ''}.`)
    }
    return true
  }

  #resolve(): Resolved {
    return this.#resolved ?? (this.#resolved = this.#resolveNow())
  }

  // Apart from #resolve: its closure over `this` made every call allocate a context, though all
  // but the first return at once (1.4 MB per joined load of 10,000 rows).
  #resolveNow(): Resolved {
    const owner = this.owner
    const targetMapper = owner.registry.mapperOf(this.#target(), this.description)
    const ot = owner.table
    const tt = targetMapper.table
    const secondary = this.options.secondary
    let resolved: Resolved
    const pick = (from: Table, to: Table): SyncPair[] => {
      const chosen = this.options.foreignKeys?.()
      const fks = from.foreignKeys.filter((fk) => fk.target === to && (!chosen || fk.columns.every((c) => chosen.includes(c))))
      if (fks.length === 0) return []
      if (fks.length > 1) {
        throw new ArgumentError(`${this.description}: '${from.name}' has ${fks.length} foreign keys to '${to.name}'; say which with foreignKeys: () => [${from.name} column].`)
      }
      return fks[0]!.columns.map((dest, i) => ({ dest, source: fks[0]!.targetColumns[i]! }))
    }
    if (secondary) {
      const ownerSide = pick(secondary, ot)
      const targetSide = ot === tt ? [] : pick(secondary, tt)
      if (ownerSide.length === 0 || (ot !== tt && targetSide.length === 0)) {
        throw new ArgumentError(`${this.description}: the secondary table '${secondary.name}' needs foreign keys to both '${ot.name}' and '${tt.name}'.`)
      }
      resolved = { direction: 'many-to-many', targetMapper, pairs: ownerSide, secondaryPairs: targetSide }
    } else if (ot === tt) {
      const pairs = pick(ot, ot)
      if (pairs.length === 0) throw new ArgumentError(`${this.description}: '${ot.name}' has no foreign key to itself.`)
      const remote = this.options.remoteSide?.()
      // With remoteSide naming the referenced key, this side holds the foreign key: many-to-one.
      const m2o = remote !== undefined && pairs.every((p) => remote.includes(p.source))
      resolved = { direction: m2o ? 'many-to-one' : 'one-to-many', targetMapper, pairs, secondaryPairs: [] }
    } else {
      const m2o = pick(ot, tt)
      const o2m = pick(tt, ot)
      if (m2o.length && o2m.length && !this.options.foreignKeys) {
        throw new ArgumentError(`${this.description}: '${ot.name}' and '${tt.name}' reference each other; say which foreign key this relationship uses with foreignKeys.`)
      }
      if (m2o.length) resolved = { direction: 'many-to-one', targetMapper, pairs: m2o, secondaryPairs: [] }
      else if (o2m.length) resolved = { direction: 'one-to-many', targetMapper, pairs: o2m, secondaryPairs: [] }
      else {
        throw new ArgumentError(
          `${this.description}: no foreign key links '${ot.name}' and '${tt.name}'. Add ForeignKey('${tt.name}.id') to a column of '${ot.name}' (many-to-one) ` +
            `or of '${tt.name}' (one-to-many), or pass secondary for many-to-many.`,
        )
      }
    }
    return resolved
  }

  /**
   * The join condition from `from` (the owner's table or an alias of it) to `to` (the target's
   * table, or the secondary table for many-to-many, or their aliases).
   */
  joinCondition(from: FromClause, to: FromClause, secondaryFrom?: FromClause): Expression<boolean>[] {
    const col = (f: FromClause, c: Column<unknown>): Expression<unknown> => (f instanceof TableAlias ? (f.corresponding(c) ?? c) : c)
    const eq = (a: Expression<unknown>, b: Expression<unknown>): Expression<boolean> => a.eq(b as never)
    const d = this.direction
    if (d === 'many-to-one') return [and(...this.pairs.map((p) => eq(col(from, p.dest), col(to, p.source))))]
    if (d === 'one-to-many') return [and(...this.pairs.map((p) => eq(col(from, p.source), col(to, p.dest))))]
    const sec = secondaryFrom ?? this.options.secondary!
    return [and(...this.pairs.map((p) => eq(col(from, p.source), col(sec, p.dest)))), and(...this.secondaryPairs.map((p) => eq(col(sec, p.dest), col(to, p.source))))]
  }

  [JOIN_PATH](left: FromClause): readonly { target: FromClause; on: Expression<unknown> }[] {
    return new RelationshipPath(this, undefined, [])[JOIN_PATH](left)
  }

  /**
   * The collection has a member (meeting `criteria`): `EXISTS (SELECT 1 FROM …)`.
   * ```ts
   * select(Author).where(Author.posts.any(Post.c.title.like('%SQL%')))
   * ```
   */
  any(criteria?: Expression<boolean | null>): Expression<boolean> {
    return new Deferred(() => relationshipExists(this, criteria, 'any'), BooleanType)
  }
  /**
   * The many-to-one target exists (and meets `criteria`): `EXISTS (SELECT 1 FROM …)`.
   * ```ts
   * select(Post).where(Post.author.has(Author.c.name.eq('Alice')))
   * ```
   */
  has(criteria?: Expression<boolean | null>): Expression<boolean> {
    return new Deferred(() => relationshipExists(this, criteria, 'has'), BooleanType)
  }
  /** The many-to-one points at `obj` (compares the foreign key; `null`: IS NULL). `select(Post).where(Post.author.is(alice))` */
  is(obj: T | null): Expression<boolean> {
    return new Deferred(() => relationshipIs(this, obj as object | null), BooleanType)
  }
  /** The collection holds `obj`. `select(Author).where(Author.posts.contains(post))` */
  contains(obj: T): Expression<boolean> {
    return new Deferred(() => relationshipContains(this, obj as object), BooleanType)
  }
  /** A join along this relationship with more ON criteria: `.join(Author.posts.and(Post.c.published.eq(true)))`. */
  and(...criteria: Expression<boolean | null>[]): RelationshipPath {
    return new RelationshipPath(this, undefined, []).and(...criteria)
  }
  /** A join along this relationship to an alias of its target: `.join(Employee.manager.of(Manager))`. */
  of(target: ClauseProvider): RelationshipPath {
    return new RelationshipPath(this, resolveFrom(target, `${this.description}.of()`), [])
  }
}

/**
 * Declares a relationship to another mapped class (a thunk, so classes may refer to each other).
 * `backPopulates` must name an attribute of the target class: a typo does not compile.
 * ```ts
 * static author = relationship(() => Author, { backPopulates: 'posts' })
 * ```
 */
export function relationship<T>(
  target: () => abstract new (...args: never[]) => T,
  options?: RelationshipOptions & { readonly backPopulates?: Extract<keyof T, string> },
): Relationship<T> {
  return new Relationship(target, options)
}
