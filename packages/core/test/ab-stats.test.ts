import { abMetric, abSummary, abTable, mannWhitneyCounts, mannWhitneyRank, minimumDetectableEffect, pairedShift, relativeShift, seededRandom, signedRankCounts, signedRankRank, validateThreshold } from '../src/ab-stats';
import { DevstackError } from '../src/errors';

describe('exact Mann-Whitney distribution', () => {
  it('has C(m+n, m) orderings and the textbook small tails', () => {
    const c = mannWhitneyCounts(4, 4);
    expect(c.reduce((a, b) => a + b, 0)).toBe(70);
    expect(c.slice(0, 3)).toEqual([1, 1, 2]);
    expect(mannWhitneyCounts(5, 5).reduce((a, b) => a + b, 0)).toBe(252);
    expect(mannWhitneyCounts(3, 6).length).toBe(19);
  });

  it('gives no 95% interval with 3 + 3 trials, and k = 1 with 4 + 4, k = 3 with 5 + 5', () => {
    expect(mannWhitneyRank(3, 3)).toBeUndefined();
    expect(mannWhitneyRank(4, 4)).toEqual({ k: 1, achieved: 1 - 2 / 70 });
    expect(mannWhitneyRank(5, 5)?.k).toBe(3);
    // Published table (two-sided 0.05): critical U for 8 + 8 is 13, so k = 14.
    expect(mannWhitneyRank(8, 8)?.k).toBe(14);
  });
});

describe('relativeShift', () => {
  it('recovers a known 25% slowdown exactly when the arms differ by a factor', () => {
    const before = [100, 102, 98, 101, 99];
    const after = before.map((v) => v * 0.75);
    const s = relativeShift(before, after);
    expect(s.change).toBeCloseTo(-0.25, 10);
    expect(s.high!).toBeLessThan(0);
    expect(s.low!).toBeLessThan(s.change);
  });

  it('refuses non-positive values with a TypeError', () => {
    expect(() => relativeShift([1, 0], [1, 2])).toThrow(TypeError);
    expect(() => relativeShift([], [1])).toThrow('at least one value per arm');
  });
});

