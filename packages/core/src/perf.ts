import * as os from 'node:os';
import { DevstackError } from './errors';
import type { FlagSpec } from './runner';
import { machineFingerprint } from './machine';
import { baselineFromMetrics, readBaseline, regress, regressChecks, regressTable, writeBaseline } from './regress';
import { metricFromTrials, round, type Metric, type ResultTable } from './results';
import { AB_METHOD, abMetric, defaultFloor } from './ab-stats';
import { contextOf, startResult, type CommonOptions, type Task } from './task';

/** Options every bench accepts; backends extend this with their workload options. */
export interface BenchOptions extends CommonOptions {
  /** Repeated trials per measurement (default: config.trials, 3). */
  trials?: number;
  /** Seconds-long run for tests and `npm start`. */
  quick?: boolean;
  /** Keep the bench database / keys instead of removing them. */
  keep?: boolean;
}

export interface BaselineOptions extends BenchOptions {
  /** Record on a busy machine anyway. */
  force?: boolean;
}

export interface RegressOptions extends BenchOptions {
  /** A different machine fingerprint fails instead of warning. */
  strict?: boolean;
  /** Default threshold as a fraction (config: threshold, 0.2). */
  threshold?: number;
  /** Per-metric thresholds, `name=fraction` pairs. */
  thresholds?: string[];
  /** A/B mode: the git ref whose configuration is the "before" arm (else NX_BASE; else the stored baseline). */
  base?: string;
  /** A/B caps: trial pairs per arm and wall-clock seconds. */
  maxTrials?: number;
  maxSeconds?: number;
  /** Measure the false-alarm and detection rates on this machine instead of judging a change. */
  calibrate?: boolean;
  /** Calibration runs per kind (A/A and injected slowdown). */
  runs?: number;
}

/** Flags of every backend's regress task (backends add their bench flags). */
export const REGRESS_FLAGS: FlagSpec[] = [
  { name: 'base', type: 'string', description: 'A/B: the git ref whose configs/<backend>/ is the "before" arm (default: $NX_BASE; without either, the stored baseline)' },
  { name: 'strict', type: 'boolean', description: 'an inconclusive A/B verdict, or a baseline from another machine, fails (exit 1)' },
  { name: 'thresholds', type: 'list', description: 'per-metric thresholds in (0, 1], name=fraction (e.g. tpcb_like_tps=0.3)' },
  { name: 'max-trials', type: 'number', description: 'A/B: at most this many trials per arm while a verdict is open (default 12; the first verdict comes at 6 pairs)' },
  { name: 'max-seconds', type: 'number', description: 'A/B: stop adding trial pairs after this many seconds (default 900)' },
  { name: 'calibrate', type: 'boolean', description: 'A/A false alarms and injected-slowdown detections on this machine; writes docs/REGRESSION_POWER.md' },
  { name: 'runs', type: 'number', description: 'calibration runs of each kind (default 20)' },
];

/** Flags of every backend's baseline task. */
export const BASELINE_FLAGS: FlagSpec[] = [{ name: 'force', type: 'boolean', description: 'record even when the machine is busy (load average above half the cores)' }];

/** Run `fn` for each trial, with progress; a failing trial fails the measurement (no silent gaps). */
export async function runTrials<T>(n: number, label: string, fn: (trial: number) => Promise<T>, progress?: (m: string) => void, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    progress?.(`${label}: trial ${i + 1}/${n}`);
    out.push(await fn(i));
  }
  return out;
}

/** Full-mode baselines keep at least this many trials: fewer say nothing about spread. */
export const BASELINE_MIN_TRIALS = 5;

/** Why the machine is too busy to record a baseline (load average above half the cores), or undefined. */
export function busyMachine(load: number = os.loadavg()[0], cores: number = os.cpus().length): string | undefined {
  return load > cores / 2 ? `load average ${load.toFixed(2)} is above half of the ${cores} cores (${cores / 2})` : undefined;
}

/**
 * `nx run <backend>:baseline`: run the backend's bench and record baselines/<backend>.json, trials kept.
 * A baseline from a busy machine misleads every later regress, so it is refused unless --force.
 */
