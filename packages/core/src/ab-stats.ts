import { DevstackError } from './errors';
import type { Better, ResultTable } from './results';
import { median } from './stats';

/**
 * The A/B statistic shared by regress, calibration and tune --compare.
 *
 * Paired (regress and calibration: trials come in interleaved pairs, ABBA, so the i-th "before" and the
 * i-th "after" trial ran next to each other): per pair d = log(after) - log(before); the estimate is the
 * Hodges-Lehmann one-sample estimate (the median of the Walsh averages (d_i + d_j) / 2) and the interval
 * the exact Wilcoxon signed-rank 95% interval. Pairing cancels what drifts between pairs (the machine's
 * other load, a neighbour VM, thermal state), which an unpaired comparison counts as noise.
 * Needs 6 pairs: with 5 the smallest two-sided p is 1/16.
 *
 * Unpaired (fewer than 6 pairs, or arms of different sizes): the Hodges-Lehmann shift of log(value)
 * between the arms (the median of all pairwise differences log(after_j) - log(before_i)) with the exact
 * Mann-Whitney (Wilcoxon rank-sum) interval; it needs 4 + 4 trials.
 * Both are distribution-free, exact (no normality, no resampling, no seed); the change is exp(shift) - 1.
 */
export const AB_METHOD_PAIRED = 'paired: Hodges-Lehmann estimate of log(after/before) per interleaved pair with the exact Wilcoxon signed-rank 95% interval';
export const AB_METHOD_UNPAIRED = 'unpaired: Hodges-Lehmann shift of log values with the exact Mann-Whitney 95% interval';
export const AB_METHOD = `${AB_METHOD_PAIRED} (6 pairs or more; below that ${AB_METHOD_UNPAIRED})`;
/** Pairs needed for a 95% signed-rank interval. */
export const MIN_PAIRS = 6;
export const AB_CONFIDENCE = 0.95;
/**
 * Sequential looks (regress adds pairs while a metric is open) each get a chance to cry wolf: at 95% per
 * look, 7 looks from 6 to 12 pairs gave about 2x the nominal false-alarm rate in simulation. So interim
 * looks use a 99% interval and only the last look (the cap) the nominal 95%, a Pocock-like split that kept
 * the simulated false-alarm rate near 2% at the same detection rate (docs/REGRESSION.md). The paired 99%
 * interval needs 8 pairs (with 7 the smallest two-sided p is 1/64).
 */
export const AB_INTERIM_CONFIDENCE = 0.99;
export const AB_SEQUENTIAL = `sequential: a look after each pair from the first verdict on, with a ${AB_INTERIM_CONFIDENCE * 100}% interval at interim looks and ${AB_CONFIDENCE * 100}% at the last (the trial or time cap)`;

export type AbVerdict = 'regressed' | 'improved' | 'no-change' | 'inconclusive' | 'identical' | 'below-floor';

/** Verdicts that end the sequential procedure for a metric. */
export const DECIDED: readonly AbVerdict[] = ['regressed', 'improved', 'no-change', 'identical', 'below-floor'];

