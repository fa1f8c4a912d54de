/**
 * Profiles only the timed calls of a scenario: the CPU profiler starts right before each call and
 * stops right after it, so input generation, the harness's cleanup and forced collections stay
 * out, and the collections inside the call are timed from the runtime's own GC entries. Reports
 * milliseconds per iteration rather than percentages, so two contenders' tables compare line by
 * line — `(idle)` is time spent waiting for the database (benchmarks/PROFILE.md pass 27).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { Session } from 'node:inspector/promises';
import { frameLabel } from './top-functions.js';
import type { CpuProfile } from './top-functions.js';

/** One iteration: the call to time, and what to do after it, untimed. */
export interface WindowStep {
  call(): Promise<unknown>;
  after?(): Promise<unknown>;
}

export interface WindowReport {
  /** Wall time per iteration. */
  readonly ms: number;
  /** Garbage collection inside the timed calls, per iteration. */
  readonly gcMs: number;
  /** `[function, ms per iteration]`, most self time first. */
  readonly self: readonly (readonly [string, number])[];
}


export async function profileWindows(inspector: Session, iterations: number, step: () => WindowStep, beforeEach?: () => void): Promise<WindowReport> {
  const windows: [number, number][] = [];
  // Entries arrive while a call is still running, before its window is known: matched at the end.
  const collections: [number, number][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) collections.push([e.startTime, e.duration]);
  });
  observer.observe({ entryTypes: ['gc'] });
  const self = new Map<string, number>();
  let wall = 0;
  await inspector.post('Profiler.enable');
  for (let i = 0; i < iterations; i++) {
    const s = step();
    beforeEach?.();
    await inspector.post('Profiler.start');
    const t0 = performance.now();
    await s.call();
    const t1 = performance.now();
    const { profile } = await inspector.post('Profiler.stop');
    windows.push([t0, t1]);
    wall += t1 - t0;
    addSelfTime(profile as unknown as CpuProfile, self);
    await s.after?.();
  }
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  let gcMs = 0;
  for (const [at, duration] of collections) if (windows.some(([a, b]) => at >= a && at <= b)) gcMs += duration;
  const rows = [...self].map(([k, us]) => [k, us / 1000 / iterations] as const).sort((a, b) => b[1] - a[1]);
  return { ms: wall / iterations, gcMs: gcMs / iterations, self: rows };
}

/** Adds each sample's time to its function, leaving out the profiler's own stop call. */
function addSelfTime(profile: CpuProfile, into: Map<string, number>): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inStop = new Map<number, boolean>();
  const stopping = (id: number): boolean => {
    let known = inStop.get(id);
    if (known !== undefined) return known;
    const { functionName, url } = nodes.get(id)!.callFrame;
    const up = parent.get(id);
    known = (functionName === 'post' && url === 'node:inspector') || (up !== undefined && stopping(up));
    inStop.set(id, known);
    return known;
  };
  profile.samples.forEach((id, i) => {
    if (stopping(id)) return;
    const label = frameLabel(nodes.get(id)!.callFrame);
    into.set(label, (into.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
}
