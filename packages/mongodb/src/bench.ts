import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { BENCH_DATABASE, contextOf, sizePlan, type BenchSizes, DevstackError, latencyMetric, LatencyRecorder, metricFromTrials, runTrials, SLO_P95_MS, startResult, type BenchOptions, type LoadedConfig, type Metric, type TaskResult } from '@devstack/core';
import type { MongoClient } from 'mongodb';
import { CpuMeter, ferretdbPatches, ferretStorage, mongoBinary, MONGO_BACKEND_PID, mongoUrl, providerFor, stackPids } from '@devstack/runtime';
import { activeBackendProfile } from './backend-profiles';
import { goPointReads, goProbeBinary, GO_PROBE } from './go-probe';
import { connect, mongoCredentials, serverInfo } from './server';
import { insertSingles, loadBatched, loadPointReadDocs, pointReads, runWorkload, type PointReadOutcome, type WorkloadOutcome } from './workload';
import { WORKLOADS, type KeyDistribution, type WorkloadName } from './ycsb';

export interface MongoBenchOptions extends BenchOptions {
  records?: number;
  /** Operations per workload run. */
  operations?: number;
  concurrency?: number;
  /** Bytes per document (ten fields). */
  docSize?: number;
  /** Documents per insertMany batch. */
  batchSize?: number;
  /** Documents inserted one by one. */
  singleInserts?: number;
  distribution?: KeyDistribution;
  workloads?: string[];
  /** Point-read probe: documents in its collection, findOne calls in flight, seconds per trial. */
  pointReadDocs?: number;
  pointReadConcurrency?: number;
  pointReadSeconds?: number;
  /**
   * Which client runs the point-read probe: 'node' (the official Node driver, in this process), 'go'
   * (tools/mongo-pointread, the official Go driver), or 'both' (default; the Go one only where setup built it).
   */
  pointReadClient?: 'both' | 'node' | 'go';
  /** 'ycsb': the load and the YCSB workloads only (no single inserts, no point-read probe): regress calibration's trial. */
  only?: 'ycsb';
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES: BenchSizes<{
  records: number;
  operations: number;
  concurrency: number;
  docSize: number;
  batchSize: number;
  singleInserts: number;
  pointReadDocs: number;
  pointReadConcurrency: number;
  pointReadSeconds: number;
}> = {
  // The point-read probe is issue 17's measurement in both modes (1,000 documents, 8 in flight); only its window differs.
  quick: { records: 1000, operations: 500, concurrency: 4, docSize: 1000, batchSize: 100, singleInserts: 300, pointReadDocs: 1000, pointReadConcurrency: 8, pointReadSeconds: 3 },
  full: { records: 10000, operations: 10000, concurrency: 16, docSize: 1000, batchSize: 500, singleInserts: 2000, pointReadDocs: 1000, pointReadConcurrency: 8, pointReadSeconds: 10 },
};

/** The profile named in the active config's first comment line (`# mongod profile "dev": ...`). */
export function activeProfile(file: string | undefined): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  return /profile "([\w-]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
}

interface Trial {
  batchedDocsPerSec: number;
  workloads: Partial<Record<WorkloadName, WorkloadOutcome>>;
  /** Absent with --only ycsb. */
  singleDocsPerSec?: number;
  single?: LatencyRecorder;
  pointRead?: PointReadOutcome;
  /** CPU seconds by process group over the timed point reads (local stack only). */
  pointReadCpu?: { cpuSeconds: Record<string, number>; wallSeconds: number };
  /** The same probe through the Go driver (tools/mongo-pointread), and its CPU (client: the probe's own). */
  pointReadGo?: PointReadOutcome;
  pointReadGoCpu?: { cpuSeconds: Record<string, number>; wallSeconds: number };
}

/** The Go probe's connection string: the login the bench's own client connected with (none on a mongod without --auth). */
async function probeUrl(config: LoadedConfig, client: MongoClient): Promise<string> {
  return mongoUrl(config, client.options.credentials ? await mongoCredentials(config) : undefined);
}

/**
 * `nx run mongodb:bench`: YCSB A/B/C through the official driver, plus batched and single inserts, and
 * the point-read probe through the Node driver and the Go driver (tools/mongo-pointread).
 */