/** Count of U = #{(i, j): x_i < y_j} values per u for sizes m, n (exact null distribution, no ties). */
export function mannWhitneyCounts(m: number, n: number): number[] {
  // N(i, j, u) = N(i - 1, j, u) + N(i, j - 1, u - i): the largest value is an x (no pair) or a y (beats all i x's).
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      const a = prev[j];
      const b = cur[j - 1];
      for (let u = 0; u < size; u++) row[u] = (a[u] ?? 0) + (u - i >= 0 ? (b[u - i] ?? 0) : 0);
      cur.push(row);
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The rank k (1-based) of the pairwise differences that bounds the two-sided interval at the given
 * confidence: [d_(k), d_(mn+1-k)], the largest k with P(U < k) <= alpha / 2. Undefined when even
 * k = 1 is not enough (too few trials for that confidence).
 */
export function mannWhitneyRank(m: number, n: number, confidence = AB_CONFIDENCE): { k: number; achieved: number } | undefined {
  if (m < 1 || n < 1) return undefined;
  return exactRank(mannWhitneyCounts(m, n), confidence);
}

/** Count of T+ = sum of the ranks of the positive differences, per t, for n pairs (exact null, no ties). */
export function signedRankCounts(n: number): number[] {
  let counts = [1];
  for (let i = 1; i <= n; i++) {
    const next = new Array<number>(counts.length + i).fill(0);
    for (let t = 0; t < counts.length; t++) {
      next[t] += counts[t];
      next[t + i] += counts[t];
    }
    counts = next;
  }
  return counts;
}

/** The rank k of the sorted values bounding the two-sided interval [v_(k), v_(N+1-k)]: largest k with P(stat < k) <= alpha / 2. */
function exactRank(counts: readonly number[], confidence: number): { k: number; achieved: number } | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  const half = (1 - confidence) / 2;
  let cum = 0;
  let k = 0;
  for (let u = 0; u < counts.length; u++) {
    if ((cum + counts[u]) / total > half + 1e-12) break;
    cum += counts[u];
    k = u + 1;
  }
  if (k === 0) return undefined;
  return { k, achieved: 1 - (2 * cum) / total };
}

/** The rank k of the Walsh averages bounding the signed-rank interval for n pairs (undefined below 6 pairs at 95%). */
export function signedRankRank(n: number, confidence = AB_CONFIDENCE): { k: number; achieved: number } | undefined {
  if (n < 1) return undefined;
  return exactRank(signedRankCounts(n), confidence);
}

export interface ShiftEstimate {
  /** Relative change after vs before: exp(HL shift) - 1. */
  change: number;
  /** The 95% interval of the relative change; undefined when too few trials. */
  low?: number;
  high?: number;
  /** The interval's actual coverage (the exact distribution is discrete). */
  achieved?: number;
}

/** Hodges-Lehmann estimate and Mann-Whitney interval of the relative change from `before` to `after`. */
export function relativeShift(before: readonly number[], after: readonly number[], confidence = AB_CONFIDENCE): ShiftEstimate {
  if (before.length === 0 || after.length === 0) throw new TypeError('relativeShift needs at least one value per arm');
  if ([...before, ...after].some((v) => !(v > 0) || !Number.isFinite(v))) throw new TypeError('relativeShift needs positive finite values');
  const diffs: number[] = [];
  for (const a of before) for (const b of after) diffs.push(Math.log(b) - Math.log(a));
  diffs.sort((x, y) => x - y);
  const change = Math.expm1(median(diffs));
  const rank = mannWhitneyRank(before.length, after.length, confidence);
  if (!rank) return { change };
  return { change, low: Math.expm1(diffs[rank.k - 1]), high: Math.expm1(diffs[diffs.length - rank.k]), achieved: rank.achieved };
}

/**
 * Paired estimate: before[i] and after[i] ran next to each other. Hodges-Lehmann one-sample estimate of
 * d = log(after / before) (median of the Walsh averages) with the exact signed-rank interval.
 */
export function pairedShift(before: readonly number[], after: readonly number[], confidence = AB_CONFIDENCE): ShiftEstimate {
  if (before.length === 0 || before.length !== after.length) throw new TypeError('pairedShift needs two arms of the same, non-zero length');
  if ([...before, ...after].some((v) => !(v > 0) || !Number.isFinite(v))) throw new TypeError('pairedShift needs positive finite values');
  const d = before.map((b, i) => Math.log(after[i]) - Math.log(b));
  const walsh: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) walsh.push((d[i] + d[j]) / 2);
  walsh.sort((x, y) => x - y);
  const change = Math.expm1(median(walsh));
  const rank = signedRankRank(d.length, confidence);
  if (!rank) return { change };
  return { change, low: Math.expm1(walsh[rank.k - 1]), high: Math.expm1(walsh[walsh.length - rank.k]), achieved: rank.achieved };
}