describe('abMetric verdicts', () => {
  const before = [1000, 1010, 990, 1005, 995, 1002];
  const tps = (after: number[], threshold = 0.2) => abMetric({ name: 'tpcb_like_tps', unit: 'tx/s', better: 'higher', before, after, threshold });

  it('regressed: 30% lower throughput, the interval excludes zero', () => {
    const r = tps(before.map((v) => v * 0.7));
    expect(r.verdict).toBe('regressed');
    expect(r.change).toBeCloseTo(-0.3, 2);
    expect(r.high!).toBeLessThan(0);
  });

  it('improved: 30% higher throughput', () => {
    expect(tps(before.map((v) => v * 1.3)).verdict).toBe('improved');
  });

  it('no-change: same distribution, interval inside ±20%', () => {
    const r = tps([1003, 997, 1008, 992, 1001, 999]);
    expect(r.verdict).toBe('no-change');
    expect(r.low!).toBeGreaterThan(-0.2);
    expect(r.high!).toBeLessThan(0.2);
  });

  it('inconclusive: 3 + 3 trials have no 95% interval', () => {
    const r = abMetric({ name: 'x', unit: 'tx/s', better: 'higher', before: [1, 1.1, 0.9], after: [0.5, 0.55, 0.45], threshold: 0.2 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.reason).toContain('needs 4 per arm');
  });

  it('inconclusive: a noisy arm whose interval spans the threshold', () => {
    const r = tps([700, 1400, 650, 1300, 800, 1200]);
    expect(r.verdict).toBe('inconclusive');
  });

  it('a 10% slowdown with a tight interval is not a regression at a 20% threshold', () => {
    const r = tps(before.map((v) => v * 0.9));
    expect(r.verdict).toBe('no-change');
    expect(r.high!).toBeLessThan(0);
  });

  it('latency: higher is worse', () => {
    const r = abMetric({ name: 'p95_ms', unit: 'ms', better: 'lower', before: [2, 2.1, 1.9, 2, 2.05], after: [3, 3.1, 2.9, 3, 3.05], threshold: 0.2, floor: 0.2 });
    expect(r.verdict).toBe('regressed');
  });

  it('below-floor: sub-0.2 ms latencies are shown, never gating', () => {
    const r = abMetric({ name: 'get_p95_ms', unit: 'ms', better: 'lower', before: [0.024, 0.025, 0.023, 0.024], after: [0.081, 0.08, 0.082, 0.079], threshold: 0.2, floor: 0.2 });
    expect(r.verdict).toBe('below-floor');
    expect(r.change).toBeGreaterThan(2);
    expect(abSummary([r]).verdict).toBe('below-floor');
  });

  it('the run verdict: any regression wins, then open metrics', () => {
    const reg = tps(before.map((v) => v * 0.7));
    const open = tps([700, 1400, 650, 1300, 800, 1200]);
    const same = tps(before);
    expect(abSummary([same, open, reg])).toMatchObject({ verdict: 'regressed', regressed: ['tpcb_like_tps'] });
    expect(abSummary([same, open]).verdict).toBe('inconclusive');
    expect(abSummary([same]).verdict).toBe('no-change');
  });
});

describe('thresholds and helpers', () => {
  it('accepts (0, 1] and refuses the rest with BAD_INPUT', () => {
    expect(validateThreshold(1)).toBe(1);
    for (const bad of [0, -0.1, 1.5, Number.NaN]) {
      try {
        validateThreshold(bad);
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(DevstackError);
        expect((err as DevstackError).code).toBe('BAD_INPUT');
        expect((err as Error).message).toContain('must be a fraction in (0, 1]');
      }
    }
  });

  it('MDE is never below the threshold', () => {
    expect(minimumDetectableEffect([0.02, 0.03], 0.2)).toBe(0.2);
    expect(minimumDetectableEffect([0.3, 0.2, 0.25], 0.2)).toBeCloseTo(0.25 * (2.8 / 1.96), 10);
    expect(minimumDetectableEffect([], 0.2)).toBeUndefined();
  });

  it('the seeded generator repeats', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('A/A false alarms stay rare on simulated noise (seeded), 6 + 6 trials, 10% spread', () => {
    const rnd = seededRandom(42);
    const draw = () => 1000 * (1 + 0.1 * (rnd() + rnd() + rnd() - 1.5));
    let alarms = 0;
    for (let run = 0; run < 200; run++) {
      const r = abMetric({ name: 'x', unit: 'tx/s', better: 'higher', before: Array.from({ length: 6 }, draw), after: Array.from({ length: 6 }, draw), threshold: 0.2 });
      if (r.verdict === 'regressed' || r.verdict === 'improved') alarms++;
    }
    expect(alarms).toBe(0);
  });
});

describe('paired statistic (interleaved pairs)', () => {
  it('exact signed-rank distribution: 2^n sign patterns, textbook tails, no 95% interval below 6 pairs', () => {
    const c = signedRankCounts(6);
    expect(c.reduce((a, b) => a + b, 0)).toBe(64);
    expect(c.length).toBe(22); // T+ from 0 to 21
    expect(c.slice(0, 4)).toEqual([1, 1, 1, 2]);
    expect(signedRankRank(5)).toBeUndefined(); // P(T+ = 0) = 1/32 > 0.025
    expect(signedRankRank(6)).toEqual({ k: 1, achieved: 1 - 2 / 64 });
    // Published table (two-sided 0.05): critical T for n = 8 is 3 and for n = 12 is 13, so k = 4 and 14.
    expect(signedRankRank(8)?.k).toBe(4);
    expect(signedRankRank(12)?.k).toBe(14);
  });

  it('pairedShift recovers a known 20% slowdown under drift that an unpaired test calls noise', () => {
    // The machine drifts by 2x across the run; within each pair the after arm is 20% slower.
    const before = [50, 60, 70, 80, 90, 100, 110, 120];
    const after = before.map((v, i) => v * 0.8 * (1 + (i % 2 ? 0.01 : -0.01)));
    const p = pairedShift(before, after);
    expect(p.change).toBeCloseTo(-0.2, 2);
    expect(p.high!).toBeLessThan(0);
    const u = relativeShift(before, after);
    expect(u.high!).toBeGreaterThan(0); // unpaired: the drift swamps the 20%
    const paired = abMetric({ name: 'ops', unit: 'ops/s', better: 'higher', before, after, threshold: 0.1, paired: true });
    const unpaired = abMetric({ name: 'ops', unit: 'ops/s', better: 'higher', before, after, threshold: 0.1 });
    expect([paired.method, paired.verdict]).toEqual(['paired', 'regressed']);
    expect([unpaired.method, unpaired.verdict]).toEqual(['unpaired', 'inconclusive']);
    expect(abTable('t', [paired]).rows[0][2]).toBe('8 pairs');
  });

  it('falls back to the unpaired statistic below 6 pairs or with arms of different sizes', () => {
    const five = abMetric({ name: 'x', unit: 'tx/s', better: 'higher', before: [100, 101, 99, 100, 102], after: [80, 81, 79, 80, 82], threshold: 0.1, paired: true });
    expect(five.method).toBe('unpaired');
    expect(five.verdict).toBe('regressed');
    const uneven = abMetric({ name: 'x', unit: 'tx/s', better: 'higher', before: [100, 101, 99, 100, 102, 100, 99], after: [80, 81, 79, 80, 82, 80], threshold: 0.1, paired: true });
    expect(uneven.method).toBe('unpaired');
    expect(() => pairedShift([1, 2], [1])).toThrow('same, non-zero length');
    expect(() => pairedShift([1, 0], [1, 2])).toThrow('positive finite values');
  });

  it('A/A false alarms stay rare on simulated drifting noise (seeded), 6 pairs, 10% threshold', () => {
    const rnd = seededRandom(4242);
    let alarms = 0;
    for (let run = 0; run < 200; run++) {
      let level = 1000;
      const before: number[] = [];
      const after: number[] = [];
      for (let i = 0; i < 6; i++) {
        level *= 1 + 0.15 * (rnd() - 0.5); // slow drift, shared by the pair
        before.push(level * (1 + 0.05 * (rnd() + rnd() - 1)));
        after.push(level * (1 + 0.05 * (rnd() + rnd() - 1)));
      }
      const r = abMetric({ name: 'x', unit: 'tx/s', better: 'higher', before, after, threshold: 0.1, paired: true });
      if (r.verdict === 'regressed' || r.verdict === 'improved') alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(2);
  });
});

describe('abMetric confidence (regress: 99% at interim looks)', () => {
  const before = [1000, 1010, 990, 1005, 995, 1000];
  const after = [700, 712, 690, 705, 698, 701];
  it('six agreeing pairs regress at 95% but have no 99% interval (it needs 8 pairs)', () => {
    expect(abMetric({ name: 'ops', unit: 'ops/s', better: 'higher', before, after, threshold: 0.1, paired: true })).toMatchObject({ verdict: 'regressed', confidence: 0.95 });
    const r = abMetric({ name: 'ops', unit: 'ops/s', better: 'higher', before, after, threshold: 0.1, paired: true, confidence: 0.99 });
    expect(r).toMatchObject({ verdict: 'inconclusive', confidence: 0.99 });
    expect(r.low).toBeUndefined();
    expect(r.reason).toBe('no 99% interval with 6 pairs (needs more pairs)');
  });
  it('a 99% interval at 8 pairs is named with its confidence in the reason and the table', () => {
    const r = abMetric({ name: 'ops', unit: 'ops/s', better: 'higher', before: [...before, 1002, 998], after: [...after, 703, 699], threshold: 0.1, paired: true, confidence: 0.99 });
    expect(r.verdict).toBe('regressed');
    expect(r.reason).toMatch(/^-\d\d\.\d% \[-\d\d\.\d%, -\d\d\.\d%\] \(99%\): worse than the 10% threshold/);
    const t = abTable('t', [r]);
    expect(t.head[6]).toBe('interval');
    expect(String(t.rows[0][6])).toMatch(/ \(99%\)$/);
  });
});
