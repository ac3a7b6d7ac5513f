#!/usr/bin/env node
import { backendCommands, dbBenchFlags, runCli } from '@devstack/core';
import { bench, BENCH_SIZES } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const tuneHints = { profile: 'default | dev | auto (computed from memory and cores) | any configs/postgres/<name>.conf', file: 'apply this postgresql.conf fragment instead of a named profile' };
const benchFlags = dbBenchFlags(BENCH_SIZES, {
  quick: 'seconds-long run: scale 1, 2 clients, 3 s per workload, 2 s probe',
  sizes: { scale: 'pgbench scale factor', clients: 'pgbench clients', threads: 'pgbench threads', duration: 'seconds per pgbench run' },
  workloads: 'pgbench workloads: tpcb-like,select-only',
});
const benchDescription = 'pgbench tpcb-like and select-only plus a pg driver single-row probe (HDR p50/p95/p99, SLO p95 < 50 ms)';

void runCli('postgres', backendCommands({ backend: 'postgres', bench, tune, baseline, regress, benchDescription, benchFlags, thresholdsExample: 'tpcb_like_tps', tuneHints }));
