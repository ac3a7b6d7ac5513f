import { existsSync, readFileSync } from 'node:fs';
import { contextOf, DevstackError, getCredentials, sizePlan, type BenchSizes, latencyMetric, LatencyRecorder, metricFromTrials, runTrials, SLO_P95_MS, startResult, type BenchOptions, type LatencySnapshot, type Metric, type TaskResult } from '@devstack/core';
import { providerFor, redisClient } from '@devstack/runtime';
import { createBenchUser } from './bench-user';
import { toolTrial, type TrialValues } from './benchmark-tool';
import { CLIENT_KEY_PREFIX, clientTrial } from './client-bench';
import { readTopology, slotMasters, waitSlotMapsAgree, type ClusterNode } from './topology';

export interface RedisBenchOptions extends BenchOptions {
  /** redis-benchmark requests per test (-n). */
  requests?: number;
  /** redis-benchmark parallel connections (-c). */
  clients?: number;
  /** ioredis bench operations per trial. */
  operations?: number;
  /** ioredis bench: seconds per client instead of a count of operations (after a short warm-up). */
  clientSeconds?: number;
  /** ioredis bench concurrent requests in flight. */
  concurrency?: number;
  /** Value size in bytes. */
  valueSize?: number;
  /** Skip one half: only redis-benchmark or only the ioredis client bench. */
  only?: 'tool' | 'client';
}

/** Quick: seconds, for tests and `npm start`. Full: long enough to leave the warm-up behind. */
export const BENCH_SIZES: BenchSizes<{ requests: number; clients: number; operations: number; concurrency: number; valueSize: number }> = {
  quick: { requests: 10000, clients: 20, operations: 4000, concurrency: 16, valueSize: 64 },
  full: { requests: 100000, clients: 50, operations: 50000, concurrency: 32, valueSize: 64 },
};

/** The profile named in the first comment line of the active config ("# Redis profile "dev": ..."). */
export function activeProfile(file: string | undefined): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  return /profile "([\w-]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
}