export function baselineTask<O extends BaselineOptions>(backend: string, bench: Task<O>, load: () => string | undefined = () => busyMachine()): Task<O> {
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    const refuse = (when: string, why: string) =>
      new DevstackError('ENVIRONMENT', `Not recording baselines/${backend}.json: ${why} ${when}.`, { fix: 'Record on a quiet machine (stop other work), or pass --force to record anyway (the baseline will say so).' });
    const before = load();
    if (before && !options.force) throw refuse('before the bench', before);
    const result = startResult(backend, 'baseline');
    let trials = options.trials ?? config.trials;
    if (!options.quick && trials < BASELINE_MIN_TRIALS) {
      result.notes.push(`full-mode baselines keep at least ${BASELINE_MIN_TRIALS} trials: --trials ${trials} raised to ${BASELINE_MIN_TRIALS}`);
      trials = BASELINE_MIN_TRIALS;
    }
    const measured = await bench({ ...options, trials, config, progress }, signal);
    if (measured.metrics.length === 0) throw new DevstackError('CHECK_FAILED', `${backend} bench produced no metrics; nothing to record.`);
    const after = load();
    if (after && !options.force) throw refuse('after the bench (the figures were disturbed)', after);
    const command = `npx nx run ${backend}:baseline${options.quick ? ' --quick' : ''} --trials ${trials}${options.force ? ' --force' : ''}`;
    const baseline = baselineFromMetrics(backend, measured.metrics, machineFingerprint(), measured.profile ?? config.profile, measured.server, command);
    if (before || after) baseline.recordedOnBusyMachine = [before, after].filter(Boolean).join('; ');
    const file = writeBaseline(config.root, baseline);
    Object.assign(result, { server: measured.server, profile: baseline.profile, metrics: measured.metrics, tables: measured.tables ?? [], warnings: measured.warnings ?? [] });
    if (baseline.recordedOnBusyMachine) result.warnings.push(`recorded with --force on a busy machine: ${baseline.recordedOnBusyMachine}`);
    result.notes.push(`baseline written to ${file} (${trials} trials per metric, kept)`);
    return result.finish();
  };
}

export function parseThresholds(list: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list ?? []) {
    const [name, value] = item.split('=');
    const n = Number(value);
    if (!name || !Number.isFinite(n) || n <= 0 || n > 1) {
      throw new DevstackError('BAD_INPUT', `Bad per-metric threshold "${item}": a name=fraction with the fraction in (0, 1].`, { fix: 'Use name=fraction, e.g. --thresholds tps=0.1,p95_ms=0.3' });
    }
    out[name] = n;
  }
  return out;
}

/** `nx run <backend>:regress`: N trials against the recorded baseline, by the shared rule. */
export function regressTask<O extends RegressOptions>(backend: string, bench: Task<O>, load: () => string | undefined = () => busyMachine()): Task<O> {
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    // Read the baseline before measuring anything: a missing one is exit 2 at once.
    const baseline = readBaseline(config.root, backend);
    const thresholds = parseThresholds(options.thresholds);
    const result = startResult(backend, 'regress');
    // Judged before measuring: the bench's own load would count against it afterwards.
    const busy = load();
    const measured = await bench({ ...options, config, progress }, signal);
    const outcome = regress({
      baseline,
      metrics: measured.metrics,
      machine: machineFingerprint(),
      threshold: options.threshold ?? config.threshold,
      thresholds,
      strict: options.strict,
      serverVersion: measured.server?.version,
      busy,
    });
    Object.assign(result, { server: measured.server, profile: measured.profile, metrics: measured.metrics });
    result.tables.push(...(measured.tables ?? []), regressTable(outcome));
    result.checks.push(...regressChecks(outcome, options.strict));
    // The measurement's own checks (failed operations, misses, SLOs) hold here too: regress is also
    // the bench of a run that has a baseline (npm start runs it instead of a separate bench).
    result.checks.push(...measured.checks.map((c) => ({ ...c, name: `bench: ${c.name}` })));
    result.warnings.push(...(measured.warnings ?? []));
    if (!outcome.comparable) result.warnings.push(`incomparable baseline: ${outcome.incomparableReason}${options.strict ? '' : ' (a warning; --strict makes it fail)'}`);
    result.data = { outcome, baselineRecordedAt: baseline.recordedAt };
    return result.finish();
  };
}

export interface CompareArm {
  label: string;
  /** Make this arm's configuration active (e.g. apply a profile and restart). */
  activate: () => Promise<void>;
  /** One trial: returns metric values by name. */
}

