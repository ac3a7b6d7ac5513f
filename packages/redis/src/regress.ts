import { readFileSync } from 'node:fs';
import { applyProfile, baselineTask, DevstackError, endpointsOf, getCredentials, regressTask, type LoadedConfig, type Progress, type ProfileSetting, type RegressOptions } from '@devstack/core';
import { abRegressTask, localServicePids, providerFor, StackLayout } from '@devstack/runtime';
import { bench, type RedisBenchOptions } from './bench';
import { settingMatches } from './profiles';
import { rollingRestart } from './rolling-restart';
import { readBackAll } from './tune';

/** The shared engine from core: the bench is the only Redis-specific part. */
export const baseline = baselineTask<RedisBenchOptions>('redis', bench);

/** The directives of a redis.conf fragment, as profile settings (for read-back). */
function settingsOf(file: string): ProfileSetting[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [k, ...v] = l.split(/\s+/);
      return { name: k, value: v.join(' '), reason: `from ${file}` };
    });
}

/** An A/B arm: the file becomes every node's config by a rolling restart, read back with CONFIG GET. */
async function applyFile(config: LoadedConfig, file: string, progress: Progress): Promise<void> {
  const settings = settingsOf(file);
  const creds = await getCredentials(config, 'redis');
  const outcome = await applyProfile({
    provider: providerFor(config),
    service: 'redis',
    file,
    settings,
    readBack: () => readBackAll(endpointsOf(config).redis.nodes, creds.password, settings),
    matches: settingMatches,
    restart: async () => {
      await rollingRestart({ config, layout: new StackLayout(config), password: creds.password, progress });
    },
    progress,
  });
  if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `${file} did not apply to the Redis nodes: ${outcome.reason}`);
}

/** `nx run redis:regress --base <ref>`: same-run A/B of configs/redis; without a ref, the stored baseline. */
export const regressRedis = abRegressTask<RedisBenchOptions & RegressOptions>({
  backend: 'redis',
  service: 'redis',
  ext: 'conf',
  apply: applyFile,
  bench,
  stored: regressTask<RedisBenchOptions & RegressOptions>('redis', bench),
  calibration: {
    // redis-benchmark only (the ioredis half measures the client as much as the server).
    trialOptions: { quick: true, only: 'tool', requests: 5000 },
    gating: ['cluster_get_rps', 'cluster_set_rps'],
    serverPids: async (config) => localServicePids(config, 'redis'),
  },
});
