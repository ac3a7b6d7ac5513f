import * as os from 'node:os';
import {
  contextOf,
  DevstackError,
  median,
  minimumDetectableEffect,
  seededRandom,
  sleep,
  startResult,
  parseThresholds,
  relativeShift,
  pairedShift,
  validateThreshold,
  writePowerDoc,
  writeResult,
  calibrationTable,
  defaultFloor,
  DECIDED,
  AB_CONFIDENCE,
  AB_INTERIM_CONFIDENCE,
  type CalibrationData,
  type Metric,
  type RegressOptions,
  type TaskResult,
} from '@devstack/core';
import type { AbRegressSpec } from './ab-regress';
import { AB_DEFAULTS } from './ab-defaults';
import { settled, verdicts } from './ab-sequential';
import { createCpuQuota } from './cpu-quota';

export type Arm = 'A' | 'A2' | 'C';

/** Relative change of the target metric in the bad direction (throughput down, latency up). */
const worseBy = (better: Metric['better'], base: number, now: number) => (better === 'higher' ? 1 - now / base : now / base - 1);

/**
 * The next quota to try: between the closest quotas on either side of a 20% slowdown when both are
 * known (interpolated on the log of the quota), else a step in the right direction.
 */
export function nextQuota(cpus: number, moved: number, under?: { cpus: number; moved: number }, over?: { cpus: number; moved: number }): number {
  if (under && over) {
    const f = (0.2 - under.moved) / (over.moved - under.moved);
    return Math.exp(Math.log(under.cpus) + f * (Math.log(over.cpus) - Math.log(under.cpus)));
  }
  if (moved <= 0.02) return Math.max(0.1, cpus * 0.7);
  // Past the knee throughput is about proportional to the quota: aim at 80% of what it delivered.
  return Math.max(0.1, Math.min(4, (cpus * 0.8) / (1 - Math.min(moved, 0.9))));
}

type Samples = Map<string, { unit: string; better: Metric['better']; v: number[] }>;
type Judged = ReturnType<typeof verdicts>;

export interface CalibrationTally {
  unit: string;
  falseAlarms: number;
  aaInconclusive: number;
  detections: number;
  injectedInconclusive: number;
  /** 95% half-widths of the A/A intervals at startPairs (for the minimum detectable effect). */
  halfWidths: number[];
}

export interface CalibrationRunsInput {
  runs: number;
  /** First look (regress's startTrials) and cap (maxTrials), in pairs. */
  startPairs: number;
  maxPairs: number;
  /** The metric whose realized slowdown is reported, and its direction. */
  target: string;
  better: Metric['better'];
  /** The calibrated gating metrics: a comparison stays open until each has its own verdict (or the cap). */
  gating: readonly string[];
  /** One trial of `arm` (C: with the injected slowdown). */
  measure: (arm: Arm, run: number, pair: number) => Promise<Metric[]>;
  /** The verdicts of one comparison (thresholds and floors bound), at regress's interim or final-look confidence. */
  judge: (samples: Map<string, { unit: string; better: Metric['better']; before: number[]; after: number[]; paired: boolean }>, final: boolean) => Judged;
  rnd: () => number;
}

export interface CalibrationRunsOutcome {
  tally: Map<string, CalibrationTally>;
  /** Pairs after which regress's rule ended each A/A and each injected comparison (what CI waits for). */
  aaPairs: number[];
  injectedPairs: number[];
  /**
   * Whole runs, as CI sees them (regress exits 1 when any metric regressed), judged where regress's rule
   * stops: A/A runs in which some metric regressed or improved, and injected runs in which some metric regressed.
   */
  aaRunAlarms: number;
  injectedRunDetections: number;
  /** Per injected run, how much worse the target was (paired Hodges-Lehmann over all its pairs). */
  realized: number[];
}

/** One comparison (A vs A2, or A vs C) as it goes: what regress's rule and each metric's own rule decided. */
interface Comparison {
  /** Each metric's first decided verdict from the first look on: the metric's own sequential verdict. */
  own: Map<string, Judged[number]>;
  /** Where regress's rule (every metric decided, or one regressed) first held, and its verdicts there. */
  regress?: { pairs: number; results: Judged };
}

