import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from '@devstack/core';

/** A k6 scenario object, as written in k6/scenarios.json (the subset of k6's vocabulary we use). */
export interface K6Stage {
  duration: string;
  target: number;
}
export interface K6Scenario {
  executor: 'constant-vus' | 'ramping-vus' | 'shared-iterations';
  vus?: number;
  duration?: string;
  startVUs?: number;
  stages?: K6Stage[];
  gracefulRampDown?: string;
  iterations?: number;
  maxDuration?: string;
  exec: 'httpMix' | 'db' | 'cache';
  env?: Record<string, string>;
}
export type Thresholds = Record<string, string[]>;
export interface ScenarioFile {
  $comment?: string;
  scenarios: Record<string, K6Scenario>;
  thresholds: Record<string, Thresholds>;
}

export const SCENARIO_NAMES = ['sustained', 'spike', 'ramp', 'db', 'cache'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioDefinition {
  name: ScenarioName;
  scenario: K6Scenario;
  thresholds: Thresholds;
}

export function scenarioFilePath(root: string): string {
  return path.join(root, 'k6', 'scenarios.json');
}

export function readScenarioFile(root: string): ScenarioFile {
  const file = scenarioFilePath(root);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ScenarioFile;
  } catch (cause) {
    throw new DevstackError('BAD_CONFIG', `Cannot read the scenario definitions ${file}: ${(cause as Error).message}.`, { cause, fix: 'Restore k6/scenarios.json from git.' });
  }
}

export function scenarioOf(file: ScenarioFile, name: string): ScenarioDefinition {
  const scenario = file.scenarios[name];
  if (!scenario || !(SCENARIO_NAMES as readonly string[]).includes(name)) {
    throw new DevstackError('BAD_INPUT', `Unknown scenario "${name}".`, { fix: `Known scenarios: ${SCENARIO_NAMES.join(', ')} (k6/scenarios.json).` });
  }
  return { name: name as ScenarioName, scenario, thresholds: file.thresholds[name] ?? {} };
}

/** k6 durations: "90s", "2m", "1m30s", "500ms", "1h". Returns seconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new DevstackError('BAD_CONFIG', `"${text}" is not a k6 duration.`, { fix: 'Use k6 durations such as "60s", "2m" or "1m30s".' });
  }
  return total;
}

export function formatDuration(seconds: number): string {
  return `${Math.round(seconds * 1000) / 1000}s`;
}

const scaleCount = (n: number | undefined, f: number) => (n === undefined ? undefined : Math.max(1, Math.round(n * f)));
const scaleTime = (d: string | undefined, f: number) => (d === undefined ? undefined : formatDuration(Math.max(1, parseDuration(d) * f)));

/**
 * `--scale f`: VUs, stage targets, iterations and durations times f (at least 1 VU, 1 iteration,
 * 1 s). The one scaling rule: k6 receives the scaled copy, the built-in engine runs it.
 */
export function scaleScenario(def: ScenarioDefinition, factor: number): ScenarioDefinition {
  if (!(factor > 0 && factor <= 10)) {
    throw new DevstackError('BAD_INPUT', `--scale ${factor} is out of range.`, { fix: 'Use a factor in (0, 10], e.g. --scale 0.1 for CI.' });
  }
  if (factor === 1) return def;
  const s = def.scenario;
  const scaled: K6Scenario = {
    ...s,
    vus: scaleCount(s.vus, factor),
    startVUs: s.startVUs === undefined ? undefined : Math.max(1, Math.round(s.startVUs * factor)),
    duration: scaleTime(s.duration, factor),
    iterations: scaleCount(s.iterations, factor),
    maxDuration: s.maxDuration,
    stages: s.stages?.map((st) => ({ duration: scaleTime(st.duration, factor)!, target: Math.max(1, Math.round(st.target * factor)) })),
  };
  for (const k of Object.keys(scaled) as (keyof K6Scenario)[]) if (scaled[k] === undefined) delete scaled[k];
  return { ...def, scenario: scaled };
}

/** One step of constant concurrency: how the built-in HTTP engine runs a scenario. */
export interface Step {
  vus: number;
  seconds: number;
}

/**
 * constant-vus is one step; ramping-vus becomes steps of at most `stepS` seconds per stage, each at
 * the VU count k6 would have at the step's midpoint (k6 interpolates linearly within a stage).
 */
export function stepsOf(s: K6Scenario, stepS = 5): Step[] {
  if (s.executor === 'constant-vus') return [{ vus: s.vus ?? 1, seconds: parseDuration(s.duration ?? '1s') }];
  if (s.executor !== 'ramping-vus') throw new DevstackError('BAD_CONFIG', `stepsOf: ${s.executor} is not a time-based executor.`);
  const steps: Step[] = [];
  let from = s.startVUs ?? 1;
  for (const stage of s.stages ?? []) {
    const total = parseDuration(stage.duration);
    const n = Math.max(1, Math.ceil(total / stepS));
    for (let i = 0; i < n; i++) {
      const mid = (i + 0.5) / n;
      steps.push({ vus: Math.max(1, Math.round(from + (stage.target - from) * mid)), seconds: total / n });
    }
    from = stage.target;
  }
  return steps;
}

export const list = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
