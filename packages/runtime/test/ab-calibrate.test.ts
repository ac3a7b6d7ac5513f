import { metricFromTrials } from '@devstack/core';
import { calibrationRuns, nextQuota, retryTrial, TRIAL_RETRIES, type Arm } from '../src/ab-calibrate';
import { DevstackError } from '@devstack/core';
import { sequentialAb, verdicts } from '../src/ab-sequential';
import { seededRandom } from '@devstack/core';

describe('nextQuota (sizing the injected slowdown)', () => {
  it('tightens the quota when the metric barely moved', () => {
    expect(nextQuota(1, 0.01)).toBeCloseTo(0.7, 5);
  });

  it('aims at 80% of what the quota delivered once the metric moves', () => {
    // 0.5 CPU cost 50%: 0.5 * 0.8 / 0.5 = 0.8 CPU
    expect(nextQuota(0.5, 0.5)).toBeCloseTo(0.8, 5);
    // never below 0.1 CPU, never above 4
    expect(nextQuota(0.1, 0.01)).toBe(0.1);
    expect(nextQuota(3, 0.85)).toBe(4);
  });

  it('interpolates on the log of the quota between the closest quotas either side of 20%', () => {
    const q = nextQuota(0.81, 0.455, { cpus: 1, moved: 0.127 }, { cpus: 0.81, moved: 0.455 });
    // 20% is 22% of the way from 12.7% to 45.5%: between 1 and 0.81, close to 1
    expect(q).toBeLessThan(1);
    expect(q).toBeGreaterThan(0.81);
    expect(q).toBeCloseTo(Math.exp(Math.log(0.81) * ((0.2 - 0.127) / (0.455 - 0.127))), 10);
  });
});

describe('sequentialAb (interleaved trial pairs)', () => {
  const run = (after: (i: number) => number, maxTrials = 12) => {
    let active: 'before' | 'after' | undefined;
    const activations: string[] = [];
    let i = 0;
    return sequentialAb({
      before: { label: 'A', activate: async () => void activations.push((active = 'before')) },
      after: { label: 'B', activate: async () => void activations.push((active = 'after')) },
      // A steady 1000 +/- 2% in the before arm, whatever `after` says in the other.
      measure: async () => {
        i++;
        const v = active === 'before' ? 1000 * (1 + 0.02 * Math.sin(i)) : after(i);
        return [metricFromTrials('ops', 'ops/s', 'higher', [v])];
      },
      startTrials: 5,
      maxTrials,
      maxSeconds: 60,
      threshold: () => 0.1,
      floor: () => undefined,
      progress: () => undefined,
    }).then((o) => ({ ...o, activations }));
  };

  it('calls a 20% slowdown a regression at the first look (5 + 5) and stops there', async () => {
    const o = await run((i) => 800 * (1 + 0.02 * Math.cos(i)));
    expect(o.results[0].verdict).toBe('regressed');
    expect(o.trialsPerArm).toBe(5);
    expect(o.stoppedBy).toBe('decided');
    expect(o.results[0].change).toBeLessThan(-0.15);
    expect(o.results[0].high).toBeLessThan(0);
  });

  it('orders the pairs ABBA, so each arm is switched to once per two pairs', async () => {
    const o = await run((i) => 800 * (1 + 0.02 * Math.cos(i)));
    // A B | B A | A B | B A | A B: an arm switch at each pair boundary where the order flips
    expect(o.activations).toEqual(['before', 'after', 'before', 'after', 'before', 'after']);
  });

  it('rules out a change beyond the threshold when the arms are the same', async () => {
    const o = await run((i) => 1000 * (1 + 0.02 * Math.cos(i * 1.7)));
    expect(o.results[0].verdict).toBe('no-change');
    expect(o.stoppedBy).toBe('decided');
  });

  it('adds pairs while a noisy metric is open and stops at the trial cap with "inconclusive"', async () => {
    const o = await run((i) => 1000 * (i % 2 ? 0.75 : 1.2), 7);
    expect(o.results[0].verdict).toBe('inconclusive');
    expect(o.stoppedBy).toBe('max-trials');
    expect(o.trialsPerArm).toBe(7);
  });
});