/**
 * N calibration runs. Each is the regress procedure twice over a shared A: A vs A2 (A/A) and A vs C
 * (injected). Rounds hold one trial of A and of each comparison still open, in a random order.
 *
 * Two verdicts are read off each comparison, both sequential, from startPairs on:
 * - regress's: at the first look where every metric is decided or one regressed (else at maxPairs). This is
 *   the whole-run count, what CI acts on: any metric regressing ends the run.
 * - each metric's own: its first decided verdict (else "inconclusive" where the comparison ended). This is
 *   the per-metric count: the power of that metric alone, as if it were the only one regress judged. A
 *   latency that regresses at the first look would otherwise end the comparison before a throughput
 *   metric (which needs every one of 6 pairs to agree there) had its chance, and make it look blind.
 * Looks judge as regress does: 99% intervals at interim looks, 95% at maxPairs. A comparison stays open
 * until regress's rule held and, in A/A, every gating metric (injected: the target) has its own verdict,
 * or to maxPairs; its arm is then no longer measured. "regressed" or "improved" in A/A is a false alarm, "regressed" in the injected one a detection.
 */
export async function calibrationRuns(input: CalibrationRunsInput): Promise<CalibrationRunsOutcome> {
  const { startPairs: k, maxPairs } = input;
  const tally = new Map<string, CalibrationTally>();
  const aaPairs: number[] = [];
  const injectedPairs: number[] = [];
  const realized: number[] = [];
  let aaRunAlarms = 0;
  let injectedRunDetections = 0;
  const tallyOf = (r: { name: string; unit: string }) => {
    let t = tally.get(r.name);
    if (!t) tally.set(r.name, (t = { unit: r.unit, falseAlarms: 0, aaInconclusive: 0, detections: 0, injectedInconclusive: 0, halfWidths: [] }));
    return t;
  };
  const alarm = (r: Judged[number]) => r.verdict === 'regressed' || r.verdict === 'improved';
  for (let run = 1; run <= input.runs; run++) {
    const samples: Record<Arm, Samples> = { A: new Map(), A2: new Map(), C: new Map() };
    /** Metrics some trial of this run lacked: their rounds no longer line up, so they are compared unpaired. */
    const unaligned = new Set<string>();
    /** A vs `other` over the first `pairs` rounds (A goes on after `other` stopped; its later trials are not this pair's). */
    const pair = (other: Arm, pairs: number, final = pairs === maxPairs) => {
      const map = new Map<string, { unit: string; better: Metric['better']; before: number[]; after: number[]; paired: boolean }>();
      for (const [name, s] of samples.A) map.set(name, { unit: s.unit, better: s.better, before: s.v.slice(0, pairs), after: samples[other].get(name)?.v ?? [], paired: !unaligned.has(name) });
      return input.judge(map, final);
    };
    const state: Record<'A2' | 'C', Comparison> = { A2: { own: new Map() }, C: { own: new Map() } };
    /** Look at a comparison after `pairs` rounds; true when it can end. */
    const look = (arm: 'A2' | 'C', results: Judged, pairs: number) => {
      const c = state[arm];
      for (const r of results) if (!c.own.has(r.name) && DECIDED.includes(r.verdict)) c.own.set(r.name, r);
      if (!c.regress && settled(results)) c.regress = { pairs, results };
      // A/A waits for every gating metric's own verdict (each can cry wolf); the injected comparison for the
      // target's, the metric the quota was sized on (a quota barely moves an fsync-bound one, which would
      // keep every injected comparison open to the cap).
      const wanted = results.filter((r) => (arm === 'A2' ? input.gating.includes(r.name) : r.name === input.target));
      return (c.regress !== undefined && wanted.every((r) => c.own.has(r.name))) || pairs === maxPairs;
    };
    /** A comparison ended after `pairs` rounds with `last` as its final verdicts: count it. */
    const count = (arm: 'A2' | 'C', last: Judged, pairs: number) => {
      const c = state[arm];
      const whole = c.regress?.results ?? last;
      (arm === 'A2' ? aaPairs : injectedPairs).push(c.regress?.pairs ?? pairs);
      for (const r0 of last) {
        const r = c.own.get(r0.name) ?? r0;
        const x = tallyOf(r);
        if (arm === 'A2') {
          if (alarm(r)) x.falseAlarms++;
          if (r.verdict === 'inconclusive') x.aaInconclusive++;
        } else {
          if (r.verdict === 'regressed') x.detections++;
          if (r.verdict === 'inconclusive') x.injectedInconclusive++;
        }
      }
      if (arm === 'A2' && whole.some(alarm)) aaRunAlarms++;
      if (arm === 'C' && whole.some((r) => r.verdict === 'regressed')) injectedRunDetections++;
    };
    const open = new Set<Arm>(['A2', 'C']);
    for (let t = 0; t < maxPairs && open.size; t++) {
      const order: Arm[] = ['A', ...open];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(input.rnd() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const arm of order) {
        for (const m of await input.measure(arm, run, t + 1)) {
          const s = samples[arm].get(m.name) ?? { unit: m.unit, better: m.better, v: [] };
          s.v.push(m.value);
          samples[arm].set(m.name, s);
        }
      }
      // One round = one trial of each open arm, next to each other in time: the pairs of the paired statistic.
      for (const arm of order) for (const [name, s] of samples[arm]) if (s.v.length !== t + 1) unaligned.add(name);
      const pairs = t + 1;
      if (pairs < k) continue;
      if (open.has('A2')) {
        const results = pair('A2', pairs);
        // The minimum detectable effect is that of one look at the first verdict's pair count, at 95%.
        if (pairs === k) for (const r of pair('A2', pairs, true)) if (r.low !== undefined && r.high !== undefined) tallyOf(r).halfWidths.push((r.high - r.low) / 2);
        if (look('A2', results, pairs)) {
          count('A2', results, pairs);
          open.delete('A2');
        }
      }
      if (open.has('C')) {
        const results = pair('C', pairs);
        if (look('C', results, pairs)) {
          const a = samples.A.get(input.target)?.v.slice(0, pairs);
          const c = samples.C.get(input.target)?.v;
          if (a?.length && c?.length) realized.push(worseBy(input.better, 1, 1 + (a.length === c.length && !unaligned.has(input.target) ? pairedShift(a, c) : relativeShift(a, c)).change));
          count('C', results, pairs);
          open.delete('C');
        }
      }
    }
  }
  return { tally, aaPairs, injectedPairs, realized, aaRunAlarms, injectedRunDetections };
}

