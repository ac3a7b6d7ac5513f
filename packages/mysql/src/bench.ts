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
import type { Connection } from 'mysql2/promise';
import { createBenchDatabase, dropBenchDatabase, mysqlConnection, mysqlSession, serverVersion, type MysqlSession } from './connection';
import { activeProfile } from './profiles';
import { runSysbench, sysbenchPrepare, SYSBENCH_WORKLOADS, type SysbenchWorkload } from './sysbench';

export interface MysqlBenchOptions extends BenchOptions {
  /** sysbench tables and rows per table. */
  tables?: number;
  rows?: number;
  threads?: number;
  /** Seconds per sysbench run. */
  duration?: number;
  workloads?: string[];
  probeConcurrency?: number;
  probeDuration?: number;
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES = {
  quick: { tables: 2, rows: 10_000, threads: 2, duration: 3, probeConcurrency: 4, probeDuration: 2 },
  full: { tables: 4, rows: 100_000, threads: 4, duration: 30, probeConcurrency: 8, probeDuration: 10 },
} as const;

export function benchPlan(options: MysqlBenchOptions) {
  const size = options.quick ? BENCH_SIZES.quick : BENCH_SIZES.full;
  const workloads = (options.workloads?.length ? options.workloads : [...SYSBENCH_WORKLOADS]) as SysbenchWorkload[];
  for (const w of workloads) {
    if (!SYSBENCH_WORKLOADS.includes(w)) throw new DevstackError('BAD_INPUT', `Unknown sysbench workload "${w}".`, { fix: `Use --workloads ${SYSBENCH_WORKLOADS.join(',')}` });
  }
  const plan = {
    tables: options.tables ?? size.tables,
    rows: options.rows ?? size.rows,
    threads: options.threads ?? size.threads,
    duration: options.duration ?? size.duration,
    probeConcurrency: options.probeConcurrency ?? size.probeConcurrency,
    probeDuration: options.probeDuration ?? size.probeDuration,
    workloads,
  };
  for (const [k, v] of Object.entries(plan)) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < 1)) throw new DevstackError('BAD_INPUT', `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer; got ${v}.`);
  }
  return plan;
}

