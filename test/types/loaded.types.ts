/**
 * Type tests for loaded relationships (checked by `npm run typecheck`): a relationship declared
 * `Lazy<…>` reads only where the type proves it loaded — a query with loader options, or a
 * `Loaded<…>` annotation — and takes plain values in constructors and assignments.
 */
import { AsyncSession, ForeignKey, Integer, String, containsEager, declarativeBase, joinedload, mappedColumn, noload, raiseload, relationship, select, selectinload } from '@athanor/core'
import type { Lazy, Loaded } from '@athanor/core'
import { expectType } from './expect-type.js'

const Base = declarativeBase()
class Author extends Base.model('l_authors', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Author> {
  declare posts: Lazy<Post[]>
  static posts = relationship(() => Post, { backPopulates: 'author' })
}
class Post extends Base.model('l_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(50)),
  author_id: mappedColumn(Integer, ForeignKey('l_authors.id')),
  editor_id: mappedColumn(Integer, ForeignKey('l_authors.id'), { nullable: true }),
})<Post> {
  declare author: Lazy<Author>
  declare editor: Lazy<Author | null>
  declare tags: Lazy<Tag[]>
  static author = relationship(() => Author, { backPopulates: 'posts', foreignKeys: () => [Post.c.author_id] })
  static editor = relationship(() => Author, { foreignKeys: () => [Post.c.editor_id] })
  static tags = relationship(() => Tag)
}
class Tag extends Base.model('l_tags', { id: mappedColumn(Integer, { primaryKey: true }), label: mappedColumn(String(20)) }) {}

export async function loadedRelationships(session: AsyncSession): Promise<void> {
  // Unloaded: the column reads, the relationship does not.
  const plain = (await session.scalars(select(Author))).all()
  expectType<Author[]>()(plain)
  expectType<string>()(plain[0]!.name)
  // @ts-expect-error posts is not loaded by select(Author): add selectinload(Author.posts)
  void plain[0]!.posts.length

  // A loader option marks its path loaded, through every level of a chain.
  const authors = (await session.scalars(select(Author).options(selectinload(Author.posts).joinedload(Post.tags)))).all()
  expectType<Loaded<Author, 'posts' | 'posts.tags'>[]>()(authors)
  expectType<string>()(authors[0]!.posts[0]!.tags[0]!.label)
  // @ts-expect-error the posts' author was not loaded by this query
  void authors[0]!.posts[0]!.author.name

  // Sibling options add up; a raise step marks nothing below it.
  const both = (await session.scalars(select(Author).options(selectinload(Author.posts).raiseload(Post.tags)))).all()
  expectType<Loaded<Author, 'posts'>[]>()(both)
  // @ts-expect-error tags were raiseload()ed
  void both[0]!.posts[0]!.tags.length
  const tagged = (await session.scalars(select(Author).options(selectinload(Author.posts)).options(selectinload(Author.posts).selectinload(Post.tags)))).all()
  expectType<Loaded<Loaded<Author, 'posts'>, 'posts' | 'posts.tags'>[]>()(tagged)
  expectType<string>()(tagged[0]!.posts[0]!.tags[0]!.label)

  // Two relationships to the same class: the type cannot tell which one an option loaded, so it claims neither.
  const ambiguous = (await session.scalars(select(Post).options(containsEager(Post.editor)))).all()
  expectType<Post[]>()(ambiguous)
  // @ts-expect-error author and editor both refer to Author; use session.load() or a Loaded<Post, 'editor'> annotation
  void ambiguous[0]!.editor?.name
  // session.load() returns what it loaded, typed.
  const withEditor = await session.load(ambiguous[0]!, 'editor')
  expectType<string | undefined>()(withEditor.editor?.name)
  const withAuthors = await session.load(ambiguous, 'author', 'editor')
  expectType<Loaded<Post, 'author' | 'editor'>[]>()(withAuthors)

  // noload and raiseload prove nothing.
  expectType<Post[]>()((await session.scalars(select(Post).options(noload(Post.tags), raiseload('*')))).all())

  // Rows of several entities: each gets the paths that start at its own class.
  const rows = (await session.execute(select(Post, Tag).options(selectinload(Post.tags)))).all()
  expectType<[Loaded<Post, 'tags'>, Tag][]>()(rows)

  // session.get() with options is typed the same way.
  const one = await session.get(Author, 1, { options: [selectinload(Author.posts)] })
  expectType<Loaded<Author, 'posts'> | undefined>()(one)

  // Explicit loading of a path: each relationship must start where the previous one ends.
  const loadedPath = await session.load(plain, Author.posts, Post.tags)
  expectType<Loaded<Author, 'posts' | 'posts.tags'>[]>()(loadedPath)
  expectType<string>()(loadedPath[0]!.posts[0]!.tags[0]!.label)
  // @ts-expect-error Post.tags is not a relationship of Author: the path must start at Author
  void session.load(plain, Post.tags)
  // @ts-expect-error Author.posts does not continue a path that reached Post
  void session.load(plain, Author.posts, Author.posts)
  // Loader options load what they say, siblings included.
  const viaOptions = await session.load(plain[0]!, selectinload(Author.posts).joinedload(Post.tags))
  expectType<Loaded<Author, 'posts' | 'posts.tags'>>()(viaOptions)
  // @ts-expect-error a loader option for load(author) must start at a relationship of Author
  void session.load(plain[0]!, selectinload(Post.tags))

  // One relationship, awaited: `obj.$.rel` loads it if needed and gives its loaded type.
  expectType<Post[]>()(await plain[0]!.$.posts)
  expectType<Author | null>()(await ambiguous[0]!.$.editor)
  // A column has an awaitable form too (it loads a deferred column): its own type.
  expectType<string>()(await plain[0]!.$.name)

  // Writes need no proof: assignment and the constructor take plain values.
  const a = new Author({ name: 'A', posts: [new Post({ title: 't', tags: [] })] })
  a.posts = []
  // @ts-expect-error a constructor's relationship value must be a plain Post[], not a NotLoaded marker
  void new Author({ name: 'B', posts: plain[0]!.posts })
  // A Loaded value is still an Author (it can go wherever an Author goes).
  const asAuthor: Author = authors[0]!
  void asAuthor
}
