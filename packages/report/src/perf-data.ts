import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateBaseline, type Baseline, type Metric, type RegressOutcome, type ResultTable, type TaskResult } from '@devstack/core';

/** Result directories that are not backends' task results. */
const NOT_BACKENDS = new Set(['jest', 'coverage', 'report']);
/** Tasks whose latest result the performance report reads. */
export const PERF_TASKS = ['bench', 'baseline', 'regress', 'tune', 'compare', 'failover', 'load'] as const;

export interface BackendPerf {
  backend: string;
  baseline?: Baseline;
  /** A baseline file that exists but does not validate: shown, not used. */
  baselineProblem?: string;
  /** Latest result per task (by file name time stamp). */
  latest: Partial<Record<string, TaskResult>>;
}

/** `bench-2026-11-29T06-00-00-000Z.json` -> `bench` (task names may hold dashes). */
export function taskOfFile(file: string): string | undefined {
  return /^(.+?)-\d{4}-\d\d-\d\dT[\d-]+Z?\.json$/.exec(path.basename(file))?.[1];
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Latest result file per task in one backend's results dir. */
export function latestByTask(dir: string, allTasks = false): Partial<Record<string, TaskResult>> {
  const out: Partial<Record<string, TaskResult>> = {};
  if (!existsSync(dir)) return out;
  // Time stamps sort lexically, so the last file per task is the newest.
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const task = taskOfFile(f);
    if (!task || (!allTasks && !(PERF_TASKS as readonly string[]).includes(task))) continue;
    const r = readJson<TaskResult>(path.join(dir, f));
    if (r && typeof r.backend === 'string' && Array.isArray(r.metrics)) out[task] = r;
  }
  return out;
}

/** Every backend with a baseline or a perf result, sorted by name. */
export function collectPerf(root: string, stateRoot: string): BackendPerf[] {
  const names = new Set<string>();
  const baseDir = path.join(root, 'baselines');
  if (existsSync(baseDir)) for (const f of readdirSync(baseDir)) if (f.endsWith('.json')) names.add(f.replace(/\.json$/, ''));
  const resDir = path.join(stateRoot, 'results');
  if (existsSync(resDir)) for (const d of readdirSync(resDir)) if (!NOT_BACKENDS.has(d)) names.add(d);
  const out: BackendPerf[] = [];
  for (const backend of [...names].sort()) {
        // The load package's tasks are scenarios (sustained, spike ...): all of them are perf results.
    const entry: BackendPerf = { backend, latest: latestByTask(path.join(resDir, backend), backend === 'load') };
    const file = path.join(baseDir, `${backend}.json`);
    if (existsSync(file)) {
      const data = readJson<unknown>(file);
      const problem = data === undefined ? 'not valid JSON' : validateBaseline(data, backend);
      if (problem) entry.baselineProblem = problem;
      else entry.baseline = data as Baseline;
    }
    if (entry.baseline || entry.baselineProblem || Object.keys(entry.latest).length > 0) out.push(entry);
  }
  return out;
}

/** The most recent measured metrics of a backend: bench, else regress, else baseline run. */
export function currentMetrics(b: BackendPerf): { task: string; result: TaskResult } | undefined {
  const candidates = (['bench', 'regress', 'baseline'] as const)
    .map((task) => ({ task, result: b.latest[task] }))
    .filter((c): c is { task: 'bench' | 'regress' | 'baseline'; result: TaskResult } => !!c.result && c.result.metrics.length > 0);
  candidates.sort((x, y) => y.result.startedAt.localeCompare(x.result.startedAt));
  return candidates[0];
}

export function latencyMetrics(metrics: Metric[]): Metric[] {
  return metrics.filter((m) => m.p50 !== undefined && m.p95 !== undefined && m.p99 !== undefined);
}

/** Regress outcome of the latest regress result, from its data (core's regressTask writes it). */
export function regressOutcome(r: TaskResult | undefined): RegressOutcome | undefined {
  const o = (r?.data as { outcome?: RegressOutcome } | undefined)?.outcome;
  return o && Array.isArray(o.comparisons) ? o : undefined;
}

/** A same-run A/B regress (`regress --base`): per metric the change with its 95% interval. */
export interface AbRegressData {
  mode: 'ab';
  base: string;
  baseSha: string;
  profile: string;
  verdict: string;
  method: string;
  results?: { name: string; unit: string; n: [number, number]; beforeMedian: number; afterMedian: number; change: number; low?: number; high?: number; threshold: number; verdict: string; reason: string }[];
}

export function abRegressData(r: TaskResult | undefined): AbRegressData | undefined {
  const d = r?.data as Partial<AbRegressData> | undefined;
  return d?.mode === 'ab' ? (d as AbRegressData) : undefined;
}