/** Single-row primary-key reads through mysql2, one connection per worker. */
async function probe(session: MysqlSession, concurrency: number, seconds: number, rows: number, signal?: AbortSignal) {
  const conns: Connection[] = [];
  try {
    for (let i = 0; i < concurrency; i++) conns.push(await mysqlConnection(session, BENCH_DATABASE));
    return await runProbe({
      concurrency,
      durationMs: seconds * 1000,
      signal,
      op: (w) => conns[w].execute('SELECT c FROM sbtest1 WHERE id = ?', [1 + Math.floor(Math.random() * rows)]),
    });
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
}

/** `nx run mysql:bench`: sysbench OLTP workloads and a driver probe, N trials, in devstack_bench. */
export const bench: Task<MysqlBenchOptions> = async (options, signal) => {
  const { config, progress } = contextOf(options);
  const plan = benchPlan(options);
  const trials = options.trials ?? config.trials;
  const result = startResult('mysql', 'bench');
  const session = await mysqlSession(config);
  result.server = await serverVersion(session);
  result.profile = activeProfile(config);
  progress(`mysql: preparing ${BENCH_DATABASE} (sysbench prepare, ${plan.tables} x ${plan.rows} rows)`);
  await createBenchDatabase(session);
  try {
    await sysbenchPrepare(session, plan, signal);
    const per: Record<string, { tps: number[]; qps: number[]; snaps: LatencySnapshot[]; merged: LatencyRecorder; errors: number }> = {};
    const probeSnaps: LatencySnapshot[] = [];
    const probeMerged = new LatencyRecorder();
    await runTrials(trials, 'mysql bench', async () => {
      for (const w of plan.workloads) {
        progress(`mysql: sysbench ${w}, ${plan.threads} threads, ${plan.duration} s`);
        const run = await runSysbench(session, { ...plan, workload: w, durationS: plan.duration }, signal);
        const p = (per[w] ??= { tps: [], qps: [], snaps: [], merged: new LatencyRecorder(), errors: 0 });
        p.tps.push(run.summary.tps);
        p.qps.push(run.summary.qps);
        p.snaps.push(run.recorder.snapshot());
        p.merged.merge(run.recorder);
        p.errors += run.summary.ignoredErrors;
        run.recorder.destroy();
      }
      progress(`mysql: driver probe, ${plan.probeConcurrency} connections, ${plan.probeDuration} s`);
      const pr = await probe(session, plan.probeConcurrency, plan.probeDuration, plan.rows, signal);
      if (pr.errors > 0) throw new DevstackError('CHECK_FAILED', `mysql probe: ${pr.errors} queries failed: ${pr.firstError}`);
      probeSnaps.push(pr.recorder.snapshot());
      probeMerged.merge(pr.recorder);
      pr.recorder.destroy();
    }, progress, signal);

    const labels = { tool: 'sysbench', tables: plan.tables, rows: plan.rows, threads: plan.threads, durationS: plan.duration };
    const metrics: Metric[] = [];
    const rows: (string | number)[][] = [];
    for (const w of plan.workloads) {
      const p = per[w];
      const all = p.merged.snapshot();
      const tps = metricFromTrials(`${w}_tps`, 'tx/s', 'higher', p.tps, { labels: { ...labels, workload: w } });
      const qps = metricFromTrials(`${w}_qps`, 'q/s', 'higher', p.qps, { labels: { ...labels, workload: w } });
      metrics.push(tps, qps, latencyMetric(`${w}_p95_ms`, p.snaps, all, { labels: { ...labels, workload: w } }));
      rows.push([w, `${round(tps.value, 1)} ±${round(tps.mad, 1)}`, `${round(qps.value, 1)}`, all.count, all.p50, all.p95, all.p99, all.max, p.errors]);
      // sysbench's "ignored errors" are deadlocks and lock waits it retried (--mysql-ignore-errors
      // default 1213,1020,1205): the transaction still completed, so they are reported, not failed.
      if (p.errors > 0) result.notes!.push(`sysbench ${w}: ${p.errors} transaction(s) hit a deadlock or lock wait and were retried by sysbench (its "ignored errors")`);
      p.merged.destroy();
    }
    const pAll = probeMerged.snapshot();
    const probeMetric = latencyMetric('single_row_p95_ms', probeSnaps, pAll, { slo: SLO_P95_MS.dbSingleRow, labels: { tool: 'mysql2 driver', concurrency: plan.probeConcurrency, durationS: plan.probeDuration } });
    metrics.push(probeMetric);
    probeMerged.destroy();
    rows.push([`probe: single-row SELECT x${plan.probeConcurrency}`, '-', '-', pAll.count, pAll.p50, pAll.p95, pAll.p99, pAll.max, 0]);
    result.checks.push({ name: 'single-row query p95 (SLO)', passed: probeMetric.value <= SLO_P95_MS.dbSingleRow, expected: `<= ${SLO_P95_MS.dbSingleRow} ms`, observed: `${probeMetric.value} ms` });
    result.metrics = metrics;
    result.tables!.push({
      title: `MariaDB bench: ${trials} trial(s); latency percentiles (ms) from HDR histograms merged over all trials`,
      head: ['workload', 'tps median ±MAD', 'qps', 'samples', 'p50', 'p95', 'p99', 'max', 'retried (deadlocks)'],
      rows,
    });
  } finally {
    if (options.keep) result.notes!.push(`kept database ${BENCH_DATABASE} (--keep)`);
    else await dropBenchDatabase(session).catch((err: Error) => result.warnings!.push(`could not drop ${BENCH_DATABASE}: ${err.message}`));
  }
  return result.finish() as TaskResult;
};