/** Threshold fractions are validated once, here: (0, 1]. */
export function validateThreshold(value: number, what = '--threshold'): number {
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new DevstackError('BAD_INPUT', `${what} must be a fraction in (0, 1]; got ${value}.`, { fix: `Example: ${what} 0.2 (20%).` });
  }
  return value;
}

/** Resolution floor: below it a metric is shown but never gates. Latencies under 0.2 ms by default. */
export const DEFAULT_LATENCY_FLOOR_MS = 0.2;

export function defaultFloor(unit: string): number | undefined {
  return unit === 'ms' ? DEFAULT_LATENCY_FLOOR_MS : undefined;
}

export interface AbMetricInput {
  name: string;
  unit: string;
  better: Better;
  before: readonly number[];
  after: readonly number[];
  threshold: number;
  /** Resolution floor in the metric's unit (latency: the smaller of the timer step and 0.2 ms, or more). */
  floor?: number;
  /** before[i] and after[i] are an interleaved pair: the paired statistic once there are MIN_PAIRS of them. */
  paired?: boolean;
  /** The interval's confidence (default AB_CONFIDENCE; regress's interim looks: AB_INTERIM_CONFIDENCE). */
  confidence?: number;
}

export interface AbMetricResult {
  name: string;
  unit: string;
  better: Better;
  n: [number, number];
  beforeMedian: number;
  afterMedian: number;
  /** Hodges-Lehmann relative change (signed, after vs before). */
  change: number;
  low?: number;
  high?: number;
  threshold: number;
  floor?: number;
  /** Which statistic gave the estimate and interval, and the interval's confidence. */
  method: 'paired' | 'unpaired';
  confidence: number;
  verdict: AbVerdict;
  reason: string;
}

