import Table from 'cli-table3';
import { redact } from './redact';
import type { Check, Metric, ResultTable, TaskResult } from './results';
import { round } from './results';

export interface RenderOptions {
  /** Terminal width the tables must fit (default: the terminal's, else 120). */
  width?: number;
  /** Full cell texts; otherwise long expected/observed/detail texts are shortened (the result file has them whole). */
  verbose?: boolean;
}

/** Width tables are fitted to: DEVSTACK_TABLE_WIDTH, the terminal's columns when stdout is one, else 120. */
export function terminalWidth(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean; columns?: number } = process.stdout): number {
  const forced = Number(env.DEVSTACK_TABLE_WIDTH);
  if (Number.isInteger(forced) && forced >= 40) return forced;
  return stdout.isTTY && stdout.columns && stdout.columns >= 40 ? stdout.columns : 120;
}

/** Longest line of a cell. */
const cellWidth = (s: string) => Math.max(0, ...s.split('\n').map((l) => l.length));

/**
 * Column widths (cli-table3 colWidths, padding included) so the whole table fits `width`: narrow
 * columns keep their natural width, the wide ones share what is left equally. Undefined when the
 * table fits as it is.
 */
export function fitColumns(natural: number[], width: number, min = 6): number[] | undefined {
  const avail = width - (natural.length + 1);
  if (natural.reduce((a, b) => a + b, 0) <= avail) return undefined;
  const out = new Array<number>(natural.length).fill(0);
  let remaining = avail;
  const order = natural.map((w, i) => [w, i] as const).sort((a, b) => a[0] - b[0]);
  order.forEach(([w, i], k) => {
    const share = Math.floor(remaining / (order.length - k));
    out[i] = Math.max(min, Math.min(w, share));
    remaining -= out[i];
  });
  return out;
}

/** Break words longer than `max` so word wrapping can place them (paths, hashes, JSON). */
function breakLongWords(text: string, max: number): string {
  if (max < 1) return text;
  return text
    .split('\n')
    .map((line) => line.replace(new RegExp(`\\S{${max + 1},}`, 'g'), (word) => word.match(new RegExp(`.{1,${max}}`, 'g'))!.join(' ')))
    .join('\n');
}

export function renderTable(t: ResultTable, options: RenderOptions = {}): string {
  if (t.text !== undefined) return `${t.title}\n${t.text}`;
  const width = options.width ?? terminalWidth();
  const rows = t.rows.map((row) => row.map((c) => (typeof c === 'number' ? String(round(c, 2)) : String(c))));
  const natural = t.head.map((h, i) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(r[i] ?? ''))) + 2);
  const colWidths = fitColumns(natural, width);
  const table = new Table({ head: t.head, style: { head: [], border: [] }, wordWrap: true, ...(colWidths ? { colWidths } : {}) });
  for (const row of rows) table.push(colWidths ? row.map((c, i) => breakLongWords(c, colWidths[i] - 2)) : row);
  return `${t.title}\n${table.toString()}`;
}

/** Longest expected/observed/detail text shown in a checks table without --verbose. */
export const CHECK_TEXT_MAX = 60;
const shorten = (s: string, verbose: boolean) => (verbose || s.length <= CHECK_TEXT_MAX ? s : `${s.slice(0, CHECK_TEXT_MAX - 1)}…`);

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

export function checksTable(checks: Check[], verbose = true): ResultTable {
  return {
    title: 'Checks',
    head: ['check', 'verdict', 'expected', 'observed', 'detail'],
    rows: checks.map((c) => [
      c.name,
      c.skipped ? 'SKIP' : c.passed ? 'PASS' : 'FAIL',
      shorten(c.expected ?? '', verbose),
      shorten(c.observed ?? '', verbose),
      shorten(c.detail ?? '', verbose) + (c.durationMs !== undefined ? ` (${c.durationMs} ms)` : ''),
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
export function renderResult(result: TaskResult, resultFile?: string, options: RenderOptions = {}): string {
  const parts: string[] = [];
  const verbose = options.verbose === true;
  const server = result.server ? ` on ${result.server.name} ${result.server.version}` : '';
  const profile = result.profile ? ` (profile ${result.profile})` : '';
  parts.push(`${result.backend}:${result.task}${server}${profile}: ${result.state}, ${(result.durationMs / 1000).toFixed(1)} s`);
  for (const t of result.tables ?? []) parts.push(renderTable(t, options));
  if (result.metrics.length) parts.push(renderTable(metricsTable(result.metrics), options));
  if (result.checks.length) {
    const table = checksTable(result.checks, verbose);
    parts.push(renderTable(table, options));
    if (!verbose && JSON.stringify(table.rows) !== JSON.stringify(checksTable(result.checks).rows)) parts.push(`(long check texts shortened to ${CHECK_TEXT_MAX} characters: --verbose or the result file has them whole)`);
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
