/** How replicas take turns, and how a replica left out comes back (no database: engines are only names here). */
import { expect } from 'chai'
import { ArgumentError, createAsyncEngine, type Engine } from '@athanor/core'
import '@athanor/libsql'
import { readReplicas } from '@athanor/plugin-read-replicas'
import { ReplicaSet } from '../src/replica-health.js'

describe('read-replicas: the replica set', function () {
  const [a, b, c] = [0, 1, 2].map(() => createAsyncEngine('sqlite://:memory:')) as [Engine, Engine, Engine]
  after(async () => {
    for (const e of [a, b, c]) await e.dispose()
  })

  it('round robin takes the replicas in turn, skipping one left out until retryAfterMs has passed', () => {
    let now = 0
    const set = new ReplicaSet([a, b, c], 'round-robin', 1000, () => now)
    expect([set.choose(), set.choose(), set.choose(), set.choose()]).to.deep.equal([a, b, c, a])
    set.markDown(b)
    expect(set.down).to.deep.equal([b])
    expect(new Set([set.choose(), set.choose(), set.choose(), set.choose()])).to.deep.equal(new Set([a, c]))
    now = 999
    expect(set.down).to.deep.equal([b])
    now = 1000
    expect(set.down).to.deep.equal([])
    expect(new Set([set.choose(), set.choose(), set.choose()])).to.deep.equal(new Set([a, b, c]))
  })

  it('random spreads reads over the replicas up now; a function chooses among them; none up means the primary', () => {
    const set = new ReplicaSet([a, b, c], 'random', 1000, () => 0)
    const seen = new Set(Array.from({ length: 200 }, () => set.choose()))
    expect(seen).to.deep.equal(new Set([a, b, c]))
    const last = new ReplicaSet([a, b, c], (up) => up[up.length - 1]!, 1000, () => 0)
    last.markDown(c)
    expect(last.choose()).to.equal(b)
    last.markDown(a)
    last.markDown(b)
    expect(last.choose()).to.equal(undefined)
  })

  it('refuses options it cannot use, saying what it takes', () => {
    expect(() => readReplicas([a], { balance: 'fastest' as 'random' })).to.throw(ArgumentError, /balance must be 'round-robin', 'random' or a function/)
    expect(() => readReplicas([a], { retryAfterMs: -1 })).to.throw(ArgumentError, /retryAfterMs must be a number of milliseconds ≥ 0, not -1/)
    expect(() => readReplicas([a], { readYourWrites: 'always' as 'off' })).to.throw(ArgumentError, /readYourWrites must be 'session', 'scope' or 'off', not always/)
  })
})
