import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { abRegressTask, localServicePids, tuneAbSpec } from '@devstack/runtime';
import { bench, type MongoBenchOptions } from './bench';
import { ferretTuneSpec, type MongoTuneOptions } from './tune';

/** The shared engine from core: the bench is the only MongoDB-specific part. */
export const baseline = baselineTask<MongoBenchOptions>('mongodb', bench);

/**
 * `nx run mongodb:regress --base <ref>`: same-run A/B of the active profile of FerretDB's backend
 * PostgreSQL (configs/mongodb/*.conf) at <ref> against the working tree's, applied with the tune
 * task's apply / read-back / rollback; without a ref, the stored baseline. Calibration throttles
 * FerretDB and its backend cluster (every pid of the mongodb service).
 */
export const regress = abRegressTask<MongoTuneOptions & RegressOptions>(
  tuneAbSpec(ferretTuneSpec, {
    ext: 'conf',
    stored: regressTask<MongoBenchOptions & RegressOptions>('mongodb', bench),
    calibration: {
      trialOptions: { quick: true, workloads: ['C', 'A'] },
      gating: ['ycsb_c_ops_per_s', 'ycsb_a_ops_per_s'],
      serverPids: async (config) => localServicePids(config, 'mongodb'),
    },
  }),
);
