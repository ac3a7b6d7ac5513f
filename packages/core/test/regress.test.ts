import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { DevstackError } from '../src/errors';
import { BASELINE_MIN_TRIALS, busyMachine, type BaselineOptions } from '../src/perf';
import type { MachineFingerprint } from '../src/machine';
import { machineFingerprint } from '../src/machine';
import { baselineTask, regressTask } from '../src/perf';
import { baselineFromMetrics, readBaseline, regress, regressChecks, writeBaseline } from '../src/regress';
import { metricFromTrials, type Metric } from '../src/results';
import { startResult, type Task } from '../src/task';
import type { BenchOptions, RegressOptions } from '../src/perf';

const HERE: MachineFingerprint = { cpuModel: 'Test CPU 3000', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20' };
const ELSEWHERE: MachineFingerprint = { ...HERE, cpuModel: 'Other CPU 9000', cores: 16 };

const tps = (trials: number[]) => metricFromTrials('tps', 'tx/s', 'higher', trials);
const p95 = (trials: number[], slo?: number) => metricFromTrials('p95_ms', 'ms', 'lower', trials, slo === undefined ? {} : { slo });
const baselineOf = (metrics: Metric[], machine = HERE) => baselineFromMetrics('postgres', metrics, machine, 'default', { name: 'PostgreSQL', version: '15.18' });
const verdictOf = (outcome: ReturnType<typeof regress>, name: string) => outcome.comparisons.find((c) => c.name === name)!.verdict;

describe('regress rule (controlled inputs)', () => {
  it('passes a run within the threshold of the baseline', () => {
    const outcome = regress({ baseline: baselineOf([tps([1000, 1010, 990]), p95([5, 5.1, 4.9])]), metrics: [tps([985, 995, 975]), p95([5.2, 5.1, 5.3])], machine: HERE, threshold: 0.2 });
    expect(outcome.comparable).toBe(true);
    expect(verdictOf(outcome, 'tps')).toBe('pass');
    expect(verdictOf(outcome, 'p95_ms')).toBe('pass');
    expect(outcome.failed).toBe(false);
    expect(regressChecks(outcome).every((c) => c.passed)).toBe(true);
  });

  it('fails a clear throughput regression (beyond threshold and outside both noise bands)', () => {
    const outcome = regress({ baseline: baselineOf([tps([1000, 1010, 990])]), metrics: [tps([600, 610, 590])], machine: HERE, threshold: 0.2 });
    const c = outcome.comparisons[0];
    expect(c.verdict).toBe('regressed');
    expect(c.worse).toBeCloseTo(0.4, 5);
    expect(outcome.failed).toBe(true);
    const check = regressChecks(outcome).find((x) => x.name === 'tps')!;
    expect(check.passed).toBe(false);
    expect(check.detail).toMatch(/^regressed: 40\.0% worse than baseline \(threshold 20\.0%\)/);
  });

  it('fails a latency regression too (lower is better)', () => {
    const outcome = regress({ baseline: baselineOf([p95([5, 5.1, 4.9])]), metrics: [p95([8, 8.2, 7.9])], machine: HERE, threshold: 0.2 });
    expect(verdictOf(outcome, 'p95_ms')).toBe('regressed');
    expect(outcome.failed).toBe(true);
  });

  it('treats a change beyond the threshold but inside the noise band as noise, not a failure', () => {
    // Baseline trials spread widely: MAD 150 -> band 1000 ± 3 x 1.4826 x 150 = [333, 1667], which holds 700.
    const outcome = regress({ baseline: baselineOf([tps([850, 1000, 1150])]), metrics: [tps([550, 700, 850])], machine: HERE, threshold: 0.2 });
    const c = outcome.comparisons[0];
    expect(c.worse).toBeCloseTo(0.3, 5);
    expect(c.verdict).toBe('noise');
    expect(outcome.failed).toBe(false);
  });

  it('honours a per-metric threshold', () => {
    const outcome = regress({ baseline: baselineOf([tps([1000, 1010, 990])]), metrics: [tps([600, 610, 590])], machine: HERE, threshold: 0.2, thresholds: { tps: 0.5 } });
    expect(verdictOf(outcome, 'tps')).toBe('pass');
    expect(outcome.failed).toBe(false);
  });

  it('marks a baseline from another machine incomparable: a warning, a failure only with --strict', () => {
    const input = { baseline: baselineOf([tps([1000, 1010, 990])], ELSEWHERE), metrics: [tps([600, 610, 590])], machine: HERE, threshold: 0.2 };
    const lenient = regress(input);
    expect(lenient.comparable).toBe(false);
    expect(lenient.incomparableReason).toContain('Other CPU 9000');
    expect(lenient.failed).toBe(false);
    const fp = regressChecks(lenient).find((c) => c.name === 'machine fingerprint')!;
    expect(fp).toMatchObject({ passed: true, skipped: true });
    const strict = regress({ ...input, strict: true });
    expect(strict.failed).toBe(true);
    expect(regressChecks(strict, true).find((c) => c.name === 'machine fingerprint')!.passed).toBe(false);
  });

  it('fails an SLO breach even without a regression', () => {
    const outcome = regress({ baseline: baselineOf([p95([60, 61, 59], 50)]), metrics: [p95([60, 60, 61], 50)], machine: HERE, threshold: 0.2 });
    expect(verdictOf(outcome, 'p95_ms')).toBe('slo-breach');
    expect(outcome.failed).toBe(true);
  });
});

describe('baseline files', () => {
  const root = () => mkdtempSync(path.join(os.tmpdir(), 'devstack-regress-'));

  it('a missing baseline is NO_BASELINE (exit 2) with the command that records one', () => {
    const dir = root();
    let err: unknown;
    try {
      readBaseline(dir, 'postgres');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevstackError);
    expect((err as DevstackError).code).toBe('NO_BASELINE');
    expect((err as DevstackError).exitCode).toBe(2);
    expect((err as DevstackError).fix).toBe('Record one with: npx nx run postgres:baseline');
  });

  it('a malformed baseline is NO_BASELINE too, naming the problem', () => {
    const dir = root();
    mkdirSync(path.join(dir, 'baselines'));
    writeFileSync(path.join(dir, 'baselines', 'postgres.json'), JSON.stringify({ backend: 'postgres', machine: HERE, metrics: { tps: { median: 1 } } }));
    expect(() => readBaseline(dir, 'postgres')).toThrow(/metric "tps" lacks median, mad or n/);
  });

  it('round-trips through writeBaseline / readBaseline', () => {
    const dir = root();
    writeBaseline(dir, baselineOf([tps([1, 2, 3])]));
    expect(readBaseline(dir, 'postgres').metrics.tps).toMatchObject({ median: 2, mad: 1, n: 3, better: 'higher', unit: 'tx/s' });
  });
});

describe('baselineTask / regressTask with a controlled bench', () => {
  // A bench whose figures the test decides: the engine under test is core's, not a server.
  const fixedBench = (values: number[]): Task<BenchOptions> => async () => {
    const r = startResult('fake', 'bench');
    r.metrics = [tps(values)];
    r.server = { name: 'Fake', version: '1' };
    return r.finish();
  };
  const config = () => loadConfig({ root: mkdtempSync(path.join(os.tmpdir(), 'devstack-engine-')), env: {} });
  // The machine's real load must not decide a unit test: the load source is injected.
  const quiet = () => undefined;

  it('records a baseline, then passes an equal run and fails a slower one', async () => {
    const cfg = config();
    await baselineTask('fake', fixedBench([1000, 1005, 995]), quiet)({ config: cfg, trials: 3, quick: true });
    const base = readBaseline(cfg.root, 'fake');
    expect(base.machine).toEqual(machineFingerprint());
    expect(base.command).toBe('npx nx run fake:baseline --quick --trials 3');
    const same = await regressTask<RegressOptions>('fake', fixedBench([1001, 999, 1003]), quiet)({ config: cfg, trials: 3 });
    expect(same.checks.every((c) => c.passed)).toBe(true);
    const slow = await regressTask<RegressOptions>('fake', fixedBench([500, 505, 495]), quiet)({ config: cfg, trials: 3 });
    expect(slow.checks.find((c) => c.name === 'tps')!.passed).toBe(false);
    expect(slow.tables!.at(-1)!.rows[0]).toEqual(['tps', 'tx/s', 1000, 500, '-50.0%', '20.0%', 'regressed']);
  });

  it('carries the measurement\'s own checks and tables into the regress result', async () => {
    const cfg = config();
    await baselineTask('fake', fixedBench([1000, 1005, 995]), quiet)({ config: cfg, trials: 3, quick: true });
    const failing: Task<BenchOptions> = async () => {
      const r = startResult('fake', 'bench');
      r.metrics = [tps([1000, 1001, 999])];
      r.checks.push({ name: 'no failed operations', passed: false, expected: '0', observed: '7' });
      r.tables.push({ title: 'Fake bench', head: ['x'], rows: [] });
      return r.finish();
    };
    const result = await regressTask<RegressOptions>('fake', failing, quiet)({ config: cfg, trials: 3 });
    expect(result.checks.find((c) => c.name === 'tps')!.passed).toBe(true);
    expect(result.checks.find((c) => c.name === 'bench: no failed operations')).toMatchObject({ passed: false, observed: '7' });
    expect(result.tables!.map((t) => t.title)).toEqual(['Fake bench', 'Regress: stored baseline vs current (medians)']);
  });

  it('on a busy machine judges only SLOs against the stored baseline, says why, and fails with --strict', async () => {
    const cfg = config();
    await baselineTask('fake', fixedBench([1000, 1005, 995]), quiet)({ config: cfg, trials: 3, quick: true });
    const busy = () => 'load average 4.00 is above half of the 2 cores (1)';
    const lenient = await regressTask<RegressOptions>('fake', fixedBench([500, 505, 495]), busy)({ config: cfg, trials: 3 });
    expect(lenient.checks.find((c) => c.name === 'tps')!.passed).toBe(true);
    expect(lenient.checks.find((c) => c.name === 'machine fingerprint')).toMatchObject({ passed: true, skipped: true });
    expect(lenient.warnings!.join()).toContain('this machine is busy (load average 4.00 is above half of the 2 cores (1)) and the baseline was recorded on a quiet one');
    expect(lenient.tables!.at(-1)!.rows[0][6]).toBe('regressed (not judged)');
    const strict = await regressTask<RegressOptions>('fake', fixedBench([500, 505, 495]), busy)({ config: cfg, trials: 3, strict: true });
    expect(strict.checks.find((c) => c.name === 'tps')!.passed).toBe(false);
  });

  it('refuses to record on a busy machine (before or after the bench) unless --force, and says why', async () => {
    const cfg = config();
    const busy = () => 'load average 3.00 is above half of the 2 cores (1)';
    await expect(baselineTask('fake', fixedBench([1, 2, 3]), busy)({ config: cfg, trials: 5 })).rejects.toMatchObject({ code: 'ENVIRONMENT', message: expect.stringContaining('load average 3.00 is above half of the 2 cores (1) before the bench') });
    let calls = 0;
    const busyAfter = () => (calls++ === 0 ? undefined : 'load average 2.50 is above half of the 2 cores (1)');
    await expect(baselineTask('fake', fixedBench([1, 2, 3]), busyAfter)({ config: cfg, trials: 5 })).rejects.toMatchObject({ message: expect.stringContaining('after the bench') });
    expect(() => readBaseline(cfg.root, 'fake')).toThrow(/does not exist/);
    const forced = await baselineTask('fake', fixedBench([1, 2, 3]), busy)({ config: cfg, trials: 5, force: true } as BaselineOptions);
    expect(forced.warnings!.join()).toContain('recorded with --force on a busy machine');
    expect(readBaseline(cfg.root, 'fake').recordedOnBusyMachine).toContain('load average 3.00');
  });

  it('keeps at least 5 trials in full mode, and stores them', async () => {
    const cfg = config();
    let asked = 0;
    const bench: Task<BenchOptions> = async (o) => {
      asked = o.trials!;
      const r = startResult('fake', 'bench');
      r.metrics = [tps(Array.from({ length: o.trials! }, (_, i) => 100 + i))];
      return r.finish();
    };
    const r = await baselineTask('fake', bench, quiet)({ config: cfg, trials: 3 });
    expect(asked).toBe(5);
    expect(r.notes!.join()).toContain('--trials 3 raised to 5');
    expect(readBaseline(cfg.root, 'fake').metrics.tps.trials).toEqual([100, 101, 102, 103, 104]);
  });

  it('regress without a baseline stops before measuring, with NO_BASELINE', async () => {
    const cfg = config();
    let measured = false;
    const bench: Task<BenchOptions> = async () => {
      measured = true;
      return startResult('fake', 'bench').finish();
    };
    await expect(regressTask('fake', bench)({ config: cfg })).rejects.toMatchObject({ code: 'NO_BASELINE' });
    expect(measured).toBe(false);
  });
});

describe('baseline recording rules', () => {
  it('refuses a busy machine: load average above half the cores, with the figures', () => {
    expect(busyMachine(1.1, 2)).toBe('load average 1.10 is above half of the 2 cores (1)');
    expect(busyMachine(0.9, 2)).toBeUndefined();
    expect(busyMachine(3.9, 8)).toBeUndefined();
    expect(BASELINE_MIN_TRIALS).toBe(5);
  });
});