/** Remove what the bench wrote, from every master (SCAN + UNLINK, never KEYS or FLUSHALL). */
async function cleanup(masters: ClusterNode[], password: string): Promise<number> {
  let removed = 0;
  for (const m of masters) {
    const r = redisClient(m, password);
    try {
      await r.connect();
      for (const match of ['key:*', '{bench*', `${CLIENT_KEY_PREFIX}*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', match, 'COUNT', 1000);
          cursor = next;
          // One UNLINK per key: a multi-key UNLINK must stay within one slot.
          if (keys.length) {
            const pipe = r.pipeline();
            keys.forEach((k) => pipe.unlink(k));
            removed += ((await pipe.exec()) ?? []).reduce((a, [, n]) => a + Number(n ?? 0), 0);
          }
        } while (cursor !== '0');
      }
    } finally {
      r.disconnect();
    }
  }
  return removed;
}

const toolMetric = (name: string, values: number[]): Metric =>
  name.endsWith('_ms') ? metricFromTrials(name, 'ms', 'lower', values, { labels: { tool: 'redis-benchmark' } }) : metricFromTrials(name, 'req/s', 'higher', values, { labels: { tool: 'redis-benchmark' } });

/** `nx run redis:bench`: redis-benchmark per master and cluster-wide, then the ioredis client bench. */
export async function bench(options: RedisBenchOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const o = sizePlan(BENCH_SIZES, options);
  if (options.clientSeconds !== undefined && !(options.clientSeconds > 0 && options.clientSeconds <= 600)) {
    throw new DevstackError('BAD_INPUT', `--client-seconds must be a number of seconds in (0, 600]; got ${options.clientSeconds}.`, { fix: 'Example: --client-seconds 2' });
  }
  const trials = options.trials ?? config.trials;
  const result = startResult('redis', 'bench');
  const creds = await getCredentials(config, 'redis', { onWarning: (w) => result.warnings.push(w) });
  let nodes: ClusterNode[];
  let version: string;
  try {
    // After a failover or a rolling restart gossip may still carry two slot maps: wait for one.
    await waitSlotMapsAgree(config, creds.password, 20000, signal);
    nodes = await readTopology(config, creds.password);
    const first = redisClient(slotMasters(nodes)[0], creds.password);
    await first.connect();
    version = /redis_version:(\S+)/.exec(await first.info('server'))?.[1] ?? 'unknown';
    first.disconnect();
  } catch (err) {
    throw new DevstackError('SERVICE_DOWN', `Redis cluster unreachable: ${(err as Error).message}`, { fix: 'Start the stack: npx nx run stack:up', cause: err });
  }
  if (slotMasters(nodes).length !== 3) throw new DevstackError('SERVICE_DOWN', `Redis cluster has ${slotMasters(nodes).length} masters serving slots (expected 3).`, { fix: 'Check npx nx run stack:status' });
  result.server = { name: 'Redis', version };
  result.profile = activeProfile(providerFor(config).activeConfig('redis')) ?? config.profile;
  result.data = { options: o, trials };

  if (options.only !== 'client') {
    const user = await createBenchUser(config, creds.password);
    try {
      const perTrial: TrialValues[] = await runTrials(trials, 'redis-benchmark', () => toolTrial(nodes, user, { ...o, signal }), progress, signal);
      for (const name of Object.keys(perTrial[0]).filter((k) => !k.startsWith('step:'))) {
        const metric = toolMetric(name, perTrial.map((t) => t[name]));
        const step = Math.max(...perTrial.map((t) => t[`step:${name}`] ?? 0));
        if (step > 0) {
          metric.labels = { ...metric.labels, timingStepPct: Math.round(step) };
          if (step > 20) result.warnings.push(`${name}: redis-benchmark --cluster times in 250 ms steps; this run was short enough that one step is ${Math.round(step)}% of the figure (use more --requests)`);
        }
        result.metrics.push(metric);
      }
    } finally {
      await user.remove();
    }
  }
  if (options.only !== 'tool') {
    const ct = await runTrials(trials, 'ioredis cluster vs single node', () => clientTrial(nodes, { ...o, seconds: options.clientSeconds, password: creds.password }), progress, signal);
    const snap = (pick: (t: (typeof ct)[number]) => { snapshot(): LatencySnapshot }) => ct.map((t) => pick(t).snapshot());
    const merged = (key: 'cluster' | 'single' | 'direct' | 'redirected') => ct.reduce((acc, t) => acc.merge(t[key]), new LatencyRecorder()).snapshot();
    const slo = SLO_P95_MS.redisOp;
    result.metrics.push(
      metricFromTrials('client_cluster_ops', 'ops/s', 'higher', ct.map((t) => t.clusterOpsPerSec), { labels: { client: 'ioredis Cluster', concurrency: o.concurrency } }),
      metricFromTrials('client_single_ops', 'ops/s', 'higher', ct.map((t) => t.singleOpsPerSec), { labels: { client: 'ioredis (one master)', concurrency: o.concurrency } }),
      latencyMetric('client_cluster_p95_ms', snap((t) => t.cluster), merged('cluster'), { slo }),
      latencyMetric('client_single_p95_ms', snap((t) => t.single), merged('single'), { slo }),
      latencyMetric('direct_get_p95_ms', snap((t) => t.direct), merged('direct')),
      latencyMetric('moved_redirect_p95_ms', snap((t) => t.redirected), merged('redirected')),
      metricFromTrials('moved_overhead_p50_ms', 'ms', 'lower', ct.map((t) => t.redirected.snapshot().p50 - t.direct.snapshot().p50)),
    );
    const errors = ct.reduce((a, t) => a + t.errors, 0);
    result.checks.push({ name: 'ioredis bench: no failed operations', passed: errors === 0, expected: '0', observed: String(errors) });
    for (const name of ['client_cluster_p95_ms', 'client_single_p95_ms']) {
      const m = result.metrics.find((x) => x.name === name)!;
      result.checks.push({ name: `${name} < ${slo} ms (SLO)`, passed: m.value < slo, expected: `< ${slo}`, observed: String(m.value) });
    }
  }
  if (!options.keep) result.notes.push(`removed ${await cleanup(slotMasters(nodes), creds.password)} bench keys (use --keep to keep them)`);
  return result.finish();
}
