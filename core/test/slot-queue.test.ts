/**
 * The pool's slot semaphore (core/src/pool/slot-queue.ts): at most `limit` slots held, granted
 * in the order they were asked for; a free slot with nobody waiting is granted at once, and a
 * new caller never overtakes a waiter; a waiter that times out or is aborted gives its turn on.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { SlotQueue, type Slot } from '../src/pool/slot-queue.js'

const NO_LIMIT = Number.POSITIVE_INFINITY
const timeoutError = (): Error => new Error('timed out')
/** Lets every queued continuation run (p-queue hands a slot on through a few microtasks and one queueMicrotask). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Acquires and records the order in which slots were granted. */
function track(queue: SlotQueue, granted: number[], id: number, timeoutMs = NO_LIMIT): Promise<Slot> {
  return queue.acquire(timeoutMs, timeoutError).then((slot) => (granted.push(id), slot))
}

describe('SlotQueue', function () {
  it('grants free slots at once, in the same turn, while nobody waits', async function () {
    const queue = new SlotQueue(2)
    const granted: number[] = []
    const a = track(queue, granted, 1)
    const b = track(queue, granted, 2)
    await Promise.resolve()
    await Promise.resolve()
    expect(granted).to.deep.equal([1, 2])
    expect(queue.waiting).to.equal(0)
    ;(await a).release()
    ;(await b).release()
  })

  it('lets a new caller wait behind a waiter even when a slot has just been freed', async function () {
    const queue = new SlotQueue(1)
    const granted: number[] = []
    const first = await track(queue, granted, 1)
    const second = track(queue, granted, 2)
    await settle()
    expect(queue.waiting).to.equal(1)
    first.release()
    // Asked for after the release, before the waiter has taken its slot: it must not jump ahead.
    const third = track(queue, granted, 3)
    await settle()
    expect(granted).to.deep.equal([1, 2])
    ;(await second).release()
    await settle()
    expect(granted).to.deep.equal([1, 2, 3])
    ;(await third).release()
    expect(queue.waiting).to.equal(0)
  })

  it('releases a slot once however often release() is called', async function () {
    const queue = new SlotQueue(1)
    const granted: number[] = []
    const slot = await track(queue, granted, 1)
    const second = track(queue, granted, 2)
    const third = track(queue, granted, 3)
    await settle()
    slot.release()
    slot.release()
    await settle()
    expect(granted).to.deep.equal([1, 2])
    ;(await second).release()
    ;(await third).release()
  })

  it('a head of the line that times out passes its turn on, and the slot goes to the next', async function () {
    const queue = new SlotQueue(1)
    const granted: number[] = []
    const holder = await track(queue, granted, 1)
    const impatient = track(queue, granted, 2, 1)
    const patient = track(queue, granted, 3)
    let error: unknown
    await impatient.catch((e: unknown) => (error = e))
    expect((error as Error).message).to.equal('timed out')
    await settle()
    expect(queue.waiting).to.equal(1)
    holder.release()
    await settle()
    expect(granted).to.deep.equal([1, 3])
    ;(await patient).release()
    // Every slot is free again: the next caller is granted at once.
    const again = track(queue, granted, 4)
    await Promise.resolve()
    await Promise.resolve()
    expect(granted).to.deep.equal([1, 3, 4])
    ;(await again).release()
  })

  it('abortWaiting() fails every waiter and leaves the holders their slots', async function () {
    const queue = new SlotQueue(1)
    const granted: number[] = []
    const holder = await track(queue, granted, 1)
    const waiters = [track(queue, granted, 2), track(queue, granted, 3)]
    await settle()
    queue.abortWaiting(new Error('disposed'))
    const outcomes = await Promise.allSettled(waiters)
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'granted'))).to.deep.equal(['disposed', 'disposed'])
    expect(queue.waiting).to.equal(0)
    holder.release()
    const next = track(queue, granted, 4)
    await settle()
    expect(granted).to.deep.equal([1, 4])
    ;(await next).release()
  })

  it('never holds more than its limit and grants in the order asked, whatever the releases', async function () {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(fc.oneof(fc.constant('acquire' as const), fc.nat(5)), { maxLength: 30 }), async (limit, ops) => {
        const queue = new SlotQueue(limit)
        const granted: number[] = []
        const held: Slot[] = []
        let asked = 0
        const acquire = (id: number): void => void queue.acquire(NO_LIMIT, timeoutError).then((slot) => (granted.push(id), held.push(slot)))
        for (const op of ops) {
          if (op === 'acquire') acquire(++asked)
          else if (held.length > 0) held.splice(op % held.length, 1)[0]!.release()
          await settle()
          expect(held.length).to.be.at.most(limit)
          // Nobody waits while a slot is free.
          expect(queue.waiting === 0 || held.length === limit).to.equal(true)
        }
        expect(granted).to.deep.equal([...granted].sort((a, b) => a - b))
        while (held.length > 0) (held.pop()!.release(), await settle())
        expect(granted.length).to.equal(asked)
      }),
      { numRuns: 150 },
    )
  })
})
