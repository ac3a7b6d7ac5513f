import {
  AB_METHOD,
  AB_SEQUENTIAL,
  abSummary,
  abTable,
  baselineTask,
  contextOf,
  regressTask,
  withLock,
  parseThresholds,
  startResult,
  validateThreshold,
  type LoadedConfig,
  type Progress,
  type RegressOptions,
  type StackService,
  type Task,
  type TaskResult,
} from '@devstack/core';
import { abArms } from './ab-arms';
import { AB_DEFAULTS } from './ab-defaults';
import { calibrateAb } from './ab-calibrate';
import { localServicePids } from './cpu-quota';
import { sequentialAb } from './ab-sequential';
import { providerFor } from './providers';
import { activateTuneProfile, type ProfileTuneOptions, type ProfileTuneSpec } from './profile-tune';

/** What a backend gives the A/B regress: how to make a config file active, its bench, its stored-baseline regress. */
export interface AbRegressSpec<O extends RegressOptions> {
  backend: string;
  service: StackService;
  /** Profile files are configs/<backend>/<name>.<ext>. */
  ext: string;
  /** Make `file` the active config: apply, restart, read back; throw when it rolled back. */
  apply(config: LoadedConfig, file: string, progress: Progress): Promise<void>;
  bench: Task<O>;
  /** The stored-baseline regress, used when no base ref is given. */
  stored: Task<O>;
  /** Bench options of an A/B trial where the user gave none (a trial runs 10+ times per regress). */
  trialOptions?: Partial<O>;
  /** Resolution floors per metric, overriding the unit default (latency: 0.2 ms). */
  floors?: Record<string, number>;
  /**
   * Default per-metric thresholds (fractions) under `--thresholds`: the calibrated gating metrics gate at
   * 10%, since a slowdown exactly the size of the threshold is called only about half the time.
   */
  thresholds?: Record<string, number>;
  /** Why a config change cannot change what this server does (FerretDB ignores mongod.conf), if so. */
  configNotApplicable?(config: LoadedConfig): Promise<string | undefined>;
  /** Calibration: the bench options of one calibration trial, the gating metrics and the server's processes. */
  calibration?: AbCalibrationSpec<O>;
}

