import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contextOf, reportDir, startResult, type CommonOptions, type Metric, type Task, type TaskResult } from '@devstack/core';
import { GENERATED_NOTE, mdCell, mdResultTable, mdTable } from './markdown';
import { abChange, abRegressData, capacityRoutes, capacitySpread, collectPerf, currentMetrics, isCompareTable, regressOutcome, regressStatus, timelineOf, tuneResults, type BackendPerf } from './perf-data';

export interface PerfOptions extends CommonOptions {
  /** Output file relative to the workspace root (default .devstack/report/PERFORMANCE_BASELINE.md). */
  out?: string;
}

const n = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : String(Math.round(v * 100) / 100));

function metricRows(metrics: Metric[]): (string | number)[][] {
  return metrics.map((m) => [
    m.name,
    m.unit,
    n(m.value),
    `±${n(m.mad)}`,
    m.n,
    n(m.p50),
    n(m.p95),
    n(m.p99),
    m.slo === undefined ? '-' : `${m.better === 'lower' ? '<=' : '>='} ${m.slo}`,
  ]);
}
const METRIC_HEAD = ['metric', 'unit', 'median', 'MAD', 'n', 'p50', 'p95', 'p99', 'SLO'];

function source(r: TaskResult): string {
  return `${r.task} run ${r.startedAt}, profile ${r.profile ?? '-'}, ${r.server ? `${r.server.name} ${r.server.version}` : 'server -'}, ${r.machine.cpuModel} x${r.machine.cores}`;
}

