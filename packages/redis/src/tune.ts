import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyProfile, contextOf, DevstackError, endpointsOf, getCredentials, startResult, type CommonOptions, type ProfileSetting, type TaskResult } from '@devstack/core';
import { providerFor, StackLayout } from '@devstack/runtime';
import { availableMemory, checkMaxmemory, profileSettings, REDIS_PROFILES, renderProfile, settingMatches, withOverrides } from './profiles';
import { compareProfiles } from './compare';
import { rollingRestart, type RollingStep } from './rolling-restart';
import { onNode } from './topology';

export interface RedisTuneOptions extends CommonOptions {
  profile?: string;
  /** name=value overrides on top of the profile. */
  set?: string[];
  dryRun?: boolean;
  /** After applying: previous vs new profile, interleaved trials of a quick bench. */
  compare?: boolean;
  trials?: number;
}

/** CONFIG GET every setting on all six nodes; a value is reported only when every node agrees. */
export async function readBackAll(nodes: { host: string; port: number }[], password: string, settings: ProfileSetting[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const perNode = await Promise.all(
    nodes.map(async (n) => {
      const values: Record<string, string> = {};
      for (const s of settings) {
        const reply = (await onNode<string[]>(n, password, 'CONFIG', 'GET', s.name)) ?? [];
        values[s.name] = reply[1] ?? '(not a setting)';
      }
      return values;
    }),
  );
  for (const s of settings) {
    const seen = [...new Set(perNode.map((v) => v[s.name]))];
    out[s.name] = seen.length === 1 ? seen[0] : `differs between nodes: ${perNode.map((v, i) => `:${nodes[i].port}=${v[s.name]}`).join(' ')}`;
  }
  return out;
}

/** The file to apply: the shipped profile, or (with --set) a rendered copy under .devstack/conf/redis/. */
function profileFile(layout: StackLayout, name: string, settings: ProfileSetting[], overridden: boolean): string {
  if (!overridden) return layout.profile('redis', name);
  const file = layout.conf('redis', 'profiles', `${name}+overrides.conf`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderProfile({ name, summary: `${REDIS_PROFILES[name]?.summary ?? 'user profile'} With --set overrides.`, settings }));
  return file;
}

/** `nx run redis:tune --profile dev`: rolling restart of all six nodes onto a profile, read back, roll back on failure. */
export async function tune(options: RedisTuneOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const name = options.profile ?? config.profile;
  const settings = withOverrides(profileSettings(config.root, name), options.set);
  const memoryNote = checkMaxmemory(settings, 6, availableMemory());
  const provider = providerFor(config);
  if (provider.name !== 'local') {
    throw new DevstackError('UNSUPPORTED', `redis tune does a node-by-node rolling restart, which the ${provider.name} provider cannot do.`, {
      fix: 'Use the local provider, or apply configs/redis/<profile>.conf to your nodes yourself.',
    });
  }
  const layout = new StackLayout(config);
  const result = startResult('redis', 'tune', { profile: name });
  const creds = await getCredentials(config, 'redis', { onWarning: (w) => result.warnings!.push(w) });
  const nodes = endpointsOf(config).redis.nodes;
  const steps: RollingStep[] = [];
  const rolling = { config, layout, password: creds.password, progress, signal };
  const file = profileFile(layout, name, settings, Boolean(options.set?.length));
  const outcome = await applyProfile({
    provider,
    service: 'redis',
    file,
    settings,
    readBack: () => readBackAll(nodes, creds.password, settings),
    matches: settingMatches,
    restart: async () => {
      steps.push(...(await rollingRestart(rolling)));
    },
    dryRun: options.dryRun,
    progress,
  });
  result.tables!.push(outcome.table);
  if (steps.length) {
    result.tables!.push({ title: 'Rolling restart (replicas first, then failover + restart of each master)', head: ['node', 'action', 'ms'], rows: steps.map((s) => [s.node, s.action, s.durationMs]) });
  }
  result.checks.push(...outcome.checks);
  if (memoryNote) result.notes!.push(memoryNote);
  if (outcome.backup) result.notes!.push(`previous config backed up to ${outcome.backup}`);
  if (outcome.state === 'rolled-back') result.warnings!.push(`rolled back: ${outcome.reason}`);
  result.data = { state: outcome.state, diff: outcome.diff, steps, reason: outcome.reason };
  if (options.compare && outcome.state === 'applied' && outcome.backup) {
    const compared = await compareProfiles({ config, provider, rolling, beforeFile: outcome.backup, afterFile: file, trials: options.trials ?? config.trials, progress, signal });
    result.tables!.push(compared.table);
    result.metrics.push(...compared.before, ...compared.after);
  }
  return result.finish();
}
