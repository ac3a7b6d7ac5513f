import type { BenchSizes } from './bench-sizes';
import type { CliTaskSpec, FlagSpec } from './runner';
import type { TaskResult } from './results';
import { BASELINE_FLAGS, REGRESS_FLAGS } from './perf';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTask = (options: any, signal?: AbortSignal) => Promise<TaskResult>;

export const KEEP_FLAG: FlagSpec = { name: 'keep', type: 'boolean', description: 'keep the devstack_bench database afterwards' };

const PROBE_WORDS = { probeConcurrency: 'driver probe connections', probeDuration: 'driver probe seconds' };

/**
 * One number flag per bench size, its help ending in the quick and full values taken from the sizes
 * themselves (so help never drifts from BENCH_SIZES). The driver probe's sizes have their words here.
 */
export function sizeFlags<T extends Record<string, number>>(sizes: BenchSizes<T>, words: Partial<Record<keyof T & string, string>>): FlagSpec[] {
  const all: Record<string, string | undefined> = { ...words, ...PROBE_WORDS };
  return Object.keys(sizes.quick)
    .filter((k) => all[k])
    .map((k) => ({ name: k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), type: 'number', description: `${all[k]} (quick ${sizes.quick[k]}, full ${sizes.full[k]})` }));
}

/** Every regress's flags (A/B, thresholds, calibration: core's REGRESS_FLAGS), the thresholds example named after one of the backend's metrics. */
export function regressFlags(example: string): FlagSpec[] {
  return REGRESS_FLAGS.map((f) => (f.name === 'thresholds' ? { ...f, description: `per-metric thresholds in (0, 1], name=fraction (e.g. ${example}=0.3)` } : f));
}

/** `--profile` and `--file` help of tune; `defaultProfile: false` where no --profile means the configured profile (Redis). */
export interface TuneHints {
  profile: string;
  file: string;
  defaultProfile?: false;
  /** The words of --compare, where a backend's comparison differs (Redis: each arm a rolling restart). */
  compare?: string;
}

/** The same tune flags wherever tune exists: `--profile`, `--file`, `--dry-run`, `--compare`, `--compare-with`. */
export function tuneFlags(hints: TuneHints, extra: FlagSpec[] = []): FlagSpec[] {
  return [
    { name: 'profile', type: 'string', description: hints.profile, ...(hints.defaultProfile === false ? {} : { default: 'default' }) },
    { name: 'file', type: 'string', description: hints.file },
    ...extra,
    { name: 'dry-run', type: 'boolean', description: 'show the diff and the settings; change nothing' },
    { name: 'compare', type: 'boolean', description: `${hints.compare ?? 'interleaved before/after benchmark'}, written to .devstack/report/TUNING_RESULTS.md` },
    { name: 'compare-with', type: 'string', description: 'the "before" profile of --compare (default: default)' },
  ];
}

/** The bench flags of a SQL backend (dbBenchTask): --quick, --keep, one flag per bench size, --workloads. */
export function dbBenchFlags<T extends Record<string, number>>(sizes: BenchSizes<T>, words: { quick: string; workloads: string; sizes: Partial<Record<keyof T & string, string>> }): FlagSpec[] {
  return [{ name: 'quick', type: 'boolean', description: words.quick }, KEEP_FLAG, ...sizeFlags(sizes, words.sizes), { name: 'workloads', type: 'list', description: words.workloads }];
}

export interface BackendCommands {
  backend: string;
  bench: AnyTask;
  baseline: AnyTask;
  regress: AnyTask;
  /** Backends that apply profiles. */
  tune?: AnyTask;
  benchDescription: string;
  benchFlags: FlagSpec[];
  /** A metric name for the `--thresholds` example. */
  thresholdsExample: string;
  /** `--profile` and `--file` help of tune. */
  tuneHints?: TuneHints;
  /** What tune does, where it is not the shared file-profile tune's words (FerretDB's backend, Redis' rolling restart). */
  tuneDescription?: string;
  /** Tune flags of this backend only, after --file (Redis: --set). */
  tuneExtraFlags?: FlagSpec[];
  /** The bench flags tune takes for --compare, where not `benchFlags`. */
  tuneBenchFlags?: FlagSpec[];
  /** What regress says in parentheses after the working tree; default: the 95% interval per metric. */
  regressNote?: string;
}

/** The standard commands of a backend's CLI (bench, tune, baseline, regress) with the same flags and words everywhere. */
export function backendCommands(c: BackendCommands): Record<string, CliTaskSpec> {
  const tasks: Record<string, CliTaskSpec> = { bench: { description: c.benchDescription, flags: c.benchFlags, live: true, run: c.bench } };
  if (c.tune && c.tuneHints) {
    tasks.tune = {
      description: c.tuneDescription ?? 'apply a profile (backup, restart, read-back, automatic rollback); --compare benchmarks before vs after',
      flags: [...tuneFlags(c.tuneHints, c.tuneExtraFlags), ...(c.tuneBenchFlags ?? c.benchFlags)],
      live: true,
      run: c.tune,
    };
  }
  tasks.baseline = { description: `run the bench and record baselines/${c.backend}.json (refuses on a busy machine unless --force)`, flags: [...c.benchFlags, ...BASELINE_FLAGS], live: true, run: c.baseline };
  tasks.regress = {
    description: `same-run A/B of configs/${c.backend} at --base <ref> vs the working tree (${c.regressNote ?? '95% interval per metric'}); without a ref, baselines/${c.backend}.json; --calibrate`,
    flags: [...c.benchFlags, ...regressFlags(c.thresholdsExample)],
    live: true,
    run: c.regress,
  };
  return tasks;
}
