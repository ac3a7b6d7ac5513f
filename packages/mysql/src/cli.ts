#!/usr/bin/env node
import { runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'seconds-long run: 2 tables x 10k rows, 2 threads, 3 s per workload, 2 s probe' },
  { name: 'keep', type: 'boolean', description: 'keep the devstack_bench database afterwards' },
  { name: 'tables', type: 'number', description: 'sysbench tables (quick 2, full 4)' },
  { name: 'rows', type: 'number', description: 'rows per table (quick 10000, full 100000)' },
  { name: 'threads', type: 'number', description: 'sysbench threads (quick 2, full 4)' },
  { name: 'duration', type: 'number', description: 'seconds per sysbench run (quick 3, full 30)' },
  { name: 'workloads', type: 'list', description: 'sysbench workloads: oltp_read_write,oltp_read_only,oltp_write_only' },
  { name: 'probe-concurrency', type: 'number', description: 'driver probe connections (quick 4, full 8)' },
  { name: 'probe-duration', type: 'number', description: 'driver probe seconds (quick 2, full 10)' },
];
const regressFlags: FlagSpec[] = [
  { name: 'strict', type: 'boolean', description: 'a baseline from another machine fails instead of warning' },
  { name: 'thresholds', type: 'list', description: 'per-metric thresholds, name=fraction (e.g. oltp_read_write_tps=0.3)' },
];

void runCli('mysql', {
  bench: { description: 'sysbench oltp_read_write/read_only/write_only plus a mysql2 single-row probe (HDR p50/p95/p99, SLO p95 < 50 ms)', flags: benchFlags, live: true, run: bench },
  tune: {
    description: 'apply a profile (backup, restart, read-back, automatic rollback); --compare benchmarks before vs after',
    flags: [
      { name: 'profile', type: 'string', description: 'default | dev | auto (computed from memory and cores) | any configs/mysql/<name>.cnf', default: 'default' },
      { name: 'file', type: 'string', description: 'apply this my.cnf fragment ([mysqld] section) instead of a named profile' },
      { name: 'dry-run', type: 'boolean', description: 'show the diff and the settings; change nothing' },
      { name: 'compare', type: 'boolean', description: 'interleaved before/after benchmark, written to .devstack/report/TUNING_RESULTS.md' },
      { name: 'compare-with', type: 'string', description: 'the "before" profile of --compare (default: default)' },
      ...benchFlags,
    ],
    live: true,
    run: tune,
  },
  baseline: { description: 'run the bench and record baselines/mysql.json', flags: benchFlags, live: true, run: baseline },
  regress: { description: 'run the bench and compare with baselines/mysql.json (threshold AND noise band; SLOs)', flags: [...benchFlags, ...regressFlags], live: true, run: regress },
});
