/**
 * The socket guard: postgres.js strips every listener of the socket it holds when a socket
 * closes, which can leave a live socket without an 'error' listener; a reset then crashed the
 * process with an uncaught ECONNRESET. No server needed: a local TCP server resets the socket.
 */
import { expect } from 'chai'
import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { guardSocket, type ClientLink } from '../src/postgres-client.js'

describe('postgres socket guard', () => {
  it('keeps an error listener on a socket whose listeners were all removed, and marks the connection closed', async () => {
    const accepted: Socket[] = []
    const server = createServer((s) => void accepted.push(s))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const uncaught: unknown[] = []
    const onUncaught = (e: unknown): void => void uncaught.push(e)
    process.on('uncaughtException', onUncaught)
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    try {
      const link: ClientLink = { socket, established: true, closed: false, cancelling: false }
      guardSocket(socket, link, false)
      await once(socket, 'connect')
      // What postgres.js does in closed(): every listener goes, its own and ours.
      socket.on('error', () => undefined)
      socket.removeAllListeners()
      expect(socket.listenerCount('error'), 'the guard put its listener back').to.equal(1)
      while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5))
      // Not events.once(): it listens for 'error' itself, which would hide a missing listener.
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
      accepted[0]!.resetAndDestroy()
      await closed
      expect(uncaught, 'uncaught exceptions').to.deep.equal([])
      expect(link.closed, 'the connection knows its socket is gone').to.equal(true)
    } finally {
      process.off('uncaughtException', onUncaught)
      socket.destroy()
      for (const s of accepted) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('leaves the connection open when a cancel request\'s socket closes', async () => {
    const server = createServer((s) => s.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
      const link: ClientLink = { socket: undefined, established: true, closed: false, cancelling: true }
      guardSocket(socket, link, true)
      await new Promise<void>((resolve) => socket.on('close', () => resolve()))
      expect(link.closed).to.equal(false)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