export const abChange = (c: { change: number; low?: number; high?: number }): string => {
  const p = (f: number) => `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;
  return `${p(c.change)}${c.low !== undefined && c.high !== undefined ? ` [${p(c.low)}, ${p(c.high)}]` : ''}`;
};

export type RegressStatus = 'pass' | 'regressed' | 'incomparable' | 'errored' | 'no baseline' | 'not run';

export function regressStatus(b: BackendPerf): RegressStatus {
  const r = b.latest.regress;
  if (!r) return b.baseline ? 'not run' : 'no baseline';
  if (r.state !== 'completed') return r.error?.code === 'NO_BASELINE' ? 'no baseline' : 'errored';
  const o = regressOutcome(r);
  if (o?.failed || r.checks.some((c) => !c.passed && !c.skipped)) return 'regressed';
  if (o && !o.comparable) return 'incomparable';
  return 'pass';
}

/** One before/after row parsed from compareInterleaved's table ("12.3 ±0.4" cells). */
export interface CompareRow {
  metric: string;
  unit: string;
  before: number;
  after: number;
  change: string;
  verdict: string;
  beforeLabel: string;
  afterLabel: string;
}

export function isCompareTable(t: ResultTable): boolean {
  return t.head.length >= 6 && t.head[0] === 'metric' && t.head.includes('change') && t.head.includes('verdict');
}

export function compareRows(t: ResultTable): CompareRow[] {
  const num = (v: string | number | undefined) => (typeof v === 'number' ? v : parseFloat(String(v ?? '')));
  return t.rows
    .map((r) => ({
      metric: String(r[0]),
      unit: String(r[1]),
      before: num(r[2]),
      after: num(r[3]),
      change: String(r[4]),
      verdict: String(r[5]),
      beforeLabel: t.head[2],
      afterLabel: t.head[3],
    }))
    .filter((r) => Number.isFinite(r.before) && Number.isFinite(r.after));
}

/** A point on a failover timeline, from a result's data.timeline / data.events (ms since the fault). */
export interface TimelineEvent {
  atMs: number;
  label: string;
}

/** Known per-repetition timing fields of a failover run, in the order they happen. */
const REPETITION_EVENTS: [string, string][] = [
  ['detectionMs', 'failure detected'],
  ['promotionMs', 'replica promoted'],
  ['clusterOkMs', 'cluster_state ok'],
  ['recoveredMs', 'recovered'],
];

/** The latest tuning evidence of a backend: `tune --compare` may write a separate compare result. */
export function tuneResults(b: BackendPerf): TaskResult[] {
  return [b.latest.compare, b.latest.tune].filter((r): r is TaskResult => !!r);
}

export function timelineOf(r: TaskResult | undefined): TimelineEvent[] {
  const data = (r?.data ?? {}) as Record<string, unknown>;
  // redis failover style: data.repetitions[] with detectionMs / promotionMs / clusterOkMs per run.
  if (Array.isArray(data.repetitions) && data.repetitions.length > 0 && !Array.isArray(data.timeline)) {
    const reps = data.repetitions as Record<string, unknown>[];
    const out: TimelineEvent[] = [{ atMs: 0, label: 'fault injected' }];
    reps.forEach((rep, i) => {
      for (const [key, label] of REPETITION_EVENTS) {
        const v = Number(rep[key]);
        if (Number.isFinite(v)) out.push({ atMs: v, label: reps.length > 1 ? `rep ${i + 1}: ${label}` : label });
      }
    });
    return out.sort((a, b) => a.atMs - b.atMs);
  }
  const raw = (Array.isArray(data.timeline) ? data.timeline : Array.isArray(data.events) ? data.events : []) as Record<string, unknown>[];
  const out: TimelineEvent[] = [];
  for (const e of raw) {
    const at = [e.atMs, e.tMs, e.ms, e.t, e.at].map(Number).find((n) => Number.isFinite(n));
    const label = [e.label, e.event, e.name, e.what].find((s) => typeof s === 'string') as string | undefined;
    if (at !== undefined && label) out.push({ atMs: at, label });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** One route of a load:capacity result (data.routes), as the report needs it. */
export interface CapacityRouteData {
  route: string;
  paths: string[];
  sloP95Ms: number;
  knee: number;
  firstFail?: number;
  failReason?: string;
  stoppedBy?: string;
  generatorBound: boolean;
  atKnee?: { latency: { p50: number; p95: number; p99: number }; errorRate: number };
  steps: { rate: number; achievedRate: number; passed: boolean; latency: { p50: number; p95: number; p99: number } }[];
}

/** Knees of a load:capacity result run with --runs N (data.spread), or [] for a single run. */
export interface CapacitySpreadData {
  route: string;
  knees: number[];
  median: number;
  maxDeviationPct: number;
}

export function capacitySpread(result: TaskResult | undefined): CapacitySpreadData[] {
  const spread = (result?.data as { spread?: CapacitySpreadData[] } | undefined)?.spread;
  return Array.isArray(spread) && spread.length > 0 && spread[0].knees.length > 1 ? spread : [];
}

/** The routes of the latest load:capacity result, or [] when there is none. */
export function capacityRoutes(perf: BackendPerf[]): { result?: TaskResult; routes: CapacityRouteData[] } {
  const r = perf.find((b) => b.backend === 'load')?.latest.capacity;
  const routes = (r?.data as { routes?: CapacityRouteData[] } | undefined)?.routes;
  return { result: r, routes: Array.isArray(routes) ? routes : [] };
}