export async function bench(options: MongoBenchOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const o = { ...sizePlan(BENCH_SIZES, options), distribution: options.distribution ?? 'zipfian' };
  if (!['zipfian', 'uniform'].includes(o.distribution)) throw new DevstackError('BAD_INPUT', `Unknown distribution "${o.distribution}".`, { fix: 'Use --distribution zipfian or uniform.' });
  const workloads = (options.workloads ?? ['A', 'B', 'C']).map((w) => w.toUpperCase()) as WorkloadName[];
  const unknown = workloads.filter((w) => !(w in WORKLOADS));
  if (unknown.length) throw new DevstackError('BAD_INPUT', `Unknown YCSB workload(s): ${unknown.join(', ')}.`, { fix: 'Use --workloads A,B,C (any subset).' });
  const trials = options.trials ?? config.trials;
  if (options.only !== undefined && options.only !== 'ycsb') throw new DevstackError('BAD_INPUT', `Unknown --only "${options.only}".`, { fix: 'Use --only ycsb (the load and the YCSB workloads), or leave it out for everything.' });
  const ycsbOnly = options.only === 'ycsb';
  const clients = options.pointReadClient ?? 'both';
  if (!['both', 'node', 'go'].includes(clients)) throw new DevstackError('BAD_INPUT', `Unknown --point-read-client "${clients}".`, { fix: 'Use --point-read-client both, node or go.' });
  const goBinary = ycsbOnly || clients === 'node' ? undefined : goProbeBinary(config.root);
  if (clients === 'go' && !ycsbOnly && !goBinary) throw new DevstackError('TOOL_MISSING', `The Go point-read probe is not built (.devstack/tools/bin/${GO_PROBE}).`, { fix: 'Run bash tools/setup.sh (it needs Go 1.22+), or use --point-read-client node.' });

  const result = startResult('mongodb', 'bench');
  const client = await connect(config);
  try {
    const info = await serverInfo(client);
    result.server = { name: info.name, version: info.version };
    // FerretDB's profile is its backend PostgreSQL's (configs/mongodb/*.conf); mongod's is a mongod.conf.
    result.profile = info.name === 'MongoDB' ? activeProfile(providerFor(config).activeConfig('mongodb')) ?? config.profile : activeBackendProfile(config);
    // FerretDB's storage (mongodb.backend): the same command benches either, so the result says which.
    const storage = info.name === 'FerretDB' && config.provider === 'local' ? ferretStorage(config) : undefined;
    // Which FerretDB build: the patches tools/setup.sh built in (tools/patches/), or none (a FerretDB from elsewhere).
    const bin = storage ? mongoBinary() : undefined;
    const patches = bin ? ferretdbPatches(bin.path) : undefined;
    result.data = { options: o, workloads, trials, server: info, database: BENCH_DATABASE, ...(storage ? { storage, ferretdbPatches: patches ?? null } : {}) };
    if (storage) {
      result.notes.push(`FerretDB storage: ${storage}${storage === 'sqlite' ? ' (mongodb.backend=sqlite: comparison only)' : ''}`);
      result.notes.push(`FerretDB build: ${patches === undefined ? `${bin?.path ?? 'ferretdb'}, not built by tools/setup.sh (patches unknown)` : patches.length ? `patched (tools/patches/): ${patches.join(', ')}` : 'no patches'}`);
    }
    const db = client.db(BENCH_DATABASE);
    // Where a point read's CPU goes: this process (the driver), the server, FerretDB's PostgreSQL.
    const cpuGroups = ycsbOnly ? undefined : pointReadCpuGroups(config.provider, config.stateRoot, storage);
    // The Go probe's failed reads (redacted by the probe): the check below counts them, this says what they were.
    const goErrors: string[] = [];
    const perTrial: Trial[] = await runTrials(
      trials,
      'mongodb YCSB',
      async (t) => {
        await db.dropDatabase();
        const usertable = db.collection('usertable');
        progress(`load: ${o.records} records, insertMany batches of ${o.batchSize}`);
        const load = await loadBatched(usertable, o.records, o.docSize, o.batchSize, o.concurrency);
        const single = ycsbOnly ? undefined : await insertSingles(db.collection('singles'), o.singleInserts, o.docSize, o.concurrency);
        const workloadRuns: Trial['workloads'] = {};
        for (const w of workloads) {
          if (signal?.aborted) throw signal.reason;
          progress(`workload ${w} (${WORKLOADS[w].description}): ${o.operations} ops`);
          workloadRuns[w] = await runWorkload(usertable, w, { ...o, seed: 1000 * (t + 1) });
        }
        if (ycsbOnly) return { batchedDocsPerSec: load.docsPerSec, workloads: workloadRuns };
        progress(`point reads: findOne({_id}) over ${o.pointReadDocs} documents, ${o.pointReadConcurrency} in flight, ${o.pointReadSeconds} s`);
        const pointColl = db.collection('pointreads');
        await loadPointReadDocs(pointColl, o.pointReadDocs, o.docSize);
        const probe = { docs: o.pointReadDocs, concurrency: o.pointReadConcurrency, seconds: o.pointReadSeconds, seed: 7000 * (t + 1) };
        const trial: Trial = { batchedDocsPerSec: load.docsPerSec, singleDocsPerSec: single!.docsPerSec, single: single!.latency, workloads: workloadRuns };
        if (clients !== 'go') {
          const meter = cpuGroups ? await CpuMeter.start(cpuGroups) : undefined;
          trial.pointRead = await pointReads(pointColl, probe, signal);
          trial.pointReadCpu = await meter?.stop();
        }
        if (goBinary) {
          progress(`point reads through the Go driver (${GO_PROBE}): the same loop, ${o.pointReadSeconds} s`);
          const { client: _self, ...serverGroups } = cpuGroups ?? {};
          const go = await goPointReads(goBinary, { uri: await probeUrl(config, client), database: BENCH_DATABASE, collection: 'pointreads', ...probe }, cpuGroups ? serverGroups : undefined, signal);
          trial.pointReadGo = go.outcome;
          trial.pointReadGoCpu = go.cpu;
          if (go.firstError) goErrors.push(`trial ${t + 1}: ${go.outcome.latency.errors} failed, the first: ${go.firstError}`);
        }
        return trial;
      },
      progress,
      signal,
    );
    result.metrics.push(...metricsOf(perTrial, workloads, o.concurrency, ycsbOnly ? undefined : { docs: o.pointReadDocs, concurrency: o.pointReadConcurrency, seconds: o.pointReadSeconds }));
    const cpu = cpuGroups ? pointReadCpu(perTrial, info.name, os.cpus().length) : undefined;
    const goCpu = cpuGroups ? pointReadCpu(perTrial.map((t) => ({ pointRead: t.pointReadGo, pointReadCpu: t.pointReadGoCpu })), info.name, os.cpus().length, 'go') : undefined;
    for (const c of [cpu, goCpu]) {
      if (!c) continue;
      result.tables.push(c.table);
      result.notes.push(c.note);
    }
    if (cpu || goCpu) result.data = { ...result.data, ...(cpu ? { pointReadCpu: cpu.data } : {}), ...(goCpu ? { pointReadGoCpu: goCpu.data } : {}) };
    else if (!ycsbOnly) result.notes.push('CPU per point read: measured on the local stack only (its pid files)');
    if (!ycsbOnly && clients === 'both' && !goBinary) result.notes.push(`point reads through the Go driver: skipped, .devstack/tools/bin/${GO_PROBE} is not built (bash tools/setup.sh builds it where Go is installed)`);
    for (const e of goErrors) result.warnings.push(`point reads through the Go driver, ${e}`);
    if (ycsbOnly) result.notes.push('--only ycsb: the load and the YCSB workloads; no single inserts, no point-read probe');
    const misses = perTrial.reduce((a, t) => a + Object.values(t.workloads).reduce((b, w) => b + w!.misses, 0) + (t.pointRead?.misses ?? 0) + (t.pointReadGo?.misses ?? 0), 0);
    const errors = perTrial.reduce((a, t) => a + Object.values(t.workloads).reduce((b, w) => b + w!.errors, 0) + (t.single?.errors ?? 0) + (t.pointRead?.latency.errors ?? 0) + (t.pointReadGo?.latency.errors ?? 0), 0);
    result.checks.push({ name: 'every point read found its record', passed: misses === 0, expected: '0 misses', observed: `${misses} misses` });
    result.checks.push({ name: 'no failed operations', passed: errors === 0, expected: '0', observed: String(errors) });
    const read = result.metrics.find((m) => m.name === 'point_read_p95_ms');
    if (read) result.checks.push({ name: `point read p95 < ${SLO_P95_MS.dbSingleRow} ms (SLO)`, passed: read.value < SLO_P95_MS.dbSingleRow, expected: `< ${SLO_P95_MS.dbSingleRow}`, observed: String(read.value) });
    if (options.keep) result.notes.push(`kept database ${BENCH_DATABASE}`);
    else {
      await db.dropDatabase();
      result.notes.push(`dropped database ${BENCH_DATABASE} (use --keep to keep it)`);
    }
    return result.finish();
  } finally {
    await client.close();
  }
}

