import { BENCH_DATABASE, dbBenchPlan, dbBenchTask, type BenchSizes, type DbBenchOptions } from '@devstack/core';
import type { Client } from 'pg';
import { createBenchDatabase, dropBenchDatabase, pgClient, pgSession, serverVersion, type PgSession } from './connection';
import { LOG_SAMPLING, pgbenchInit, runPgbench, PGBENCH_WORKLOADS, type PgbenchWorkload } from './pgbench';
import { activeProfile } from './profiles';

export interface PostgresBenchOptions extends DbBenchOptions {
  /** pgbench scale factor (100,000 accounts per unit). */
  scale?: number;
  clients?: number;
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES: BenchSizes<{ scale: number; clients: number; threads: number; duration: number; probeConcurrency: number; probeDuration: number }> = {
  quick: { scale: 1, clients: 2, threads: 2, duration: 3, probeConcurrency: 4, probeDuration: 2 },
  full: { scale: 10, clients: 4, threads: 2, duration: 30, probeConcurrency: 8, probeDuration: 10 },
};

export function benchPlan(options: PostgresBenchOptions) {
  const plan = dbBenchPlan(BENCH_SIZES, options, PGBENCH_WORKLOADS as readonly PgbenchWorkload[], 'pgbench');
  if (plan.threads > plan.clients) plan.threads = plan.clients; // pgbench refuses more threads than clients
  return plan;
}
type Plan = ReturnType<typeof benchPlan>;

/** `nx run postgres:bench`: pgbench workloads and a pg driver probe, N trials, in devstack_bench. */
export const bench = dbBenchTask<PostgresBenchOptions, PgSession, Plan, Client>({
  backend: 'postgres',
  serverName: 'PostgreSQL',
  tool: 'pgbench',
  driver: 'pg driver',
  plan: benchPlan,
  session: pgSession,
  serverVersion,
  activeProfile,
  createDatabase: createBenchDatabase,
  dropDatabase: dropBenchDatabase,
  prepare: { describe: (plan) => `pgbench -i -s ${plan.scale}`, run: (session, plan, signal) => pgbenchInit(session, plan.scale, signal) },
  workload: {
    describe: (plan) => `${plan.clients} clients, ${plan.duration} s`,
    run: async (session, plan, w, signal) => {
      const run = await runPgbench(session, { workload: w as PgbenchWorkload, clients: plan.clients, threads: plan.threads, durationS: plan.duration }, signal);
      return { recorder: run.recorder, tps: run.summary.tps, issues: run.summary.failed };
    },
    key: (w) => w.replace(/-/g, '_'),
    labels: (plan) => ({ scale: plan.scale, clients: plan.clients, threads: plan.threads, durationS: plan.duration }),
  },
  issues: { column: 'failed tx', check: (w) => `pgbench ${w}: no failed transactions` },
  probe: {
    open: (session) => pgClient(session, BENCH_DATABASE),
    read: (c, plan) => c.query({ name: 'probe', text: 'SELECT abalance FROM pgbench_accounts WHERE aid = $1', values: [1 + Math.floor(Math.random() * plan.scale * 100_000)] }),
    close: (c) => c.end(),
  },
  notes: (plan) =>
    plan.workloads.filter((w) => LOG_SAMPLING[w] < 1).map((w) => `${w} latencies come from a ${LOG_SAMPLING[w] * 100}% sample of transactions (pgbench --sampling-rate); tps counts all of them`),
});
