import { AB_CONFIDENCE, AB_INTERIM_CONFIDENCE, abMetric, DECIDED, defaultFloor, metricFromTrials, type AbMetricResult, type Better, type Metric, type Progress } from '@devstack/core';

export interface AbArm {
  label: string;
  /** Make this arm's configuration active (apply + read back); called only when the arm changes. */
  activate: () => Promise<void>;
}

export interface SequentialAbInput {
  before: AbArm;
  after: AbArm;
  /** One trial of the bench on whatever arm is active. */
  measure: () => Promise<Metric[]>;
  /** Trials per arm before the first verdict (at least 4: no 95% interval exists below). */
  startTrials: number;
  /** Caps: trials per arm and wall-clock seconds. */
  maxTrials: number;
  maxSeconds: number;
  threshold: (metric: string) => number;
  floor: (metric: string, unit: string) => number | undefined;
  progress: Progress;
  signal?: AbortSignal;
  /** Updated as arms switch, so a caller's finally block knows what is active even after a throw. */
  state?: { active?: 'before' | 'after' };
}

export interface SequentialAbOutcome {
  results: AbMetricResult[];
  before: Metric[];
  after: Metric[];
  trialsPerArm: number;
  seconds: number;
  stoppedBy: 'decided' | 'max-trials' | 'max-seconds';
  /** The arm active when the loop ended. */
  active: 'before' | 'after' | undefined;
}

interface Samples {
  unit: string;
  better: Better;
  slo?: number;
  /** The tool's timer step as a percentage of the figure (redis-benchmark --cluster: 250 ms steps). */
  stepPct?: number;
  before: number[];
  after: number[];
  /** before[i] and after[i] ran in the same interleaved pair (false once a trial lacked the metric). */
  paired?: boolean;
}

/** The verdicts for the samples so far (metrics one arm lacks are left out). */
export function verdicts(samples: Map<string, Samples>, threshold: (m: string) => number, floor: (m: string, unit: string) => number | undefined, confidence = AB_CONFIDENCE): AbMetricResult[] {
  return [...samples.entries()]
    .filter(([, s]) => s.before.length && s.after.length && [...s.before, ...s.after].every((v) => v > 0))
    .map(([name, s]) => {
      const r = abMetric({ name, unit: s.unit, better: s.better, before: s.before, after: s.after, threshold: threshold(name), floor: floor(name, s.unit), paired: s.paired, confidence });
      // A figure whose timer step is half the threshold or more cannot resolve a threshold-sized change.
      if (s.stepPct !== undefined && s.stepPct >= (threshold(name) * 100) / 2 && r.verdict !== 'below-floor') {
        return { ...r, verdict: 'below-floor' as const, reason: `the tool's timer step is ${Math.round(s.stepPct)}% of the figure (floor: ${(threshold(name) * 50).toFixed(0)}%): shown, not judged` };
      }
      return r;
    });
}

/** Where the sequential A/B stops: every metric decided, or one regressed (exit 1 whatever the others do). */
export function settled(results: readonly AbMetricResult[]): boolean {
  return results.every((r) => DECIDED.includes(r.verdict)) || results.some((r) => r.verdict === 'regressed');
}

/**
 * Interleaved trial pairs in ABBA order (A B, B A, A B ...): every arm goes first as often as second,
 * and the arm switches (each a restart) are half of strict ABAB. The two trials of a pair ran next to
 * each other, so the verdict compares them pair by pair (abMetric's paired statistic). Pairs are added while any metric is
 * undecided, up to the caps; a regression ends the run at once. Each look but the last judges at 99%, the last
 * (trial or time cap) at 95% (AB_INTERIM_CONFIDENCE): repeated looks at 95% would double the false alarms.
 */
export async function sequentialAb(input: SequentialAbInput): Promise<SequentialAbOutcome> {
  const t0 = Date.now();
  const samples = new Map<string, Samples>();
  let active: 'before' | 'after' | undefined;
  let pairs = 0;
  let stoppedBy: SequentialAbOutcome['stoppedBy'] = 'max-trials';
  let results: AbMetricResult[] = [];
  const floor = (m: string, unit: string) => input.floor(m, unit) ?? defaultFloor(unit);
  while (pairs < input.maxTrials) {
    const order: ('before' | 'after')[] = pairs % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const key of order) {
      if (input.signal?.aborted) throw input.signal.reason instanceof Error ? input.signal.reason : new Error('aborted');
      const arm = input[key];
      if (active !== key) {
        active = undefined;
        if (input.state) input.state.active = undefined;
        await arm.activate();
        active = key;
        if (input.state) input.state.active = key;
      }
      input.progress(`regress A/B: pair ${pairs + 1}, ${arm.label}`);
      for (const m of await input.measure()) {
        const s = samples.get(m.name) ?? { unit: m.unit, better: m.better, slo: m.slo, before: [], after: [], paired: pairs === 0 };
        s[key].push(m.value);
        const step = Number(m.labels?.timingStepPct);
        if (Number.isFinite(step)) s.stepPct = Math.max(s.stepPct ?? 0, step);
        samples.set(m.name, s);
      }
    }
    pairs++;
    // The pair is what the paired statistic compares: a metric missing from one of its trials ends that.
    for (const s of samples.values()) if (s.before.length !== pairs || s.after.length !== pairs) s.paired = false;
    if (pairs < input.startTrials) continue;
    // Interim looks judge at 99%, the last one (trial or time cap) at 95%: see AB_INTERIM_CONFIDENCE.
    const overTime = (Date.now() - t0) / 1000 > input.maxSeconds;
    results = verdicts(samples, input.threshold, floor, pairs >= input.maxTrials || overTime ? AB_CONFIDENCE : AB_INTERIM_CONFIDENCE);
    // A regression decides the run (exit 1 whatever the other metrics do), so CI need not wait for them.
    if (settled(results)) {
      stoppedBy = 'decided';
      break;
    }
    if (overTime) {
      stoppedBy = 'max-seconds';
      break;
    }
  }
  if (pairs < input.startTrials || results.length === 0) results = verdicts(samples, input.threshold, floor);
  const metrics = (key: 'before' | 'after') =>
    [...samples.entries()].filter(([, s]) => s[key].length).map(([name, s]) => metricFromTrials(name, s.unit, s.better, s[key], { labels: { arm: input[key].label }, ...(s.slo !== undefined ? { slo: s.slo } : {}) }));
  return { results, before: metrics('before'), after: metrics('after'), trialsPerArm: pairs, seconds: Math.round((Date.now() - t0) / 1000), stoppedBy, active };
}
