import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { MachineFingerprint } from './machine';
import { redactValue } from './redact';
import { summarize, type LatencySnapshot } from './stats';

export type Better = 'higher' | 'lower';

/**
 * One measured quantity. `value` is the median over `trials`; latency metrics also carry the
 * percentiles of the merged histogram of all trials.
 */
export interface Metric {
  name: string;
  unit: string;
  better: Better;
  value: number;
  trials: number[];
  n: number;
  mad: number;
  min?: number;
  max?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** Absolute service-level objective: the value must stay <= (lower) or >= (higher) this. */
  slo?: number;
  /** Free-form context: workload, tool, concurrency. */
  labels?: Record<string, string | number>;
}

export interface Check {
  name: string;
  passed: boolean;
  /** Skipped checks are shown but neither pass nor fail the task (e.g. not supported by this server). */
  skipped?: boolean;
  expected?: string;
  observed?: string;
  detail?: string;
  durationMs?: number;
}

export interface ResultTable {
  title: string;
  head: string[];
  rows: (string | number)[][];
  /** Preformatted body (e.g. a unified diff): printed verbatim under the title instead of a grid. */
  text?: string;
}

export type ResultState = 'completed' | 'errored' | 'aborted';

export interface TaskResult {
  backend: string;
  task: string;
  state: ResultState;
  startedAt: string;
  durationMs: number;
  machine: MachineFingerprint;
  server?: { name: string; version: string };
  profile?: string;
  metrics: Metric[];
  checks: Check[];
  tables?: ResultTable[];
  warnings?: string[];
  notes?: string[];
  error?: { code: string; message: string; fix?: string };
  /** Task-specific structured data (no secrets). */
  data?: Record<string, unknown>;
}

/** Build a metric from per-trial values (median, MAD, n). */
export function metricFromTrials(
  name: string,
  unit: string,
  better: Better,
  trials: number[],
  extra: Partial<Omit<Metric, 'name' | 'unit' | 'better' | 'trials'>> = {},
): Metric {
  const s = summarize(trials);
  return { name, unit, better, value: round(s.median), trials: trials.map((t) => round(t)), n: s.n, mad: round(s.mad), min: round(s.min), max: round(s.max), ...extra };
}

/**
 * A latency metric: `value` is the median of the per-trial p95 (what regress compares), the
 * percentile fields come from the histogram merged over all trials.
 */
export function latencyMetric(name: string, perTrial: LatencySnapshot[], merged: LatencySnapshot, extra: Partial<Metric> = {}): Metric {
  return metricFromTrials(name, 'ms', 'lower', perTrial.map((s) => s.p95), {
    p50: merged.p50,
    p95: merged.p95,
    p99: merged.p99,
    max: merged.max,
    ...extra,
  });
}

export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function allChecksPassed(result: Pick<TaskResult, 'checks'>): boolean {
  return result.checks.every((c) => c.passed || c.skipped);
}

export function resultsDir(stateRoot: string, backend: string): string {
  return path.join(stateRoot, 'results', backend);
}

/** Write the result file (secrets scrubbed) and return its path. */
export function writeResult(stateRoot: string, result: TaskResult): string {
  const dir = resultsDir(stateRoot, result.backend);
  mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${result.task}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(redactValue(result), null, 2)}\n`);
  return file;
}

/** Result files of one backend (optionally one task), newest first. */
export function listResults(stateRoot: string, backend: string, task?: string): string[] {
  const dir = resultsDir(stateRoot, backend);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && (task === undefined || new RegExp(`^${task}-\\d{4}-`).test(f)))
    .sort()
    .reverse()
    .map((f) => path.join(dir, f));
}

export function readResult(file: string): TaskResult {
  return JSON.parse(readFileSync(file, 'utf8')) as TaskResult;
}

export function latestResult(stateRoot: string, backend: string, task: string): TaskResult | undefined {
  const [file] = listResults(stateRoot, backend, task);
  return file ? readResult(file) : undefined;
}
