import { expect } from 'chai'
import { ArgumentError, AsyncSession, text } from '@athanor/core'
import type { Engine } from '@athanor/core'
import type { Suite } from '../suite.js'

// A temporary table lives as long as its connection on every backend, so it shows which
// connections ran the init statements, and how often.
const MARKER = ['CREATE TEMPORARY TABLE init_marker (n INTEGER)', 'INSERT INTO init_marker (n) VALUES (1)']

async function markers(engine: Engine): Promise<number[]> {
  await using conn = await engine.connect()
  return (await conn.execute(text('SELECT n FROM init_marker ORDER BY n'))).scalars().all().map(Number)
}

const withParam = (url: string, sql: string): string => `${url}${url.includes('?') ? '&' : '?'}init=${encodeURIComponent(sql)}`

/** EngineOptions.initStatements and the URL's init= parameters: SQL each new connection runs once, before the pool hands it out. */
export const engineInitStatementsSuite: Suite = (ctx) => describe('connection init statements', () => {
  it('run once on every new connection, before its first use, and not again when it is checked out again', async () => {
    const engine = ctx.createEngine({ initStatements: MARKER })
    const concurrent = engine.dialect.capabilities.concurrentConnections
    expect(await markers(engine)).to.deep.equal([1])
    expect(await markers(engine)).to.deep.equal([1])
    if (concurrent) {
      // Two connections at once: the second is new, and ran them too.
      await using held = await engine.connect()
      await held.execute(text('SELECT n FROM init_marker'))
      expect(await markers(engine)).to.deep.equal([1])
    }
    await using s = new AsyncSession(engine)
    expect((await s.execute(text('SELECT n FROM init_marker'))).scalars().all().map(Number)).to.deep.equal([1])
  })

  it("take more from the URL's init= parameters, which run after the option's (and never reach the driver)", async () => {
    const url = withParam(withParam(ctx.url, 'INSERT INTO init_marker (n) VALUES (2)'), 'INSERT INTO init_marker (n) VALUES (3)')
    expect(await markers(ctx.createEngine({ initStatements: MARKER }, url))).to.deep.equal([1, 2, 3])
  })

  it('a statement the server refuses fails the connect with a message naming it, and leaves the pool empty', async () => {
    const engine = ctx.createEngine({ initStatements: ['SELECT 1', 'SELEC nothing'] })
    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await engine.connect().then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(ArgumentError)
      expect((err as ArgumentError).code).to.equal('init-statement-failed')
      expect((err as Error).message).to.match(/init statement 2 of 2 failed/).and.match(/SELEC nothing/).and.match(/initStatements option or the URL's init= parameter/)
    }
    const status = engine.poolStatus
    expect([status.checkedOut, status.idle]).to.deep.equal([0, 0])
  })

  it('refuses initStatements that are not a list of SQL strings', () => {
    expect(() => ctx.createEngine({ initStatements: 'SET x = 1' as unknown as string[] })).to.throw(ArgumentError, /initStatements must be an array of SQL strings/)
    expect(() => ctx.createEngine({ initStatements: [''] })).to.throw(ArgumentError, /initStatements must be an array/)
  })
})
