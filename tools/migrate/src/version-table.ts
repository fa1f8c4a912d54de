import { MetaData, String as StringType, Table, column, del, insert, select } from '@athanor/core'
import type { Connection, Engine } from '@athanor/core'
import { ddl } from './executor.js'
import { VERSION_TABLE } from './model-schema.js'

/**
 * `athanor_version`: one row per head the database is at (one, or several while branches are
 * not merged), as Alembic's alembic_version.
 */
const versions = new Table(VERSION_TABLE, new MetaData(), { version_num: column(StringType(64), { primaryKey: true }) })

/** Creates the version table unless it exists. */
export async function ensureVersionTable(engine: Engine, conn: Connection): Promise<void> {
  for (const sql of engine.dialect.compiler.createTable(versions, { ifNotExists: true })) await conn.execute(ddl(sql))
}

/** The heads the database is at; none when the table does not exist. */
export async function readVersions(conn: Connection, exists = true): Promise<string[]> {
  if (!exists) return []
  return (await conn.execute(select(versions.c.version_num).orderBy(versions.c.version_num))).all().map(([v]) => v)
}

export async function writeVersions(conn: Connection, heads: readonly string[]): Promise<void> {
  await conn.execute(del(versions))
  if (heads.length > 0) await conn.execute(insert(versions).values(heads.map((version_num) => ({ version_num }))))
}

/** The same writes as SQL text with inline values, for `--sql` output. */
export function versionSql(engine: Engine, heads: readonly string[]): string[] {
  const c = engine.dialect.compiler as typeof engine.dialect.compiler & { literal(v: unknown): string }
  const table = c.quote(VERSION_TABLE)
  return [`DELETE FROM ${table}`, ...(heads.length === 0 ? [] : [`INSERT INTO ${table} (${c.quote('version_num')}) VALUES ${heads.map((h) => `(${c.literal(h)})`).join(', ')}`])]
}

export function createVersionTableSql(engine: Engine): string[] {
  return engine.dialect.compiler.createTable(versions, { ifNotExists: true })
}
