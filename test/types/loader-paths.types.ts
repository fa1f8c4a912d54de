/**
 * Type tests for loader options (checked by `npm run typecheck`): a path must start at a
 * relationship of the selected class and each chained step at one of the previous step's class.
 */
import { ForeignKey, Integer, String, declarativeBase, joinedload, mappedColumn, noload, raiseload, relationship, select, selectinload } from '@athanor/core'
import type { LoaderOption } from '@athanor/core'

const Base = declarativeBase()
class Author extends Base.model('t_authors', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Author> {
  declare posts: Post[]
  static posts = relationship(() => Post, { backPopulates: 'author' })
}
class Post extends Base.model('t_posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  author_id: mappedColumn(Integer, ForeignKey('t_authors.id')),
})<Post> {
  declare author: Author
  declare tags: Tag[]
  static author = relationship(() => Author, { backPopulates: 'posts' })
  static tags = relationship(() => Tag)
}
class Tag extends Base.model('t_tags', { id: mappedColumn(Integer, { primaryKey: true }), label: mappedColumn(String(20)) }) {}

// Paths that start at the selected class compile, with chains and mixed strategies.
select(Author).options(selectinload(Author.posts))
select(Author).options(selectinload(Author.posts).joinedload(Post.tags))
select(Author).options(joinedload(Author.posts).selectinload(Post.author).raiseload('*'))
select(Post).options(joinedload(Post.author), noload(Post.tags))
select(Post, Author).options(selectinload(Post.tags), selectinload(Author.posts))
select(Author).options(raiseload('*'))
const chained: LoaderOption<Post, Tag> = selectinload(Author.posts).selectinload(Post.tags)
void chained

// @ts-expect-error Post.tags is not a relationship of Author
select(Author).options(selectinload(Post.tags))
// @ts-expect-error a chained step must be a relationship of Post (the previous step's class), not of Author
select(Author).options(selectinload(Author.posts).selectinload(Author.posts))
// @ts-expect-error Tag has no relationships to load
select(Author).options(selectinload(Author.posts).selectinload(Post.tags).selectinload(Post.author))
// @ts-expect-error loader options make no sense on a column select
select(Author.c.name).options(selectinload(Author.posts))
