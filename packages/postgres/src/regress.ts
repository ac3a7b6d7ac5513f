import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { abRegressTask, localServicePids, tuneAbSpec } from '@devstack/runtime';
import { bench } from './bench';
import { tuneSpec, type PostgresTuneOptions } from './tune';

/** `nx run postgres:baseline`: bench N trials and record baselines/postgres.json. */
export const baseline = baselineTask('postgres', bench);

/**
 * `nx run postgres:regress --base <ref>`: same-run A/B of the active profile at <ref> against the working
 * tree's; without a ref, the stored baseline. Calibration throttles every server process (postmaster and
 * backends inherit the cgroup) and targets select-only, which is CPU-bound; tpcb-like waits on fsync.
 */
export const regress = abRegressTask<PostgresTuneOptions & RegressOptions>(
  tuneAbSpec(tuneSpec, {
    ext: 'conf',
    stored: regressTask('postgres', bench),
    // Calibrated gating metrics gate at 10%: see docs/REGRESSION_POWER.md.
    thresholds: { select_only_tps: 0.1, tpcb_like_tps: 0.1 },
    calibration: {
      // One trial: select-only, tpcb-like and the probe for a second each, on a bench database loaded once
      // (reuse); the quota sizing targets select-only.
      trialOptions: { quick: true, workloads: ['select-only', 'tpcb-like'], duration: 1, probeDuration: 1, reuse: true },
      gating: ['select_only_tps', 'tpcb_like_tps'],
      serverPids: async (config) => localServicePids(config, 'postgres'),
    },
  }),
);
