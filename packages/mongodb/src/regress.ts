import type { RegressOptions } from '@devstack/core';
import { profileRegressTasks } from '@devstack/runtime';
import { ferretTuneSpec, type MongoTuneOptions } from './tune';

/**
 * `nx run mongodb:baseline` records baselines/mongodb.json (the bench is the only MongoDB-specific part);
 * `nx run mongodb:regress --base <ref>` is the same-run A/B of the active profile of FerretDB's backend
 * PostgreSQL (configs/mongodb/*.conf) at <ref> against the working tree's, applied with the tune task's
 * apply / read-back / rollback; without a ref, the stored baseline. Calibration throttles FerretDB and its
 * backend cluster (every pid of the mongodb service).
 */
export const { baseline, regress } = profileRegressTasks<MongoTuneOptions & RegressOptions>(ferretTuneSpec, {
  ext: 'conf',
  calibration: { trialOptions: { quick: true, workloads: ['C', 'A'] }, gating: ['ycsb_c_ops_per_s', 'ycsb_a_ops_per_s'] },
});
