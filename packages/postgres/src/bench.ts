import {
  BENCH_DATABASE,
  contextOf,
  DevstackError,
  latencyMetric,
  LatencyRecorder,
  metricFromTrials,
  round,
  runProbe,
  runTrials,
  SLO_P95_MS,
  startResult,
  type BenchOptions,
  type LatencySnapshot,
  type Metric,
  type Task,
  type TaskResult,
} from '@devstack/core';
import type { Client } from 'pg';
import { createBenchDatabase, dropBenchDatabase, pgClient, pgSession, serverVersion } from './connection';
import { LOG_SAMPLING, pgbenchInit, runPgbench, PGBENCH_WORKLOADS, type PgbenchWorkload } from './pgbench';
import { activeProfile } from './profiles';

export interface PostgresBenchOptions extends BenchOptions {
  /** pgbench scale factor (100,000 accounts per unit). */
  scale?: number;
  clients?: number;
  threads?: number;
  /** Seconds per pgbench run. */
  duration?: number;
  workloads?: string[];
  /** Driver probe: concurrent connections and seconds. */
  probeConcurrency?: number;
  probeDuration?: number;
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES = {
  quick: { scale: 1, clients: 2, threads: 2, duration: 3, probeConcurrency: 4, probeDuration: 2 },
  full: { scale: 10, clients: 4, threads: 2, duration: 30, probeConcurrency: 8, probeDuration: 10 },
} as const;

export function benchPlan(options: PostgresBenchOptions) {
  const size = options.quick ? BENCH_SIZES.quick : BENCH_SIZES.full;
  const workloads = (options.workloads?.length ? options.workloads : [...PGBENCH_WORKLOADS]) as PgbenchWorkload[];
  for (const w of workloads) {
    if (!PGBENCH_WORKLOADS.includes(w)) {
      throw new DevstackError('BAD_INPUT', `Unknown pgbench workload "${w}".`, { fix: `Use --workloads ${PGBENCH_WORKLOADS.join(',')}` });
    }
  }
  const plan = {
    scale: options.scale ?? size.scale,
    clients: options.clients ?? size.clients,
    threads: options.threads ?? size.threads,
    duration: options.duration ?? size.duration,
    probeConcurrency: options.probeConcurrency ?? size.probeConcurrency,
    probeDuration: options.probeDuration ?? size.probeDuration,
    workloads,
  };
  for (const [k, v] of Object.entries(plan)) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < 1)) throw new DevstackError('BAD_INPUT', `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer; got ${v}.`);
  }
  if (plan.threads > plan.clients) plan.threads = plan.clients; // pgbench refuses more threads than clients
  return plan;
}

const key = (w: PgbenchWorkload) => w.replace(/-/g, '_');

