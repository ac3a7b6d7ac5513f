import { LatencyRecorder, type LatencySnapshot } from '@devstack/core';
import type { RouteStats } from './open-loop';

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
  /** The same figures per route (api path or driver target): one slow route cannot hide in the mix. */
  routes?: RouteStats[];
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

/** Per-route tallies while a run goes: HDR recorder of successes, counts and failure kinds. */
export class RouteTally {
  private readonly by = new Map<string, { rec: LatencyRecorder; ops: number; failed: number; kinds: Record<string, number> }>();

  constructor(routes: string[] = []) {
    for (const r of routes) this.of(r);
  }

  private of(route: string) {
    let t = this.by.get(route);
    if (!t) this.by.set(route, (t = { rec: new LatencyRecorder(), ops: 0, failed: 0, kinds: {} }));
    return t;
  }

  ok(route: string, ms: number): void {
    const t = this.of(route);
    t.ops += 1;
    t.rec.recordMs(ms);
  }

  fail(route: string, kind: string): void {
    const t = this.of(route);
    t.ops += 1;
    t.failed += 1;
    addKind(t.kinds, kind);
  }

  /** Snapshots, and the recorders freed. */
  finish(): RouteStats[] {
    return [...this.by.entries()].map(([route, t]) => {
      const latency = t.rec.snapshot();
      t.rec.destroy();
      return { route, ops: t.ops, failed: t.failed, errorRate: t.ops ? t.failed / t.ops : 0, latency, errorKinds: t.kinds };
    });
  }
}
