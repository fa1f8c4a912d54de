/**
 * The blog schema mapped with Athanor's declarative classes, as a user would write them (the
 * shape of examples/blog_system.ts). The harness creates the tables (db/schema-ddl.ts); these
 * classes only map them. One set of classes serves every dialect: Athanor's types are portable.
 */
import { DateTime, ForeignKey, Integer, String, Table, Text, column, declarativeBase, mappedColumn, relationship } from '@athanor/core';

export const Base = declarativeBase();

const postTag = new Table('post_tag', Base.metadata, {
  post_id: column(Integer, ForeignKey('posts.id'), { primaryKey: true }),
  tag_id: column(Integer, ForeignKey('tags.id'), { primaryKey: true }),
});

export class Author extends Base.model('authors', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)),
  email: mappedColumn(String(100), { unique: true }),
})<Author> {
  declare posts: Post[];
  static posts = relationship(() => Post, { backPopulates: 'author', cascade: 'all, delete-orphan' });
}

export class Post extends Base.model('posts', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(200)),
  content: mappedColumn(Text),
  created_at: mappedColumn(DateTime()),
  author_id: mappedColumn(Integer, ForeignKey('authors.id')),
})<Post> {
  declare author: Author;
  static author = relationship(() => Author, { backPopulates: 'posts' });
  declare tags: Tag[];
  static tags = relationship(() => Tag, { secondary: postTag, backPopulates: 'posts' });
}

export class Tag extends Base.model('tags', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50), { unique: true }),
})<Tag> {
  declare posts: Post[];
  static posts = relationship(() => Post, { secondary: postTag, backPopulates: 'tags' });
}