export interface AbCalibrationSpec<O> {
  /** Bench options of one calibration trial (small and quick: N runs must fit in minutes). */
  trialOptions: Partial<O>;
  /** Metrics whose regressions count as alarms / detections; the first is the injection's target. */
  gating: string[];
  /** Process ids of the server (all of them: a CPU quota goes on each). */
  serverPids(config: LoadedConfig): Promise<number[]>;
}

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const fmt = (f: number) => `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;


/** Where the base ref comes from: --base, else NX_BASE (what `nx affected` reads too). */
export function baseRef(options: Pick<RegressOptions, 'base'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return options.base || env.NX_BASE || undefined;
}

/**
 * `nx run <backend>:regress --base <ref>`: the active profile's config at <ref> ("before") against the
 * working tree's ("after"), applied in turn to the same server, interleaved trial pairs, one verdict per
 * metric with a 95% interval. Always ends on the working tree's config. Without a base ref: the stored
 * baseline (SLOs and same-machine checks).
 */
export function abRegressTask<O extends RegressOptions>(spec: AbRegressSpec<O>): Task<O> {
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    if (options.calibrate) {
      return calibrateAb(spec, options, signal);
    }
    const base = baseRef(options);
    if (!base) {
      const stored = await spec.stored(options, signal);
      stored.notes = [...(stored.notes ?? []), `stored-baseline mode; for a same-run A/B verdict: npx nx run ${spec.backend}:regress --base <git-ref> (CI: NX_BASE=<merge base> npx nx affected -t regress)`];
      return stored;
    }
    const threshold = validateThreshold(options.threshold ?? config.threshold);
    const perMetric = { ...spec.thresholds, ...parseThresholds(options.thresholds) };
    const startTrials = Math.max(AB_DEFAULTS.startTrials, options.trials ?? 0);
    const maxTrials = Math.max(startTrials, options.maxTrials ?? AB_DEFAULTS.maxTrials);
    const maxSeconds = options.maxSeconds ?? AB_DEFAULTS.maxSeconds;
    if (!(maxSeconds > 0)) throw new TypeError('--max-seconds must be positive');

    // Held here too (re-entrant), so direct callers are serialized with other live tasks like the CLI.
    return withLock(config.stateRoot, 'live', `${spec.backend} regress --base ${base}`, () => abRun(spec, options, config, progress, base, { threshold, perMetric, startTrials, maxTrials, maxSeconds }, signal));
  };
}

interface AbLimits {
  threshold: number;
  perMetric: Record<string, number>;
  startTrials: number;
  maxTrials: number;
  maxSeconds: number;
}

async function abRun<O extends RegressOptions>(spec: AbRegressSpec<O>, options: O, config: LoadedConfig, progress: Progress, base: string, limits: AbLimits, signal?: AbortSignal): Promise<TaskResult> {
  const { threshold, perMetric, startTrials, maxTrials, maxSeconds } = limits;
  const arms = await abArms(config, spec.backend, spec.ext, providerFor(config).activeConfig(spec.service), base);
  const short = arms.sha.slice(0, 10);
  const result = startResult(spec.backend, 'regress', { profile: arms.profile });
  const labels: [string, string] = [`${arms.profile}@${short}`, `${arms.profile} (working tree)`];
  const data: Record<string, unknown> = { mode: 'ab', base, baseSha: arms.sha, profile: arms.profile, method: `${AB_METHOD}; ${AB_SEQUENTIAL}`, threshold, diff: arms.diff, codeChanges: arms.codeChanges, otherConfigChanges: arms.otherConfigChanges };
  result.data = data;
  result.notes!.push(`A/B against ${base} (${short}): profile "${arms.profile}", before = configs/${spec.backend}/${arms.profile}.${spec.ext} at ${short}, after = the working tree's`);
  if (arms.codeChanges.length) {
    result.warnings!.push(
      `the measurement code differs between the arms: packages/${spec.backend}/src changed since ${short} (${arms.codeChanges.join(', ')}); both arms are measured with the working tree's code, so only the config change is judged`,
    );
  }
  if (arms.otherConfigChanges.length) result.notes!.push(`changed but not active, so not measured: ${arms.otherConfigChanges.join(', ')}`);

  const notApplicable = arms.identical ? undefined : await spec.configNotApplicable?.(config);
  if (arms.identical || notApplicable) {
    const why = arms.identical ? `configs/${spec.backend}/${arms.profile}.${spec.ext} has the same settings at ${short} and in the working tree (comments ignored)` : notApplicable!;
    data.verdict = 'identical';
    result.tables!.push({ title: `Regress A/B: ${labels[0]} vs ${labels[1]}`, head: ['verdict', 'why'], rows: [['identical', why]] });
    result.checks.push({ name: 'A/B: the arms differ', passed: true, skipped: true, detail: `identical: ${why}; nothing to measure` });
    return result.finish();
  }
  result.tables!.push({ title: `Config change (${labels[0]} -> working tree)`, head: ['change'], rows: arms.diff.map((d) => [d]) });

  const state: { active?: 'before' | 'after' } = {};
  let outcome: Awaited<ReturnType<typeof sequentialAb>> | undefined;
  try {
    outcome = await sequentialAb({
      before: { label: labels[0], activate: () => spec.apply(config, arms.beforeFile, progress) },
      after: { label: labels[1], activate: () => spec.apply(config, arms.afterFile, progress) },
      measure: async () => (await spec.bench({ ...spec.trialOptions, ...defined(options), trials: 1, config, progress } as O, signal)).metrics,
      startTrials,
      maxTrials,
      maxSeconds,
      threshold: (m) => perMetric[m] ?? threshold,
      floor: (m) => spec.floors?.[m],
      progress,
      signal,
      state,
    });
  } finally {
    // The stack ends on the working tree's config, whatever happened.
    if (state.active !== 'after') {
      progress(`${spec.backend}: restoring the working tree's ${arms.profile} profile`);
      await spec.apply(config, arms.afterFile, progress);
    }
  }
  const summary = abSummary(outcome.results);
  Object.assign(data, { verdict: summary.verdict, results: outcome.results, trialsPerArm: outcome.trialsPerArm, seconds: outcome.seconds, stoppedBy: outcome.stoppedBy, regressed: summary.regressed });
  result.metrics = outcome.after;
  result.tables!.push(
    abTable(`Regress A/B: ${labels[0]} vs ${labels[1]}, ${outcome.trialsPerArm} interleaved trial pairs (ABBA), ${outcome.seconds} s; ${AB_METHOD}; ${AB_SEQUENTIAL}`, outcome.results, labels),
  );
  for (const r of outcome.results) {
    const open = r.verdict === 'inconclusive';
    result.checks.push({
      name: `${r.name}: ${r.verdict}`,
      passed: r.verdict !== 'regressed' && !(open && options.strict),
      skipped: r.verdict === 'below-floor',
      expected: `not worse than ${(r.threshold * 100).toFixed(0)}%`,
      observed: r.low !== undefined ? `${fmt(r.change)} [${fmt(r.low)}, ${fmt(r.high!)}], n ${r.n.join('+')}` : `${fmt(r.change)}, n ${r.n.join('+')}`,
      detail: r.reason,
    });
  }
  for (const m of outcome.after) {
    if (m.slo === undefined) continue;
    const ok = m.better === 'lower' ? m.value <= m.slo : m.value >= m.slo;
    result.checks.push({ name: `${m.name} SLO`, passed: ok, expected: `${m.better === 'lower' ? '<=' : '>='} ${m.slo} ${m.unit}`, observed: `${m.value} ${m.unit}` });
  }
  if (summary.regressed.length) result.notes!.push(`regressed: ${summary.regressed.join(', ')}`);
  if (summary.inconclusive.length) {
    result.warnings!.push(
      outcome.stoppedBy === 'decided'
        ? `still open when the regression ended the run after ${outcome.trialsPerArm} trial pairs: ${summary.inconclusive.join(', ')}`
        : `inconclusive after ${outcome.trialsPerArm} trial pairs (${outcome.stoppedBy === 'max-seconds' ? `--max-seconds ${maxSeconds}` : `--max-trials ${maxTrials}`}): ${summary.inconclusive.join(', ')}${options.strict ? ' (--strict: fails)' : '; exit 0 (--strict makes it fail)'}`,
    );
  }
  return result.finish() as TaskResult;
}