describe('sequentialAb: 99% at interim looks, 95% at the last', () => {
  it('six agreeing pairs are not enough at an interim look (no 99% interval below 8 pairs) but are at the cap', async () => {
    let active: 'before' | 'after' | undefined;
    const run = (maxTrials: number) =>
      sequentialAb({
        before: { label: 'A', activate: async () => void (active = 'before') },
        after: { label: 'B', activate: async () => void (active = 'after') },
        measure: async () => [metricFromTrials('ops', 'ops/s', 'higher', [active === 'before' ? 1000 : 750])],
        startTrials: 6,
        maxTrials,
        maxSeconds: 60,
        threshold: () => 0.1,
        floor: () => undefined,
        progress: () => undefined,
      });
    const capped = await run(6);
    expect(capped.results[0]).toMatchObject({ verdict: 'regressed', confidence: 0.95 });
    expect(capped.trialsPerArm).toBe(6);
    const open = await run(12);
    // Looks at 6 and 7 pairs are interim (99%: none exists yet); 8 pairs give the first 99% interval.
    expect(open.results[0]).toMatchObject({ verdict: 'regressed', confidence: 0.99 });
    expect(open.trialsPerArm).toBe(8);
  });
});

describe('calibrationRuns (the regress rule, twice over a shared A)', () => {
  /** A throughput of 1000 with +-3% noise from a seeded generator; C is `slowdown` worse. */
  const bench = (slowdown: number, noisyAfter?: number) => {
    const noise = seededRandom(7);
    const trials: Arm[] = [];
    const measure = async (arm: Arm) => {
      trials.push(arm);
      const jitter = 1 + 0.06 * (noise() - 0.5);
      const ops = 1000 * jitter * (arm === 'C' ? 1 - slowdown : 1);
      // A second metric that stays undecided in A/A when asked to (a +-40% swing), so A/A runs to the cap.
      const wild = noisyAfter !== undefined && arm === 'A2' ? 1000 * (1 + 0.8 * (noise() - 0.5)) : 1000 * jitter;
      return [metricFromTrials('ops', 'ops/s', 'higher', [ops]), metricFromTrials('wild_ops', 'ops/s', 'higher', [wild])];
    };
    return { trials, measure };
  };
  // As regress judges: 99% at interim looks (no paired 99% interval below 8 pairs), 95% at the cap.
  const judge = (map: Parameters<typeof verdicts>[0], final: boolean) => verdicts(map, () => 0.1, () => undefined, final ? 0.95 : 0.99);

  it('a 30% slowdown is detected at the first look with a 99% interval (8 pairs) in every run, and A/A never cries wolf', async () => {
    const b = bench(0.3);
    const o = await calibrationRuns({ runs: 5, startPairs: 6, maxPairs: 12, target: 'ops', better: 'higher', gating: ['ops'], measure: b.measure, judge, rnd: seededRandom(1) });
    expect(o.tally.get('ops')).toMatchObject({ falseAlarms: 0, detections: 5, injectedInconclusive: 0 });
    expect(o.injectedPairs).toEqual([8, 8, 8, 8, 8]);
    // +-3% noise: the A/A interval at 8 pairs is within +-10%, so A/A ends at its first decisive look too.
    expect(o.aaPairs).toEqual([8, 8, 8, 8, 8]);
    expect(o.tally.get('ops')!.halfWidths).toHaveLength(5);
    for (const r of o.realized) expect(r).toBeCloseTo(0.3, 1);
    expect(b.trials).toHaveLength(5 * 8 * 3);
    expect(o.aaRunAlarms).toBe(0);
    expect(o.injectedRunDetections).toBe(5);
  });

  it('counts whole runs as CI sees them: an A/A run alarms when any metric does', async () => {
    // A2 is 30% slower too: every A/A run "regresses" (a false alarm on both metrics, one run each).
    const noise = seededRandom(3);
    const measure = async (arm: Arm) => {
      const v = 1000 * (1 + 0.02 * (noise() - 0.5)) * (arm === 'A' ? 1 : 0.7);
      return [metricFromTrials('ops', 'ops/s', 'higher', [v]), metricFromTrials('other_ops', 'ops/s', 'higher', [v])];
    };
    const o = await calibrationRuns({ runs: 3, startPairs: 6, maxPairs: 12, target: 'ops', better: 'higher', gating: ['ops'], measure, judge, rnd: seededRandom(4) });
    expect(o.tally.get('ops')!.falseAlarms).toBe(3);
    expect(o.tally.get('other_ops')!.falseAlarms).toBe(3);
    expect(o.aaRunAlarms).toBe(3);
    expect(o.injectedRunDetections).toBe(3);
  });

  it('an undecided metric keeps its comparison open to the cap; the other arm stops being measured once its comparison ended', async () => {
    const b = bench(0.3, 1);
    const o = await calibrationRuns({ runs: 1, startPairs: 6, maxPairs: 9, target: 'ops', better: 'higher', gating: ['ops'], measure: b.measure, judge, rnd: seededRandom(2) });
    expect(o.injectedPairs).toEqual([8]);
    expect(o.aaPairs).toEqual([9]);
    // Pair 9 measured A and A2 only.
    expect(b.trials.filter((x) => x === 'C')).toHaveLength(8);
    expect(b.trials.filter((x) => x === 'A2')).toHaveLength(9);
    expect(b.trials.filter((x) => x === 'A')).toHaveLength(9);
    expect(o.tally.get('wild_ops')!.aaInconclusive).toBe(1);
    expect(o.tally.get('ops')).toMatchObject({ falseAlarms: 0, detections: 1 });
    expect(o.injectedRunDetections).toBe(1);
  });

  it("a latency that regresses at the first look ends regress's run but not the throughput metric's own verdict", async () => {
    // C: p95 is 50% worse in every trial (regress's rule stops at its first 99% look, 8 pairs), throughput
    // 20% worse but with one pair going the other way, so the 99% interval at 8 pairs still spans no change.
    const noise = seededRandom(5);
    const measure = async (arm: Arm, _run: number, pair: number) => {
      const jitter = 1 + 0.04 * (noise() - 0.5);
      const ops = arm === 'C' ? (pair === 3 ? 1100 : 800) * jitter : 1000 * jitter;
      const p95 = arm === 'C' ? 3 : 2 * jitter;
      return [metricFromTrials('ops', 'ops/s', 'higher', [ops]), metricFromTrials('p95_ms', 'ms', 'lower', [p95])];
    };
    const judge2 = (map: Parameters<typeof verdicts>[0], final: boolean) => verdicts(map, () => 0.1, () => 0.2, final ? 0.95 : 0.99);
    const o = await calibrationRuns({ runs: 1, startPairs: 6, maxPairs: 12, target: 'ops', better: 'higher', gating: ['ops'], measure, judge: judge2, rnd: seededRandom(6) });
    // What CI sees: regress stops at the first look, on the latency.
    expect(o.injectedPairs).toEqual([8]);
    expect(o.injectedRunDetections).toBe(1);
    expect(o.tally.get('p95_ms')!.detections).toBe(1);
    // The throughput metric's own rule went on: inconclusive at 8 (pair 3 disagrees), regressed later.
    expect(o.tally.get('ops')).toMatchObject({ detections: 1, injectedInconclusive: 0 });
  });

  it("a metric's own verdict is its first decided one; regress's rule judges the whole run where it stops", async () => {
    const noise = seededRandom(8);
    const measure = async (arm: Arm, _run: number, pair: number) => {
      const jitter = 1 + 0.02 * (noise() - 0.5);
      // Quiet for 8 pairs (no-change at the first 99% look), then A2 drops 60%: regress's rule, still open
      // on 'other', sees the drop later and calls the whole A/A run an alarm; the metric's own rule had stopped.
      const late = arm === 'A2' && pair > 8 ? 400 * jitter : 1000 * jitter;
      const other = arm === 'A2' ? 1000 * (1 + 0.3 * (noise() - 0.5)) : 1000 * jitter;
      return [metricFromTrials('late_ops', 'ops/s', 'higher', [late]), metricFromTrials('other_ops', 'ops/s', 'higher', [other])];
    };
    const o = await calibrationRuns({ runs: 1, startPairs: 6, maxPairs: 20, target: 'late_ops', better: 'higher', gating: ['late_ops'], measure, judge, rnd: seededRandom(9) });
    expect(o.tally.get('late_ops')).toMatchObject({ falseAlarms: 0, aaInconclusive: 0 });
    expect(o.aaRunAlarms).toBe(1);
    expect(o.aaPairs[0]).toBeGreaterThan(8);
  });
});

describe('retryTrial (one dropped connection does not end an hour of calibration)', () => {
  it('measures a failed trial again and returns the retry', async () => {
    let calls = 0;
    const seen: number[] = [];
    const v = await retryTrial(async () => (++calls === 1 ? Promise.reject(new Error('Connection is closed.')) : 42), (_e, a) => seen.push(a), undefined, 0);
    expect(v).toBe(42);
    expect(seen).toEqual([1]);
  });
  it(`gives up after ${TRIAL_RETRIES} retries with the trial's own error, and never retries bad input`, async () => {
    let calls = 0;
    await expect(retryTrial(async () => { calls++; throw new Error('Connection is closed.'); }, () => undefined, undefined, 0)).rejects.toThrow('Connection is closed.');
    expect(calls).toBe(TRIAL_RETRIES + 1);
    calls = 0;
    await expect(retryTrial(async () => { calls++; throw new DevstackError('BAD_INPUT', 'no such workload'); }, () => undefined, undefined, 0)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(calls).toBe(1);
  });
});
