/**
 * The functions that allocate the most bytes in a sampling heap profile (V8's
 * HeapProfiler.startSampling with collected objects included, so short-lived garbage counts):
 * the allocation tables of PROFILE.md.
 */

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** `[label, percent, bytes]` rows, largest first; labels are `function file:line`, paths shortened. */
export function topAllocations(head: SamplingNode, limit: number): [string, number, number][] {
  const byFunction = new Map<string, number>();
  let total = 0;
  const stack = [head];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(core|dialects|benchmarks|plugins|tools)\//, '$1/');
    const label = `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(label, (byFunction.get(label) ?? 0) + node.selfSize);
    total += node.selfSize;
    stack.push(...node.children);
  }
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, bytes]) => [k, (100 * bytes) / total, bytes]);
}
