import { expect } from 'chai'
import { concurrencyLimit } from './limit.js'

describe('concurrencyLimit', () => {
  it('runs at most n tasks at once, starting them in queue order, and passes results and errors through', async () => {
    const limit = concurrencyLimit(2)
    let running = 0
    let peak = 0
    const started: number[] = []
    const task = (i: number) => async (): Promise<number> => {
      started.push(i)
      peak = Math.max(peak, ++running)
      await new Promise((r) => setTimeout(r, 5))
      running--
      if (i === 3) throw new Error('task 3 failed')
      return i * 10
    }
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit(task(i))))
    expect(peak).to.equal(2)
    expect(started).to.deep.equal([0, 1, 2, 3, 4, 5])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).to.deep.equal([0, 10, 20, 'task 3 failed', 40, 50])
  })

  it('rejects a limit below one', () => {
    expect(() => concurrencyLimit(0)).to.throw(/at least 1/)
  })
})
