import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from './errors';
import { sameMachine, type MachineFingerprint } from './machine';
import type { Better, Check, Metric, ResultTable } from './results';
import { round } from './results';

/** A recorded metric in baselines/<backend>.json. */
export interface BaselineMetric {
  unit: string;
  better: Better;
  median: number;
  mad: number;
  n: number;
  trials?: number[];
  /** Per-metric threshold (fraction), overriding the default. */
  threshold?: number;
  slo?: number;
}

export interface Baseline {
  backend: string;
  recordedAt: string;
  machine: MachineFingerprint;
  profile: string;
  server?: { name: string; version: string };
  /** The command that recorded it, so a reader can reproduce it. */
  command?: string;
  /** Set when recorded with --force on a busy machine: why it was busy. */
  recordedOnBusyMachine?: string;
  metrics: Record<string, BaselineMetric>;
}

export type Verdict = 'pass' | 'improved' | 'noise' | 'regressed' | 'slo-breach' | 'new' | 'missing';

export interface MetricComparison {
  name: string;
  unit: string;
  better: Better;
  baseline?: number;
  current?: number;
  /** Signed relative change of the median (current - baseline) / baseline. */
  change?: number;
  /** Positive when current is worse, as a fraction. */
  worse?: number;
  threshold: number;
  verdict: Verdict;
  reason: string;
}

export interface RegressOutcome {
  comparable: boolean;
  incomparableReason?: string;
  comparisons: MetricComparison[];
  /** True when at least one metric regressed or broke its SLO (and the comparison counts). */
  failed: boolean;
}

/**
 * Noise band of one run: ± NOISE_K scaled MADs around its median. 1.4826 * MAD estimates the
 * standard deviation for normal data; 3 of those leaves ~0.3% false alarms per metric.
 */
export const NOISE_K = 3;
const MAD_TO_SIGMA = 1.4826;

export function noiseBand(medianValue: number, madValue: number): [number, number] {
  const half = NOISE_K * MAD_TO_SIGMA * (Number.isFinite(madValue) ? madValue : 0);
  return [medianValue - half, medianValue + half];
}

const outside = (v: number, band: [number, number]) => v < band[0] || v > band[1];

/**
 * The regress rule, shared by every backend: a metric regresses when its median is worse than the
 * baseline's by more than the threshold AND each median lies outside the other run's noise band.
 * An SLO breach fails regardless of the baseline.
 */
export function compareMetric(
  name: string,
  base: BaselineMetric | undefined,
  current: Pick<Metric, 'value' | 'mad' | 'unit' | 'better' | 'slo'> | undefined,
  defaultThreshold: number,
): MetricComparison {
  const threshold = base?.threshold ?? defaultThreshold;
  if (!current) {
    return { name, unit: base!.unit, better: base!.better, baseline: base!.median, threshold, verdict: 'missing', reason: 'metric not produced by this run' };
  }
  const slo = current.slo ?? base?.slo;
  const sloBroken = slo !== undefined && (current.better === 'lower' ? current.value > slo : current.value < slo);
  const sloText = slo !== undefined ? ` (SLO ${current.better === 'lower' ? '<=' : '>='} ${slo} ${current.unit})` : '';
  if (!base) {
    return {
      name,
      unit: current.unit,
      better: current.better,
      current: current.value,
      threshold,
      verdict: sloBroken ? 'slo-breach' : 'new',
      reason: sloBroken ? `SLO broken${sloText}` : 'not in the baseline',
    };
  }
  const change = base.median === 0 ? 0 : (current.value - base.median) / Math.abs(base.median);
  const worse = current.better === 'higher' ? -change : change;
  const beyondNoise =
    outside(current.value, noiseBand(base.median, base.mad)) && outside(base.median, noiseBand(current.value, current.mad));
  let verdict: Verdict;
  let reason: string;
  if (sloBroken) {
    verdict = 'slo-breach';
    reason = `value ${round(current.value)} ${current.unit} breaks the SLO${sloText}`;
  } else if (worse > threshold && beyondNoise) {
    verdict = 'regressed';
    reason = `${pct(worse)} worse than baseline (threshold ${pct(threshold)}), outside both noise bands`;
  } else if (worse > threshold) {
    verdict = 'noise';
    reason = `${pct(worse)} worse but inside the noise band (MAD baseline ${round(base.mad)}, current ${round(current.mad)})`;
  } else if (worse < -threshold && beyondNoise) {
    verdict = 'improved';
    reason = `${pct(-worse)} better than baseline`;
  } else {
    verdict = 'pass';
    reason = `within ${pct(threshold)} of baseline`;
  }
  return { name, unit: current.unit, better: current.better, baseline: base.median, current: current.value, change, worse, threshold, verdict, reason };
}

export interface RegressInput {
  baseline: Baseline;
  metrics: Metric[];
  machine: MachineFingerprint;
  threshold: number;
  /** Per-metric threshold overrides (fractions), e.g. from config or flags. */
  thresholds?: Record<string, number>;
  strict?: boolean;
  serverVersion?: string;
  /**
   * Why this machine is busy now (load average), if it is. Stored baselines are recorded on a quiet
   * machine, so a busy one is compared like another machine: only SLOs are judged, unless --strict.
   */
  busy?: string;
}

