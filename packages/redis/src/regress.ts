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
export const regress = abRegressTask<RedisBenchOptions & RegressOptions>({
  backend: 'redis',
  service: 'redis',
  ext: 'conf',
  apply: applyFile,
  bench,
  stored: regressTask<RedisBenchOptions & RegressOptions>('redis', bench),
  // A quick redis-benchmark round is ~15 s of 1M+ requests; an A/B needs 10+ rounds. 2000 requests per
  // test keeps the per-master figures (microsecond timers) and leaves the cluster-wide ones under their
  // 250 ms timer step, where they are shown but not judged.
  // 1.5 s per client after a warm-up, the same as calibration measures with: the ioredis throughput
  // swings +-30% between 100 ms windows here, so a count of 12000 operations (0.2 s on one master) made
  // the per-trial spread about 20% (10 trials: CV 16-25%).
  trialOptions: { requests: 2000, clientSeconds: 1.5 },
  // Calibrated gating metrics gate at 10%: see docs/REGRESSION_POWER.md.
  thresholds: { client_single_ops: 0.1, client_cluster_ops: 0.1 },
  calibration: {
    // The ioredis half: about four seconds per trial, where a redis-benchmark round takes 15 s; the quota goes
    // on the six servers only, so the client's own CPU is not what slows down.
    trialOptions: { quick: true, only: 'client', clientSeconds: 1.5 },
    // The quota is sized on the first: the cluster-wide figure spreads least between trials (8 trials
    // of 1.5 s: CV about 5%, one master alone about 12%).
    gating: ['client_cluster_ops', 'client_single_ops'],
    serverPids: async (config) => localServicePids(config, 'redis'),
  },
});
