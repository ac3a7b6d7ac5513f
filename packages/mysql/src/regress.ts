import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { abRegressTask, localServicePids, tuneAbSpec } from '@devstack/runtime';
import { bench } from './bench';
import { tuneSpec, type MysqlTuneOptions } from './tune';

/** `nx run mysql:baseline`: bench N trials and record baselines/mysql.json. */
export const baseline = baselineTask('mysql', bench);

/**
 * `nx run mysql:regress --base <ref>`: same-run A/B of the active profile at <ref> against the working
 * tree's; without a ref, the stored baseline. Calibration targets oltp_read_only, which is CPU-bound.
 */
export const regress = abRegressTask<MysqlTuneOptions & RegressOptions>(
  tuneAbSpec(tuneSpec, {
    ext: 'cnf',
    stored: regressTask('mysql', bench),
    // Calibrated gating metrics gate at 10%: see docs/REGRESSION_POWER.md.
    thresholds: { oltp_read_only_tps: 0.1, oltp_read_write_tps: 0.1 },
    calibration: {
      // A bench database loaded once (reuse), then a second per workload and probe per trial.
      trialOptions: { quick: true, workloads: ['oltp_read_only', 'oltp_read_write'], duration: 1, probeDuration: 1, reuse: true },
      gating: ['oltp_read_only_tps', 'oltp_read_write_tps'],
      serverPids: async (config) => localServicePids(config, 'mysql'),
    },
  }),
);
