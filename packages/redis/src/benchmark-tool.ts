import { DevstackError, runCommand, type HostPort } from '@devstack/core';
import { findBinary } from '@devstack/runtime';
import { parseBenchmarkCsv, type BenchmarkRow } from './benchmark-output';
import type { BenchUser } from './bench-user';
import { slotMasters, tagFor, type ClusterNode } from './topology';

export interface ToolRunOptions {
  requests: number;
  clients: number;
  valueSize: number;
  signal?: AbortSignal;
}

const TOOL_TIMEOUT_MS = 120_000;

/** One redis-benchmark invocation; the password goes to the throwaway bench user (see bench-user.ts). */
export async function runRedisBenchmark(node: HostPort, user: BenchUser, args: string[], signal?: AbortSignal): Promise<BenchmarkRow[]> {
  const bin = findBinary('redis-benchmark');
  if (!bin) throw new DevstackError('TOOL_MISSING', 'redis-benchmark not found.', { fix: 'Run tools/setup.sh (installs Debian redis-tools).' });
  // A full run's longest test (10M pipelined requests cluster-wide) takes about 20 s here; 120 s is a hang.
  const r = await runCommand(bin, ['-h', node.host, '-p', String(node.port), '--user', user.user, '-a', user.password, '--csv', ...args], { timeoutMs: TOOL_TIMEOUT_MS, signal });
  if (r.timedOut) {
    throw new DevstackError('CHECK_FAILED', `redis-benchmark ${args.includes('--cluster') ? '--cluster ' : ''}made no end in ${TOOL_TIMEOUT_MS / 1000} s and was stopped (it can loop on MOVED replies while the nodes disagree on the slot map).`, {
      fix: 'Run `npx nx run stack:status`; if the cluster is healthy, run the bench again.',
    });
  }
  if (r.code !== 0) throw new DevstackError('CHECK_FAILED', `redis-benchmark exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
  return parseBenchmarkCsv(`${r.stdout}\n${r.stderr}`.replace(/^.*Could not fetch server CONFIG.*$/gm, ''));
}

/** Metric values of one trial by name, e.g. `m0_set_rps`, `cluster_get_p16_rps`, `m1_get_p95_ms`. */
export type TrialValues = Record<string, number>;

function record(out: TrialValues, prefix: string, rows: BenchmarkRow[], pipeline: number): void {
  for (const row of rows) {
    const cmd = row.command.toLowerCase();
    const p = pipeline > 1 ? `_p${pipeline}` : '';
    out[`${prefix}_${cmd}${p}_rps`] = row.rps;
    if (pipeline === 1) out[`${prefix}_${cmd}_p95_ms`] = row.p95Ms;
  }
}

/**
 * redis-benchmark per master (SET/GET of keys carrying a hash tag that master serves, so no request
 * is redirected) and cluster-wide (--cluster, keys spread over all masters), unpipelined and -P 16.
 */
export async function toolTrial(nodes: ClusterNode[], user: BenchUser, o: ToolRunOptions): Promise<TrialValues> {
  const out: TrialValues = {};
  const value = 'v'.repeat(o.valueSize);
  const common = ['-n', String(o.requests), '-c', String(o.clients), '-r', '100000'];
  for (const [i, master] of slotMasters(nodes).entries()) {
    const key = `${tagFor(master)}:__rand_int__`;
    for (const pipeline of [1, 16]) {
      const extra = pipeline > 1 ? ['-P', String(pipeline)] : [];
      record(out, `m${i}`, await runRedisBenchmark(master, user, [...common, ...extra, 'SET', key, value], o.signal), pipeline);
      record(out, `m${i}`, await runRedisBenchmark(master, user, [...common, ...extra, 'GET', key], o.signal), pipeline);
    }
  }
  const entry = slotMasters(nodes)[0];
  // redis-benchmark --cluster (7.0) times a test in 250 ms steps (its throughput is requests / n x 250 ms):
  // a run of ~0.25 s reads as 40k or 20k req/s. So cluster-wide runs get 10x the requests (100x
  // pipelined), and the step each figure was measured with is kept as `<name>_step_pct`.
  const clusterArgs = (pipeline: number) => ['-n', String(o.requests * (pipeline > 1 ? 100 : 10)), '-c', String(o.clients), '-r', '100000'];
  for (const pipeline of [1, 16]) {
    const extra = pipeline > 1 ? ['-P', String(pipeline)] : [];
    const n = o.requests * (pipeline > 1 ? 100 : 10);
    const rows = await runRedisBenchmark(entry, user, [...clusterArgs(pipeline), ...extra, '--cluster', '-d', String(o.valueSize), '-t', 'set,get'], o.signal);
    record(out, 'cluster', rows, pipeline);
    for (const row of rows) out[`step:cluster_${row.command.toLowerCase()}${pipeline > 1 ? `_p${pipeline}` : ''}_rps`] = (0.25 / (n / row.rps)) * 100;
  }
  return out;
}