export function regress(input: RegressInput): RegressOutcome {
  const reasons: string[] = [];
  if (!sameMachine(input.baseline.machine, input.machine)) {
    reasons.push(
      `baseline recorded on "${input.baseline.machine.cpuModel}" x${input.baseline.machine.cores}, ${input.baseline.machine.memoryGiB} GiB; ` +
        `this is "${input.machine.cpuModel}" x${input.machine.cores}, ${input.machine.memoryGiB} GiB`,
    );
  }
  if (input.serverVersion && input.baseline.server?.version && input.baseline.server.version !== input.serverVersion) {
    reasons.push(`baseline server ${input.baseline.server.version}, now ${input.serverVersion}`);
  }
  if (input.busy) reasons.push(`this machine is busy (${input.busy}) and the baseline was recorded on a quiet one`);
  const comparable = reasons.length === 0;
  const byName = new Map(input.metrics.map((m) => [m.name, m]));
  const names = [...new Set([...Object.keys(input.baseline.metrics), ...byName.keys()])];
  const comparisons = names.map((n) => {
    const base = input.baseline.metrics[n];
    const t = input.thresholds?.[n];
    return compareMetric(n, base && t !== undefined ? { ...base, threshold: t } : base, byName.get(n), t ?? input.threshold);
  });
  const bad = comparisons.some((c) => c.verdict === 'slo-breach') || (comparisons.some((c) => c.verdict === 'regressed') && (comparable || !!input.strict));
  return { comparable, incomparableReason: comparable ? undefined : reasons.join('; '), comparisons, failed: bad };
}

export function regressChecks(outcome: RegressOutcome, strict = false): Check[] {
  const checks: Check[] = outcome.comparisons.map((c) => ({
    name: `${c.name}`,
    passed: c.verdict !== 'slo-breach' && !(c.verdict === 'regressed' && (outcome.comparable || strict)),
    expected: c.baseline !== undefined ? `${c.better === 'higher' ? '>=' : '<='} ${round(c.baseline)} ${c.unit} ±${pct(c.threshold)}` : 'no baseline',
    observed: c.current !== undefined ? `${round(c.current)} ${c.unit}` : 'missing',
    detail: `${c.verdict}: ${c.reason}`,
  }));
  if (!outcome.comparable) {
    checks.push({
      name: 'machine fingerprint',
      passed: !strict,
      skipped: !strict,
      detail: `incomparable: ${outcome.incomparableReason}; only SLOs were judged (for a real verdict: regress --base <git-ref>)${strict ? ' (--strict)' : ' (warning only; --strict makes it fail)'}`,
    });
  }
  return checks;
}

export function regressTable(outcome: RegressOutcome): ResultTable {
  return {
    title: outcome.comparable
      ? 'Regress: stored baseline vs current (medians)'
      : `Regress (INCOMPARABLE baseline: ${outcome.incomparableReason}). Only SLOs were judged; for a real verdict run a same-run A/B: regress --base <git-ref>`,
    head: ['metric', 'unit', 'baseline', 'current', 'change', 'threshold', 'verdict'],
    rows: outcome.comparisons.map((c) => [
      c.name,
      c.unit,
      c.baseline !== undefined ? round(c.baseline, 2) : '-',
      c.current !== undefined ? round(c.current, 2) : '-',
      c.change !== undefined ? `${c.change >= 0 ? '+' : ''}${pct(c.change)}` : '-',
      pct(c.threshold),
      // Against another machine's baseline only the SLO verdicts count.
      outcome.comparable || c.verdict === 'slo-breach' ? c.verdict : `${c.verdict} (not judged)`,
    ]),
  };
}

function pct(f: number): string {
  return `${(f * 100).toFixed(1)}%`;
}

export function baselinePath(root: string, backend: string): string {
  return path.join(root, 'baselines', `${backend}.json`);
}

/** Read baselines/<backend>.json. Missing or malformed is exit 2 with the command that fixes it. */
export function readBaseline(root: string, backend: string): Baseline {
  const file = baselinePath(root, backend);
  const fix = `Record one with: npx nx run ${backend}:baseline`;
  if (!existsSync(file)) {
    throw new DevstackError('NO_BASELINE', `No baseline for ${backend}: ${path.relative(root, file)} does not exist.`, { fix });
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new DevstackError('NO_BASELINE', `${path.relative(root, file)} is not valid JSON.`, { cause, fix });
  }
  const problem = validateBaseline(data, backend);
  if (problem) throw new DevstackError('NO_BASELINE', `${path.relative(root, file)} is malformed: ${problem}.`, { fix });
  return data as Baseline;
}

export function validateBaseline(data: unknown, backend: string): string | undefined {
  if (!data || typeof data !== 'object') return 'not an object';
  const b = data as Partial<Baseline>;
  if (b.backend !== backend) return `"backend" is ${JSON.stringify(b.backend)}, expected "${backend}"`;
  if (!b.machine || typeof b.machine.cpuModel !== 'string') return '"machine" fingerprint missing';
  if (!b.metrics || typeof b.metrics !== 'object' || Object.keys(b.metrics).length === 0) return '"metrics" missing or empty';
  for (const [name, m] of Object.entries(b.metrics)) {
    if (typeof m?.median !== 'number' || typeof m.mad !== 'number' || typeof m.n !== 'number') return `metric "${name}" lacks median, mad or n`;
    if (m.better !== 'higher' && m.better !== 'lower') return `metric "${name}" has no direction ("better")`;
  }
  return undefined;
}

export function baselineFromMetrics(
  backend: string,
  metrics: Metric[],
  machine: MachineFingerprint,
  profile: string,
  server?: { name: string; version: string },
  command?: string,
): Baseline {
  const out: Record<string, BaselineMetric> = {};
  for (const m of metrics) {
    out[m.name] = { unit: m.unit, better: m.better, median: m.value, mad: m.mad, n: m.n, trials: m.trials, ...(m.slo !== undefined ? { slo: m.slo } : {}) };
  }
  return { backend, recordedAt: new Date().toISOString(), machine, profile, server, command, metrics: out };
}

export function writeBaseline(root: string, baseline: Baseline): string {
  const file = baselinePath(root, baseline.backend);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return file;
}
