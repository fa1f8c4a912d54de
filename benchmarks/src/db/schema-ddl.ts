/**
 * The blog schema from the seed tutorial, in each database's DDL. The harness owns the schema:
 * contenders only map it, so every library reads and writes exactly the same tables and indexes.
 */
import type { Dialect } from '../types.js';

const PG = `
DROP TABLE IF EXISTS post_tag, posts, tags, authors CASCADE;
CREATE TABLE authors (
  id serial PRIMARY KEY,
  name varchar(100) NOT NULL,
  email varchar(100) NOT NULL UNIQUE
);
CREATE TABLE posts (
  id serial PRIMARY KEY,
  title varchar(200) NOT NULL,
  content text NOT NULL,
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  author_id integer NOT NULL REFERENCES authors(id)
);
CREATE INDEX posts_author_id_idx ON posts(author_id);
CREATE TABLE tags (
  id serial PRIMARY KEY,
  name varchar(50) NOT NULL UNIQUE
);
CREATE TABLE post_tag (
  post_id integer NOT NULL REFERENCES posts(id),
  tag_id integer NOT NULL REFERENCES tags(id),
  PRIMARY KEY (post_id, tag_id)
);
`;

const MYSQL = `
DROP TABLE IF EXISTS post_tag, posts, tags, authors;
CREATE TABLE authors (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(100) NOT NULL,
  email varchar(100) NOT NULL,
  UNIQUE KEY authors_email_uq (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE posts (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  title varchar(200) NOT NULL,
  content text NOT NULL,
  created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  author_id int NOT NULL,
  KEY posts_author_id_idx (author_id),
  CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES authors(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE tags (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(50) NOT NULL,
  UNIQUE KEY tags_name_uq (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE post_tag (
  post_id int NOT NULL,
  tag_id int NOT NULL,
  PRIMARY KEY (post_id, tag_id),
  KEY post_tag_tag_idx (tag_id),
  CONSTRAINT post_tag_post_fk FOREIGN KEY (post_id) REFERENCES posts(id),
  CONSTRAINT post_tag_tag_fk FOREIGN KEY (tag_id) REFERENCES tags(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
`;

// created_at is declared DATETIME and holds "YYYY-MM-DD HH:MM:SS.sss" text: the form every
// SQLite-capable library here reads back as a date.
const SQLITE = `
DROP TABLE IF EXISTS post_tag;
DROP TABLE IF EXISTS posts;
DROP TABLE IF EXISTS tags;
DROP TABLE IF EXISTS authors;
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  author_id INTEGER NOT NULL REFERENCES authors(id)
);
CREATE INDEX posts_author_id_idx ON posts(author_id);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE post_tag (
  post_id INTEGER NOT NULL REFERENCES posts(id),
  tag_id INTEGER NOT NULL REFERENCES tags(id),
  PRIMARY KEY (post_id, tag_id)
);
`;

export const SCHEMA_DDL: Record<Dialect, string> = { pg: PG, mysql: MYSQL, libsql: SQLITE };

/** Character length function (MySQL's LENGTH counts bytes; SQLite has no CHAR_LENGTH). */
export const CHAR_LENGTH: Record<Dialect, string> = { pg: 'CHAR_LENGTH', mysql: 'CHAR_LENGTH', libsql: 'LENGTH' };

/** `a || b` in SQL (MySQL's `||` is OR unless PIPES_AS_CONCAT). */
export function concatSql(dialect: Dialect, a: string, b: string): string {
  return dialect === 'mysql' ? `CONCAT(${a}, ${b})` : `(${a} || ${b})`;
}
