import { DevstackError } from './errors';
import { machineFingerprint } from './machine';
import { baselineFromMetrics, readBaseline, regress, regressChecks, regressTable, writeBaseline } from './regress';
import { metricFromTrials, round, type Metric, type ResultTable } from './results';
import { summarize } from './stats';
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

export interface RegressOptions extends BenchOptions {
  /** A different machine fingerprint fails instead of warning. */
  strict?: boolean;
  /** Default threshold as a fraction (config: threshold, 0.2). */
  threshold?: number;
  /** Per-metric thresholds, `name=fraction` pairs. */
  thresholds?: string[];
}

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

/** `nx run <backend>:baseline`: run the backend's bench and record baselines/<backend>.json. */
export function baselineTask<O extends BenchOptions>(backend: string, bench: Task<O>): Task<O> {
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    const result = startResult(backend, 'baseline');
    const measured = await bench({ ...options, config, progress }, signal);
    if (measured.metrics.length === 0) throw new DevstackError('CHECK_FAILED', `${backend} bench produced no metrics; nothing to record.`);
    const command = `npx nx run ${backend}:baseline${options.quick ? ' --quick' : ''} --trials ${options.trials ?? config.trials}`;
    const baseline = baselineFromMetrics(backend, measured.metrics, machineFingerprint(), measured.profile ?? config.profile, measured.server, command);
    const file = writeBaseline(config.root, baseline);
    Object.assign(result, { server: measured.server, profile: baseline.profile, metrics: measured.metrics, tables: measured.tables, warnings: measured.warnings });
    result.notes!.push(`baseline written to ${file}`);
    return result.finish();
  };
}

function parseThresholds(list: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list ?? []) {
    const [name, value] = item.split('=');
    const n = Number(value);
    if (!name || !Number.isFinite(n) || n <= 0 || n > 1) {
      throw new DevstackError('BAD_INPUT', `Bad per-metric threshold "${item}": the value must be a fraction in (0, 1].`, { fix: 'Use name=fraction, e.g. --thresholds tps=0.1,p95_ms=0.3' });
    }
    out[name] = n;
  }
  return out;
}

/** `nx run <backend>:regress`: N trials against the recorded baseline, by the shared rule. */
export function regressTask<O extends RegressOptions>(backend: string, bench: Task<O>): Task<O> {
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    // Read the baseline before measuring anything: a missing one is exit 2 at once.
    const baseline = readBaseline(config.root, backend);
    const thresholds = parseThresholds(options.thresholds);
    const result = startResult(backend, 'regress');
    const measured = await bench({ ...options, config, progress }, signal);
    const outcome = regress({
      baseline,
      metrics: measured.metrics,
      machine: machineFingerprint(),
      threshold: options.threshold ?? config.threshold,
      thresholds,
      strict: options.strict,
      serverVersion: measured.server?.version,
    });
    Object.assign(result, { server: measured.server, profile: measured.profile, metrics: measured.metrics });
    result.tables!.push(regressTable(outcome));
    result.checks.push(...regressChecks(outcome, options.strict));
    if (!outcome.comparable) result.warnings!.push(`incomparable baseline: ${outcome.incomparableReason}${options.strict ? '' : ' (a warning; --strict makes it fail)'}`);
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
}

export interface CompareOutcome {
  before: Metric[];
  after: Metric[];
  table: ResultTable;
}

/**
 * Before/after comparison with interleaved trials (A B A B ...), so drift of a noisy machine hits
 * both arms alike. Each metric reports median, MAD and the % change of the medians.
 */
export async function compareInterleaved(input: CompareInput): Promise<CompareOutcome> {
  const samples: Record<string, Map<string, { unit: string; better: Metric['better']; values: number[] }>> = { before: new Map(), after: new Map() };
  for (let t = 0; t < input.trials; t++) {
    for (const [key, arm] of [['before', input.before], ['after', input.after]] as const) {
      if (input.signal?.aborted) throw input.signal.reason instanceof Error ? input.signal.reason : new Error('aborted');
      input.progress?.(`compare: trial ${t + 1}/${input.trials}, ${arm.label}`);
      await arm.activate();
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
  const rows = before.map((b) => {
    const a = after.find((x) => x.name === b.name);
    const change = a && b.value ? (a.value - b.value) / Math.abs(b.value) : NaN;
    const better = Number.isFinite(change) ? (b.better === 'higher' ? change > 0 : change < 0) : false;
    const sb = summarize(b.trials);
    const sa = a ? summarize(a.trials) : undefined;
    // Overlap of min..max ranges: the change is not distinguishable from noise with this many trials.
    const overlap = sa ? !(sa.min > sb.max || sa.max < sb.min) : true;
    return [
      b.name,
      b.unit,
      `${round(b.value, 2)} ±${round(b.mad, 2)}`,
      a ? `${round(a.value, 2)} ±${round(a.mad, 2)}` : '-',
      Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%` : '-',
      overlap ? 'within noise (ranges overlap)' : better ? 'better' : 'worse',
    ];
  });
  return {
    before,
    after,
    table: {
      title: `Before (${input.before.label}) vs after (${input.after.label}): median ±MAD of ${input.trials} interleaved trials`,
      head: ['metric', 'unit', input.before.label, input.after.label, 'change', 'verdict'],
      rows,
    },
  };
}

