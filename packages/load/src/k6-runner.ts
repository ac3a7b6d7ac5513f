import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevstackError, runCommand, which, type LatencySnapshot } from '@devstack/core';
import { metricNames, type LoadMeasurement } from './measurement';
import type { ScenarioDefinition, ScenarioFile } from './scenarios';

/** The trend statistics k6 must export for our schema (p(99) is not in k6's default list). */
export const K6_TREND_STATS = 'avg,min,med,max,p(90),p(95),p(99)';

type K6Metric = Record<string, number | Record<string, boolean>>;
export interface K6Summary {
  metrics: Record<string, K6Metric>;
  state?: { testRunDurationMs?: number };
}

export function k6Binary(): string | undefined {
  return which('k6');
}

const num = (m: K6Metric | undefined, key: string): number | undefined => (m && typeof m[key] === 'number' ? (m[key] as number) : undefined);

/** Map k6's --summary-export JSON onto our measurement schema. */
export function parseK6Summary(summary: K6Summary, def: ScenarioDefinition, meta: { tool: string; target: string }): LoadMeasurement {
  const names = metricNames(def.scenario.exec);
  const m = summary.metrics ?? {};
  const trend = m[names.latencyMetric];
  if (!trend) {
    throw new DevstackError('CHECK_FAILED', `k6 summary has no ${names.latencyMetric} metric: nothing ran (every request failed before timing?).`, {
      fix: 'Read the k6 output above; check that the api is up (npx nx run stack:status).',
    });
  }
  const isHttp = names.failureMetric === 'http_req_failed';
  const opsMetric = isHttp ? m.http_reqs : m.iterations;
  const ops = num(opsMetric, 'count') ?? 0;
  const failedMetric = m[names.failureMetric];
  // A k6 Rate exports passes (true values = failures here), fails and value (= passes / total).
  const failed = num(failedMetric, 'passes') ?? 0;
  const durationS = (summary.state?.testRunDurationMs ?? 0) / 1000;
  const latency: LatencySnapshot = {
    count: Math.max(0, ops - failed),
    min: num(trend, 'min') ?? NaN,
    mean: num(trend, 'avg') ?? NaN,
    p50: num(trend, 'med') ?? NaN,
    p90: num(trend, 'p(90)') ?? NaN,
    p95: num(trend, 'p(95)') ?? NaN,
    p99: num(trend, 'p(99)') ?? NaN,
    max: num(trend, 'max') ?? NaN,
  };
  // Per-route submetrics, exported because k6/lib.js puts a threshold on each ("metric{name:/path}").
  const routes = Object.keys(m)
    .map((k) => new RegExp(`^${names.latencyMetric}\\{name:(.+)\\}$`).exec(k)?.[1])
    .filter((r): r is string => !!r)
    .map((route) => {
      const t = m[`${names.latencyMetric}{name:${route}}`];
      const f = m[`${names.failureMetric}{name:${route}}`];
      const rFailed = num(f, 'passes') ?? 0;
      const rOps = rFailed + (num(f, 'fails') ?? 0);
      return {
        route,
        ops: rOps,
        failed: rFailed,
        errorRate: num(f, 'value') ?? (rOps ? rFailed / rOps : 0),
        latency: { count: Math.max(0, rOps - rFailed), min: num(t, 'min') ?? NaN, mean: num(t, 'avg') ?? NaN, p50: num(t, 'med') ?? NaN, p90: num(t, 'p(90)') ?? NaN, p95: num(t, 'p(95)') ?? NaN, p99: num(t, 'p(99)') ?? NaN, max: num(t, 'max') ?? NaN },
        errorKinds: rFailed ? { [`${names.failureMetric} (k6 gives no breakdown)`]: rFailed } : {},
      };
    });
  return {
    engine: 'k6',
    tool: meta.tool,
    scenario: def.name,
    target: meta.target,
    durationS,
    ops,
    throughput: Math.round((num(opsMetric, 'rate') ?? (durationS ? ops / durationS : 0)) * 10) / 10,
    latency,
    failed,
    errorRate: num(failedMetric, 'value') ?? (ops ? failed / ops : 0),
    // k6's summary counts failures but does not break them down by kind.
    errorKinds: failed ? { [`${names.failureMetric} (k6 gives no breakdown)`]: failed } : {},
    ...names,
    maxVus: num(m.vus_max, 'max') ?? num(m.vus_max, 'value') ?? 0,
    ...(routes.length ? { routes } : {}),
  };
}

/** The (scaled) definition as k6 reads it through -e SCENARIO_FILE: the same shape as k6/scenarios.json. */
export function k6ScenarioFile(def: ScenarioDefinition): ScenarioFile {
  return { scenarios: { [def.name]: def.scenario }, thresholds: { [def.name]: def.thresholds } };
}

export interface K6RunInput {
  def: ScenarioDefinition;
  root: string;
  apiUrl: string;
  progress?: (m: string) => void;
  signal?: AbortSignal;
}

/** `k6 run k6/<scenario>.js` with the (scaled) definition passed as SCENARIO_FILE, summary exported to a temp file. */
export async function runK6(input: K6RunInput): Promise<LoadMeasurement> {
  const bin = k6Binary();
  if (!bin) throw new DevstackError('TOOL_MISSING', 'k6 is not on PATH.', { fix: 'Install k6, or run with --engine builtin.' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-k6-'));
  try {
    const scenarioFile = path.join(dir, 'scenarios.json');
    writeFileSync(scenarioFile, JSON.stringify(k6ScenarioFile(input.def)));
    const summaryFile = path.join(dir, 'summary.json');
    const script = path.join(input.root, 'k6', `${input.def.name}.js`);
    const version = (await runCommand(bin, ['version'], { timeoutMs: 10000 })).stdout.trim().split('\n')[0];
    input.progress?.(`${input.def.name}: ${version}: k6 run ${path.relative(input.root, script)}`);
    const args = ['run', '--quiet', '--no-usage-report', '--summary-export', summaryFile, '--summary-trend-stats', K6_TREND_STATS, '-e', `API_URL=${input.apiUrl}`, '-e', `SCENARIO_FILE=${scenarioFile}`, script];
    const res = await runCommand(bin, args, { cwd: path.dirname(script), signal: input.signal });
    // Exit 99 means thresholds failed: we evaluate them ourselves from the summary, like the built-in engine.
    if (res.code !== 0 && res.code !== 99) {
      throw new DevstackError('ENVIRONMENT', `k6 exited with ${res.code}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`, { fix: 'Run the k6 command by hand to see its output.' });
    }
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary;
    return parseK6Summary(summary, input.def, { tool: version, target: `${input.apiUrl} (k6 ${input.def.scenario.exec})` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
