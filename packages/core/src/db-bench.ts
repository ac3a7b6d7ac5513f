import { sizePlan, type BenchSizes } from './bench-sizes';
import type { LoadedConfig } from './config';
import { BENCH_DATABASE, SLO_P95_MS } from './defaults';
import { DevstackError } from './errors';
import { runTrials, type BenchOptions } from './perf';
import { runProbe } from './probe';
import { latencyMetric, metricFromTrials, round, type Metric, type TaskResult } from './results';
import { LatencyRecorder, type LatencySnapshot } from './stats';
import { contextOf, startResult, type Task } from './task';

/**
 * The shape shared by the SQL backends' benches (postgres: pgbench, mysql: sysbench): a fresh bench
 * database, a load tool's workloads and a driver probe of single-row reads, N trials, HDR latencies.
 * Each backend says only what differs (the tool, its sizes, the driver), in a DbBenchSpec.
 */
export interface DbBenchOptions extends BenchOptions {
  threads?: number;
  /** Seconds per load-tool run. */
  duration?: number;
  workloads?: string[];
  /** Driver probe: concurrent connections and seconds. */
  probeConcurrency?: number;
  probeDuration?: number;
  /**
   * Repeated calls in one process (calibration: hundreds of one-trial benches) prepare the bench
   * database once and keep it, instead of creating, loading and dropping it on every call.
   */
  reuse?: boolean;
}

/** Sizes every DB bench has; a backend adds its tool's own (scale and clients, tables and rows). */
export interface DbBenchSize {
  threads: number;
  duration: number;
  probeConcurrency: number;
  probeDuration: number;
}

export type DbBenchPlan<S extends DbBenchSize, W extends string = string> = S & { workloads: W[] };

/** Workloads (default: all the tool knows; an unknown one is exit 2) and sizes of one bench run. */
export function dbBenchPlan<S extends DbBenchSize & Record<string, number>, W extends string>(sizes: BenchSizes<S>, options: DbBenchOptions, known: readonly W[], tool: string): DbBenchPlan<S, W> {
  const workloads = (options.workloads?.length ? options.workloads : [...known]) as W[];
  for (const w of workloads) {
    if (!known.includes(w)) throw new DevstackError('BAD_INPUT', `Unknown ${tool} workload "${w}".`, { fix: `Use --workloads ${known.join(',')}` });
  }
  return { ...sizePlan(sizes, options as { quick?: boolean } & Partial<Record<keyof S, unknown>>), workloads };
}

/** One run of a workload by the load tool: its latency histogram and what it counted. */
export interface DbWorkloadRun {
  recorder: LatencyRecorder;
  tps: number;
  /** Queries per second, where the tool reports them (sysbench). */
  qps?: number;
  /** Failed or retried transactions (see `issues` in the spec for which). */
  issues: number;
}

export interface DbBenchSpec<Session, Plan extends DbBenchPlan<DbBenchSize>, Conn> {
  backend: string;
  /** For the table title: "PostgreSQL", "MariaDB". */
  serverName: string;
  /** The load tool ("pgbench") and the driver of the probe ("pg driver"). */
  tool: string;
  driver: string;
  plan(options: DbBenchOptions): Plan;
  session(config: LoadedConfig): Promise<Session>;
  serverVersion(session: Session): Promise<{ name: string; version: string }>;
  activeProfile(config: LoadedConfig): string;
  createDatabase(session: Session): Promise<void>;
  dropDatabase(session: Session): Promise<void>;
  /** Fill the bench database; `describe` is the progress line ("pgbench -i -s 1"). */
  prepare: { describe(plan: Plan): string; run(session: Session, plan: Plan, signal?: AbortSignal): Promise<void> };
  workload: {
    /** Progress line after the workload name ("2 clients, 3 s"). */
    describe(plan: Plan): string;
    run(session: Session, plan: Plan, workload: string, signal?: AbortSignal): Promise<DbWorkloadRun>;
    /** Metric name prefix (`tpcb-like` -> `tpcb_like`). */
    key(workload: string): string;
    /** The plan's figures, as metric labels. */
    labels(plan: Plan): Record<string, string | number>;
    /** Report qps (metric and column) as well as tps. */
    qps?: boolean;
  };
  /** What `issues` counts: failures are a failed check; retries are a note. */
  issues: { column: string; check?: (workload: string) => string; note?: (workload: string, n: number) => string };
  /** Single-row primary-key reads through the driver, one connection per probe worker. */
  probe: { open(session: Session): Promise<Conn>; read(conn: Conn, plan: Plan): Promise<unknown>; close(conn: Conn): Promise<unknown> };
  /** Notes after the table (e.g. sampled latencies). */
  notes?(plan: Plan): string[];
}

async function probe<S, P extends DbBenchPlan<DbBenchSize>, C>(spec: DbBenchSpec<S, P, C>, session: S, plan: P, signal?: AbortSignal) {
  const conns: C[] = [];
  try {
    for (let i = 0; i < plan.probeConcurrency; i++) conns.push(await spec.probe.open(session));
    return await runProbe({ concurrency: plan.probeConcurrency, durationMs: plan.probeDuration * 1000, signal, op: (w) => spec.probe.read(conns[w], plan) });
  } finally {
    await Promise.all(conns.map((c) => spec.probe.close(c).catch(() => undefined)));
  }
}

interface PerWorkload {
  tps: number[];
  qps: number[];
  snaps: LatencySnapshot[];
  merged: LatencyRecorder;
  issues: number;
}