/** The A/B spec of a backend on the shared profile tune task: arms are applied by the tune task's apply. */
export function tuneAbSpec<O extends RegressOptions & ProfileTuneOptions>(
  tune: ProfileTuneSpec<O>,
  extra: Pick<AbRegressSpec<O>, 'ext' | 'stored' | 'floors' | 'thresholds' | 'calibration' | 'configNotApplicable' | 'trialOptions'>,
): AbRegressSpec<O> {
  return {
    backend: tune.backend,
    service: tune.service,
    apply: (config, file, progress) => activateTuneProfile(tune, config, tune.resolveProfile(config, undefined, file), progress),
    bench: tune.bench,
    ...extra,
  };
}

/**
 * `baseline` and `regress` of a backend whose profiles are config files applied by the shared tune task:
 * baseline records its bench; regress is the same-run A/B of configs/<backend> at --base against the
 * working tree (the stored baseline without a ref). Calibration throttles every process of its local service.
 */
export function profileRegressTasks<O extends RegressOptions & ProfileTuneOptions>(
  tune: ProfileTuneSpec<O>,
  extra: Pick<AbRegressSpec<O>, 'ext' | 'floors' | 'thresholds' | 'configNotApplicable' | 'trialOptions'> & { calibration: Pick<AbCalibrationSpec<O>, 'trialOptions' | 'gating'> },
): { baseline: Task<O>; regress: Task<O> } {
  const serverPids = async (config: LoadedConfig) => localServicePids(config, tune.service);
  return {
    baseline: baselineTask(tune.backend, tune.bench),
    regress: abRegressTask<O>(tuneAbSpec(tune, { ...extra, stored: regressTask(tune.backend, tune.bench), calibration: { ...extra.calibration, serverPids } })),
  };
}