/** `probe` undefined: the trials ran with --only ycsb (no single inserts, no point-read probe). */
function metricsOf(perTrial: Trial[], workloads: WorkloadName[], concurrency: number, probe: { docs: number; concurrency: number; seconds: number } | undefined): Metric[] {
  const labels = { concurrency };
  const merged = (pick: (t: Trial) => LatencyRecorder | undefined) => perTrial.reduce((a, t) => a.merge(pick(t)!), new LatencyRecorder()).snapshot();
  const snaps = (pick: (t: Trial) => LatencyRecorder | undefined) => perTrial.map((t) => pick(t)!.snapshot());
  const out: Metric[] = [metricFromTrials('insert_batched_docs_per_s', 'docs/s', 'higher', perTrial.map((t) => t.batchedDocsPerSec), { labels })];
  if (probe) {
    out.push(
      metricFromTrials('insert_single_docs_per_s', 'docs/s', 'higher', perTrial.map((t) => t.singleDocsPerSec!), { labels }),
      latencyMetric('insert_single_p95_ms', snaps((t) => t.single), merged((t) => t.single)),
    );
  }
  for (const w of workloads) {
    const k = w.toLowerCase();
    out.push(metricFromTrials(`ycsb_${k}_ops_per_s`, 'ops/s', 'higher', perTrial.map((t) => t.workloads[w]!.opsPerSec), { labels: { ...labels, workload: WORKLOADS[w].description } }));
    out.push(latencyMetric(`ycsb_${k}_read_p95_ms`, snaps((t) => t.workloads[w]!.read), merged((t) => t.workloads[w]!.read)));
    if (w !== 'C') out.push(latencyMetric(`ycsb_${k}_update_p95_ms`, snaps((t) => t.workloads[w]!.update), merged((t) => t.workloads[w]!.update)));
  }
  // Point-query latency: the read-only workload's reads (or the first workload's if C was not run).
  const pw = workloads.includes('C') ? 'C' : workloads[0];
  out.push(latencyMetric('point_read_p95_ms', snaps((t) => t.workloads[pw]!.read), merged((t) => t.workloads[pw]!.read), { slo: SLO_P95_MS.dbSingleRow, labels: { workload: pw } }));
  if (!probe) return out;
  // Point-read throughput (findOne by _id, closed loop): the figure issue 17 compares across FerretDB
  // backends, once per client that ran (Node driver: point_read_ops, point_read_probe_*; Go: point_read_go_*).
  const probeMetrics = (pick: (t: Trial) => PointReadOutcome | undefined, names: { ops: string; p50: string; p95: string }, client: string) => {
    if (!perTrial.every((t) => pick(t))) return;
    const probeLabels = { documents: probe.docs, concurrency: probe.concurrency, durationS: probe.seconds, client };
    const reads = merged((t) => pick(t)!.latency);
    out.push(metricFromTrials(names.ops, 'ops/s', 'higher', perTrial.map((t) => pick(t)!.opsPerSec), { labels: probeLabels }));
    const probeSnaps = perTrial.map((t) => pick(t)!.latency.snapshot());
    const spread = { p50: reads.p50, p95: reads.p95, p99: reads.p99, max: reads.max };
    out.push(metricFromTrials(names.p50, 'ms', 'lower', probeSnaps.map((x) => x.p50), { ...spread, labels: probeLabels }));
    out.push(latencyMetric(names.p95, probeSnaps, reads, { slo: SLO_P95_MS.dbSingleRow, labels: probeLabels }));
  };
  probeMetrics((t) => t.pointRead, { ops: 'point_read_ops', p50: 'point_read_probe_p50_ms', p95: 'point_read_probe_p95_ms' }, 'node-driver');
  probeMetrics((t) => t.pointReadGo, { ops: 'point_read_go_ops', p50: 'point_read_go_p50_ms', p95: 'point_read_go_p95_ms' }, 'go-driver');
  return out;
}

