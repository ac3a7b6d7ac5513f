import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  contextOf,
  DevstackError,
  endpointsOf,
  latencyMetric,
  metricFromTrials,
  median,
  startResult,
  type BenchOptions,
  type LatencySnapshot,
  type Metric,
  type ResultTable,
  type TaskResult,
} from '@devstack/core';
import { capacitySearch, kneeMetrics, type RouteCapacity } from './capacity';
import { runDriverScenario } from './driver-engine';
import { runHttpScenario } from './http-engine';
import { k6Binary, runK6 } from './k6-runner';
import type { LoadMeasurement } from './measurement';
import { ResourceSampler, type ResourceUsage } from '@devstack/runtime';
import { readScenarioFile, scaleScenario, scenarioOf, type ScenarioDefinition } from './scenarios';
import { evaluateThresholds } from './thresholds';

export interface LoadOptions extends BenchOptions {
  /** Scenario of k6/scenarios.json (baseline/regress; the scenario targets set it). */
  scenario?: string;
  /** Multiply VUs, iterations and durations (0.1 for CI). */
  scale?: number;
  /** auto: k6 when on PATH, else the built-in engine. */
  engine?: 'auto' | 'k6' | 'builtin';
  /** Connections per database pool of the built-in db/cache engine. */
  pool?: number;
  /** Base URL of the api (default: the stack's api endpoint). */
  url?: string;
  /** HTTP scenarios: request these paths instead of the scenario's env.PATHS (e.g. /health beside wrk). */
  paths?: string[];
}

export interface ScenarioRun {
  def: ScenarioDefinition;
  measurement: LoadMeasurement;
  resources: ResourceUsage[];
}

async function apiReachable(url: string): Promise<void> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) throw new Error(`GET /health answered ${res.status}`);
  } catch (err) {
    throw new DevstackError('SERVICE_DOWN', `The api at ${url} is not answering: ${(err as Error).message}.`, {
      fix: 'Start the stack with the api: npx nx run api:build && npx nx run stack:up (stack status lists the api).',
      cause: err,
    });
  }
}

/** Run one scenario once with the chosen engine, sampling the stack's CPU and memory meanwhile. */
export async function measureScenario(name: string, options: LoadOptions, signal?: AbortSignal): Promise<ScenarioRun> {
  const { config, progress } = contextOf(options);
  const def = scaleScenario(scenarioOf(readScenarioFile(config.root), name), options.scale ?? 1);
  if (options.paths?.length) {
    if (def.scenario.exec !== 'httpMix') throw new DevstackError('BAD_INPUT', `--paths applies to the HTTP scenarios (sustained, spike, ramp), not ${name}.`, { fix: `Drop --paths for ${name}.` });
    def.scenario = { ...def.scenario, env: { ...def.scenario.env, PATHS: options.paths.join(',') } };
  }
  const engine = options.engine && options.engine !== 'auto' ? options.engine : k6Binary() ? 'k6' : 'builtin';
  const url = (options.url ?? endpointsOf(config).api.url).replace(/\/+$/, '');
  const viaHttp = engine === 'k6' || def.scenario.exec === 'httpMix';
  if (viaHttp) await apiReachable(url);
  const sampler = new ResourceSampler(config.stateRoot).start();
  let measurement: LoadMeasurement;
  let resources: ResourceUsage[] = [];
  try {
    if (engine === 'k6') measurement = await runK6({ def, root: config.root, apiUrl: url, progress, signal });
    else if (def.scenario.exec === 'httpMix') measurement = await runHttpScenario({ def, baseUrl: url, progress, signal });
    else measurement = await runDriverScenario({ def, config, pool: options.pool ?? Number(process.env.DEVSTACK_LOAD_POOL ?? 50), progress, signal });
  } finally {
    resources = await sampler.stop();
  }
  return { def, measurement, resources };
}

/** The mix knee of the newest load:capacity result (open loop), to set a closed-loop run beside. */
export function mixKneeOf(stateRoot: string): { knee: number; sloP95Ms: number; at: string } | undefined {
  const dir = path.join(stateRoot, 'results', 'load');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => /^capacity-.*\.json$/.test(f)).sort().reverse();
  } catch {
    return undefined;
  }
  for (const f of files) {
    try {
      const res = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as TaskResult;
      const m = res.metrics.find((x) => x.name === 'capacity_mix_knee');
      if (m) return { knee: m.value, sloP95Ms: Number(m.labels?.sloP95Ms ?? NaN), at: res.startedAt };
    } catch {
      /* unreadable result: next */
    }
  }
  return undefined;
}

const r = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

export function resourceTable(resources: ResourceUsage[]): ResultTable {
  return {
    title: 'Stack processes during the run (from .devstack/run/*.pid and their children; CPU in % of one core)',
    head: ['process', 'pids', 'cpu avg %', 'cpu max %', 'rss max MiB', 'samples'],
    rows: resources.map((u) => [u.name, u.pids, u.cpuAvgPct, u.cpuMaxPct, u.rssMaxMiB, u.samples]),
  };
}

