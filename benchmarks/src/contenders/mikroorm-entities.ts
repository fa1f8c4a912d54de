/**
 * The blog schema as MikroORM 6 EntitySchemas (no decorators, no reflect-metadata types needed:
 * every property type is given explicitly). Collections are MikroORM's own relation containers.
 */
import { EntitySchema, type Collection } from '@mikro-orm/core';

export interface MikroAuthor {
  id: number;
  name: string;
  email: string;
  posts: Collection<MikroPost>;
}
export interface MikroPost {
  id: number;
  title: string;
  content: string;
  createdAt: Date;
  author: MikroAuthor;
  tags: Collection<MikroTag>;
}
export interface MikroTag {
  id: number;
  name: string;
}

export const AuthorSchema = new EntitySchema<MikroAuthor>({
  name: 'Author',
  tableName: 'authors',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string' },
    email: { type: 'string', unique: true },
    posts: { kind: '1:m', entity: 'Post', mappedBy: 'author' },
  },
});

export const PostSchema = new EntitySchema<MikroPost>({
  name: 'Post',
  tableName: 'posts',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    title: { type: 'string' },
    content: { type: 'text' },
    createdAt: { type: 'Date', fieldName: 'created_at' },
    author: { kind: 'm:1', entity: 'Author', fieldName: 'author_id' },
    tags: { kind: 'm:n', entity: 'Tag', owner: true, pivotTable: 'post_tag', joinColumn: 'post_id', inverseJoinColumn: 'tag_id' },
  },
});

export const TagSchema = new EntitySchema<MikroTag>({
  name: 'Tag',
  tableName: 'tags',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', unique: true },
  },
});
