import { applyProfile, baselineTask, DevstackError, regressTask, type LoadedConfig, type Progress, type RegressOptions } from '@devstack/core';
import { abRegressTask, localServicePids, providerFor } from '@devstack/runtime';
import { bench, type MongoBenchOptions } from './bench';
import { connect, serverInfo } from './server';

/** The shared engine from core: the bench is the only MongoDB-specific part. */
export const baseline = baselineTask<MongoBenchOptions>('mongodb', bench);

/** FerretDB ignores mongod.conf, so two config arms measure the same server: say so instead of measuring. */
async function configNotApplicable(config: LoadedConfig): Promise<string | undefined> {
  const client = await connect(config);
  try {
    const info = await serverInfo(client);
    return info.name === 'FerretDB' ? `the server is FerretDB ${info.ferretdbVersion}: configs/mongodb/*.conf (mongod.conf) does not apply to it, so both arms are the same server` : undefined;
  } finally {
    await client.close();
  }
}

/** An A/B arm on mongod: the file becomes the active mongod.conf and mongod restarts (mongodb:tune reads settings back). */
async function applyFile(config: LoadedConfig, file: string, progress: Progress): Promise<void> {
  const outcome = await applyProfile({ provider: providerFor(config), service: 'mongodb', file, settings: [], readBack: async () => ({}), matches: () => true, progress });
  if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `${file} did not apply to mongod: ${outcome.reason}`);
}

/** `nx run mongodb:regress --base <ref>`: same-run A/B of configs/mongodb (mongod); without a ref, the stored baseline. */
export const regressMongo = abRegressTask<MongoBenchOptions & RegressOptions>({
  backend: 'mongodb',
  service: 'mongodb',
  ext: 'conf',
  apply: applyFile,
  bench,
  stored: regressTask<MongoBenchOptions & RegressOptions>('mongodb', bench),
  configNotApplicable,
  calibration: {
    trialOptions: { quick: true, workloads: ['C', 'A'] },
    gating: ['ycsb_c_ops_per_s', 'ycsb_a_ops_per_s'],
    serverPids: async (config) => localServicePids(config, 'mongodb'),
  },
});
