import type { RegressOptions } from '@devstack/core';
import { profileRegressTasks } from '@devstack/runtime';
import { tuneSpec, type PostgresTuneOptions } from './tune';

/**
 * `nx run postgres:baseline` records baselines/postgres.json; `nx run postgres:regress --base <ref>` is the
 * same-run A/B of the active profile at <ref> against the working tree's (without a ref, the stored
 * baseline). Calibration throttles every server process (postmaster and backends inherit the cgroup) and
 * targets select-only, which is CPU-bound; tpcb-like waits on fsync. One calibration trial: select-only and
 * tpcb-like for 2 s each and the probe for 1 s, on a bench database loaded once (reuse).
 */
export const { baseline, regress } = profileRegressTasks<PostgresTuneOptions & RegressOptions>(tuneSpec, {
  ext: 'conf',
  // Calibrated gating metrics gate at 10%: see docs/REGRESSION_POWER.md.
  thresholds: { select_only_tps: 0.1, tpcb_like_tps: 0.1 },
  // 2 s per workload: at 1 s a pgbench run is largely connection and cache warm-up (select-only, 6 trials
  // each, one stack: CV 16% and a median of 25.9k tx/s at 1 s, CV 6% and 34.5k at 2 s; earlier 8-trial
  // runs at 1 s: CV 20-31%). regress --quick itself runs 3 s per workload.
  calibration: { trialOptions: { quick: true, workloads: ['select-only', 'tpcb-like'], duration: 2, probeDuration: 1, reuse: true }, gating: ['select_only_tps', 'tpcb_like_tps'] },
});
