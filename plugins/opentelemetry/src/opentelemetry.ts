import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import type { Attributes, Span, Tracer } from '@opentelemetry/api'
import { ArgumentError } from '@athanor/core'
import type { AsyncSession, Connection, Engine, Plugin } from '@athanor/core'
import { dbSystem, operationName, urlAttributes } from './attributes.js'

export interface OpenTelemetryOptions {
  /** The tracer to use. Default: `trace.getTracer('@athanor/plugin-opentelemetry')` (the global provider). */
  readonly tracer?: Tracer
}

function endWithError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error))
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
  span.setAttribute('error.type', error instanceof Error ? error.name : 'Error')
  span.end()
}

/**
 * The OpenTelemetry plugin: one CLIENT span per statement with the database semantic-convention
 * attributes (`db.system`, `db.namespace`, `db.operation.name`, `db.query.text` — the SQL with
 * placeholders; parameter values are never recorded), and one span per session flush and
 * commit. Statements of a flush are children of its span. Register it on an engine.
 * ```ts
 * usePlugin(engine, opentelemetry())
 * ```
 */
export function opentelemetry(options: OpenTelemetryOptions = {}): Plugin {
  const tracer = options.tracer ?? trace.getTracer('@athanor/plugin-opentelemetry')
  return {
    name: 'opentelemetry',
    install(host) {
      const engine: Engine | undefined = host.engine
      if (!engine || host.scope !== 'engine') throw new ArgumentError("The 'opentelemetry' plugin traces an engine's statements; register it on an engine: usePlugin(engine, opentelemetry()).")
      const where = urlAttributes(engine.url)
      const common = (): Attributes => {
        const a: Attributes = { 'db.system': dbSystem(engine.dialect), 'db.system.name': dbSystem(engine.dialect) }
        if (where.namespace) a['db.namespace'] = where.namespace
        if (where.address) a['server.address'] = where.address
        if (where.port) a['server.port'] = where.port
        return a
      }
      const statements = new WeakMap<Connection, Span>()
      const flushes = new WeakMap<Connection, Span>()
      const commits = new WeakMap<AsyncSession, Span>()
      const parentOf = (conn: Connection): ReturnType<typeof context.active> => {
        const flush = flushes.get(conn)
        return flush ? trace.setSpan(context.active(), flush) : context.active()
      }

      host.onEngine('beforeExecute', ({ sql, connection }) => {
        const op = operationName(sql)
        const attributes = { ...common(), 'db.operation.name': op, 'db.query.text': sql }
        const name = where.namespace ? `${op} ${where.namespace}` : op
        statements.set(connection, tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentOf(connection)))
      })
      host.onEngine('afterExecute', ({ connection, rowCount, rowsAffected }) => {
        const span = statements.get(connection)
        if (!span) return
        statements.delete(connection)
        span.setAttribute('db.response.returned_rows', rowCount)
        if (rowsAffected > 0) span.setAttribute('athanor.rows_affected', rowsAffected)
        span.end()
      })
      host.onEngine('executeError', ({ connection, error }) => {
        const span = statements.get(connection)
        if (!span) return
        statements.delete(connection)
        if ('sqlState' in error && typeof error.sqlState === 'string') span.setAttribute('db.response.status_code', error.sqlState)
        endWithError(span, error)
      })

      host.onSession('beforeFlush', ({ connection }) => {
        flushes.set(connection, tracer.startSpan('athanor.flush', { kind: SpanKind.INTERNAL, attributes: common() }))
      })
      host.onSession('afterFlush', ({ connection }) => {
        flushes.get(connection)?.end()
        flushes.delete(connection)
      })
      host.onSession('flushError', ({ connection, error }) => {
        const span = flushes.get(connection)
        if (span) endWithError(span, error)
        flushes.delete(connection)
      })

      host.onSession('beforeCommit', ({ session }) => {
        commits.set(session, tracer.startSpan('athanor.commit', { kind: SpanKind.INTERNAL, attributes: common() }))
      })
      host.onSession('afterCommit', ({ session }) => {
        commits.get(session)?.end()
        commits.delete(session)
      })
      host.onSession('afterRollback', ({ session }) => {
        // A commit that failed ends here: the caller rolled back.
        const span = commits.get(session)
        if (span) endWithError(span, new Error('the commit failed and the session was rolled back'))
        commits.delete(session)
      })
    },
  }
}
