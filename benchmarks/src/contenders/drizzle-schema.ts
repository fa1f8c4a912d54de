/**
 * The blog schema as Drizzle tables and relations, once per dialect (Drizzle has a table builder
 * per database). Mirrors db/schema-ddl.ts; the harness creates the tables, Drizzle only maps them.
 */
import { relations } from 'drizzle-orm';
import * as pg from 'drizzle-orm/pg-core';
import * as my from 'drizzle-orm/mysql-core';
import * as lite from 'drizzle-orm/sqlite-core';

const pgAuthors = pg.pgTable('authors', {
  id: pg.serial('id').primaryKey(),
  name: pg.varchar('name', { length: 100 }).notNull(),
  email: pg.varchar('email', { length: 100 }).notNull().unique(),
});
const pgPosts = pg.pgTable('posts', {
  id: pg.serial('id').primaryKey(),
  title: pg.varchar('title', { length: 200 }).notNull(),
  content: pg.text('content').notNull(),
  createdAt: pg.timestamp('created_at', { precision: 3, mode: 'date' }).notNull().defaultNow(),
  authorId: pg.integer('author_id').notNull(),
});
const pgTags = pg.pgTable('tags', {
  id: pg.serial('id').primaryKey(),
  name: pg.varchar('name', { length: 50 }).notNull().unique(),
});
const pgPostTag = pg.pgTable('post_tag', { postId: pg.integer('post_id').notNull(), tagId: pg.integer('tag_id').notNull() }, (t) => [
  pg.primaryKey({ columns: [t.postId, t.tagId] }),
]);

const myAuthors = my.mysqlTable('authors', {
  id: my.int('id').autoincrement().primaryKey(),
  name: my.varchar('name', { length: 100 }).notNull(),
  email: my.varchar('email', { length: 100 }).notNull().unique(),
});
const myPosts = my.mysqlTable('posts', {
  id: my.int('id').autoincrement().primaryKey(),
  title: my.varchar('title', { length: 200 }).notNull(),
  content: my.text('content').notNull(),
  createdAt: my.datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
  authorId: my.int('author_id').notNull(),
});
const myTags = my.mysqlTable('tags', {
  id: my.int('id').autoincrement().primaryKey(),
  name: my.varchar('name', { length: 50 }).notNull().unique(),
});
const myPostTag = my.mysqlTable('post_tag', { postId: my.int('post_id').notNull(), tagId: my.int('tag_id').notNull() }, (t) => [
  my.primaryKey({ columns: [t.postId, t.tagId] }),
]);

// SQLite has no date type; created_at holds "YYYY-MM-DD HH:MM:SS.sss" text, which Drizzle's
// integer timestamp modes cannot read, so it is mapped as text.
const liteAuthors = lite.sqliteTable('authors', {
  id: lite.integer('id').primaryKey(),
  name: lite.text('name').notNull(),
  email: lite.text('email').notNull().unique(),
});
const litePosts = lite.sqliteTable('posts', {
  id: lite.integer('id').primaryKey(),
  title: lite.text('title').notNull(),
  content: lite.text('content').notNull(),
  createdAt: lite.text('created_at').notNull(),
  authorId: lite.integer('author_id').notNull(),
});
const liteTags = lite.sqliteTable('tags', {
  id: lite.integer('id').primaryKey(),
  name: lite.text('name').notNull().unique(),
});
const litePostTag = lite.sqliteTable('post_tag', { postId: lite.integer('post_id').notNull(), tagId: lite.integer('tag_id').notNull() }, (t) => [
  lite.primaryKey({ columns: [t.postId, t.tagId] }),
]);

/** Tables plus relations for Drizzle's relational query builder (`db.query.*`), per dialect. */
export const pgSchema = {
  authors: pgAuthors,
  posts: pgPosts,
  tags: pgTags,
  postTag: pgPostTag,
  authorsRelations: relations(pgAuthors, ({ many }) => ({ posts: many(pgPosts) })),
  postsRelations: relations(pgPosts, ({ one, many }) => ({
    author: one(pgAuthors, { fields: [pgPosts.authorId], references: [pgAuthors.id] }),
    postTags: many(pgPostTag),
  })),
  tagsRelations: relations(pgTags, ({ many }) => ({ postTags: many(pgPostTag) })),
  postTagRelations: relations(pgPostTag, ({ one }) => ({
    post: one(pgPosts, { fields: [pgPostTag.postId], references: [pgPosts.id] }),
    tag: one(pgTags, { fields: [pgPostTag.tagId], references: [pgTags.id] }),
  })),
};

export const mysqlSchema = {
  authors: myAuthors,
  posts: myPosts,
  tags: myTags,
  postTag: myPostTag,
  authorsRelations: relations(myAuthors, ({ many }) => ({ posts: many(myPosts) })),
  postsRelations: relations(myPosts, ({ one, many }) => ({
    author: one(myAuthors, { fields: [myPosts.authorId], references: [myAuthors.id] }),
    postTags: many(myPostTag),
  })),
  tagsRelations: relations(myTags, ({ many }) => ({ postTags: many(myPostTag) })),
  postTagRelations: relations(myPostTag, ({ one }) => ({
    post: one(myPosts, { fields: [myPostTag.postId], references: [myPosts.id] }),
    tag: one(myTags, { fields: [myPostTag.tagId], references: [myTags.id] }),
  })),
};

export const sqliteSchema = {
  authors: liteAuthors,
  posts: litePosts,
  tags: liteTags,
  postTag: litePostTag,
  authorsRelations: relations(liteAuthors, ({ many }) => ({ posts: many(litePosts) })),
  postsRelations: relations(litePosts, ({ one, many }) => ({
    author: one(liteAuthors, { fields: [litePosts.authorId], references: [liteAuthors.id] }),
    postTags: many(litePostTag),
  })),
  tagsRelations: relations(liteTags, ({ many }) => ({ postTags: many(litePostTag) })),
  postTagRelations: relations(litePostTag, ({ one }) => ({
    post: one(litePosts, { fields: [litePostTag.postId], references: [litePosts.id] }),
    tag: one(liteTags, { fields: [litePostTag.tagId], references: [liteTags.id] }),
  })),
};

/**
 * The scenario code is written once against the PostgreSQL table types; the MySQL and SQLite
 * tables have the same columns and Drizzle's select/insert/update API is the same shape at run
 * time, so they are used through this type (a typing convenience only — nothing is converted).
 */
export const typedTables = { authors: pgAuthors, posts: pgPosts, tags: pgTags, postTag: pgPostTag };
