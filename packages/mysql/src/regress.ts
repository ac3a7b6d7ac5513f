import type { RegressOptions } from '@devstack/core';
import { profileRegressTasks } from '@devstack/runtime';
import { tuneSpec, type MysqlTuneOptions } from './tune';

/**
 * `nx run mysql:baseline` records baselines/mysql.json; `nx run mysql:regress --base <ref>` is the same-run
 * A/B of the active profile at <ref> against the working tree's (without a ref, the stored baseline).
 * Calibration targets oltp_read_only, which is CPU-bound: a bench database loaded once (reuse), then a
 * second per workload and probe per trial.
 */
export const { baseline, regress } = profileRegressTasks<MysqlTuneOptions & RegressOptions>(tuneSpec, {
  ext: 'cnf',
  // Calibrated gating metrics gate at 10%: see docs/REGRESSION_POWER.md.
  thresholds: { oltp_read_only_tps: 0.1, oltp_read_write_tps: 0.1 },
  calibration: { trialOptions: { quick: true, workloads: ['oltp_read_only', 'oltp_read_write'], duration: 1, probeDuration: 1, reuse: true }, gating: ['oltp_read_only_tps', 'oltp_read_write_tps'] },
});