/**
 * Pairs per quota in the sizing step. With 3, one step's estimate spread from -8% to +36% (postgres)
 * and a step read as 22.7% realized 16.9% over 8 runs (redis). 5 should narrow the spread by about a
 * quarter (sqrt(3/5)); not measured side by side. postgres, redis and mysql runs still realized 25-26% after 17-20% sizing steps (mongodb 21% after 18%).
 */
const SIZING_PAIRS = 5;

/** Attempts after a failed trial before a calibration gives up. */
export const TRIAL_RETRIES = 2;

/**
 * One trial, measured again (up to TRIAL_RETRIES times, 2 s apart) when it throws: a calibration is an
 * hour of trials, and one dropped client connection (\`Connection is closed.\` from ioredis at run 20 of
 * 20, 46 minutes in) threw all of it away. Bad input and an abort are not retried.
 */
export async function retryTrial<T>(trial: () => Promise<T>, onRetry: (err: unknown, attempt: number) => void, signal?: AbortSignal, pauseMs = 2000): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await trial();
    } catch (err) {
      if (signal?.aborted || attempt >= TRIAL_RETRIES || (err instanceof DevstackError && err.code === 'BAD_INPUT')) throw err;
      onRetry(err, attempt + 1);
      await sleep(pauseMs, signal);
    }
  }
}

/**
 * `regress --calibrate`: how often the verdict cries wolf and how often it catches a real 20% slowdown.
 * Each run measures three arms in a seeded random order per round: A and A2 (the same profile: A vs A2
 * is an A/A run) and C (A with a CPU quota on every server process: A vs C is a detection run). Both
 * comparisons follow regress's sequential rule (first verdict at 6 pairs, more while undecided, up to
 * 12), so the rates are those of the verdict CI acts on, repeated looks included; sharing A saves a
 * third of the trials. The quota is first sized until the target metric drops about 20%, and the table
 * says how close it came.
 */