export interface CompareInput {
  trials: number;
  before: CompareArm;
  after: CompareArm;
  measure: (arm: string, trial: number) => Promise<Metric[]>;
  progress?: (m: string) => void;
  signal?: AbortSignal;
  /** The verdict threshold (fraction), as in regress. */
  threshold?: number;
  /** The arm whose configuration is active already (tune has just applied the profile): it goes first, without an activation. */
  active?: 'before' | 'after';
}

export interface CompareOutcome {
  before: Metric[];
  after: Metric[];
  table: ResultTable;
}

/**
 * Before/after comparison with interleaved trials (A B B A ...), so drift of a noisy machine hits
 * both arms alike. Each metric reports median, MAD, and the regress statistic: the relative change
 * with its 95% interval and a verdict (regressed / improved / no-change / inconclusive / below-floor).
 */
export async function compareInterleaved(input: CompareInput): Promise<CompareOutcome> {
  const samples: Record<string, Map<string, { unit: string; better: Metric['better']; values: number[] }>> = { before: new Map(), after: new Map() };
  // Counterbalanced order (A B B A A B ...): a linear drift of a noisy machine hits both arms alike,
  // and an arm that follows itself is measured without a second activation (a restart per trial
  // pair instead of per arm: the servers' restarts were most of a quick comparison's time).
  const arms = { before: input.before, after: input.after };
  type ArmKey = 'before' | 'after';
  const first: ArmKey = input.active ?? 'before';
  const second: ArmKey = first === 'before' ? 'after' : 'before';
  let current: ArmKey | undefined = input.active;
  for (let t = 0; t < input.trials; t++) {
    for (const key of (t % 2 === 0 ? [first, second] : [second, first]) as ArmKey[]) {
      const arm = arms[key];
      if (input.signal?.aborted) throw input.signal.reason instanceof Error ? input.signal.reason : new Error('aborted');
      input.progress?.(`compare: trial ${t + 1}/${input.trials}, ${arm.label}`);
      if (current !== key) await arm.activate();
      current = key;
      for (const m of await input.measure(arm.label, t)) {
        const entry = samples[key].get(m.name) ?? { unit: m.unit, better: m.better, values: [] };
        entry.values.push(m.value);
        samples[key].set(m.name, entry);
      }
    }
  }
  const toMetrics = (key: 'before' | 'after') =>
    [...samples[key].entries()].map(([name, e]) => metricFromTrials(name, e.unit, e.better, e.values, { labels: { arm: key === 'before' ? input.before.label : input.after.label } }));
  const before = toMetrics('before');
  const after = toMetrics('after');
  const threshold = input.threshold ?? 0.2;
  const rows = before.map((b) => {
    const a = after.find((x) => x.name === b.name);
    const usable = a && [...b.trials, ...a.trials].every((v) => v > 0);
    // The regress statistic: a change is named only when its 95% interval says so.
    // Trial t of each arm ran next to each other (ABBA): paired, when no trial lacked the metric.
    const paired = b.trials.length === input.trials && a?.trials.length === input.trials;
    const r = usable ? abMetric({ name: b.name, unit: b.unit, better: b.better, before: b.trials, after: a.trials, threshold, floor: defaultFloor(b.unit), paired }) : undefined;
    const pctOf = (f: number) => `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;
    const change = r ? `${pctOf(r.change)} ${r.low !== undefined ? `[${pctOf(r.low)}, ${pctOf(r.high!)}]` : '(no 95% interval with fewer than 4 trials per arm)'}` : '-';
    return [b.name, b.unit, `${round(b.value, 2)} ±${round(b.mad, 2)}`, a ? `${round(a.value, 2)} ±${round(a.mad, 2)}` : '-', change, r?.verdict ?? '-', r?.method === 'paired' ? `${b.n} pairs` : `${b.n}+${a?.n ?? 0}`];
  });
  return {
    before,
    after,
    table: {
      title: `Before (${input.before.label}) vs after (${input.after.label}): median ±MAD of ${input.trials} interleaved trials; change = ${AB_METHOD}, threshold ${(threshold * 100).toFixed(0)}%`,
      head: ['metric', 'unit', input.before.label, input.after.label, 'change', 'verdict', 'n'],
      rows,
    },
  };
}

