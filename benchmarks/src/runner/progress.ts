/**
 * Progress on stderr: one plain line per step with the elapsed time, so it works in CI logs and
 * pipes (no cursor tricks) and never mixes with the markdown written to stdout.
 */
const started = Date.now();

function clock(): string {
  const s = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function progress(message: string): void {
  process.stderr.write(`[bench ${clock()}] ${message}\n`);
}

/** Milliseconds with a sensible number of digits. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtRatio(r: number | undefined): string {
  return r === undefined ? '–' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}
