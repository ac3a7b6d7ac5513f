import * as os from 'node:os';
import { type LoadedConfig, type StackService, DevstackError, withLock, compareInterleaved, type BenchOptions, settingMatches, type ResolvedProfile, type Progress, writeResult, type TaskResult, type StartedResult, contextOf, startResult, type Task, applyProfile, type ApplyProfileOutcome, writeTuningDoc, type ProfileSetting, type CompareOutcome, validateThreshold } from '@devstack/core';
import { providerFor } from './providers';

export interface ProfileTuneOptions extends BenchOptions {
  profile?: string;
  /** Apply this config file instead of a named profile. */
  file?: string;
  dryRun?: boolean;
  /** Benchmark `compareWith` (default: `default`) against the profile with interleaved trials. */
  compare?: boolean;
  compareWith?: string;
}

/** One tune run, as the hooks see it. */
export interface ProfileTuneRun<O extends ProfileTuneOptions> {
  config: LoadedConfig;
  options: O;
  profile: ResolvedProfile;
  /** The tune result being built: hooks add their own tables, notes, warnings and data. */
  result: StartedResult;
  progress: Progress;
  signal?: AbortSignal;
}

/**
 * A backend's own steps inside the shared flow, all optional. `hooks(run)` is called once per tune
 * run, so a backend keeps what its steps collect (e.g. restart timings) in the closure.
 * Order: resolve profile -> beforeApply -> (dry run ends here) -> apply, where `activate` makes the
 * file live and rollback re-runs it -> afterApply -> --compare, each arm applied through `activate`.
 */
export interface ProfileTuneHooks {
  /**
   * Before anything changes (and before a dry run). Throw a DevstackError to refuse (e.g. a provider
   * that cannot do the backend's restart). Return 'handled' when the hook has written the result
   * itself and there is nothing to apply (e.g. a server the profile does not apply to, such as FerretDB
   * for a mongod.conf): the task then returns that result as it is.
   */
  beforeApply?(): Promise<'handled' | void> | 'handled' | void;
  /**
   * Make the config file the provider just wrote active, instead of `provider.restart(service)`
   * (Redis: a rolling restart of every node). Called for the apply, for a rollback, and for every
   * --compare arm (`phase` tells which, so a hook can report only the tune's own steps).
   */
  activate?(phase: 'tune' | 'compare'): Promise<void>;
  /** After the apply or its rollback: add the hook's own tables, notes and data to the result. */
  afterApply?(outcome: ApplyProfileOutcome): void;
  /** After --compare wrote its own result: e.g. also keep the compared metrics in the tune result. */
  afterCompare?(compared: CompareOutcome): void;
}

/** What one backend contributes to the shared tune task: its profiles, its read-back and its bench. */
export interface ProfileTuneSpec<O extends ProfileTuneOptions> {
  backend: string;
  service: StackService;
  /** Human server name for notes ("PostgreSQL"). */
  serverName: string;
  /** `options` carries backend flags that change the profile (Redis: --set name=value). */
  resolveProfile(config: LoadedConfig, name: string | undefined, file?: string, options?: O): ResolvedProfile;
  readBack(config: LoadedConfig, names: string[]): Promise<Record<string, string>>;
  /** Does the effective value satisfy the requested one? Default: core's settingMatches (sizes in bytes, on/off). */
  matches?(setting: ProfileSetting, effective: string | undefined): boolean;
  /** The backend's own steps (see ProfileTuneHooks). */
  hooks?(run: ProfileTuneRun<O>): ProfileTuneHooks;
  /** Compare only these bench metrics (the figures a profile can move); default: every metric. */
  compareMetrics?: readonly string[];
  serverVersion(config: LoadedConfig): Promise<{ name: string; version: string }>;
  /** The server's own words on why it refused to start, from its log (local provider). */
  refusalFromLog?(config: LoadedConfig): { file: string; lines: string } | undefined;
  bench: Task<O>;
  /** Bench size options echoed into the reproducible command of a comparison. */
  sizeOptions: readonly (keyof O & string)[];
}

