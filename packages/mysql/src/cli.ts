#!/usr/bin/env node
import { backendCommands, dbBenchFlags, runCli } from '@devstack/core';
import { bench, BENCH_SIZES } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const tuneHints = { profile: 'default | dev | auto (computed from memory and cores) | any configs/mysql/<name>.cnf', file: 'apply this my.cnf fragment ([mysqld] section) instead of a named profile' };
const benchFlags = dbBenchFlags(BENCH_SIZES, {
  quick: 'seconds-long run: 2 tables x 10k rows, 2 threads, 3 s per workload, 2 s probe',
  sizes: { tables: 'sysbench tables', rows: 'rows per table', threads: 'sysbench threads', duration: 'seconds per sysbench run' },
  workloads: 'sysbench workloads: oltp_read_write,oltp_read_only,oltp_write_only',
});
const benchDescription = 'sysbench oltp_read_write/read_only/write_only plus a mysql2 single-row probe (HDR p50/p95/p99, SLO p95 < 50 ms)';

void runCli('mysql', backendCommands({ backend: 'mysql', bench, tune, baseline, regress, benchDescription, benchFlags, thresholdsExample: 'oltp_read_write_tps', tuneHints }));
