/**
 * Markdown report: per database and size, a compact ratio table (scenarios × contenders), then a
 * detail table (median, p95, statements, heap, strategy) and the failures with their reasons.
 */
import { DIALECT_LABELS, type BenchReport, type Cell, type ScenarioResult } from '../types.js';
import { fmtMs, fmtRatio } from '../runner/progress.js';
import { SCENARIO_DESCRIPTIONS } from '../workload/scenarios.js';
import { renderPeerTable } from './peer-table.js';

/** Groups results by (dialect, authors), preserving run order. */
export function groupResults(report: BenchReport): { key: string; dialect: ScenarioResult['dialect']; authors: number; results: ScenarioResult[] }[] {
  const groups = new Map<string, { key: string; dialect: ScenarioResult['dialect']; authors: number; results: ScenarioResult[] }>();
  for (const r of report.results) {
    const key = `${r.dialect}/${r.authors}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, dialect: r.dialect, authors: r.authors, results: [] }));
    g.results.push(r);
  }
  return [...groups.values()];
}

function shortCell(c: Cell | undefined, setupFailed: boolean): string {
  if (setupFailed) return 'setup failed';
  if (!c) return '';
  if (c.status === 'unsupported') return 'n/a';
  if (c.status === 'failed') return '✗ failed';
  if (c.status === 'skipped') return 'too slow';
  const mark = c.note ? '†' : '';
  if (c.contender === 'raw') return `1 (${fmtMs(c.median)})${mark}`;
  return `**${fmtRatio(c.ratio)}**${mark} (${fmtMs(c.median)})`;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: BenchReport): string {
  const out: string[] = [];
  const o = report.options;
  out.push(`# Athanor benchmark results`, '');
  out.push(`Run ${report.startedAt} → ${report.finishedAt}.`);
  out.push(
    `Mode: ${o.quick ? '**quick** (smoke run; too few iterations for conclusions)' : 'full'}; ` +
      `warm-up ${o.warmup} + up to ${o.iterations} measured rounds (interleaved, min ${o.minIterations}, budget ${o.budgetSec} s per scenario); ` +
      `latency ${o.latencyMs ? `+${o.latencyMs} ms each way per packet (pg/mysql via loopback proxy; libsql n/a)` : 'none (loopback)'}.`,
  );
  out.push(`Environment: ${Object.entries(report.environment).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  out.push(
    'Cells: **ratio to raw** (median wall time per iteration, raw’s own median in brackets); lower is better. ' +
      '`n/a` = not supported, `✗` = failed the result check or threw, † = stopped early for exceeding the per-iteration limit, ' +
      '`too slow` = skipped at this size after exceeding it at a smaller one (reasons below each table).',
    '',
  );
  for (const s of report.skippedDialects) out.push(`- ${DIALECT_LABELS[s.dialect]} skipped: ${s.reason}`);
  if (report.skippedDialects.length) out.push('');

  for (const g of groupResults(report)) {
    const contenders = [...new Set(g.results.flatMap((r) => r.cells.map((c) => c.contender)))];
    const failedSetup = report.setupFailures.filter((f) => f.dialect === g.dialect).map((f) => f.contender);
    const all = [...contenders, ...failedSetup.filter((n) => !contenders.includes(n))];
    out.push(`## ${DIALECT_LABELS[g.dialect]} — ${g.authors.toLocaleString('en-US')} authors`, '');
    out.push(`| scenario | ${all.join(' | ')} |`, `|---|${all.map(() => '---:').join('|')}|`);
    for (const r of g.results) {
      const cells = all.map((name) => shortCell(r.cells.find((c) => c.contender === name), failedSetup.includes(name)));
      out.push(`| ${r.scenario} | ${cells.join(' | ')} |`);
    }
    out.push('', '<details><summary>Details: median, p95, statements per iteration, peak heap growth, strategy</summary>', '');
    out.push('| scenario | contender | median | p95 | ratio | stmts/iter | peak heap | n | how |', '|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const r of g.results) {
      for (const c of r.cells) {
        if (c.status !== 'ok') continue;
        out.push(
          `| ${r.scenario} | ${c.contender} | ${fmtMs(c.median)} | ${fmtMs(c.p95)} | ${fmtRatio(c.ratio)} | ${c.statements ?? '–'} | ` +
            `${c.heapPeakMb === undefined ? '–' : `${c.heapPeakMb.toFixed(1)} MB`} | ${c.samples.length} | ${esc(c.strategy ?? '')} |`,
        );
      }
    }
    out.push('', '</details>', '');
    const problems = g.results.flatMap((r) => r.cells.filter((c) => c.status !== 'ok').map((c) => ({ r, c })));
    const failures = problems.filter((p) => p.c.status === 'failed');
    const unsupported = problems.filter((p) => p.c.status === 'unsupported');
    const limited = [
      ...g.results.flatMap((r) => r.cells.filter((c) => c.note).map((c) => `${c.contender} ${r.scenario}: ${c.note}`)),
      ...problems.filter((p) => p.c.status === 'skipped').map(({ r, c }) => `${c.contender} ${r.scenario}: skipped — ${c.reason}`),
    ];
    if (limited.length) {
      out.push('Stopped early / skipped (†):', '');
      for (const l of limited) out.push(`- ${esc(l)}`);
      out.push('');
    }
    if (failures.length || failedSetup.length) {
      out.push('Failures:', '');
      for (const f of report.setupFailures.filter((x) => x.dialect === g.dialect)) out.push(`- **${f.contender}** setup: ${esc(f.reason)}`);
      for (const { r, c } of failures) out.push(`- **${c.contender}** ${r.scenario}: ${esc(c.reason ?? '')}`);
      out.push('');
    }
    if (unsupported.length) {
      out.push('Not supported:', '');
      for (const { r, c } of unsupported) out.push(`- ${c.contender} ${r.scenario}: ${esc(c.reason ?? '')}`);
      out.push('');
    }
  }
  const peers = renderPeerTable(report);
  if (peers) {
    out.push('## Athanor: ratio to raw / to the best peer', '');
    out.push('Each cell: Athanor’s median ÷ raw’s, then ÷ the fastest other library’s (named); **bold** = Athanor was the fastest library.', '');
    out.push(peers, '');
  }
  out.push('## Scenarios', '');
  for (const [id, d] of Object.entries(SCENARIO_DESCRIPTIONS)) out.push(`- **${id}**: ${d}`);
  out.push('');
  return out.join('\n');
}
