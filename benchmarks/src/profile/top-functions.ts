/**
 * The functions with the most self time in a V8 CPU profile (`node --cpu-prof`), as percentages
 * of all sampled time — the "top self-time" tables of PROFILE.md.
 */
import fs from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `function file:line`, paths shortened to the package or workspace folder. */
export function frameLabel({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const where = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(core|dialects|benchmarks|plugins|tools)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

/** `[label, percent]` rows, largest first; labels are `function file:line`, paths shortened. */
export function topSelfTime(file: string, limit: number): [string, number][] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const t = byNode.get(node.id) ?? 0;
    total += t;
    const label = frameLabel(node.callFrame);
    byFunction.set(label, (byFunction.get(label) ?? 0) + t);
  }
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, t]) => [k, (100 * t) / total]);
}

/**
 * The functions with the most total time (self plus callees; a recursive function counted once
 * per sample), as percentages of all sampled time: where a phase's time goes, not just its leaves.
 */
export function topTotalTime(file: string, limit: number): [string, number][] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    total += t;
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const { functionName, url } = nodes.get(n)!.callFrame;
      if (!functionName || url === '') continue;
      const label = `${functionName} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(core|dialects|benchmarks|plugins|tools)\//, '$1/')}`;
      if (seen.has(label)) continue;
      seen.add(label);
      byFunction.set(label, (byFunction.get(label) ?? 0) + t);
    }
  });
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, t]) => [k, (100 * t) / total]);
}