const pct = (f: number) => `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;

/**
 * One metric's verdict. "worse" is the change in the bad direction (throughput down, latency up).
 * - regressed: the estimate is worse than the threshold and the interval excludes no change
 * - improved: the mirror image
 * - no-change: the interval rules out a change beyond the threshold in either direction
 * - below-floor: both medians are under the metric's resolution floor (shown, never gating)
 * - inconclusive: anything else (more trials may decide it)
 */
export function abMetric(input: AbMetricInput): AbMetricResult {
  validateThreshold(input.threshold, `threshold of ${input.name}`);
  const bm = median(input.before);
  const am = median(input.after);
  const paired = input.paired === true && input.before.length === input.after.length && input.before.length >= MIN_PAIRS;
  const method: AbMetricResult['method'] = paired ? 'paired' : 'unpaired';
  const confidence = input.confidence ?? AB_CONFIDENCE;
  const shift = (b: readonly number[], a: readonly number[]) => (paired ? pairedShift(b, a, confidence) : relativeShift(b, a, confidence));
  const base = { name: input.name, unit: input.unit, better: input.better, n: [input.before.length, input.after.length] as [number, number], beforeMedian: bm, afterMedian: am, threshold: input.threshold, floor: input.floor, method, confidence };
  if (input.floor !== undefined && bm < input.floor && am < input.floor) {
    const s = input.before.length && input.after.length && bm > 0 && am > 0 ? shift(input.before, input.after) : { change: 0 };
    return { ...base, ...s, verdict: 'below-floor', reason: `both medians under the resolution floor ${input.floor} ${input.unit}: shown, not judged` };
  }
  const s = shift(input.before, input.after);
  const sign = input.better === 'higher' ? -1 : 1;
  const worse = sign * s.change;
  const out = { ...base, ...s };
  if (s.low === undefined || s.high === undefined) {
    const needs = confidence === AB_CONFIDENCE ? `4 per arm, or ${MIN_PAIRS} pairs` : `more ${paired ? 'pairs' : 'trials'}`;
    return { ...out, verdict: 'inconclusive', reason: `no ${confidence * 100}% interval with ${paired ? `${input.before.length} pairs` : `${input.before.length} + ${input.after.length} trials`} (needs ${needs})` };
  }
  // Worse-direction bounds of the interval.
  const worseLow = Math.min(sign * s.low, sign * s.high);
  const worseHigh = Math.max(sign * s.low, sign * s.high);
  const ci = `${pct(s.change)} [${pct(s.low)}, ${pct(s.high)}]${confidence === AB_CONFIDENCE ? '' : ` (${confidence * 100}%)`}`;
  const t = input.threshold;
  if (worse > t && worseLow > 0) return { ...out, verdict: 'regressed', reason: `${ci}: worse than the ${(t * 100).toFixed(0)}% threshold and the interval excludes no change` };
  if (-worse > t && worseHigh < 0) return { ...out, verdict: 'improved', reason: `${ci}: better by more than ${(t * 100).toFixed(0)}% and the interval excludes no change` };
  if (worseHigh < t && worseLow > -t) return { ...out, verdict: 'no-change', reason: `${ci}: the interval rules out a change beyond ${(t * 100).toFixed(0)}%` };
  return { ...out, verdict: 'inconclusive', reason: `${ci}: the interval reaches past the ${(t * 100).toFixed(0)}% threshold and no verdict is certain yet` };
}

export interface AbSummary {
  verdict: AbVerdict;
  regressed: string[];
  improved: string[];
  inconclusive: string[];
}

/** The run's verdict: regressed if any gating metric regressed, else inconclusive if any is open, else improved / no-change. */
export function abSummary(results: readonly AbMetricResult[]): AbSummary {
  const of = (v: AbVerdict) => results.filter((r) => r.verdict === v).map((r) => r.name);
  const regressed = of('regressed');
  const improved = of('improved');
  const inconclusive = of('inconclusive');
  const verdict: AbVerdict = regressed.length ? 'regressed' : inconclusive.length ? 'inconclusive' : improved.length ? 'improved' : results.every((r) => r.verdict === 'below-floor') && results.length ? 'below-floor' : 'no-change';
  return { verdict, regressed, improved, inconclusive };
}

export function abTable(title: string, results: readonly AbMetricResult[], labels: [string, string] = ['before', 'after']): ResultTable {
  const r2 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : '-');
  return {
    title,
    head: ['metric', 'unit', 'n', `${labels[0]} median`, `${labels[1]} median`, 'change (HL)', results.every((r) => r.confidence === AB_CONFIDENCE) ? `${AB_CONFIDENCE * 100}% interval` : 'interval', 'threshold', 'floor', 'verdict'],
    rows: results.map((r) => [
      r.name,
      r.unit,
      r.method === 'paired' ? `${r.n[0]} pairs` : `${r.n[0]}+${r.n[1]}`,
      r2(r.beforeMedian),
      r2(r.afterMedian),
      pct(r.change),
      r.low !== undefined && r.high !== undefined ? `[${pct(r.low)}, ${pct(r.high)}]${r.confidence === AB_CONFIDENCE ? '' : ` (${r.confidence * 100}%)`}` : '(too few trials)',
      `${(r.threshold * 100).toFixed(0)}%`,
      r.floor !== undefined ? `${r.floor} ${r.unit}` : '-',
      r.verdict,
    ]),
  };
}

/**
 * Minimum detectable effect at a trial count, from the interval half-widths seen in A/A runs: an
 * effect of 1.43 half-widths ((1.96 + 0.84) / 1.96) is caught in about 80% of runs, and nothing
 * under the threshold is ever called a regression.
 */
export function minimumDetectableEffect(halfWidths: readonly number[], threshold: number): number | undefined {
  const finite = halfWidths.filter((h) => Number.isFinite(h));
  if (!finite.length) return undefined;
  return Math.max(threshold, ((1.96 + 0.84) / 1.96) * median(finite));
}

/** A small seeded generator (mulberry32), for calibration's randomised arm order: reruns repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
