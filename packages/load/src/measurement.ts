import type { LatencySnapshot } from '@devstack/core';

/** What every engine returns for one scenario run: the same schema whether k6 or the built-in engine ran. */
export interface LoadMeasurement {
  engine: 'k6' | 'builtin';
  /** The tool behind the engine: "k6 v0.54.0", "autocannon 8", "drivers: pg, mysql2, mongodb, ioredis Cluster". */
  tool: string;
  scenario: string;
  /** What was loaded: the api URL (HTTP, and k6 db/cache) or the servers themselves (built-in db/cache). */
  target: string;
  /** Wall time of the load phase, seconds. */
  durationS: number;
  /** Completed operations, successful or not. */
  ops: number;
  /** Operations per second over durationS. */
  throughput: number;
  /** Latency of successful operations (HDR histogram, ms). */
  latency: LatencySnapshot;
  failed: number;
  errorRate: number;
  /** Failure kinds and counts: "http 503", "ECONNRESET", "request timed out", "MOVED". */
  errorKinds: Record<string, number>;
  /** k6 metric names the latency and failure figures answer for in thresholds. */
  latencyMetric: string;
  failureMetric: string;
  /** Peak concurrency (VUs / connections / in-flight ops). */
  maxVus: number;
  /** Engine remarks: credential fallbacks, driver warnings. */
  warnings?: string[];
}

/** Which k6 metrics a scenario's `exec` function feeds. */
export function metricNames(exec: string): { latencyMetric: string; failureMetric: string } {
  if (exec === 'db') return { latencyMetric: 'db_query_duration', failureMetric: 'op_failed' };
  if (exec === 'cache') return { latencyMetric: 'cache_op_duration', failureMetric: 'op_failed' };
  return { latencyMetric: 'http_req_duration', failureMetric: 'http_req_failed' };
}

export function addKind(kinds: Record<string, number>, kind: string, n = 1): void {
  kinds[kind] = (kinds[kind] ?? 0) + n;
}

/** A short, stable error kind from a driver or socket error (code first, then the message's head). */
export function errorKind(err: unknown): string {
  const e = err as { code?: string | number; message?: string };
  const msg = String(e?.message ?? err ?? 'error');
  if (/^MOVED|^ASK/.test(msg)) return msg.split(' ')[0];
  if (typeof e?.code === 'string' && e.code) return e.code;
  return msg.split(/[:\n]/)[0].slice(0, 60);
}
