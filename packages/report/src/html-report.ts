import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contextOf, startResult, type CommonOptions, type Task } from '@devstack/core';
import { cellText } from './coverage-matrix';
import { pct } from './markdown';
import { abChange, abRegressData, capacityRoutes, capacitySpread, collectPerf, compareRows, currentMetrics, isCompareTable, latencyMetrics, regressOutcome, regressStatus, timelineOf, tuneResults, type BackendPerf } from './perf-data';
import { esc, fmt, groupedBars, heatmap, throughputLatency, timeline, STATE_COLORS } from './svg-charts';
import { collectTestReport, type TestReport } from './tests-report';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets';
import { codeCoverageSection, empty, loadSection, PRODUCT_CHECKS, productSection } from './html-sections';

export interface HtmlOptions extends CommonOptions {
  /** Output file relative to the workspace root (default .devstack/report/index.html). */
  out?: string;
}

export function defaultHtmlPath(stateRoot: string): string {
  return path.join(stateRoot, 'report', 'index.html');
}


function latencySection(perf: BackendPerf[]): string {
  const groups = perf.flatMap((b) => {
    const cur = currentMetrics(b);
    return cur ? latencyMetrics(cur.result.metrics).map((m) => ({ label: `${b.backend} ${m.name}`, values: [{ series: 'p50', value: m.p50! }, { series: 'p95', value: m.p95! }, { series: 'p99', value: m.p99! }] })) : [];
  });
  return `<section id="latency"><h2>Latency percentiles per backend</h2>${groups.length ? groupedBars(groups, 'ms', ['p50', 'p95', 'p99'], { scale: 'log' }) : empty('No latency metrics yet: run a bench (npm start).')}</section>`;
}

function tuneSection(perf: BackendPerf[]): string {
  const charts: string[] = [];
  for (const b of perf) {
    for (const t of tuneResults(b).flatMap((r) => (r.tables ?? []).filter(isCompareTable))) {
      const rows = compareRows(t);
      if (!rows.length) continue;
      // One chart per comparison: metrics have different units, so each bar is the after value as
      // a percentage of its before value (before = 100), labelled with the measured figures.
      charts.push(`<h3>${esc(b.backend)}: ${esc(t.title)}</h3>`);
      const groups = rows.map((row) => ({
        label: `${row.metric} (${row.change}, ${row.verdict})`,
        values: [
          { series: row.beforeLabel, value: 100, text: `${fmt(row.before)} ${row.unit}` },
          { series: row.afterLabel, value: row.before ? (row.after / row.before) * 100 : 0, text: `${fmt(row.after)} ${row.unit}` },
        ],
      }));
      charts.push(groupedBars(groups, '% of before', [rows[0].beforeLabel, rows[0].afterLabel]));
    }
  }
  return `<section id="tuning"><h2>Before / after tuning</h2>${charts.length ? charts.join('') : empty('No tune comparison yet: npx nx run <backend>:tune --compare.')}</section>`;
}

function failoverSection(perf: BackendPerf[]): string {
  const parts: string[] = [];
  for (const b of perf) {
    const r = b.latest.failover;
    if (!r) continue;
    parts.push(`<h3>${esc(b.backend)} failover, ${esc(r.startedAt)} (${esc(r.state)})</h3>`);
    const tl = timelineOf(r);
    if (tl.length) parts.push(timeline(tl));
    const ms = r.metrics.filter((m) => m.unit === 'ms');
    if (ms.length) parts.push(groupedBars(ms.map((m) => ({ label: m.name, values: [{ series: 'median', value: m.value }, { series: 'max', value: m.max ?? m.value }] })), 'ms', ['median', 'max'], { scale: 'log' }));
    if (!tl.length && !ms.length) parts.push(empty('This failover result has no timings.'));
  }
  return `<section id="failover"><h2>Failover timeline</h2>${parts.length ? parts.join('') : empty('No failover results yet: npx nx run redis:failover.')}</section>`;
}

