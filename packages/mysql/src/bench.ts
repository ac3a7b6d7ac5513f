import { BENCH_DATABASE, dbBenchPlan, dbBenchTask, type BenchSizes, type DbBenchOptions } from '@devstack/core';
import type { Connection } from 'mysql2/promise';
import { createBenchDatabase, dropBenchDatabase, mysqlConnection, mysqlSession, serverVersion, type MysqlSession } from './connection';
import { activeProfile } from './profiles';
import { runSysbench, sysbenchPrepare, SYSBENCH_WORKLOADS, type SysbenchWorkload } from './sysbench';

export interface MysqlBenchOptions extends DbBenchOptions {
  /** sysbench tables and rows per table. */
  tables?: number;
  rows?: number;
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES: BenchSizes<{ tables: number; rows: number; threads: number; duration: number; probeConcurrency: number; probeDuration: number }> = {
  quick: { tables: 2, rows: 10_000, threads: 2, duration: 3, probeConcurrency: 4, probeDuration: 2 },
  full: { tables: 4, rows: 100_000, threads: 4, duration: 30, probeConcurrency: 8, probeDuration: 10 },
};

export const benchPlan = (options: MysqlBenchOptions) => dbBenchPlan(BENCH_SIZES, options, SYSBENCH_WORKLOADS as readonly SysbenchWorkload[], 'sysbench');
type Plan = ReturnType<typeof benchPlan>;

/** `nx run mysql:bench`: sysbench OLTP workloads and a mysql2 driver probe, N trials, in devstack_bench. */
export const bench = dbBenchTask<MysqlBenchOptions, MysqlSession, Plan, Connection>({
  backend: 'mysql',
  serverName: 'MariaDB',
  tool: 'sysbench',
  driver: 'mysql2 driver',
  plan: benchPlan,
  session: mysqlSession,
  serverVersion,
  activeProfile,
  createDatabase: createBenchDatabase,
  dropDatabase: dropBenchDatabase,
  prepare: { describe: (plan) => `sysbench prepare, ${plan.tables} x ${plan.rows} rows`, run: (session, plan, signal) => sysbenchPrepare(session, plan, signal) },
  workload: {
    describe: (plan) => `${plan.threads} threads, ${plan.duration} s`,
    run: async (session, plan, w, signal) => {
      const run = await runSysbench(session, { ...plan, workload: w as SysbenchWorkload, durationS: plan.duration }, signal);
      return { recorder: run.recorder, tps: run.summary.tps, qps: run.summary.qps, issues: run.summary.ignoredErrors };
    },
    key: (w) => w,
    labels: (plan) => ({ tables: plan.tables, rows: plan.rows, threads: plan.threads, durationS: plan.duration }),
    qps: true,
  },
  // sysbench's "ignored errors" are deadlocks and lock waits it retried (--mysql-ignore-errors
  // default 1213,1020,1205): the transaction still completed, so they are reported, not failed.
  issues: {
    column: 'retried (deadlocks)',
    note: (w, n) => `sysbench ${w}: ${n} transaction(s) hit a deadlock or lock wait and were retried by sysbench (its "ignored errors")`,
  },
  probe: {
    open: (session) => mysqlConnection(session, BENCH_DATABASE),
    read: (c, plan) => c.execute('SELECT c FROM sbtest1 WHERE id = ?', [1 + Math.floor(Math.random() * plan.rows)]),
    close: (c) => c.end(),
  },
});
