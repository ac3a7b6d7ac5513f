import * as hdr from 'hdr-histogram-js';

/** Median and spread of repeated trials. MAD = median absolute deviation (robust to one odd trial). */
export interface Summary {
  n: number;
  median: number;
  mad: number;
  min: number;
  max: number;
  mean: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function mad(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, median: NaN, mad: NaN, min: NaN, max: NaN, mean: NaN };
  return {
    n: values.length,
    median: median(values),
    mad: mad(values),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** Relative spread as a percentage of the median, for tables ("± 3.1%"). */
export function spreadPct(s: Pick<Summary, 'median' | 'mad'>): number {
  return s.median === 0 ? 0 : (s.mad / Math.abs(s.median)) * 100;
}

export interface LatencySnapshot {
  count: number;
  /** Milliseconds. */
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Latencies recorded in an HDR histogram, in microseconds (1 us .. 60 s, 3 significant digits).
 * Workers each own one recorder; merge() adds histograms, never percentiles.
 */
export class LatencyRecorder {
  readonly histogram: hdr.Histogram;
  errors = 0;

  constructor() {
    this.histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    });
  }

  /** Record one operation's duration in milliseconds (e.g. from performance.now() differences). */
  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Time an async operation; a rejection counts as an error and is not recorded as a latency. */
  async time<T>(op: () => Promise<T>): Promise<T | undefined> {
    const t0 = performance.now();
    try {
      const v = await op();
      this.recordMs(performance.now() - t0);
      return v;
    } catch {
      this.errors += 1;
      return undefined;
    }
  }

  merge(other: LatencyRecorder): this {
    this.histogram.add(other.histogram);
    this.errors += other.errors;
    return this;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  snapshot(): LatencySnapshot {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    // A percentile is the top of its HDR bucket, which can lie above the largest value recorded: clamp.
    const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
    return {
      count: h.totalCount,
      min: h.totalCount ? ms(h.minNonZeroValue) : 0,
      mean: ms(h.mean),
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      max: ms(h.maxValue),
    };
  }

  destroy(): void {
    this.histogram.destroy();
  }
}