function capacitySection(perf: BackendPerf[]): string {
  const { result, routes } = capacityRoutes(perf);
  if (!result || routes.length === 0) return `<section id="capacity"><h2>Capacity (open loop)</h2>${empty('No capacity search yet: npx nx run load:capacity.')}</section>`;
  const parts = routes.map(
    (r) =>
      `<h3>${esc(r.route)} (${esc(r.paths.join(', '))}): knee ${esc(r.knee)} req/s, SLO p95 &lt; ${esc(r.sloP95Ms)} ms${r.generatorBound ? ' (generator-bound: a lower bound)' : ''}</h3>` +
      throughputLatency(
        r.steps.map((s) => ({ x: s.achievedRate, p50: s.latency.p50, p95: s.latency.p95, p99: s.latency.p99, passed: s.passed })),
        r.sloP95Ms,
        r.knee,
      ),
  );
  const spread = capacitySpread(result);
  const runs = spread.length
    ? `<p>The whole search ran ${spread[0].knees.length} times, one run after the other (the curves are the last run's; a knee at the cap counts as the cap).</p><table><tr><th>route</th>${spread[0].knees.map((_, i) => `<th>run ${i + 1}</th>`).join('')}<th>median</th><th>max deviation</th></tr>${spread.map((x) => `<tr><td>${esc(x.route)}</td>${x.knees.map((k) => `<td>${esc(k)}</td>`).join('')}<td>${esc(x.median)}</td><td>${esc(x.maxDeviationPct)}%</td></tr>`).join('')}</table>`
    : '';
  return `<section id="capacity"><h2>Capacity (open loop): throughput vs latency per route, ${esc(result.startedAt)}</h2>${runs}${parts.join('')}</section>`;
}

function coverageSection(t: TestReport): string {
  const title = (c: string) => t.config.categoryTitles[c] ?? c;
  const cells = t.matrix.cells.map((c) => ({ row: c.service, col: title(c.category), state: c.state, text: cellText(c) }));
  const legend = Object.entries(STATE_COLORS).map(([s, c]) => `<span class="sw" style="background:${c}"></span>${esc(s)}`).join(' ');
  return (
    `<section id="coverage"><h2>Coverage matrix: ${t.matrix.coveredCells}/${t.matrix.requiredCells} required cells (${esc(pct(t.matrix.coverage))})</h2>` +
    heatmap(t.matrix.services, t.matrix.categories.map(title), cells) +
    `<p class="legend">${legend}</p><p id="cell-detail" class="detail">Click a cell for its details.</p></section>`
  );
}

function regressSection(perf: BackendPerf[]): string {
  const rows: string[] = [];
  for (const b of perf) {
    const status = regressStatus(b);
    const o = regressOutcome(b.latest.regress);
    const ab = abRegressData(b.latest.regress);
    if (ab?.results?.length) {
      for (const c of ab.results) {
        rows.push(
          `<tr><td>${esc(b.backend)}</td><td>${esc(c.name)}</td><td>${esc(c.unit)}</td><td title="${esc(`${ab.profile} at ${ab.base}`)}">${esc(fmt(c.beforeMedian))}</td><td>${esc(fmt(c.afterMedian))}</td><td>${esc(abChange(c))}</td><td class="v-${esc(c.verdict)}" title="${esc(c.reason)}">${esc(c.verdict)} (A/B, n ${c.n.join('+')})</td></tr>`,
        );
      }
      continue;
    }
    if (!o || o.comparisons.length === 0) {
      rows.push(`<tr><td>${esc(b.backend)}</td><td colspan="5"></td><td class="v-${esc(status.replace(/ /g, '-'))}">${esc(status)}</td></tr>`);
      continue;
    }
    for (const c of o.comparisons) {
      const change = c.change === undefined ? '-' : `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%`;
      rows.push(
        `<tr><td>${esc(b.backend)}</td><td>${esc(c.name)}</td><td>${esc(c.unit)}</td><td>${c.baseline === undefined ? '-' : esc(fmt(c.baseline))}</td><td>${c.current === undefined ? '-' : esc(fmt(c.current))}</td><td>${esc(change)}</td><td class="v-${esc(c.verdict)}" title="${esc(c.reason)}">${esc(c.verdict)}${o.comparable ? '' : ' (incomparable)'}</td></tr>`,
      );
    }
  }
  const head = '<tr><th>backend</th><th>metric</th><th>unit</th><th>baseline</th><th>current</th><th>change</th><th>verdict</th></tr>';
  return `<section id="regress"><h2>Regress verdicts</h2>${rows.length ? `<table>${head}${rows.join('')}</table>` : empty('No backends with baselines or results yet.')}</section>`;
}

