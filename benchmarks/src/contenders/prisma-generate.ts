/**
 * Writes the blog schema as a Prisma schema per dialect and generates its client on first use
 * (into benchmarks/.cache/prisma/<dialect>-<hash>/, reused while schema and Prisma version are
 * unchanged), so a clean clone needs nothing but `npm ci`.
 *
 * Offline generation: every Prisma 7 CLI command first makes sure the schema-engine binary is
 * present and otherwise downloads it from binaries.prisma.sh (unreachable here: only the npm
 * registry is). `prisma generate` never runs that engine — the Prisma 7 client (query compiler
 * + driver adapters) is TypeScript and WASM shipped in npm packages — so pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at a stub that exits with an explanation skips the download.
 * Migrations and `db push` would need the real engine; the harness creates the tables itself.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { Dialect } from '../types.js';
import { packageVersion } from '../util/package-version.js';

const PROVIDER: Record<Dialect, string> = { pg: 'postgresql', mysql: 'mysql', libsql: 'sqlite' };

/** Native column types matching db/schema-ddl.ts (SQLite has none). */
function nativeTypes(dialect: Dialect) {
  if (dialect === 'pg') return { v100: '@db.VarChar(100)', v200: '@db.VarChar(200)', v50: '@db.VarChar(50)', text: '@db.Text', ts: '@db.Timestamp(3)' };
  if (dialect === 'mysql') return { v100: '@db.VarChar(100)', v200: '@db.VarChar(200)', v50: '@db.VarChar(50)', text: '@db.Text', ts: '@db.DateTime(3)' };
  return { v100: '', v200: '', v50: '', text: '', ts: '' };
}

export function prismaSchema(dialect: Dialect): string {
  const t = nativeTypes(dialect);
  // relationJoins (relationLoadStrategy: 'join') is a preview feature for PostgreSQL and MySQL only.
  const preview = dialect === 'libsql' ? '' : '\n  previewFeatures = ["relationJoins"]';
  return `generator client {
  provider = "prisma-client"
  output   = "./client"${preview}
}

datasource db {
  provider = "${PROVIDER[dialect]}"
}

model Author {
  id    Int    @id @default(autoincrement())
  name  String ${t.v100}
  email String @unique ${t.v100}
  posts Post[]

  @@map("authors")
}

model Post {
  id        Int       @id @default(autoincrement())
  title     String    ${t.v200}
  content   String    ${t.text}
  createdAt DateTime  @default(now()) @map("created_at") ${t.ts}
  authorId  Int       @map("author_id")
  author    Author    @relation(fields: [authorId], references: [id])
  tags      PostTag[]

  @@index([authorId])
  @@map("posts")
}

model Tag {
  id    Int       @id @default(autoincrement())
  name  String    @unique ${t.v50}
  posts PostTag[]

  @@map("tags")
}

model PostTag {
  postId Int  @map("post_id")
  tagId  Int  @map("tag_id")
  post   Post @relation(fields: [postId], references: [id])
  tag    Tag  @relation(fields: [tagId], references: [id])

  @@id([postId, tagId])
  @@map("post_tag")
}
`;
}

/** Generates (or reuses) the client for `dialect`; returns the path of its `client.ts` entry. */
export async function ensurePrismaClient(dialect: Dialect, cacheDir: string): Promise<string> {
  const schema = prismaSchema(dialect);
  const hash = crypto.createHash('sha256').update(schema).update(packageVersion('prisma')).digest('hex').slice(0, 12);
  const dir = path.join(cacheDir, 'prisma', `${dialect}-${hash}`);
  const entry = path.join(dir, 'client', 'client.ts');
  if (fs.existsSync(entry)) return entry;

  // Generate into a scratch directory and rename it into place, so an interrupted run never
  // leaves a half-written client that later runs would trust.
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'schema.prisma'), schema);
  const stub = path.join(cacheDir, 'prisma', 'schema-engine-unavailable.sh');
  fs.writeFileSync(stub, '#!/bin/sh\necho "schema engine not installed (offline benchmark setup; see benchmarks/src/contenders/prisma-generate.ts)" >&2\nexit 1\n', { mode: 0o755 });
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  try {
    await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', path.join(tmp, 'schema.prisma')], {
      cwd: tmp,
      timeout: 180_000,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1' },
    });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const err = e as { stderr?: string; stdout?: string; message?: string };
    throw new Error(`prisma generate failed: ${(err.stderr || err.stdout || err.message || String(e)).trim().slice(0, 500)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  if (!fs.existsSync(entry)) throw new Error(`prisma generate produced no ${entry}`);
  return entry;
}