/** `nx run <backend>:bench` for a SQL backend: the load tool's workloads and a driver probe, N trials, in devstack_bench. */
export function dbBenchTask<O extends DbBenchOptions, S, P extends DbBenchPlan<DbBenchSize>, C>(spec: DbBenchSpec<S, P, C>): Task<O> {
  const { backend } = spec;
  /** What the bench database holds when `reuse` kept it (the prepare step's description, per stack). */
  const prepared = new Map<string, string>();
  return async (options, signal) => {
    const { config, progress } = contextOf(options);
    const plan = spec.plan(options);
    const trials = options.trials ?? config.trials;
    const result = startResult(backend, 'bench');
    const session = await spec.session(config);
    result.server = await spec.serverVersion(session);
    result.profile = spec.activeProfile(config);
    const stack = `${config.root}:${config.portOffset}`;
    const reused = options.reuse === true && prepared.get(stack) === spec.prepare.describe(plan);
    if (!reused) {
      prepared.delete(stack);
      progress(`${backend}: preparing ${BENCH_DATABASE} (${spec.prepare.describe(plan)})`);
      await spec.createDatabase(session);
    }
    try {
      if (!reused) await spec.prepare.run(session, plan, signal);
      if (options.reuse) prepared.set(stack, spec.prepare.describe(plan));
      const per: Record<string, PerWorkload> = {};
      const probeSnaps: LatencySnapshot[] = [];
      const probeMerged = new LatencyRecorder();
      await runTrials(trials, `${backend} bench`, async () => {
        for (const w of plan.workloads) {
          progress(`${backend}: ${spec.tool} ${w}, ${spec.workload.describe(plan)}`);
          const run = await spec.workload.run(session, plan, w, signal);
          const p = (per[w] ??= { tps: [], qps: [], snaps: [], merged: new LatencyRecorder(), issues: 0 });
          p.tps.push(run.tps);
          if (run.qps !== undefined) p.qps.push(run.qps);
          p.snaps.push(run.recorder.snapshot());
          p.merged.merge(run.recorder);
          p.issues += run.issues;
          run.recorder.destroy();
        }
        progress(`${backend}: driver probe, ${plan.probeConcurrency} connections, ${plan.probeDuration} s`);
        const pr = await probe(spec, session, plan, signal);
        if (pr.errors > 0) throw new DevstackError('CHECK_FAILED', `${backend} probe: ${pr.errors} queries failed: ${pr.firstError}`);
        probeSnaps.push(pr.recorder.snapshot());
        probeMerged.merge(pr.recorder);
        pr.recorder.destroy();
      }, progress, signal);

      const labels = { tool: spec.tool, ...spec.workload.labels(plan) };
      const qps = spec.workload.qps === true;
      const metrics: Metric[] = [];
      const rows: (string | number)[][] = [];
      for (const w of plan.workloads) {
        const p = per[w];
        const all = p.merged.snapshot();
        const k = spec.workload.key(w);
        const tps = metricFromTrials(`${k}_tps`, 'tx/s', 'higher', p.tps, { labels: { ...labels, workload: w } });
        const q = qps ? [metricFromTrials(`${k}_qps`, 'q/s', 'higher', p.qps, { labels: { ...labels, workload: w } })] : [];
        metrics.push(tps, ...q, latencyMetric(`${k}_p95_ms`, p.snaps, all, { labels: { ...labels, workload: w } }));
        rows.push([w, `${round(tps.value, 1)} ±${round(tps.mad, 1)}`, ...q.map((m) => `${round(m.value, 1)}`), all.count, all.p50, all.p95, all.p99, all.max, p.issues]);
        if (spec.issues.check) result.checks.push({ name: spec.issues.check(w), passed: p.issues === 0, expected: '0', observed: String(p.issues) });
        if (spec.issues.note && p.issues > 0) result.notes.push(spec.issues.note(w, p.issues));
        p.merged.destroy();
      }
      const pAll = probeMerged.snapshot();
      const probeMetric = latencyMetric('single_row_p95_ms', probeSnaps, pAll, { slo: SLO_P95_MS.dbSingleRow, labels: { tool: spec.driver, concurrency: plan.probeConcurrency, durationS: plan.probeDuration } });
      metrics.push(probeMetric);
      probeMerged.destroy();
      rows.push([`probe: single-row SELECT x${plan.probeConcurrency}`, '-', ...(qps ? ['-'] : []), pAll.count, pAll.p50, pAll.p95, pAll.p99, pAll.max, 0]);
      result.checks.push({ name: 'single-row query p95 (SLO)', passed: probeMetric.value <= SLO_P95_MS.dbSingleRow, expected: `<= ${SLO_P95_MS.dbSingleRow} ms`, observed: `${probeMetric.value} ms` });
      result.metrics = metrics;
      result.tables.push({
        title: `${spec.serverName} bench: ${trials} trial(s); latency percentiles (ms) from HDR histograms merged over all trials`,
        head: ['workload', 'tps median ±MAD', ...(qps ? ['qps'] : []), 'samples', 'p50', 'p95', 'p99', 'max', spec.issues.column],
        rows,
      });
      result.notes.push(...(spec.notes?.(plan) ?? []));
    } finally {
      if (options.keep || options.reuse) result.notes.push(`kept database ${BENCH_DATABASE} (${options.reuse ? 'reused by the next call' : '--keep'})`);
      else await spec.dropDatabase(session).catch((err: Error) => result.warnings.push(`could not drop ${BENCH_DATABASE}: ${err.message}`));
    }
    return result.finish() as TaskResult;
  };
}
