/**
 * A dependency-free SVG chart: one panel per database (and per size in a sweep), scenarios down
 * the side, one horizontal bar per contender showing its median time as a ratio to raw on a log
 * axis (so 2× slower and 2× faster are the same distance from the raw line at 1×).
 */
import { DIALECT_LABELS, type BenchReport } from '../types.js';
import { groupResults } from './markdown.js';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const PANEL_W = 560;
const LABEL_W = 120;
const PLOT_W = PANEL_W - LABEL_W - 60;
const BAR_H = 9;
const GROUP_GAP = 10;
const PANEL_GAP = 30;
const HEADER_H = 56;

const escXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Log-axis ticks covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo * 0.999 && t <= hi * 1.001) out.push(t);
    }
  }
  return out;
}

export function renderSvg(report: BenchReport): string {
  const groups = groupResults(report);
  const contenders = [...new Set(report.results.flatMap((r) => r.cells.map((c) => c.contender)))].filter((c) => c !== 'raw');
  const color = new Map(contenders.map((c, i) => [c, COLORS[i % COLORS.length]!]));
  const ratios = report.results.flatMap((r) => r.cells.map((c) => c.ratio ?? 1));
  const lo = Math.min(0.5, ...ratios.map((r) => r * 0.9));
  const hi = Math.max(2, ...ratios.map((r) => r * 1.1));
  const x = (r: number): number => LABEL_W + ((Math.log(r) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * PLOT_W;

  const dialects = [...new Set(groups.map((g) => g.dialect))];
  const sizes = [...new Set(groups.map((g) => g.authors))];
  const scenarios = [...new Set(report.results.map((r) => r.scenario))];
  const groupH = contenders.length * BAR_H + GROUP_GAP;
  const panelH = 40 + scenarios.length * groupH + 24;
  const width = dialects.length * (PANEL_W + PANEL_GAP) + PANEL_GAP;
  const height = HEADER_H + sizes.length * (panelH + PANEL_GAP) + PANEL_GAP;

  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  s.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  const latency = report.options.latencyMs ? `, +${String(report.options.latencyMs)} ms latency each way` : '';
  s.push(`<text x="${PANEL_GAP}" y="22" font-size="15" font-weight="600">Median time per iteration as a ratio to the raw driver (log scale; lower is better${latency})</text>`);
  contenders.forEach((c, i) => {
    const lx = PANEL_GAP + i * 110;
    s.push(`<rect x="${lx}" y="34" width="12" height="10" fill="${color.get(c)}"/><text x="${lx + 16}" y="43">${escXml(c)}</text>`);
  });

  for (const g of groups) {
    const px = PANEL_GAP + dialects.indexOf(g.dialect) * (PANEL_W + PANEL_GAP);
    const py = HEADER_H + sizes.indexOf(g.authors) * (panelH + PANEL_GAP);
    s.push(`<g transform="translate(${px},${py})">`);
    s.push(`<rect x="0" y="0" width="${PANEL_W}" height="${panelH}" fill="#fafafa" stroke="#ddd"/>`);
    s.push(`<text x="8" y="18" font-size="13" font-weight="600">${escXml(DIALECT_LABELS[g.dialect])} — ${g.authors.toLocaleString('en-US')} authors</text>`);
    s.push(`<text x="${PANEL_W - 8}" y="18" text-anchor="end" fill="#555">raw = 1× (dark line)</text>`);
    const top = 32;
    const bottom = top + scenarios.length * groupH;
    for (const t of ticks(lo, hi)) {
      const tx = x(t).toFixed(1);
      s.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="${t === 1 ? '#333' : '#e3e3e3'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
      s.push(`<text x="${tx}" y="${bottom + 14}" text-anchor="middle" fill="#555">${t}×</text>`);
    }
    scenarios.forEach((scenario, si) => {
      const gy = top + si * groupH;
      if (si > 0) s.push(`<line x1="8" y1="${gy - GROUP_GAP / 2}" x2="${PANEL_W - 8}" y2="${gy - GROUP_GAP / 2}" stroke="#eee"/>`);
      s.push(`<text x="${LABEL_W - 8}" y="${gy + 2 + (contenders.length * BAR_H) / 2}" text-anchor="end" dominant-baseline="middle">${escXml(scenario)}</text>`);
      const result = g.results.find((r) => r.scenario === scenario);
      contenders.forEach((c, ci) => {
        const by = gy + ci * BAR_H + 2;
        const cell = result?.cells.find((k) => k.contender === c);
        const setupFailed = report.setupFailures.some((f) => f.dialect === g.dialect && f.contender === c);
        if (cell?.ratio !== undefined) {
          const x0 = x(Math.min(1, cell.ratio));
          const x1 = x(Math.max(1, cell.ratio));
          s.push(`<rect x="${x0.toFixed(1)}" y="${by}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${BAR_H - 2}" fill="${color.get(c)}"><title>${escXml(`${c} ${scenario}: ${cell.ratio.toFixed(2)}× raw`)}</title></rect>`);
          const mark = cell.note ? '†' : '';
          s.push(`<text x="${(x1 + 3).toFixed(1)}" y="${by + BAR_H - 3}" font-size="8" fill="#444">${cell.ratio.toFixed(cell.ratio >= 10 ? 0 : 1)}${mark}</text>`);
        } else if (cell || setupFailed) {
          const label = setupFailed
            ? 'setup failed'
            : cell?.status === 'unsupported'
              ? 'n/a'
              : cell?.status === 'failed'
                ? '✗ failed'
                : cell?.status === 'skipped'
                  ? 'too slow (skipped)'
                  : '';
          s.push(`<text x="${x(1) + 4}" y="${by + BAR_H - 3}" font-size="8" fill="${color.get(c)}">${escXml(`${c}: ${label}`)}</text>`);
        }
      });
    });
    s.push(`</g>`);
  }
  s.push('</svg>');
  return s.join('\n');
}
