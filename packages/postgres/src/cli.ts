#!/usr/bin/env node
import { backendCommands, KEEP_FLAG, runCli, sizeFlags } from '@devstack/core';
import { bench, BENCH_SIZES } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

void runCli(
  'postgres',
  backendCommands({
    backend: 'postgres',
    bench,
    tune,
    baseline,
    regress,
    benchDescription: 'pgbench tpcb-like and select-only plus a pg driver single-row probe (HDR p50/p95/p99, SLO p95 < 50 ms)',
    benchFlags: [
      { name: 'quick', type: 'boolean', description: 'seconds-long run: scale 1, 2 clients, 3 s per workload, 2 s probe' },
      KEEP_FLAG,
      ...sizeFlags(BENCH_SIZES, { scale: 'pgbench scale factor', clients: 'pgbench clients', threads: 'pgbench threads', duration: 'seconds per pgbench run' }),
      { name: 'workloads', type: 'list', description: 'pgbench workloads: tpcb-like,select-only' },
    ],
    thresholdsExample: 'tpcb_like_tps',
    tuneHints: { profile: 'default | dev | auto (computed from memory and cores) | any configs/postgres/<name>.conf', file: 'apply this postgresql.conf fragment instead of a named profile' },
  }),
);
