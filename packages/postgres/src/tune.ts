import * as os from 'node:os';
import {
  applyProfile,
  compareInterleaved,
  contextOf,
  DevstackError,
  providerFor,
  settingMatches,
  startResult,
  StackLayout,
  tailFile,
  withLock,
  writeResult,
  writeTuningDoc,
  type ApplyProfileOutcome,
  type LoadedConfig,
  type Progress,
  type Task,
  type TaskResult,
} from '@devstack/core';
import { bench, type PostgresBenchOptions } from './bench';
import { pgSession, serverVersion } from './connection';
import { resolveProfile, type ResolvedProfile } from './profiles';
import { readSettings } from './read-back';

export interface PostgresTuneOptions extends PostgresBenchOptions {
  /** default | dev | auto, or any configs/postgres/<name>.conf. */
  profile?: string;
  /** Apply this config file instead of a named profile. */
  file?: string;
  dryRun?: boolean;
  /** Benchmark `compareWith` against the profile, interleaved trials, and write docs/TUNING_RESULTS.md. */
  compare?: boolean;
  compareWith?: string;
}

async function apply(config: LoadedConfig, profile: ResolvedProfile, progress: Progress, dryRun = false): Promise<ApplyProfileOutcome> {
  return applyProfile({
    provider: providerFor(config),
    service: 'postgres',
    file: profile.file,
    settings: profile.settings,
    // Fresh credentials each time: the server was just restarted.
    readBack: async () => readSettings(await pgSession(config), profile.settings.map((s) => s.name)),
    matches: (s, effective) => settingMatches(s.value, effective),
    dryRun,
    progress,
  });
}

/**
 * The server's own words on why it refused to start (local provider: .devstack/logs/postgres.log):
 * every line of the process that logged the last FATAL.
 */
function serverLogTail(config: LoadedConfig): { file: string; lines: string } | undefined {
  if (config.provider !== 'local') return undefined;
  const file = new StackLayout(config).log('postgres');
  const lines = tailFile(file, 80).split('\n');
  const fatal = lines.filter((l) => /FATAL:/.test(l) && !/database system is (starting up|shutting down)/.test(l)).pop();
  const pid = fatal ? /\[(\d+)\]/.exec(fatal)?.[1] : undefined;
  const picked = pid ? lines.filter((l) => l.includes(`[${pid}]`)).slice(-5) : [];
  return picked.length ? { file, lines: picked.join('\n') } : undefined;
}

/** Make a profile active or fail loudly: a comparison arm that was rolled back would measure the wrong thing. */
async function activate(config: LoadedConfig, profile: ResolvedProfile, progress: Progress): Promise<void> {
  const outcome = await apply(config, profile, progress);
  if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `profile ${profile.name} did not apply: ${outcome.reason}`);
}

/** The command that reproduces a comparison, with every size flag that was given. */
function tuneCommand(o: PostgresTuneOptions, profile: string, trials: number): string {
  const flag = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const sizes = (['scale', 'clients', 'threads', 'duration', 'workloads', 'probeConcurrency', 'probeDuration'] as const)
    .filter((k) => o[k] !== undefined)
    .map((k) => `--${flag(k)} ${Array.isArray(o[k]) ? (o[k] as string[]).join(',') : o[k]}`);
  const parts = ['npx nx run postgres:tune', `--profile ${profile}`, '--compare', o.compareWith ? `--compare-with ${o.compareWith}` : '', o.quick ? '--quick' : '', ...sizes, `--trials ${trials}`];
  return parts.filter(Boolean).join(' ');
}

/** `nx run postgres:tune --profile <name>`: apply with backup, restart, read-back and automatic rollback. */
export const tune: Task<PostgresTuneOptions> = async (options, signal) => {
  const { config, progress } = contextOf(options);
  // Held here too (re-entrant), so direct callers of the task are serialized like the CLI.
  return withLock(config.stateRoot, 'live', 'postgres tune', async () => {
    const profile = resolveProfile(config, options.profile, options.file);
    const result = startResult('postgres', 'tune', { profile: profile.name });
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
    if (profile.settings.length === 0) result.notes!.push(`profile ${profile.name} sets nothing: PostgreSQL's built-in defaults apply`);
    if (outcome.state === 'rolled-back') {
      result.warnings!.push(`rolled back to ${outcome.backup}: ${outcome.reason}`);
      const log = outcome.reason?.startsWith('the server refused') ? serverLogTail(config) : undefined;
      if (log) result.notes!.push(`why, from the server log (${log.file}):\n${log.lines}`);
      return result.finish();
    }
    result.server = await serverVersion(await pgSession(config));
    if (options.compare) {
      const trials = options.trials ?? config.trials;
      const before = resolveProfile(config, options.compareWith ?? 'default');
      const compareResult = startResult('postgres', 'compare', { profile: profile.name, server: result.server });
      const cmp = await compareInterleaved({
        trials,
        before: { label: before.name, activate: () => activate(config, before, progress) },
        after: { label: profile.name, activate: () => activate(config, profile, progress) },
        measure: async () => (await bench({ ...options, trials: 1, config, progress }, signal)).metrics,
        progress,
        signal,
      });
      Object.assign(compareResult, { metrics: [...cmp.before, ...cmp.after], tables: [cmp.table] });
      compareResult.data = { before: before.name, after: profile.name, trials, command: tuneCommand(options, profile.name, trials) };
      compareResult.notes!.push(`load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores when the comparison ended: other processes share this machine, so read the spread (MAD) before the change`);
      const file = writeResult(config.stateRoot, compareResult.finish());
      const doc = writeTuningDoc(config);
      result.tables!.push(cmp.table);
      result.notes!.push(`comparison: ${file}`, `regenerated ${doc}`);
    }
    return result.finish() as TaskResult;
  });
};
