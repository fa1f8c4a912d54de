// blog_system.ts — the seed's real-life example: authors, posts and tags.
import {
  AsyncSession, DateTime, ForeignKey, Integer, String, Table, Text, column, createAsyncEngine, declarativeBase, desc,
  mappedColumn, relationship, select, selectinload,
} from '@athanor/core'
import type { Lazy } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

// Association table for the many-to-many relationship
const postTag = new Table('post_tag', Base.metadata, {
  post_id: column(Integer, ForeignKey('posts.id'), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('tags.id'), { primaryKey: true }),
})

class Author extends Base.model('authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
  email: mappedColumn(String(100), { unique: true }),
})<Author> {
  declare posts: Lazy<Post[]> // readable once loaded: a loader option or session.load() proves it
  static posts = relationship(() => Post, { backPopulates: 'author', cascade: 'all, delete-orphan' })
}

class Post extends Base.model('posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(200)),
  content: mappedColumn(Text),
  created_at: mappedColumn(DateTime(), { default: () => new Date() }),
  author_id: mappedColumn(Integer, ForeignKey('authors.id')),
})<Post> {
  declare author: Lazy<Author>
  static author = relationship(() => Author, { backPopulates: 'posts' })
  declare tags: Lazy<Tag[]>
  static tags = relationship(() => Tag, { secondary: postTag, backPopulates: 'posts' })
}

class Tag extends Base.model('tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50), { unique: true }),
})<Tag> {
  declare posts: Lazy<Post[]>
  static posts = relationship(() => Post, { secondary: postTag, backPopulates: 'tags' })
}

// Setup
const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)

// Create blog data
{
  await using session = new AsyncSession(engine)
  const author1 = new Author({ name: 'Alice', email: 'alice@blog.com' })
  const author2 = new Author({ name: 'Bob', email: 'bob@blog.com' })
  const pythonTag = new Tag({ name: 'Python' })
  const webTag = new Tag({ name: 'Web' })

  const post1 = new Post({
    title: 'Getting Started with Python',
    content: 'Python is a great language...',
    author: author1,
    tags: [pythonTag, webTag],
  })
  const post2 = new Post({
    title: 'Advanced ORM Techniques',
    content: 'SQLAlchemy provides powerful ORM features...',
    author: author1,
    tags: [pythonTag],
  })
  const post3 = new Post({
    title: 'Web Development Tips',
    content: 'Here are some web development best practices...',
    author: author2,
    tags: [webTag],
  })
  session.addAll([author1, author2, pythonTag, webTag, post1, post2, post3])
  await session.commit()
}

// Query examples
{
  await using session = new AsyncSession(engine)

  // Find all posts by an author, newest first. JavaScript Dates have millisecond resolution,
  // so posts created in the same millisecond get equal created_at values; the id tie-breaker
  // keeps "newest first" deterministic (later inserts have larger ids).
  const stmt = select(Post).join(Author).where(Author.c.name.eq('Alice')).orderBy(desc(Post.c.created_at), desc(Post.c.id))
  const alicePosts = (await session.scalars(stmt)).all()
  console.log(`Posts by Alice: ${alicePosts.length}`)
  for (const post of alicePosts) console.log(`  - ${post.title}`)

  // Find all posts with a specific tag; load each post's author in the same round of queries
  // (no hidden lazy loads, and no N+1).
  const tagged = select(Post).join(Post.tags).where(Tag.c.name.eq('Python')).options(selectinload(Post.author))
  const pythonPosts = (await session.scalars(tagged)).all()
  console.log(`\nPython posts: ${pythonPosts.length}`)
  for (const post of pythonPosts) console.log(`  - ${post.title} by ${post.author.name}`)

  // Count total posts
  const totalPosts = (await session.scalars(select(Post))).all().length
  console.log(`\nTotal blog posts: ${totalPosts}`)
}

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
