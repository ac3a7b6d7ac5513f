#!/usr/bin/env node
import { runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'seconds-long run: scale 1, 2 clients, 3 s per workload, 2 s probe' },
  { name: 'keep', type: 'boolean', description: 'keep the devstack_bench database afterwards' },
  { name: 'scale', type: 'number', description: 'pgbench scale factor (quick 1, full 10)' },
  { name: 'clients', type: 'number', description: 'pgbench clients (quick 2, full 4)' },
  { name: 'threads', type: 'number', description: 'pgbench threads (default 2)' },
  { name: 'duration', type: 'number', description: 'seconds per pgbench run (quick 3, full 30)' },
  { name: 'workloads', type: 'list', description: 'pgbench workloads: tpcb-like,select-only' },
  { name: 'probe-concurrency', type: 'number', description: 'driver probe connections (quick 4, full 8)' },
  { name: 'probe-duration', type: 'number', description: 'driver probe seconds (quick 2, full 10)' },
];
const regressFlags: FlagSpec[] = [
  { name: 'strict', type: 'boolean', description: 'a baseline from another machine fails instead of warning' },
  { name: 'thresholds', type: 'list', description: 'per-metric thresholds, name=fraction (e.g. tpcb_like_tps=0.3)' },
];

void runCli('postgres', {
  bench: { description: 'pgbench tpcb-like and select-only plus a pg driver single-row probe (HDR p50/p95/p99, SLO p95 < 50 ms)', flags: benchFlags, live: true, run: bench },
  tune: {
    description: 'apply a profile (backup, restart, read-back, automatic rollback); --compare benchmarks before vs after',
    flags: [
      { name: 'profile', type: 'string', description: 'default | dev | auto (computed from memory and cores) | any configs/postgres/<name>.conf', default: 'default' },
      { name: 'file', type: 'string', description: 'apply this postgresql.conf fragment instead of a named profile' },
      { name: 'dry-run', type: 'boolean', description: 'show the diff and the settings; change nothing' },
      { name: 'compare', type: 'boolean', description: 'interleaved before/after benchmark, written to .devstack/report/TUNING_RESULTS.md' },
      { name: 'compare-with', type: 'string', description: 'the "before" profile of --compare (default: default)' },
      ...benchFlags,
    ],
    live: true,
    run: tune,
  },
  baseline: { description: 'run the bench and record baselines/postgres.json', flags: benchFlags, live: true, run: baseline },
  regress: { description: 'run the bench and compare with baselines/postgres.json (threshold AND noise band; SLOs)', flags: [...benchFlags, ...regressFlags], live: true, run: regress },
});
