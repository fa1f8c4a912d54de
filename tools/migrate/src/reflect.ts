import { ArgumentError, MetaData, text } from '@athanor/core'
import type { Connection, Engine, ReflectOptions, ReflectedSchema, SchemaDialect, SchemaQuery } from '@athanor/core'
import { foldEnumChecks } from './enum-checks.js'
import { metadataOf } from './to-metadata.js'

/** The schema half of an engine's dialect, or an error saying the dialect has none. */
export function schemaDialectOf(engine: Engine): SchemaDialect {
  const schema = engine.dialect.schema
  if (schema === undefined) {
    throw new ArgumentError(`The ${engine.dialect.name} dialect cannot reflect or migrate schemas (its Dialect has no 'schema'); use a dialect package that implements SchemaDialect.`)
  }
  return schema
}

/** A SchemaQuery on an open connection. */
export function queryOn(conn: Connection): SchemaQuery {
  return async (sql, params) => (await conn.execute(text(sql, params))).rows as readonly (readonly unknown[])[]
}

/**
 * Reads the database's schema as plain data: tables, columns (types, nullability, defaults,
 * identity, generated), keys, unique constraints, foreign keys, indexes, checks and enums.
 * ```ts
 * const schema = await reflectSchema(engine, { only: ['users'] })
 * ```
 */
export async function reflectSchema(engine: Engine, options: ReflectOptions = {}, conn?: Connection): Promise<ReflectedSchema> {
  // The dialect is read after a connection exists: the first one tells it the server's flavour.
  const read = async (c: Connection): Promise<ReflectedSchema> => {
    const dialect = schemaDialectOf(engine)
    return foldEnumChecks(await dialect.reflect(queryOn(c), options), dialect)
  }
  if (conn !== undefined) return read(conn)
  await using own = await engine.connect()
  try {
    return await read(own)
  } finally {
    await own.rollback()
  }
}

/** Connects once, so that the engine's dialect knows the server (its flavour and version). */
export async function initialized(engine: Engine): Promise<void> {
  await using conn = await engine.connect()
  await conn.rollback()
}

/**
 * Reads the database's schema into a MetaData whose Tables work in `select()` at once.
 * ```ts
 * const metadata = await reflect(engine)
 * const users = metadata.table('users')
 * const rows = await conn.execute(select(users.c.id, users.c.name))
 * ```
 */
export async function reflect(engine: Engine, options: ReflectOptions = {}): Promise<MetaData> {
  return metadataOf(await reflectSchema(engine, options))
}
