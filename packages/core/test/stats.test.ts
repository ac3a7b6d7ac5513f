import { LatencyRecorder, mad, median, summarize } from '../src/stats';

describe('statistics', () => {
  it('median and MAD of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(summarize([10, 12, 11])).toMatchObject({ n: 3, median: 11, mad: 1, min: 10, max: 12 });
  });

  it('HDR recorder: ordered percentiles within 0.1% of the true values', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) r.recordMs(i / 10); // 0.1 .. 100 ms
    const s = r.snapshot();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p95).toBeCloseTo(95, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.p50).toBeLessThanOrEqual(s.p95);
    expect(s.p95).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
  });

  it('merges histograms, not percentiles', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 0; i < 90; i++) a.recordMs(1);
    for (let i = 0; i < 10; i++) b.recordMs(100);
    const merged = new LatencyRecorder().merge(a).merge(b).snapshot();
    expect(merged.count).toBe(100);
    expect(merged.p50).toBeCloseTo(1, 1);
    expect(merged.p95).toBeCloseTo(100, 0);
  });

  it('counts failed operations as errors, not latencies', async () => {
    const r = new LatencyRecorder();
    await r.time(async () => 1);
    await r.time(async () => {
      throw new Error('refused');
    });
    expect(r.count).toBe(1);
    expect(r.errors).toBe(1);
  });
});

describe('LatencyRecorder percentiles', () => {
  it('never reports a percentile above the largest value recorded (HDR buckets round up)', () => {
    const r = new LatencyRecorder();
    // One slow outlier in a bucket of the 1 s range: the bucket's top lies above the value itself.
    for (let i = 0; i < 99; i++) r.recordMs(1);
    r.recordMs(1083.343);
    r.recordMs(1083.343);
    const s = r.snapshot();
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.max).toBeCloseTo(1083.343, 0);
    expect(s.p99).toBeGreaterThan(1000);
  });
});
