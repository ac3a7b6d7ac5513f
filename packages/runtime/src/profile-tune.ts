import * as os from 'node:os';
import { type LoadedConfig, type StackService, DevstackError, withLock, compareInterleaved, type BenchOptions, settingMatches, type ResolvedProfile, type Progress, writeResult, type TaskResult, contextOf, startResult, type Task, applyProfile, type ApplyProfileOutcome, writeTuningDoc } from '@devstack/core';
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

/** What one backend contributes to the shared tune task: its profiles, its read-back and its bench. */
export interface ProfileTuneSpec<O extends ProfileTuneOptions> {
  backend: string;
  service: StackService;
  /** Human server name for notes ("PostgreSQL"). */
  serverName: string;
  resolveProfile(config: LoadedConfig, name: string | undefined, file?: string): ResolvedProfile;
  readBack(config: LoadedConfig, names: string[]): Promise<Record<string, string>>;
  serverVersion(config: LoadedConfig): Promise<{ name: string; version: string }>;
  /** The server's own words on why it refused to start, from its log (local provider). */
  refusalFromLog?(config: LoadedConfig): { file: string; lines: string } | undefined;
  bench: Task<O>;
  /** Bench size options echoed into the reproducible command of a comparison. */
  sizeOptions: readonly (keyof O & string)[];
}

/**
 * The tune task shared by every backend whose profiles are config files applied by restart:
 * apply with backup, restart, read-back and automatic rollback; --dry-run; --compare with
 * interleaved trials, written to a compare result and .devstack/report/TUNING_RESULTS.md.
 */
export function profileTuneTask<O extends ProfileTuneOptions>(spec: ProfileTuneSpec<O>): Task<O> {
  const apply = (config: LoadedConfig, profile: ResolvedProfile, progress: Progress, dryRun = false): Promise<ApplyProfileOutcome> =>
    applyProfile({
      provider: providerFor(config),
      service: spec.service,
      file: profile.file,
      settings: profile.settings,
      // Fresh credentials each time: the server was just restarted.
      readBack: () => spec.readBack(config, profile.settings.map((s) => s.name)),
      matches: (s, effective) => settingMatches(s.value, effective),
      dryRun,
      progress,
    });

  // A comparison arm that was rolled back would measure the wrong thing: fail loudly instead.
  const activate = async (config: LoadedConfig, profile: ResolvedProfile, progress: Progress) => {
    const outcome = await apply(config, profile, progress);
    if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `profile ${profile.name} did not apply: ${outcome.reason}`);
  };

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
      const profile = spec.resolveProfile(config, options.profile, options.file);
      const result = startResult(spec.backend, 'tune', { profile: profile.name });
      if (profile.formula) result.tables!.push(profile.formula);
      for (const s of profile.settings) if (s.durability) result.warnings!.push(`${s.name} = ${s.value}: ${s.durability}`);
      const outcome = await apply(config, profile, progress, options.dryRun);
      result.data = { state: outcome.state, backup: outcome.backup, reason: outcome.reason, diff: outcome.diff, file: profile.file };
      if (outcome.state === 'dry-run') {
        result.tables!.push(outcome.table, {
          title: `Profile ${profile.name}: settings`,
          head: ['setting', 'value', 'reason', 'durability warning'],
          rows: profile.settings.map((s) => [s.name, s.value, s.reason, s.durability ?? '']),
        });
        result.notes!.push('dry run: nothing was changed');
        return result.finish();
      }
      result.tables!.push(outcome.table);
      result.checks.push(...outcome.checks);
      if (profile.settings.length === 0) result.notes!.push(`profile ${profile.name} sets nothing: ${spec.serverName}'s built-in defaults apply`);
      if (outcome.state === 'rolled-back') {
        result.warnings!.push(`rolled back to ${outcome.backup}: ${outcome.reason}`);
        const log = outcome.reason?.startsWith('the server refused') && config.provider === 'local' ? spec.refusalFromLog?.(config) : undefined;
        if (log) result.notes!.push(`why, from the server log (${log.file}):\n${log.lines}`);
        return result.finish();
      }
      result.server = await spec.serverVersion(config);
      if (options.compare) {
        const trials = options.trials ?? config.trials;
        const before = spec.resolveProfile(config, options.compareWith ?? 'default');
        const compareResult = startResult(spec.backend, 'compare', { profile: profile.name, server: result.server });
        const cmp = await compareInterleaved({
          trials,
          before: { label: before.name, activate: () => activate(config, before, progress) },
          after: { label: profile.name, activate: () => activate(config, profile, progress) },
          measure: async () => (await spec.bench({ ...options, trials: 1, config, progress }, signal)).metrics,
          progress,
          signal,
        });
        Object.assign(compareResult, { metrics: [...cmp.before, ...cmp.after], tables: [cmp.table] });
        compareResult.data = { before: before.name, after: profile.name, trials, command: command(options, profile.name, trials) };
        compareResult.notes!.push(
          `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores when the comparison ended: other processes share this machine, so read the spread (MAD) before the change`,
        );
        const file = writeResult(config.stateRoot, compareResult.finish());
        const doc = writeTuningDoc(config);
        result.tables!.push(cmp.table);
        result.notes!.push(`comparison: ${file}`, `regenerated ${doc}`);
      }
      return result.finish() as TaskResult;
    });
  };
}
