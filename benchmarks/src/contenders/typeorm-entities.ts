/**
 * The blog schema as TypeORM EntitySchemas (no decorators, so no experimentalDecorators or
 * emitDecoratorMetadata in the shared tsconfig). Post maps author_id twice — as the `authorId`
 * column for the N+1 query and as the `author` relation — the usual TypeORM pattern.
 */
import { EntitySchema, type ColumnType } from 'typeorm';
import type { Dialect } from '../types.js';

export interface TagEntity {
  id: number;
  name: string;
}
export interface PostEntity {
  id: number;
  title: string;
  content: string;
  createdAt: Date;
  authorId: number;
  author?: AuthorEntity;
  tags: TagEntity[];
}
export interface AuthorEntity {
  id: number;
  name: string;
  email: string;
  posts: PostEntity[];
}

const DATE_TYPE: Record<Dialect, ColumnType> = { pg: 'timestamp', mysql: 'datetime', libsql: 'datetime' };

/** Entity schemas for one dialect (only the date column type differs). */
export function typeormEntities(dialect: Dialect) {
  const Author = new EntitySchema<AuthorEntity>({
    name: 'Author',
    tableName: 'authors',
    columns: {
      id: { type: Number, primary: true, generated: 'increment' },
      name: { type: String },
      email: { type: String, unique: true },
    },
    relations: {
      posts: { type: 'one-to-many', target: 'Post', inverseSide: 'author', cascade: ['insert'] },
    },
  });
  const Post = new EntitySchema<PostEntity>({
    name: 'Post',
    tableName: 'posts',
    columns: {
      id: { type: Number, primary: true, generated: 'increment' },
      title: { type: String },
      content: { type: 'text' },
      createdAt: { type: DATE_TYPE[dialect], name: 'created_at' },
      authorId: { type: Number, name: 'author_id' },
    },
    relations: {
      author: { type: 'many-to-one', target: 'Author', inverseSide: 'posts', joinColumn: { name: 'author_id' } },
      tags: {
        type: 'many-to-many',
        target: 'Tag',
        joinTable: { name: 'post_tag', joinColumn: { name: 'post_id' }, inverseJoinColumn: { name: 'tag_id' } },
      },
    },
  });
  const Tag = new EntitySchema<TagEntity>({
    name: 'Tag',
    tableName: 'tags',
    columns: {
      id: { type: Number, primary: true, generated: 'increment' },
      name: { type: String, unique: true },
    },
  });
  return { Author, Post, Tag };
}