function testsSection(t: TestReport): string {
  const rows = t.jest.projects.map((p) => `<tr><td>${esc(p.project)}</td><td>${p.suites.length}</td><td>${p.passed}</td><td class="${p.failed ? 'v-regressed' : ''}">${p.failed}</td><td>${p.skipped}</td></tr>`);
  return `<section id="tests"><h2>Tests per package</h2>${rows.length ? `<table><tr><th>package</th><th>suites</th><th>passed</th><th>failed</th><th>skipped</th></tr>${rows.join('')}</table>` : empty('No test counts yet: run `npm test`; the next `npm start` (or npx nx run report:html) shows them.')}</section>`;
}

/** The whole page: one file, inline CSS, JS and SVG; nothing is fetched. */
/** Section ids in page order: the headless-browser test checks each one is rendered. */
export const SECTION_IDS = ['latency', 'tuning', 'regress', 'failover', ...PRODUCT_CHECKS.map((c) => c.id), 'capacity', 'load', 'coverage', 'tests', 'code-coverage'];

export function renderHtml(t: TestReport, perf: BackendPerf[], generatedAt: string, stateRoot?: string): string {
  const regressCounts = perf.map((b) => `${b.backend}: ${regressStatus(b)}`).join(', ') || 'no backends yet';
  const cards = [
    ['tests', t.jest.projects.length ? `${t.jest.total.passed} passed, ${t.jest.total.failed} failed, ${t.jest.total.skipped} skipped` : 'no npm test run yet'],
    ['matrix coverage', `${t.matrix.coveredCells}/${t.matrix.requiredCells} (${pct(t.matrix.coverage)})`],
    ['regress', regressCounts],
  ]
    .map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>DevStack Perf report</title><style>${HTML_STYLE}</style></head>
<body><header><h1>DevStack Perf report</h1><p class="meta">Generated ${esc(generatedAt)} from .devstack/results and baselines/. Figures are medians of trials; the pages beside this file (PERFORMANCE_BASELINE.md, TEST_COVERAGE.md ...) hold the tables.</p><div class="cards">${cards}</div></header>
<main>${latencySection(perf)}${tuneSection(perf)}${regressSection(perf)}${failoverSection(perf)}${PRODUCT_CHECKS.map((c) => (stateRoot ? productSection(stateRoot, c) : `<section id="${c.id}"><h2>${esc(c.title)}</h2>${empty(`Not run yet: ${c.hint}.`)}</section>`)).join('')}${capacitySection(perf)}${loadSection(perf)}${coverageSection(t)}${testsSection(t)}${codeCoverageSection(t)}</main>
<script>${HTML_SCRIPT}</script></body></html>
`;
}

/** `nx run report:html`: write the self-contained HTML report. */
export const html: Task<HtmlOptions> = async (options) => {
  const { config, progress } = contextOf(options);
  const result = startResult('report', 'html');
  progress('collecting results');
  const tests = collectTestReport(config.root, config.stateRoot);
  const perf = collectPerf(config.root, config.stateRoot);
  const file = options.out ? path.resolve(config.root, options.out) : defaultHtmlPath(config.stateRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderHtml(tests, perf, result.startedAt, config.stateRoot));
  result.notes.push(`HTML report: ${file}`);
  result.data = { file, backends: perf.map((b) => b.backend) };
  return result.finish();
};