/** `nx run load:<scenario>`: one run; thresholds from k6/scenarios.json decide the exit code. */
export function scenarioTask(name: string) {
  return async (options: LoadOptions, signal?: AbortSignal): Promise<TaskResult> => {
    const { config } = contextOf(options);
    const result = startResult('load', name, { profile: config.profile });
    const run = await measureScenario(name, options, signal);
    const m = run.measurement;
    result.metrics.push(...metricsOf(name, [run]));
    result.checks.push(...evaluateThresholds(run.def.thresholds, { trends: { [m.latencyMetric]: m.latency }, rates: { [m.failureMetric]: m.errorRate } }));
    result.tables.push(
      {
        title: `${name}: ${m.engine} engine (${m.tool}), target ${m.target}, scale ${options.scale ?? 1}`,
        head: ['ops', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed', 'error rate', 'max VUs', 'seconds'],
        rows: [[m.ops, m.throughput, m.latency.p50, m.latency.p95, m.latency.p99, m.latency.max, m.failed, r(m.errorRate, 4), m.maxVus, m.durationS]],
      },
      resourceTable(run.resources),
    );
    if (m.routes?.length) {
      result.tables.push({
        title: `${name} per route`,
        head: ['route', 'ops', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed', 'error rate', 'failures by kind'],
        rows: m.routes.map((x) => [x.route, x.ops, x.latency.p50, x.latency.p95, x.latency.p99, x.latency.max, x.failed, r(x.errorRate, 4), Object.entries(x.errorKinds).map(([k, n]) => `${k}: ${n}`).join(', ') || '-']),
      });
    }
    if (Object.keys(m.errorKinds).length) result.tables.push({ title: 'Failures by kind', head: ['kind', 'count'], rows: Object.entries(m.errorKinds) });
    // A closed-loop scenario beside the open-loop knee of its path mix: demand vs capacity.
    const knee = run.def.scenario.exec === 'httpMix' ? mixKneeOf(config.stateRoot) : undefined;
    if (run.def.scenario.exec === 'httpMix') {
      result.notes.push(
        knee
          ? `${m.maxVus} VUs closed-loop drove ${m.throughput} req/s (p95 ${m.latency.p95} ms); the stack carries ${knee.knee} req/s of this mix within its SLO (p95 < ${knee.sloP95Ms} ms, load:capacity ${knee.at}).`
          : `${m.maxVus} VUs closed-loop drove ${m.throughput} req/s; no open-loop knee to compare with yet (npx nx run load:capacity).`,
      );
    }
    result.warnings.push(...(m.warnings ?? []));
    result.data = { engine: m.engine, measurement: m, resources: run.resources, scenario: run.def, scale: options.scale ?? 1, ...(knee ? { mixKnee: knee } : {}) };
    return result.finish();
  };
}

/** Metrics over one or more runs of a scenario (trials): median per metric, spread from the trials. */
export function metricsOf(name: string, runs: ScenarioRun[]): Metric[] {
  const ms = runs.map((x) => x.measurement);
  const labels = { engine: ms[0].engine, tool: ms[0].tool, target: ms[0].target, vus: ms[0].maxVus };
  const pick = (k: keyof LatencySnapshot) => median(ms.map((m) => m.latency[k]));
  // Percentiles across trials: the median of each trial's percentile (histograms of k6 runs are not available to merge).
  const merged: LatencySnapshot = { count: ms.reduce((a, m) => a + m.latency.count, 0), min: pick('min'), mean: pick('mean'), p50: pick('p50'), p90: pick('p90'), p95: pick('p95'), p99: pick('p99'), max: Math.max(...ms.map((m) => m.latency.max)) };
  const p95Limit = /p\(95\)<(\d+(?:\.\d+)?)/.exec((runs[0].def.thresholds[ms[0].latencyMetric] ?? []).join(' '));
  return [
    metricFromTrials(`${name}_throughput`, 'ops/s', 'higher', ms.map((m) => m.throughput), { labels }),
    latencyMetric(`${name}_latency`, ms.map((m) => m.latency), merged, { labels, slo: p95Limit ? Number(p95Limit[1]) : undefined }),
    metricFromTrials(`${name}_error_rate`, 'fraction', 'lower', ms.map((m) => m.errorRate), { labels }),
  ];
}

/** The bench behind baseline/regress: `trials` runs of one scenario (default sustained, scale 0.1 with --quick). */
export async function loadBench(options: LoadOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const name = options.scenario ?? 'sustained';
  const scale = options.scale ?? (options.quick ? 0.1 : 1);
  const result = startResult('load', 'bench', { profile: config.profile });
  if (name === 'capacity') {
    // Knees as guarded metrics: `trials` whole searches, the median knee per route.
    const trials: RouteCapacity[][] = [];
    for (let t = 0; t < (options.trials ?? config.trials); t++) {
      progress(`capacity: trial ${t + 1}/${options.trials ?? config.trials}`);
      trials.push((await capacitySearch(options, signal)).routes);
    }
    result.metrics.push(...kneeMetrics(trials));
    return result.finish();
  }
  const runs: ScenarioRun[] = [];
  for (let t = 0; t < (options.trials ?? config.trials); t++) {
    progress(`${name}: trial ${t + 1}/${options.trials ?? config.trials} at scale ${scale}`);
    runs.push(await measureScenario(name, { ...options, scale }, signal));
  }
  result.metrics.push(...metricsOf(name, runs));
  result.tables.push(resourceTable(runs[runs.length - 1].resources));
  return result.finish();
}
