import { AsyncSession, CompileError, text } from '@athanor/core'
import type { ColumnDefinition, Connection, Engine, SchemaOperation } from '@athanor/core'
import { MigrationError } from './errors.js'
import type { Step } from './operations.js'
import { rebuildStatements } from './rebuild.js'
import { reflectSchema, schemaDialectOf } from './reflect.js'

/** DDL as a statement: every colon escaped, since text() reads `:name` as a parameter. */
export function ddl(sql: string): ReturnType<typeof text> {
  return text(sql.replace(/:/g, '\\:'))
}

/** The SQL of one step, for `--sql` output and for running. Rebuilds need the table as it is (online). */
export async function stepSql(engine: Engine, step: Step, conn: Connection | undefined): Promise<string[]> {
  const schema = schemaDialectOf(engine)
  let op = step.operation
  if (op === undefined) return []
  if (op.kind === 'alterColumn') {
    if (conn !== undefined) {
      // Online, the column is read as it is: `existing` when the revision gives none, and the
      // name of an inline Enum's CHECK, which the database chose.
      const current = await existingColumn(engine, conn, op.table.name, op.column)
      op = { ...op, existing: op.existing === undefined ? current : { ...op.existing, enumCheck: current.enumCheck } }
    } else if (op.existing === undefined) {
      throw new MigrationError(`${step.description}: without the database at hand, alterColumn() needs \`existing\` (the column as it is now).`, { code: 'migration-offline' })
    }
  }
  const complete = op as SchemaOperation
  try {
    return schema.operationDdl(complete)
  } catch (e) {
    if (!(e instanceof CompileError) || e.code !== 'needs-rebuild') throw e
    if (conn === undefined) throw new MigrationError(`${step.description} rebuilds the table on this database, which needs the table as it is now: run it online, not with --sql.`, { code: 'migration-offline' })
    return rebuildStatements(await reflectSchema(engine, {}, conn), complete, engine.dialect.compiler)
  }
}

async function existingColumn(engine: Engine, conn: Connection, table: string, column: string): Promise<ColumnDefinition> {
  const reflected = (await reflectSchema(engine, { only: [table] }, conn)).tables[0]
  const c = reflected?.columns.find((x) => x.name === column)
  if (c === undefined) throw new MigrationError(`alterColumn('${table}', '${column}'): the table has no such column.`, { code: 'migration-missing-column' })
  return { name: c.name, type: c.type, nullable: c.nullable, default: c.default, autoincrement: c.autoincrement, enumCheck: c.enumCheck }
}

/**
 * Runs the steps of one revision on `conn`, in order. Returns the descriptions of the steps that
 * completed; a failure is a MigrationError naming the step and listing those.
 */
export async function executeSteps(engine: Engine, conn: Connection, steps: readonly Step[], revision: string, onStep?: (description: string) => void): Promise<string[]> {
  const completed: string[] = []
  for (const step of steps) {
    onStep?.(step.description)
    try {
      if (step.run !== undefined) {
        await using session = new AsyncSession(engine, { bind: conn })
        await step.run({ connection: conn, session })
        await session.commit()
      }
      for (const sql of await stepSql(engine, step, conn)) await conn.execute(ddl(sql))
    } catch (e) {
      const message = e instanceof Error ? e.message.split('\n')[0] : String(e)
      throw new MigrationError(
        `Revision ${revision} failed at "${step.description}": ${message}` +
          (completed.length === 0 ? '' : `\nThe revision's steps before it: ${completed.map((d) => `"${d}"`).join(', ')}.`),
        { revision, completed, cause: e },
      )
    }
    completed.push(step.description)
  }
  return completed
}
