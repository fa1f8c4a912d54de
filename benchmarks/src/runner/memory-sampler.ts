/**
 * Peak heap growth during one iteration.
 *
 * How: the runner forces a full GC (node --expose-gc) right before the iteration and takes that
 * heap size as the baseline; while the iteration runs, a 5 ms interval samples V8's used heap
 * (every await gives the timer a chance to fire), and one more sample is taken at the end, before
 * anything can be collected. Peak − baseline approximates the memory the contender needed to hold
 * its working set (rows, entities, identity map, result graph). It is a lower bound: a young-gen
 * GC between two samples hides what it freed. Sampling costs a few µs every 5 ms, the same for all.
 */
import v8 from 'node:v8';

const heapUsed = (): number => v8.getHeapStatistics().used_heap_size;

/** `global.gc` exists only under --expose-gc (npm run bench passes it). */
export const forceGc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

export class MemorySampler {
  private baseline = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    forceGc?.();
    this.baseline = heapUsed();
    this.peak = this.baseline;
    this.timer = setInterval(() => {
      const h = heapUsed();
      if (h > this.peak) this.peak = h;
    }, 5);
  }

  /** Stops sampling; returns the peak growth over the baseline in MB. */
  stop(): number {
    clearInterval(this.timer);
    const h = heapUsed();
    if (h > this.peak) this.peak = h;
    return Math.max(0, this.peak - this.baseline) / (1024 * 1024);
  }
}