export async function calibrateAb<O extends RegressOptions>(spec: AbRegressSpec<O>, options: O, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const cal = spec.calibration;
  if (!cal) throw new DevstackError('UNSUPPORTED', `${spec.backend} has no calibration (no CPU-bound gating metric to inject a slowdown into).`);
  if (config.provider !== 'local') throw new DevstackError('UNSUPPORTED', `Calibration puts a cgroup CPU quota on the server's processes, which the ${config.provider} provider does not own.`, { fix: 'Calibrate on the embedded (local) stack.' });
  const runs = options.runs ?? 20;
  if (!Number.isInteger(runs) || runs < 1) throw new DevstackError('BAD_INPUT', `--runs must be a positive integer; got ${runs}.`);
  const k = Math.max(AB_DEFAULTS.startTrials, options.trials && options.trials > 3 ? options.trials : AB_DEFAULTS.startTrials);
  const threshold = validateThreshold(options.threshold ?? config.threshold);
  const overrides = { ...spec.thresholds, ...parseThresholds(options.thresholds) };
  const thresholdOf = (m: string) => overrides[m] ?? threshold;
  const load0 = os.loadavg()[0];
  const result = startResult(spec.backend, 'calibrate');
  if (load0 > os.cpus().length / 2) result.warnings!.push(`load average ${load0.toFixed(2)} on ${os.cpus().length} cores: a busy machine; these rates describe it, not a quiet one`);
  const retried: string[] = [];
  const measure = () =>
    retryTrial(
      async () => {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        const r = await spec.bench({ ...options, ...cal.trialOptions, trials: 1, config, progress: () => undefined }, signal);
        result.server ??= r.server;
        result.profile ??= r.profile;
        return r.metrics;
      },
      (err, attempt) => {
        retried.push((err as Error).message);
        progress(`${spec.backend} calibrate: a trial failed (${(err as Error).message}); measuring it again (${attempt}/${TRIAL_RETRIES})`);
      },
      signal,
    );
  const target = cal.gating[0];
  const pick = (ms: Metric[]) => {
    const m = ms.find((x) => x.name === target);
    if (!m) throw new DevstackError('CHECK_FAILED', `${spec.backend} calibration: the bench produced no ${target}.`);
    return m;
  };

  const quota = createCpuQuota(`devstack-${spec.backend}-${process.pid}`, await cal.serverPids(config));
  const maxPairs = Math.max(k, options.maxTrials ?? AB_DEFAULTS.maxTrials);
  let runsOut: CalibrationRunsOutcome | undefined;
  let cpus = Math.max(0.1, Math.min(1, os.cpus().length / 2));
  let movedBy: number | undefined;
  const steps: (string | number)[][] = [];
  let better: Metric['better'] = 'higher';
  try {
    // 1. Size the quota. Warm-up first: the first trials of a fresh process run cold (JIT, new
    // connections) and would make any quota look harmless. Each step then interleaves trials without
    // and with the quota (SIZING_PAIRS pairs of free, quota) and takes the paired Hodges-Lehmann
    // estimate of them, so drift during the sizing cancels as it does in the runs.
    progress(`${spec.backend} calibrate: warming up (${target}, 2 trials, not counted)`);
    for (let i = 0; i < 2; i++) better = pick(await measure()).better;
    // Throughput against a quota is not linear (below the server's own use it scales with the quota,
    // above it barely moves), so the search keeps the closest quota on either side of 20% and
    // interpolates between them.
    let best: { cpus: number; moved: number } | undefined;
    let under: { cpus: number; moved: number } | undefined; // moved < 20%: quota too generous
    let over: { cpus: number; moved: number } | undefined; // moved > 20%: quota too tight
    for (let step = 0; step < 6; step++) {
      progress(`${spec.backend} calibrate: ${target} with and without a quota of ${cpus.toFixed(2)} CPU`);
      const free: number[] = [];
      const limited: number[] = [];
      for (let i = 0; i < SIZING_PAIRS; i++) {
        free.push(pick(await measure()).value);
        quota.limit(cpus);
        try {
          limited.push(pick(await measure()).value);
        } finally {
          quota.limit(undefined);
        }
      }
      const moved = worseBy(better, 1, 1 + pairedShift(free, limited).change);
      steps.push([cpus.toFixed(2), Math.round(median(free) * 100) / 100, Math.round(median(limited) * 100) / 100, `${(moved * 100).toFixed(1)}%`]);
      if (!best || Math.abs(moved - 0.2) < Math.abs(best.moved - 0.2)) best = { cpus, moved };
      if (Math.abs(moved - 0.2) <= 0.03) break;
      if (moved < 0.2 && (!under || cpus < under.cpus)) under = { cpus, moved };
      if (moved > 0.2 && (!over || cpus > over.cpus)) over = { cpus, moved };
      cpus = nextQuota(cpus, moved, under, over);
    }
    cpus = best!.cpus;
    movedBy = best!.moved;

    // 2. N runs, each the regress procedure twice over a shared A (calibrationRuns).
    runsOut = await calibrationRuns({
      runs,
      startPairs: k,
      maxPairs,
      target,
      better,
      gating: cal.gating,
      rnd: seededRandom(20_14),
      judge: (map, final) => verdicts(map, thresholdOf, (m, unit) => spec.floors?.[m] ?? defaultFloor(unit), final ? AB_CONFIDENCE : AB_INTERIM_CONFIDENCE),
      measure: async (arm, run, pair) => {
        progress(`${spec.backend} calibrate: run ${run}/${runs}, pair ${pair}, ${arm === 'C' ? `injected (${cpus.toFixed(2)} CPU)` : arm}`);
        quota.limit(arm === 'C' ? cpus : undefined);
        try {
          return await measure();
        } finally {
          quota.limit(undefined);
        }
      },
    });
  } finally {
    quota.release();
  }

  if (retried.length) result.warnings!.push(`${retried.length} trial(s) failed and were measured again: ${[...new Set(retried)].join('; ')}`);
  const load1 = os.loadavg()[0];
  const { tally, aaPairs, injectedPairs, realized, aaRunAlarms, injectedRunDetections } = runsOut!;
  const perMetric = [...tally.entries()].map(([name, t]) => ({
    name,
    unit: t.unit,
    gating: cal.gating.includes(name),
    threshold: thresholdOf(name),
    falseAlarms: t.falseAlarms,
    detections: t.detections,
    aaInconclusive: t.aaInconclusive,
    injectedInconclusive: t.injectedInconclusive,
    mde: minimumDetectableEffect(t.halfWidths, thresholdOf(name)),
    floor: spec.floors?.[name] ?? defaultFloor(t.unit),
  }));
  const command = `npx nx run ${spec.backend}:regress --calibrate${options.quick ? ' --quick' : ''} --runs ${runs}`;
  const data: CalibrationData = {
    runs,
    trialsPerArm: k,
    sequential: { startTrials: k, maxTrials: maxPairs, aaPairs, injectedPairs },
    wholeRuns: { aaAlarms: aaRunAlarms, injectedDetections: injectedRunDetections },
    looks: { interim: AB_INTERIM_CONFIDENCE, final: AB_CONFIDENCE, perMetric: 'own' },
    threshold,
    injection: {
      kind: `${quota.kind} CPU quota`,
      cpus: Math.round(cpus * 100) / 100,
      target,
      movedBy,
      movedInRuns: realized.length ? Math.round(median(realized) * 1000) / 1000 : undefined,
      note: `${quota.kind} CPU quota of ${cpus.toFixed(2)} CPU (period ${quota.periodUs / 1000} ms) on ${quota.pids.length} server process(es) (and the children they fork); it moved ${target} by ${((movedBy ?? 0) * 100).toFixed(1)}% in the sizing step (target 20%)${realized.length ? ` and by a median ${(median(realized) * 100).toFixed(1)}% (Hodges-Lehmann, per run) in the ${realized.length} injected runs` : ''}.`,
    },
    command,
    loadAverage: [Math.round(load0 * 100) / 100, Math.round(load1 * 100) / 100],
    perMetric,
  };
  result.data = data as unknown as Record<string, unknown>;
  result.tables!.push({ title: `Sizing the injected slowdown (${quota.kind} CPU quota) on ${target}`, head: ['quota (CPU)', `${target} free`, `${target} under quota`, 'worse by'], rows: steps });
  result.tables!.push(calibrationTable(data));
  const maxAlarms = Math.floor(runs / 20);
  const minDetections = Math.ceil((runs * 19) / 20);
  for (const m of perMetric.filter((x) => x.gating)) {
    result.checks.push({ name: `${m.name}: false alarms in ${runs} A/A runs`, passed: m.falseAlarms <= maxAlarms, expected: `<= ${maxAlarms}`, observed: String(m.falseAlarms) });
  }
  const t = perMetric.find((x) => x.name === target);
  // Detections only speak for a ~20% slowdown if the runs saw one (the sizing step is a few trials).
  if (realized.length) {
    const r = median(realized);
    result.checks.push({ name: `${target}: the slowdown realized in the injected runs is about 20%`, passed: r >= 0.14 && r <= 0.3, expected: '14% to 30%', observed: `${(r * 100).toFixed(1)}% (median Hodges-Lehmann of ${realized.length} runs)` });
  }
  // What CI acts on: regress exits 1 when any metric regressed, whichever it is.
  result.checks.push({ name: `whole runs: A/A runs where regress would exit 1 or call an improvement`, passed: aaRunAlarms <= maxAlarms, expected: `<= ${maxAlarms}`, observed: `${aaRunAlarms}/${runs}` });
  result.checks.push({ name: `whole runs: injected runs where regress would exit 1`, passed: injectedRunDetections >= minDetections, expected: `>= ${minDetections}/${runs}`, observed: `${injectedRunDetections}/${runs}` });
  if (t) result.checks.push({ name: `${target}: detections of the injected slowdown`, passed: t.detections >= minDetections, expected: `>= ${minDetections}/${runs}`, observed: `${t.detections}/${runs} (slowdown ${((movedBy ?? 0) * 100).toFixed(1)}%)` });
  const finished = result.finish();
  writeResult(config.stateRoot, finished);
  finished.notes!.push(`regenerated ${writePowerDoc(config)}`);
  return finished;
}
