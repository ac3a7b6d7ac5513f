import type { RegressOptions } from '@devstack/core';
import { profileRegressTasks } from '@devstack/runtime';
import { ferretTuneSpec, type MongoTuneOptions } from './tune';

/**
 * `nx run mongodb:baseline` records baselines/mongodb.json (the bench is the only MongoDB-specific part);
 * `nx run mongodb:regress --base <ref>` is the same-run A/B of the active profile of FerretDB's backend
 * PostgreSQL (configs/mongodb/*.conf) at <ref> against the working tree's, applied with the tune task's
 * apply / read-back / rollback; without a ref, the stored baseline. Calibration throttles FerretDB and its
 * backend cluster (every pid of the mongodb service). Its trial is the load and YCSB C and A of 2,000
 * operations each (about 2 and 3 s; `--only ycsb`): 500 operations (under a second each) beside a 3 s
 * point-read probe left A/A runs inconclusive to the 12-pair cap. Unlike postgres, mysql and redis, its
 * gating metrics keep the default threshold (no `thresholds`): docs/REGRESSION_POWER.md calibrated them
 * at 20%, and a 10% bar would need a calibration of its own before it could be trusted.
 */
export const { baseline, regress } = profileRegressTasks<MongoTuneOptions & RegressOptions>(ferretTuneSpec, {
  ext: 'conf',
  calibration: { trialOptions: { quick: true, workloads: ['C', 'A'], only: 'ycsb', operations: 2000 }, gating: ['ycsb_c_ops_per_s', 'ycsb_a_ops_per_s'] },
});
