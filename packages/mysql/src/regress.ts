import type { RegressOptions } from '@devstack/core';
import { profileRegressTasks } from '@devstack/runtime';
import { tuneSpec, type MysqlTuneOptions } from './tune';

/**
 * `nx run mysql:baseline` records baselines/mysql.json; `nx run mysql:regress --base <ref>` is the same-run
 * A/B of the active profile at <ref> against the working tree's (without a ref, the stored baseline).
 * Calibration targets oltp_read_only, which is CPU-bound.
 */
export const { baseline, regress } = profileRegressTasks<MysqlTuneOptions & RegressOptions>(tuneSpec, {
  ext: 'cnf',
  calibration: { trialOptions: { quick: true, workloads: ['oltp_read_only', 'oltp_read_write'], duration: 1, probeDuration: 1 }, gating: ['oltp_read_only_tps', 'oltp_read_write_tps'] },
});
