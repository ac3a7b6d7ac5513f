import { DevstackError, endpointsOf, getCredentials, type LoadedConfig, type ProfileSetting } from '@devstack/core';
import { profileTuneTask, providerFor, StackLayout, type ProfileTuneOptions } from '@devstack/runtime';
import { bench, type RedisBenchOptions } from './bench';
import { availableMemory, checkMaxmemory, resolveProfile, settingMatches } from './profiles';
import { rollingRestart, type RollingStep } from './rolling-restart';
import { onNode } from './topology';

/** `--profile` is default | dev | durable, or any configs/redis/<name>.conf; `--file` any redis.conf fragment. */
export interface RedisTuneOptions extends RedisBenchOptions, ProfileTuneOptions {
  /** name=value overrides on top of the profile. */
  set?: string[];
}

/** The figures a profile change can move; the full bench stays `redis:bench`. */
export const COMPARED = ['m0_set_rps', 'm0_get_rps', 'cluster_set_rps', 'cluster_get_rps', 'cluster_set_p16_rps', 'client_cluster_ops', 'client_cluster_p95_ms', 'client_single_p95_ms'];

/** CONFIG GET every setting on all six nodes; a value is reported only when every node agrees. */
export async function readBackAll(nodes: { host: string; port: number }[], password: string, settings: Pick<ProfileSetting, 'name'>[]): Promise<Record<string, string>> {
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

async function serverVersion(config: LoadedConfig): Promise<{ name: string; version: string }> {
  const { password } = await getCredentials(config, 'redis');
  const info = String(await onNode(endpointsOf(config).redis.nodes[0], password, 'INFO', 'server'));
  return { name: 'Redis Cluster', version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?' };
}

/**
 * `nx run redis:tune --profile dev`: the shared tune (backup, apply, read-back on all six nodes,
 * rollback, --dry-run, --compare), with Redis' own step as hooks: refuse what six nodes cannot hold
 * or a provider that cannot restart single nodes, and make the config live by a rolling restart.
 */
export const tune = profileTuneTask<RedisTuneOptions>({
  backend: 'redis',
  service: 'redis',
  serverName: 'Redis',
  resolveProfile: (config, name, file, options) => resolveProfile(config, name ?? config.profile, file, options?.set),
  readBack: async (config, names) => readBackAll(endpointsOf(config).redis.nodes, (await getCredentials(config, 'redis')).password, names.map((name) => ({ name }))),
  matches: settingMatches,
  serverVersion,
  bench: (o, signal) => bench({ ...o, quick: o.quick ?? true, keep: false }, signal),
  compareMetrics: COMPARED,
  sizeOptions: ['requests', 'clients', 'operations', 'concurrency', 'valueSize', 'only', 'clientSeconds'],
  hooks: ({ config, profile, result, progress, signal }) => {
    const steps: RollingStep[] = [];
    let password: string | undefined;
    return {
      async beforeApply() {
        const nodes = endpointsOf(config).redis.nodes.length;
        const memoryNote = checkMaxmemory(profile.settings, nodes, availableMemory());
        const provider = providerFor(config);
        if (provider.name !== 'local') {
          throw new DevstackError('UNSUPPORTED', `redis tune does a node-by-node rolling restart, which the ${provider.name} provider cannot do.`, {
            fix: 'Use the local provider, or apply configs/redis/<profile>.conf to your nodes yourself.',
          });
        }
        if (memoryNote) result.notes.push(memoryNote);
        password = (await getCredentials(config, 'redis', { onWarning: (w) => result.warnings.push(w) })).password;
      },
      // Replicas first, then each master handed over to its replica and restarted: no slot goes offline.
      async activate(phase) {
        const done = await rollingRestart({ config, layout: new StackLayout(config), password: password!, progress, signal });
        if (phase === 'tune') steps.push(...done);
      },
      afterApply(outcome) {
        if (steps.length) {
          result.tables.push({ title: 'Rolling restart (replicas first, then failover + restart of each master)', head: ['node', 'action', 'ms'], rows: steps.map((s) => [s.node, s.action, s.durationMs]) });
        }
        if (outcome.backup) result.notes.push(`previous config backed up to ${outcome.backup}`);
        result.data = { ...result.data, steps };
      },
      // The tune result has always carried the compared metrics (both arms, labelled): keep that shape.
      afterCompare(compared) {
        result.metrics.push(...compared.before, ...compared.after);
      },
    };
  },
});
