import { expect } from 'chai'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { AsyncSession, Integer, String, declarativeBase, mappedColumn, select, text, usePlugin } from '@athanor/core'
import { useDatabase } from '@athanor/testing'
import type { Suite } from '@athanor/testing'
import { opentelemetry } from '@athanor/plugin-opentelemetry'
import { onEveryBackend } from '../../../test/support/every-backend.js'

const Base = declarativeBase()
class Secret extends Base.model('otel_secrets', {
  id: mappedColumn(Integer, { primaryKey: true }),
  code: mappedColumn(String(50), { unique: true }),
}) {}

const SYSTEMS = ['sqlite', 'postgresql', 'mysql', 'mariadb']

const suite: Suite = (ctx) => describe('opentelemetry', () => {
  const db = useDatabase(ctx, Base.metadata)
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const tracer = provider.getTracer('test')
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans()
  beforeEach(() => {
    usePlugin(db.engine, opentelemetry({ tracer }))
    exporter.reset()
  })

  it('makes one client span per statement with the semantic-convention attributes and no parameter values', async () => {
    await using conn = await db.engine.connect()
    await conn.execute(select(Secret.c.id).where(Secret.c.code.eq('hunter2')))
    expect(spans()).to.have.length(1)
    const span = spans()[0]!
    expect(span.kind).to.equal(SpanKind.CLIENT)
    const a = span.attributes
    expect(SYSTEMS).to.include(a['db.system'])
    expect(a['db.operation.name']).to.equal('SELECT')
    expect(a['db.query.text']).to.equal(db.statements[0])
    expect(JSON.stringify(a)).not.to.contain('hunter2')
    expect(span.name).to.match(/^SELECT\b/)
    if (!ctx.url.includes(':memory:')) expect(a['db.namespace']).to.equal(new URL(ctx.url).pathname.slice(1))
  })

  it('makes a span per flush, with the flush statements as its children, and a span per commit', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Secret({ code: 'a' }))
    s.add(new Secret({ code: 'b' }))
    await s.commit()
    const flush = spans().find((x) => x.name === 'athanor.flush')!
    const commit = spans().find((x) => x.name === 'athanor.commit')!
    expect(flush).to.not.equal(undefined)
    expect(commit).to.not.equal(undefined)
    const inserts = spans().filter((x) => x.attributes['db.operation.name'] === 'INSERT')
    expect(inserts.length).to.be.greaterThan(0)
    for (const i of inserts) {
      expect(i.parentSpanContext?.spanId).to.equal(flush.spanContext().spanId)
      expect(i.spanContext().traceId).to.equal(flush.spanContext().traceId)
    }
  })

  it('records a failed statement as an error span', async () => {
    await using conn = await db.engine.connect()
    const err = await conn.execute(text('SELECT * FROM no_such_table')).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(Error)
    const span = spans()[0]!
    expect(span.status.code).to.equal(SpanStatusCode.ERROR)
    expect(span.attributes['error.type']).to.be.a('string')
    expect(span.events.map((e) => e.name)).to.include('exception')
  })

  it('ends the flush span with an error when the flush fails', async () => {
    await using s = new AsyncSession(db.engine)
    s.add(new Secret({ code: 'same' }))
    s.add(new Secret({ code: 'same' }))
    await s.commit().catch(() => undefined)
    await s.rollback()
    const flush = spans().find((x) => x.name === 'athanor.flush')!
    expect(flush.status.code).to.equal(SpanStatusCode.ERROR)
  })
})

onEveryBackend([suite])
