import Table from 'cli-table3';
import { redact } from './redact';
import type { Check, Metric, ResultTable, TaskResult } from './results';
import { round } from './results';

export function renderTable(t: ResultTable): string {
  const table = new Table({ head: t.head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of t.rows) table.push(row.map((c) => (typeof c === 'number' ? String(round(c, 2)) : c)));
  return `${t.title}\n${table.toString()}`;
}

export function metricsTable(metrics: Metric[]): ResultTable {
  const hasPct = metrics.some((m) => m.p95 !== undefined);
  const head = ['metric', 'unit', 'median', 'spread (MAD)', 'n', 'min..max'];
  if (hasPct) head.push('p50', 'p95', 'p99', 'max');
  head.push('SLO');
  return {
    title: 'Metrics',
    head,
    rows: metrics.map((m) => {
      const row: (string | number)[] = [
        m.name,
        m.unit,
        fmt(m.value),
        m.value ? `±${fmt(m.mad)} (${((m.mad / Math.abs(m.value)) * 100).toFixed(1)}%)` : `±${fmt(m.mad)}`,
        m.n,
        m.min !== undefined && m.max !== undefined && m.n > 1 ? `${fmt(m.min)}..${fmt(m.max)}` : '-',
      ];
      if (hasPct) row.push(opt(m.p50), opt(m.p95), opt(m.p99), opt(m.max));
      row.push(m.slo === undefined ? '-' : `${m.better === 'lower' ? '<=' : '>='} ${m.slo} ${slOk(m) ? 'ok' : 'BROKEN'}`);
      return row;
    }),
  };
}

function slOk(m: Metric): boolean {
  return m.slo === undefined || (m.better === 'lower' ? m.value <= m.slo : m.value >= m.slo);
}

export function checksTable(checks: Check[]): ResultTable {
  return {
    title: 'Checks',
    head: ['check', 'verdict', 'expected', 'observed', 'detail'],
    rows: checks.map((c) => [
      c.name,
      c.skipped ? 'SKIP' : c.passed ? 'PASS' : 'FAIL',
      c.expected ?? '',
      c.observed ?? '',
      (c.detail ?? '') + (c.durationMs !== undefined ? ` (${c.durationMs} ms)` : ''),
    ]),
  };
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(round(v, 3));
}
const opt = (v?: number) => (v === undefined ? '-' : fmt(v));

/** Human rendering of a task result: header, task tables, metrics, checks, warnings. */
export function renderResult(result: TaskResult, resultFile?: string): string {
  const parts: string[] = [];
  const server = result.server ? ` on ${result.server.name} ${result.server.version}` : '';
  const profile = result.profile ? ` (profile ${result.profile})` : '';
  parts.push(`${result.backend}:${result.task}${server}${profile}: ${result.state}, ${(result.durationMs / 1000).toFixed(1)} s`);
  for (const t of result.tables ?? []) parts.push(renderTable(t));
  if (result.metrics.length) parts.push(renderTable(metricsTable(result.metrics)));
  if (result.checks.length) {
    parts.push(renderTable(checksTable(result.checks)));
    const failed = result.checks.filter((c) => !c.passed && !c.skipped).length;
    const skipped = result.checks.filter((c) => c.skipped).length;
    parts.push(`${result.checks.length - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  }
  for (const n of result.notes ?? []) parts.push(`note: ${n}`);
  for (const w of result.warnings ?? []) parts.push(`warning: ${w}`);
  if (result.error) parts.push(`error [${result.error.code}]: ${result.error.message}${result.error.fix ? `\n  fix: ${result.error.fix}` : ''}`);
  if (resultFile) parts.push(`result: ${resultFile}`);
  return redact(parts.join('\n\n'));
}
