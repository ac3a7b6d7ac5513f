import { latestResult, type ResultTable, type TaskResult } from '@devstack/core';
import type { CodeCoverage } from './code-coverage';
import type { BackendPerf } from './perf-data';
import { esc, fmt } from './svg-charts';
import type { TestReport } from './tests-report';

/** Product verification runs the main job makes, each read from its latest result file. */
export interface ProductCheck {
  id: string;
  title: string;
  backend: string;
  task: string;
  /** How to produce it, shown while there is no result. */
  hint: string;
}

export const PRODUCT_CHECKS: ProductCheck[] = [
  { id: 'security', title: 'Vault AppRole security suite', backend: 'vault', task: 'test', hint: 'npx nx run vault:security (npm start runs it)' },
  { id: 'tls', title: 'TLS verification matrix', backend: 'tls', task: 'matrix', hint: 'the tls live suite: npx nx run tls:test (npm start runs it)' },
  { id: 'network', title: 'Network segmentation matrix', backend: 'network', task: 'matrix', hint: 'npx nx run network:matrix on a segmented stack (root; npm start runs it)' },
];

export const empty = (text: string) => `<p class="empty">${esc(text)}</p>`;

const MAX_ROWS = 60;

export function htmlTable(t: ResultTable): string {
  const rows = t.rows.slice(0, MAX_ROWS).map((r) => `<tr>${r.map((c) => `<td${/^(FAIL|NO|BROKEN)/.test(String(c)) ? ' class="v-regressed"' : ''}>${esc(typeof c === 'number' ? fmt(c) : c)}</td>`).join('')}</tr>`);
  const more = t.rows.length > MAX_ROWS ? `<p class="detail">${t.rows.length - MAX_ROWS} more rows in the result file.</p>` : '';
  const body = t.text !== undefined ? `<pre>${esc(t.text)}</pre>` : `<table><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>${more}`;
  return `<h3>${esc(t.title)}</h3>${body}`;
}

/** One result: when, state, checks passed/failed, its tables and the failed checks by name. */
export function resultBlock(r: TaskResult): string {
  const failed = r.checks.filter((c) => !c.passed && !c.skipped);
  const passed = r.checks.filter((c) => c.passed && !c.skipped).length;
  const skipped = r.checks.filter((c) => c.skipped).length;
  const cls = r.state !== 'completed' || failed.length ? 'v-regressed' : 'v-pass';
  const parts = [
    `<p class="summary"><span class="${cls}">${esc(r.state)}: ${passed} passed, ${failed.length} failed${skipped ? `, ${skipped} skipped` : ''}</span> <span class="detail">${esc(r.startedAt)}, ${esc((r.durationMs / 1000).toFixed(1))} s</span></p>`,
  ];
  for (const t of r.tables ?? []) parts.push(htmlTable(t));
  if (failed.length) parts.push(`<h3>Failed checks</h3><ul>${failed.map((c) => `<li>${esc(c.name)}${c.detail ? `: ${esc(c.detail.slice(0, 300))}` : ''}</li>`).join('')}</ul>`);
  if (r.error) parts.push(`<p class="v-regressed">${esc(`error [${r.error.code}]: ${r.error.message}`)}</p>`);
  return parts.join('');
}

export function productSection(stateRoot: string, check: ProductCheck): string {
  const r = latestResult(stateRoot, check.backend, check.task);
  return `<section id="${esc(check.id)}"><h2>${esc(check.title)}</h2>${r ? resultBlock(r) : empty(`Not run yet: ${check.hint}.`)}</section>`;
}

/** The latest run of every load scenario: latency percentiles, rates and the k6-style thresholds. */
export function loadSection(perf: BackendPerf[]): string {
  const load = perf.find((b) => b.backend === 'load');
  const runs = Object.entries(load?.latest ?? {}).filter(([task, r]) => r && task !== 'baseline' && task !== 'regress') as [string, TaskResult][];
  const parts = runs.map(([task, r]) => {
    const metrics: ResultTable = {
      title: `${task}: metrics`,
      head: ['metric', 'unit', 'value', 'p50', 'p95', 'p99'],
      rows: r.metrics.map((m) => [m.name, m.unit, m.value, m.p50 ?? '-', m.p95 ?? '-', m.p99 ?? '-']),
    };
    return `<h3>${esc(task)}${r.profile ? ` (profile ${esc(r.profile)})` : ''}</h3>${resultBlock({ ...r, tables: [metrics, ...(r.tables ?? [])] })}`;
  });
  return `<section id="load"><h2>Load</h2>${parts.length ? parts.join('') : empty('No load run yet: npx nx run load:sustained --scale 0.1 (npm start runs it).')}</section>`;
}

const pctCell = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)}%` : '-');

export function codeCoverageSection(t: TestReport): string {
  if (t.jest.projects.length === 0) return `<section id="code-coverage"><h2>Code coverage</h2>${empty('No test run yet: run `npm test`; it measures every package, and the next `npm start` shows it here.')}</section>`;
  const rows = t.jest.projects.map((p, i) => {
    const c: CodeCoverage | undefined = t.code[i];
    return c
      ? `<tr><td>${esc(p.project)}</td><td>${pctCell(c.lines)}</td><td>${pctCell(c.statements)}</td><td>${pctCell(c.functions)}</td><td>${pctCell(c.branches)}</td></tr>`
      : `<tr><td>${esc(p.project)}</td><td colspan="4" class="v-not-run">not measured</td></tr>`;
  });
  return `<section id="code-coverage"><h2>Code coverage (each package's src/, from the last npm test)</h2><table><tr><th>package</th><th>lines</th><th>statements</th><th>functions</th><th>branches</th></tr>${rows.join('')}</table></section>`;
}