function backendSection(b: BackendPerf): string[] {
  const out: string[] = [`### ${b.backend}`, ''];
  if (b.baseline) {
    const bl = b.baseline;
    out.push(`Baseline: recorded ${bl.recordedAt}, profile ${bl.profile}, ${bl.server ? `${bl.server.name} ${bl.server.version}, ` : ''}${bl.machine.cpuModel} x${bl.machine.cores}, ${bl.machine.memoryGiB} GiB${bl.command ? ` (\`${bl.command}\`)` : ''}.`, '');
    out.push(mdTable(['metric', 'unit', 'better', 'median', 'MAD', 'n', 'SLO'], Object.entries(bl.metrics).sort(([a], [c]) => a.localeCompare(c)).map(([name, m]) => [name, m.unit, m.better, n(m.median), `±${n(m.mad)}`, m.n, m.slo ?? '-'])));
    out.push('');
  } else if (b.baselineProblem) {
    out.push(`Baseline file baselines/${b.backend}.json is unusable: ${b.baselineProblem}.`, '');
  } else {
    out.push(`No baseline recorded (\`npx nx run ${b.backend}:baseline\`).`, '');
  }
  const cur = currentMetrics(b);
  if (cur) {
    out.push(`Latest measurement (${mdCell(source(cur.result))}):`, '', mdTable(METRIC_HEAD, metricRows(cur.result.metrics)), '');
  }
  const reg = b.latest.regress;
  if (reg) {
    const o = regressOutcome(reg);
    out.push(`Regress verdict: **${regressStatus(b)}** (${reg.startedAt})${o && !o.comparable ? `: incomparable baseline, ${mdCell(o.incomparableReason)}` : ''}.`, '');
    if (o) {
      out.push(mdTable(['metric', 'unit', 'baseline', 'current', 'change', 'threshold', 'verdict'], o.comparisons.map((c) => [c.name, c.unit, n(c.baseline), n(c.current), c.change === undefined ? '-' : `${(c.change * 100).toFixed(1)}%`, `${(c.threshold * 100).toFixed(0)}%`, c.verdict])));
      out.push('');
    } else if (abRegressData(reg)) {
      const ab = abRegressData(reg)!;
      out.push(`Same-run A/B against ${mdCell(ab.base)} (${ab.baseSha.slice(0, 10)}), profile ${mdCell(ab.profile)}: **${ab.verdict}**. ${mdCell(ab.method)}.`, '');
      if (ab.results?.length) out.push(mdTable(['metric', 'unit', 'n', 'before', 'after', 'change [95%]', 'threshold', 'verdict'], ab.results.map((c) => [c.name, c.unit, c.n.join('+'), n(c.beforeMedian), n(c.afterMedian), abChange(c), `${(c.threshold * 100).toFixed(0)}%`, c.verdict])), '');
    } else if (reg.error) out.push(`Regress did not complete: ${reg.error.code}: ${mdCell(reg.error.message)}`, '');
  }
  return out;
}

function tuneSection(perf: BackendPerf[]): string[] {
  const out: string[] = ['## Before / after tuning', ''];
  const tuned = perf.filter((b) => tuneResults(b).length > 0);
  if (tuned.length === 0) return [...out, '_No tune results yet (`npx nx run <backend>:tune --compare`)._', ''];
  for (const b of tuned) {
    let compares = 0;
    for (const r of tuneResults(b)) {
      // A tune run that only restored a profile (no table rows) adds nothing to before/after.
      if (r.state === 'completed' && !(r.tables ?? []).some((t) => t.rows.length > 0)) continue;
      out.push(`### ${b.backend}: ${mdCell(source(r))}`, '');
      const command = (r.data as { command?: unknown } | undefined)?.command;
      if (typeof command === 'string') out.push(`Command: \`${command}\``, '');
      for (const t of (r.tables ?? []).filter(isCompareTable)) {
        compares++;
        out.push(mdResultTable(t), '');
      }
      for (const t of (r.tables ?? []).filter((x) => !isCompareTable(x) && x.rows.length > 0)) out.push(mdResultTable(t), '');
      if (r.state !== 'completed') out.push(`State: ${r.state}${r.error ? ` (${r.error.code}: ${mdCell(r.error.message)})` : ''}`, '');
    }
    if (compares === 0) out.push('_No before/after comparison yet (run tune with --compare)._', '');
  }
  return out;
}

function failoverSection(perf: BackendPerf[]): string[] {
  const out: string[] = ['## Failover timings', ''];
  const runs = perf.filter((b) => b.latest.failover);
  if (runs.length === 0) return [...out, '_No failover results yet (`npx nx run redis:failover`)._', ''];
  for (const b of runs) {
    const r = b.latest.failover!;
    out.push(`### ${b.backend} (${mdCell(source(r))}, state ${r.state})`, '');
    if (r.metrics.length) out.push(mdTable(METRIC_HEAD, metricRows(r.metrics)), '');
    const tl = timelineOf(r);
    if (tl.length) out.push(mdTable(['t (ms)', 'event'], tl.map((e) => [n(e.atMs), e.label])), '');
    if (r.checks.length) out.push(mdTable(['check', 'result', 'expected', 'observed'], r.checks.map((c) => [c.name, c.skipped ? 'skipped' : c.passed ? 'pass' : 'FAIL', c.expected ?? '-', c.observed ?? '-'])), '');
    for (const t of r.tables ?? []) out.push(mdResultTable(t), '');
  }
  return out;
}

function capacitySection(perf: BackendPerf[]): string[] {
  const out: string[] = ['## Capacity (open-loop knees)', ''];
  const { result, routes } = capacityRoutes(perf);
  if (!result || routes.length === 0) return [...out, '_No capacity search yet (`npx nx run load:capacity`)._', ''];
  out.push(`From ${mdCell(source(result))}: per route, the highest arrival rate (open loop, latency from the intended send time) with p95 under the route's SLO and errors <= 1%.`, '');
  out.push(
    mdTable(
      ['route', 'SLO p95 ms', 'knee req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'first fail req/s', 'why', 'generator-bound'],
      routes.map((r) => [r.route, r.sloP95Ms, r.stoppedBy === 'maxRate' ? `>= ${r.knee}` : r.stoppedBy === 'minRate' && r.knee === 0 ? `< ${r.firstFail}` : r.knee, n(r.atKnee?.latency.p50), n(r.atKnee?.latency.p95), n(r.atKnee?.latency.p99), r.atKnee ? `${n(r.atKnee.errorRate * 100)}%` : '-', r.firstFail ?? '-', r.failReason ?? r.stoppedBy ?? '-', r.generatorBound ? 'yes' : 'no']),
    ),
    '',
  );
  const spread = capacitySpread(result);
  if (spread.length) {
    out.push(`The same search repeated ${spread[0].knees.length} times, one run after the other (the table above is the last run; a knee at the cap counts as the cap):`, '');
    out.push(mdTable(['route', ...spread[0].knees.map((_, i) => `run ${i + 1}`), 'median', 'max deviation from the median'], spread.map((x) => [x.route, ...x.knees, x.median, `${x.maxDeviationPct}%`])), '');
  }
  const mix = routes.find((r) => r.route === 'mix');
  const closed = perf.find((b) => b.backend === 'load');
  const rows = ['sustained', 'spike', 'ramp']
    .map((name) => closed?.latest[name])
    .filter((r): r is TaskResult => !!r)
    .map((r) => {
      const tp = r.metrics.find((m) => m.name.endsWith('_throughput'));
      const lat = r.metrics.find((m) => m.name.endsWith('_latency'));
      return [r.task, String(tp?.labels?.vus ?? '-'), n(tp?.value), n(lat?.p95), mix ? mix.knee : '-', tp && mix ? (tp.value > mix.knee ? 'demand above the knee' : 'within the knee') : '-'];
    });
  if (rows.length) {
    out.push('Closed-loop scenarios beside the knee of their path mix ("N VUs closed-loop needs X req/s; the stack carries Y within SLO"):', '');
    out.push(mdTable(['scenario', 'VUs', 'closed-loop req/s', 'closed-loop p95 ms', 'mix knee req/s', 'verdict'], rows), '');
  }
  return out;
}

function loadSection(perf: BackendPerf[]): string[] {
  const out: string[] = ['## Load scenarios', ''];
  const results = perf.flatMap((b) => Object.values(b.latest).filter((r): r is TaskResult => !!r && (b.backend === 'load' || r.task === 'load')));
  if (results.length === 0) return [...out, '_No load results yet (`npx nx run load:<scenario>`)._', ''];
  for (const r of results.sort((a, b) => `${a.backend}/${a.task}`.localeCompare(`${b.backend}/${b.task}`))) {
    out.push(`### ${r.backend} ${r.task} (${mdCell(source(r))}, state ${r.state})`, '');
    if (r.metrics.length) out.push(mdTable(METRIC_HEAD, metricRows(r.metrics)), '');
    if (r.checks.length) out.push(mdTable(['threshold', 'result', 'observed'], r.checks.map((c) => [c.name, c.skipped ? 'skipped' : c.passed ? 'pass' : 'FAIL', c.observed ?? '-'])), '');
  }
  return out;
}

/** The Markdown document; every figure comes from a baseline or result file. */
export function renderPerformance(perf: BackendPerf[]): string {
  const out: string[] = ['# Performance baseline', '', GENERATED_NOTE('npx nx run report:perf'), ''];
  out.push('Medians over trials with their MAD (spread) and trial count; latency percentiles come from merged HDR histograms. Regress: a same-run A/B against a git ref where one was run (Hodges-Lehmann change with its 95% interval, docs/REGRESSION.md); otherwise the stored baseline, worse by more than the threshold **and** outside both noise bands (packages/core/src/regress.ts).', '');
  out.push('## Summary', '');
  out.push(
    mdTable(
      ['backend', 'baseline', 'latest measurement', 'regress'],
      perf.map((b) => {
        const cur = currentMetrics(b);
        return [b.backend, b.baseline ? `${b.baseline.recordedAt} (${Object.keys(b.baseline.metrics).length} metrics)` : b.baselineProblem ? 'unusable' : 'none', cur ? `${cur.task} ${cur.result.startedAt}` : '-', regressStatus(b)];
      }),
    ),
    '',
  );
  if (perf.length === 0) out.push('_No baselines or results yet: run `npm start` (or `npx nx run <backend>:bench`)._', '');
  out.push('## Per backend', '');
  for (const b of perf.filter((x) => x.backend !== 'load')) out.push(...backendSection(b));
  out.push(...tuneSection(perf), ...failoverSection(perf), ...capacitySection(perf), ...loadSection(perf));
  return out.join('\n');
}

/** `nx run report:perf`: .devstack/report/PERFORMANCE_BASELINE.md from baselines and latest results. */
export const perf: Task<PerfOptions> = async (options) => {
  const { config, progress } = contextOf(options);
  const result = startResult('report', 'perf');
  progress('reading baselines and results');
  const data = collectPerf(config.root, config.stateRoot);
  const file = options.out ? path.resolve(config.root, options.out) : path.join(reportDir(config.stateRoot), 'PERFORMANCE_BASELINE.md');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderPerformance(data));
  result.tables.push({
    title: 'Backends',
    head: ['backend', 'baseline', 'latest', 'regress'],
    rows: data.map((b) => [b.backend, b.baseline ? b.baseline.recordedAt : '-', currentMetrics(b)?.result.startedAt ?? '-', regressStatus(b)]),
  });
  if (data.length === 0) result.warnings.push('no baselines or bench results yet: run `npm start` or `npx nx run <backend>:bench` first');
  result.notes.push(`written ${path.relative(config.root, file)}`);
  result.data = { backends: data.map((b) => b.backend), file: path.relative(config.root, file) };
  return result.finish();
};
