import { expect } from 'chai'
import { deadlineSignal, withDeadline, type DeadlineMiss } from '../src/engine/watchdog.js'

/** A miss that records what the watchdog did. */
function recorder(): DeadlineMiss & { discarded: Error[] } {
  const discarded: Error[] = []
  return { discarded, error: (what) => new Error(`past the deadline: ${what}`), discard: (e) => void discarded.push(e) }
}

const never = (): Promise<never> => new Promise<never>(() => undefined)

describe('watchdog (one timer and one controller per driver connection)', () => {
  it('passes a call that answers through, and its failure too, untouched', async () => {
    const conn = {}
    const miss = recorder()
    expect(await withDeadline(conn, 60_000, async () => 42, miss)).to.equal(42)
    const boom = new Error('driver error')
    const err = await withDeadline(conn, 60_000, () => Promise.reject(boom), miss).catch((e: unknown) => e)
    expect(err).to.equal(boom)
    const thrown = await withDeadline(conn, 60_000, () => { throw boom }, miss).catch((e: unknown) => e)
    expect(thrown).to.equal(boom)
    expect(miss.discarded).to.deep.equal([])
  })

  it('every call on one connection gets the same signal, until it aborts', async () => {
    const conn = {}
    const seen: AbortSignal[] = []
    for (let i = 0; i < 3; i++) await withDeadline(conn, 60_000, async (signal) => void seen.push(signal), recorder())
    expect(new Set(seen).size).to.equal(1)
    expect(deadlineSignal(conn, 60_000)).to.equal(seen[0])
    expect(seen[0]!.aborted).to.equal(false)
    // Another connection has its own.
    await withDeadline({}, 60_000, async (signal) => void seen.push(signal), recorder())
    expect(seen[3]).to.not.equal(seen[0])
  })

  it('a call with no answer fails with the miss error first, then the signal aborts and the connection is discarded', async () => {
    const conn = {}
    const miss = recorder()
    let signal: AbortSignal | undefined
    const err = await withDeadline(conn, 20, (s) => ((signal = s), never()), miss, 'SELECT pg_sleep(60)').catch((e: unknown) => e)
    expect((err as Error).message, 'the error names the call that hung').to.equal('past the deadline: SELECT pg_sleep(60)')
    expect(signal!.aborted).to.equal(true)
    expect(miss.discarded).to.deep.equal([err])
    // The next call on that connection object (were it reused) gets a fresh signal.
    await withDeadline(conn, 20, async (s) => expect(s.aborted).to.equal(false), recorder())
  })

  it('a call that answered is not timed out later, when the connection sits idle past the deadline', async () => {
    const conn = {}
    const miss = recorder()
    await withDeadline(conn, 30, async () => 1, miss)
    // Idle past the deadline: the timer fires with nothing pending and does nothing.
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(miss.discarded).to.deep.equal([])
    expect(deadlineSignal(conn, 30).aborted).to.equal(false)
  })

  it('a second call while one is pending gets its own watch and does not move the first deadline', async () => {
    const conn = {}
    const first = recorder()
    const hung = withDeadline(conn, 20, () => never(), first).catch((e: unknown) => e)
    let second: AbortSignal | undefined
    await withDeadline(conn, 20, async (s) => void (second = s), recorder())
    expect((await hung as Error).message).to.equal('past the deadline: ')
    expect(first.discarded).to.have.length(1)
    expect(second!.aborted).to.equal(false)
  })
})
