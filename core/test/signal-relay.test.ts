import { expect } from 'chai'
import { SignalRelay } from '../src/util/signal-relay.js'

describe('SignalRelay: one abort listener per signal for calls made one at a time', () => {
  it('runs the action armed by the current call, once, and nothing after disarm()', () => {
    const relay = new SignalRelay()
    const ac = new AbortController()
    const ran: string[] = []
    relay.arm(ac.signal, () => ran.push('first'))
    relay.disarm()
    relay.arm(ac.signal, () => ran.push('second'))
    ac.abort()
    ac.signal.dispatchEvent(new Event('abort'))
    expect(ran).to.deep.equal(['second'])
  })
  it('an abort between calls does nothing', () => {
    const relay = new SignalRelay()
    const ac = new AbortController()
    let ran = 0
    relay.arm(ac.signal, () => ran++)
    relay.disarm()
    ac.abort()
    expect(ran).to.equal(0)
  })
  it('listens to a new signal in place of the old one', () => {
    const relay = new SignalRelay()
    const a = new AbortController()
    const b = new AbortController()
    const ran: string[] = []
    relay.arm(a.signal, () => ran.push('a'))
    relay.arm(b.signal, () => ran.push('b'))
    a.abort()
    expect(ran).to.deep.equal([])
    b.abort()
    expect(ran).to.deep.equal(['b'])
  })
})