/** A SQL server's side of a tune spec: a session from the config, and reads through it. */
export interface SessionTuneParts<O extends ProfileTuneOptions, S> extends Pick<ProfileTuneSpec<O>, 'refusalFromLog' | 'bench' | 'sizeOptions'> {
  /** Called with the profile name and file only (a ProfileCatalog's fourth argument is the machine, not the options). */
  resolveProfile(config: LoadedConfig, name: string | undefined, file?: string): ResolvedProfile;
  session(config: LoadedConfig): Promise<S>;
  readBack(session: S, names: string[]): Promise<Record<string, string>>;
  serverVersion(session: S): Promise<{ name: string; version: string }>;
}

/**
 * The tune spec and task of a backend reached through a session (PostgreSQL, MariaDB): read-back and the
 * server version each open a fresh session, since the server was just restarted.
 */
export function sessionProfileTune<O extends ProfileTuneOptions, S>(service: StackService, serverName: string, parts: SessionTuneParts<O, S>): { tuneSpec: ProfileTuneSpec<O>; tune: Task<O> } {
  const { session, readBack, serverVersion, resolveProfile, ...rest } = parts;
  const tuneSpec: ProfileTuneSpec<O> = {
    backend: service,
    service,
    serverName,
    ...rest,
    resolveProfile: (config, name, file) => resolveProfile(config, name, file),
    readBack: async (config, names) => readBack(await session(config), names),
    serverVersion: async (config) => serverVersion(await session(config)),
  };
  return { tuneSpec, tune: profileTuneTask<O>(tuneSpec) };
}

/**
 * The tune task shared by every backend whose profiles are config files applied by restart:
 * apply with backup, restart, read-back and automatic rollback; --dry-run; --compare with
 * interleaved trials, written to a compare result and .devstack/report/TUNING_RESULTS.md.
 */
/** Apply a profile through the spec's read-back (backup, restart, read back, roll back on failure); `restart` replaces provider.restart (hooks' activate). */
export function applyTuneProfile<O extends ProfileTuneOptions>(spec: ProfileTuneSpec<O>, config: LoadedConfig, profile: ResolvedProfile, progress: Progress, dryRun = false, restart?: () => Promise<void>): Promise<ApplyProfileOutcome> {
  return applyProfile({
    provider: providerFor(config),
    service: spec.service,
    file: profile.file,
    settings: profile.settings,
    // Fresh credentials each time: the server was just restarted.
    readBack: () => spec.readBack(config, profile.settings.map((s) => s.name)),
    matches: spec.matches ?? ((s, effective) => settingMatches(s.value, effective)),
    restart,
    dryRun,
    progress,
  });
}

/** Make a profile active for a measurement; a rolled-back arm would measure the wrong thing, so it throws. */
export async function activateTuneProfile<O extends ProfileTuneOptions>(spec: ProfileTuneSpec<O>, config: LoadedConfig, profile: ResolvedProfile, progress: Progress, restart?: () => Promise<void>): Promise<void> {
  const outcome = await applyTuneProfile(spec, config, profile, progress, false, restart);
  if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `profile ${profile.name} did not apply: ${outcome.reason}`);
}