/** Single-row primary-key reads through the pg driver, one connection per worker. */
async function probe(session: Awaited<ReturnType<typeof pgSession>>, concurrency: number, seconds: number, accounts: number, signal?: AbortSignal) {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < concurrency; i++) clients.push(await pgClient(session, BENCH_DATABASE));
    return await runProbe({
      concurrency,
      durationMs: seconds * 1000,
      signal,
      op: (w) => clients[w].query({ name: 'probe', text: 'SELECT abalance FROM pgbench_accounts WHERE aid = $1', values: [1 + Math.floor(Math.random() * accounts)] }),
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/** `nx run postgres:bench`: pgbench workloads and a driver probe, N trials, in devstack_bench. */
export const bench: Task<PostgresBenchOptions> = async (options, signal) => {
  const { config, progress } = contextOf(options);
  const plan = benchPlan(options);
  const trials = options.trials ?? config.trials;
  const result = startResult('postgres', 'bench');
  const session = await pgSession(config);
  result.server = await serverVersion(session);
  result.profile = activeProfile(config);
  progress(`postgres: preparing ${BENCH_DATABASE} (pgbench -i -s ${plan.scale})`);
  await createBenchDatabase(session);
  try {
    await pgbenchInit(session, plan.scale, signal);
    const tps: Record<string, number[]> = {};
    const snaps: Record<string, LatencySnapshot[]> = {};
    const merged: Record<string, LatencyRecorder> = {};
    const failed: Record<string, number> = {};
    const probeSnaps: LatencySnapshot[] = [];
    const probeMerged = new LatencyRecorder();
    await runTrials(trials, 'postgres bench', async () => {
      for (const w of plan.workloads) {
        progress(`postgres: pgbench ${w}, ${plan.clients} clients, ${plan.duration} s`);
        const run = await runPgbench(session, { workload: w, clients: plan.clients, threads: plan.threads, durationS: plan.duration }, signal);
        (tps[w] ??= []).push(run.summary.tps);
        (snaps[w] ??= []).push(run.recorder.snapshot());
        (merged[w] ??= new LatencyRecorder()).merge(run.recorder);
        failed[w] = (failed[w] ?? 0) + run.summary.failed;
        run.recorder.destroy();
      }
      progress(`postgres: driver probe, ${plan.probeConcurrency} connections, ${plan.probeDuration} s`);
      const p = await probe(session, plan.probeConcurrency, plan.probeDuration, plan.scale * 100_000, signal);
      if (p.errors > 0) throw new DevstackError('CHECK_FAILED', `postgres probe: ${p.errors} queries failed: ${p.firstError}`);
      probeSnaps.push(p.recorder.snapshot());
      probeMerged.merge(p.recorder);
      p.recorder.destroy();
    }, progress, signal);

    const labels = { tool: 'pgbench', scale: plan.scale, clients: plan.clients, threads: plan.threads, durationS: plan.duration };
    const metrics: Metric[] = [];
    const rows: (string | number)[][] = [];
    for (const w of plan.workloads) {
      const all = merged[w].snapshot();
      metrics.push(metricFromTrials(`${key(w)}_tps`, 'tx/s', 'higher', tps[w], { labels: { ...labels, workload: w } }));
      metrics.push(latencyMetric(`${key(w)}_p95_ms`, snaps[w], all, { labels: { ...labels, workload: w } }));
      const t = metrics[metrics.length - 2];
      rows.push([w, `${round(t.value, 1)} ±${round(t.mad, 1)}`, all.count, all.p50, all.p95, all.p99, all.max, failed[w]]);
      result.checks.push({ name: `pgbench ${w}: no failed transactions`, passed: failed[w] === 0, expected: '0', observed: String(failed[w]) });
    }
    const pAll = probeMerged.snapshot();
    metrics.push(latencyMetric('single_row_p95_ms', probeSnaps, pAll, { slo: SLO_P95_MS.dbSingleRow, labels: { tool: 'pg driver', concurrency: plan.probeConcurrency, durationS: plan.probeDuration } }));
    rows.push([`probe: single-row SELECT x${plan.probeConcurrency}`, '-', pAll.count, pAll.p50, pAll.p95, pAll.p99, pAll.max, 0]);
    result.checks.push({ name: 'single-row query p95 (SLO)', passed: metrics[metrics.length - 1].value <= SLO_P95_MS.dbSingleRow, expected: `<= ${SLO_P95_MS.dbSingleRow} ms`, observed: `${metrics[metrics.length - 1].value} ms` });
    result.metrics = metrics;
    result.tables!.push({
      title: `PostgreSQL bench: ${trials} trial(s); latency percentiles (ms) from HDR histograms merged over all trials`,
      head: ['workload', 'tps median ±MAD', 'samples', 'p50', 'p95', 'p99', 'max', 'failed tx'],
      rows,
    });
    for (const w of plan.workloads) {
      if (LOG_SAMPLING[w] < 1) result.notes!.push(`${w} latencies come from a ${LOG_SAMPLING[w] * 100}% sample of transactions (pgbench --sampling-rate); tps counts all of them`);
    }
    probeMerged.destroy();
    Object.values(merged).forEach((r) => r.destroy());
  } finally {
    if (options.keep) result.notes!.push(`kept database ${BENCH_DATABASE} (--keep)`);
    else await dropBenchDatabase(session).catch((err: Error) => result.warnings!.push(`could not drop ${BENCH_DATABASE}: ${err.message}`));
  }
  return result.finish() as TaskResult;
};
