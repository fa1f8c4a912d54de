/**
 * A loopback TCP proxy that delays every chunk by a fixed time in each direction, to show what
 * round trips cost once the database is across a network (a same-region cloud database is
 * roughly 0.5–2 ms away, loopback ~0.05 ms). A statement therefore costs at least 2 × delay more.
 *
 * Order is preserved per direction (a FIFO queue drained by one timer). Node timers have 1 ms
 * granularity, so the last millisecond of each wait is spent polling the event loop
 * (setImmediate): 0.5 ms means 0.5 ms, at the price of keeping the loop busy while packets are in
 * flight (the contender is waiting on the network then anyway). Backpressure is ignored:
 * benchmark traffic is small and bounded. Listens on 127.0.0.1 only.
 */
import net from 'node:net';

export interface LatencyProxy {
  /** The local port to connect to instead of the database's. */
  port: number;
  /** Stops listening and destroys all proxied connections. */
  close(): Promise<void>;
}

/** Forwards `from` → `to`, holding each chunk (and the final FIN) for `delayMs`. */
function pipeDelayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const drain = (): void => {
    timer = undefined;
    immediate = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now + 0.01) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
    }
    schedule();
  };
  const schedule = (): void => {
    if (timer || immediate || queue.length === 0) return;
    const wait = queue[0]!.due - performance.now();
    // Timers have 1 ms granularity (setTimeout(0.5) waits ≥ 1 ms), so the last millisecond is
    // waited out on the event loop's check phase: sub-millisecond delays are then honoured.
    if (wait > 1.5) timer = setTimeout(drain, wait - 1);
    else immediate = setImmediate(drain);
  };
  const push = (chunk: Buffer | null): void => {
    queue.push({ due: performance.now() + delayMs, chunk });
    schedule();
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
}

/** Starts a proxy to `host:port` adding `delayMs` each way. */
export async function startLatencyProxy(host: string, port: number, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // An error or reset on either side tears down both: the driver sees a dropped connection.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    pipeDelayed(client, upstream, delayMs);
    pipeDelayed(upstream, client, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('latency proxy: no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Rewrites a database URL to go through the proxy on 127.0.0.1:`port`. */
export function proxiedUrl(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