export function profileTuneTask<O extends ProfileTuneOptions>(spec: ProfileTuneSpec<O>): Task<O> {
  const apply = (config: LoadedConfig, profile: ResolvedProfile, progress: Progress, dryRun = false, restart?: () => Promise<void>) => applyTuneProfile(spec, config, profile, progress, dryRun, restart);
  const activate = (config: LoadedConfig, profile: ResolvedProfile, progress: Progress, restart?: () => Promise<void>) => activateTuneProfile(spec, config, profile, progress, restart);

  const command = (o: O, profile: string, trials: number): string => {
    const flag = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const sizes = spec.sizeOptions
      .filter((k) => o[k] !== undefined)
      .map((k) => `--${flag(k)} ${Array.isArray(o[k]) ? (o[k] as string[]).join(',') : o[k]}`);
    return [`npx nx run ${spec.backend}:tune`, `--profile ${profile}`, '--compare', o.compareWith ? `--compare-with ${o.compareWith}` : '', o.quick ? '--quick' : '', ...sizes, `--trials ${trials}`]
      .filter(Boolean)
      .join(' ');
  };

  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    // Held here too (re-entrant), so direct callers of the task are serialized like the CLI.
    return withLock(config.stateRoot, 'live', `${spec.backend} tune`, async () => {
      const profile = spec.resolveProfile(config, options.profile, options.file, options);
      const result = startResult(spec.backend, 'tune', { profile: profile.name });
      const hooks = spec.hooks?.({ config, options, profile, result, progress, signal }) ?? {};
      const restartFor = (phase: 'tune' | 'compare') => (hooks.activate ? () => hooks.activate!(phase) : undefined);
      if (profile.formula) result.tables.push(profile.formula);
      for (const s of profile.settings) if (s.durability) result.warnings.push(`${s.name} = ${s.value}: ${s.durability}`);
      if ((await hooks.beforeApply?.()) === 'handled') return result.finish();
      const outcome = await apply(config, profile, progress, options.dryRun, restartFor('tune'));
      result.data = { state: outcome.state, backup: outcome.backup, reason: outcome.reason, diff: outcome.diff, file: profile.file };
      if (outcome.state === 'dry-run') {
        result.tables.push(outcome.table, {
          title: `Profile ${profile.name}: settings`,
          head: ['setting', 'value', 'reason', 'durability warning'],
          rows: profile.settings.map((s) => [s.name, s.value, s.reason, s.durability ?? '']),
        });
        result.notes.push('dry run: nothing was changed');
        return result.finish();
      }
      result.tables.push(outcome.table);
      result.checks.push(...outcome.checks);
      hooks.afterApply?.(outcome);
      if (profile.settings.length === 0) result.notes.push(`profile ${profile.name} sets nothing: ${spec.serverName}'s built-in defaults apply`);
      if (outcome.state === 'rolled-back') {
        result.warnings.push(`rolled back to ${outcome.backup}: ${outcome.reason}`);
        const log = outcome.reason?.startsWith('the server refused') && config.provider === 'local' ? spec.refusalFromLog?.(config) : undefined;
        if (log) result.notes.push(`why, from the server log (${log.file}):\n${log.lines}`);
        return result.finish();
      }
      result.server = await spec.serverVersion(config);
      if (options.compare) {
        const trials = options.trials ?? config.trials;
        const before = spec.resolveProfile(config, options.compareWith ?? 'default');
        const compareResult = startResult(spec.backend, 'compare', { profile: profile.name, server: result.server });
        const cmp = await compareInterleaved({
          trials,
          before: { label: before.name, activate: () => activate(config, before, progress, restartFor('compare')) },
          after: { label: profile.name, activate: () => activate(config, profile, progress, restartFor('compare')) },
          measure: async () => (await spec.bench({ ...options, trials: 1, config, progress }, signal)).metrics.filter((m) => !spec.compareMetrics || spec.compareMetrics.includes(m.name)),
          progress,
          signal,
          threshold: validateThreshold(config.threshold),
          // The profile was applied just above: its arm goes first without another restart.
          active: 'after',
        });
        Object.assign(compareResult, { metrics: [...cmp.before, ...cmp.after], tables: [cmp.table] });
        compareResult.data = { before: before.name, after: profile.name, trials, command: command(options, profile.name, trials) };
        compareResult.notes.push(
          `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores when the comparison ended: other processes share this machine, so read the spread (MAD) before the change`,
        );
        const file = writeResult(config.stateRoot, compareResult.finish());
        const doc = writeTuningDoc(config);
        result.tables.push(cmp.table);
        result.notes.push(`comparison: ${file}`, `regenerated ${doc}`);
        hooks.afterCompare?.(cmp);
      }
      return result.finish() as TaskResult;
    });
  };
}