/**
 * Process groups a point read runs through on the local stack; undefined without its pid files.
 * FerretDB's PostgreSQL only when FerretDB stores in it (on SQLite it may still run, idle).
 */
export function pointReadCpuGroups(provider: string, stateRoot: string, storage?: string): Record<string, number[]> | undefined {
  if (provider !== 'local') return undefined;
  const pids = stackPids(stateRoot);
  const server = pids.get('mongodb');
  if (!server) return undefined;
  const backend = storage === 'postgresql' ? pids.get(MONGO_BACKEND_PID) : undefined;
  return { client: [process.pid], server, ...(backend ? { backend } : {}) };
}

const CPU_LABELS: Record<string, (server: string, client: 'node' | 'go') => string> = {
  client: (_server, client) => (client === 'go' ? `bench client (Go driver, ${GO_PROBE})` : 'bench client (Node driver, this process)'),
  server: (server) => `${server} server`,
  backend: () => "FerretDB's PostgreSQL",
};

/**
 * CPU per point read by process, over all trials (sum of CPU / sum of reads), and the ceiling it sets:
 * with every core busy on the read path, `cores` seconds of CPU per second divided by the CPU a read
 * costs. A throughput near that ceiling is CPU-bound; far below it, something else (latency, locks).
 */
export function pointReadCpu(
  perTrial: { pointRead?: { latency: { count: number } }; pointReadCpu?: { cpuSeconds: Record<string, number>; wallSeconds: number } }[],
  server: string,
  cores: number,
  client: 'node' | 'go' = 'node',
) {
  const trials = perTrial.filter((t) => t.pointRead && t.pointReadCpu);
  const reads = trials.map((t) => t.pointRead!.latency.count);
  const totalReads = reads.reduce((a, b) => a + b, 0);
  if (!trials.length || totalReads === 0) return undefined;
  const names = Object.keys(trials[0].pointReadCpu!.cpuSeconds);
  const wall = trials.reduce((a, t) => a + t.pointReadCpu!.wallSeconds, 0);
  const usPerRead = (sec: number, n: number) => Math.round((sec * 1e6) / n);
  const row = (label: string, pick: (c: Record<string, number>) => number) => {
    const sec = trials.reduce((a, t) => a + pick(t.pointReadCpu!.cpuSeconds), 0);
    return { label, us: usPerRead(sec, totalReads), perTrial: trials.map((t, i) => usPerRead(pick(t.pointReadCpu!.cpuSeconds), reads[i])), pct: Math.round((sec / wall) * 100) };
  };
  const rows = [...names.map((n) => row(CPU_LABELS[n]?.(server, client) ?? n, (c) => c[n] ?? 0)), row('total', (c) => names.reduce((a, n) => a + (c[n] ?? 0), 0))];
  const total = rows[rows.length - 1];
  const ceiling = total.us > 0 ? Math.round((cores * 1e6) / total.us) : undefined;
  const readsPerSec = Math.round(totalReads / wall);
  const driver = client === 'go' ? 'Go driver' : 'Node driver';
  return {
    table: {
      title: `CPU per point read (${driver}), by process (${client === 'go' ? 'the probe: its getrusage; the servers: ' : ''}/proc utime+stime over the timed reads, ${trials.length} trial(s), ${totalReads} reads)`,
      head: ['process', 'CPU µs per read', 'per trial', 'CPU % of one core'],
      rows: rows.map((r) => [r.label, r.us, r.perTrial.join(' / '), r.pct]),
    },
    note: `point reads (${driver}): ${total.us} µs of CPU per read on this machine (${rows.slice(0, -1).map((r) => `${r.label} ${r.us}`).join(', ')}); ${cores} core(s) fully busy on the read path would cap at about ${ceiling ?? '-'} reads/s, against ${readsPerSec} measured`,
    data: { usPerRead: Object.fromEntries(names.map((n, i) => [n, rows[i].us])), totalUsPerRead: total.us, cores, ceilingReadsPerSec: ceiling, readsPerSec },
  };
}
