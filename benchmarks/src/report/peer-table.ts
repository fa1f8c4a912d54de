/**
 * The table issue 7 asks for: one contender (Athanor) against raw and against the best peer,
 * per scenario and database, from a single run. "Peers" are the other libraries (ORMs and query
 * builders); raw and raw-alt are baselines, not peers.
 */
import { DIALECT_LABELS, type BenchReport, type Cell, type Dialect } from '../types.js';
import { fmtRatio } from '../runner/progress.js';

/** Contenders that are baselines rather than libraries a user would pick instead. */
const BASELINES = new Set(['raw', 'raw-alt']);

/** One scenario on one database: the subject's ratio to raw and to the fastest peer. */
export interface PeerComparison {
  dialect: Dialect;
  authors: number;
  scenario: string;
  /** Subject median / raw median; undefined when the subject has no ok cell. */
  toRaw: number | undefined;
  /** Subject median / best peer median, and who that peer is. */
  toBestPeer: number | undefined;
  bestPeer: string | undefined;
  /** Why the subject has no number (n/a, failed), if so. */
  missing?: string;
}

const ok = (c: Cell | undefined): c is Cell & { median: number } => c?.status === 'ok' && c.median !== undefined;

/** Compares `subject` (default `athanor`) with raw and its fastest peer in every scenario of the report. */
export function comparePeers(report: BenchReport, subject = 'athanor'): PeerComparison[] {
  const out: PeerComparison[] = [];
  for (const r of report.results) {
    const mine = r.cells.find((c) => c.contender === subject);
    if (!mine) continue;
    const peers = r.cells.filter((c) => c.contender !== subject && !BASELINES.has(c.contender)).filter(ok);
    const best = peers.reduce<(Cell & { median: number }) | undefined>((b, c) => (b === undefined || c.median < b.median ? c : b), undefined);
    const base = { dialect: r.dialect, authors: r.authors, scenario: r.scenario, bestPeer: best?.contender };
    if (!ok(mine)) {
      out.push({ ...base, toRaw: undefined, toBestPeer: undefined, missing: mine.status === 'unsupported' ? 'n/a' : mine.status });
      continue;
    }
    out.push({ ...base, toRaw: mine.ratio, toBestPeer: best ? mine.median / best.median : undefined });
  }
  return out;
}

/**
 * Markdown: scenarios down, databases across; each cell "ratio to raw / ratio to best peer
 * (peer)". A ratio to the best peer below 1 means the subject was the fastest library there.
 */
export function renderPeerTable(report: BenchReport, subject = 'athanor'): string {
  const rows = comparePeers(report, subject);
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.map((r) => `${r.dialect}/${r.authors}`))];
  const label = (key: string): string => {
    const [dialect, authors] = key.split('/') as [Dialect, string];
    return `${DIALECT_LABELS[dialect]} (${Number(authors).toLocaleString('en-US')})`;
  };
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const lines = [
    `| scenario | ${columns.map(label).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const s of scenarios) {
    const cells = columns.map((key) => {
      const r = rows.find((x) => x.scenario === s && `${x.dialect}/${x.authors}` === key);
      if (!r) return '';
      if (r.missing) return r.missing;
      const peer = r.toBestPeer === undefined ? 'no peer' : `${r.toBestPeer < 1 ? '**' : ''}${fmtRatio(r.toBestPeer)}${r.toBestPeer < 1 ? '**' : ''} (${r.bestPeer})`;
      return `${fmtRatio(r.toRaw)} / ${peer}`;
    });
    lines.push(`| ${s} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
