import type { LatencySnapshot } from '@devstack/core';
import { analyseFault, unsteadyWarmup } from '../src/chaos';
import type { FailureEvent, OpenLoopResult, TimeBucket } from '../src/open-loop';

const snap = { p50: 1, p90: 2, p95: 3, p99: 4, max: 5, mean: 1, count: 1 } as unknown as LatencySnapshot;

/** A 10 s run at 100 req/s in 500 ms buckets; `bad` buckets (by start ms) have errors and a slow tail. */
function run(failures: FailureEvent[], bad: Record<number, { failed: number; p95: number }> = {}): OpenLoopResult {
  const buckets: TimeBucket[] = Array.from({ length: 20 }, (_, i) => {
    const atMs = i * 500;
    const b = bad[atMs];
    return { atMs, ops: 50, failed: b?.failed ?? 0, p95: b?.p95 ?? 5, p99: b ? b.p95 * 2 : 8 };
  });
  return {
    rate: 100,
    sent: 1000,
    ops: 1000,
    achievedRate: 100,
    durationS: 10,
    latency: snap,
    failed: failures.length,
    errorRate: failures.length / 1000,
    errorKinds: { 'http 503': failures.length },
    routes: [{ route: '/cache/redis', ops: 1000, failed: failures.length, errorRate: failures.length / 1000, latency: snap, errorKinds: {} }],
    failures,
    buckets,
    generator: { cpuPct: 10, rssMaxMiB: 100, maxSendLagMs: 1, sendLagP95Ms: 1 },
  };
}
const fail = (sentMs: number, doneMs: number): FailureEvent => ({ sentMs, doneMs, route: '/cache/redis', kind: 'http 503' });

describe('load:chaos fault analysis', () => {
  it('error window from the first failed request (its due time) to the last failure, in ms since the fault', () => {
    const o = analyseFault('redis-master', run([fail(3100, 3105), fail(4000, 4010), fail(5200, 5210)], { 3000: { failed: 1, p95: 300 }, 4000: { failed: 1, p95: 900 }, 5000: { failed: 1, p95: 200 } }), 3000, 100, [{ atMs: 3010, label: 'kill -9' }]);
    expect(o).toMatchObject({ failed: 3, failedBeforeFault: 0, firstErrorMs: 100, lastErrorMs: 2210, errorWindowMs: 2110, events: [{ atMs: 10, label: 'kill -9' }] });
    // Healthy again from the 5500 ms bucket (two clean buckets in a row after the last failure).
    expect(o.backToSloMs).toBe(2500);
    expect(o.p99DuringMs).toBe(1800);
  });

  it('failures that completed before the fault are counted apart, not in its error window', () => {
    // The first run of 2026-12-03: requests of the first bucket timed out at run start, before the kill.
    const o = analyseFault('redis-master', run([fail(100, 2100), fail(200, 2200), fail(3100, 3105), fail(4000, 4010)], { 0: { failed: 2, p95: 2000 }, 3000: { failed: 1, p95: 300 }, 4000: { failed: 1, p95: 900 } }), 3000, 100, []);
    expect(o).toMatchObject({ failed: 4, failedBeforeFault: 2, firstErrorMs: 100, lastErrorMs: 1010, errorWindowMs: 910 });
  });

  it('a request sent before the fault that fails after it (in flight at the kill) is the fault\'s', () => {
    const o = analyseFault('redis-master', run([fail(2900, 3400)], { 2500: { failed: 1, p95: 500 } }), 3000, 100, []);
    expect(o).toMatchObject({ failedBeforeFault: 0, firstErrorMs: -100, lastErrorMs: 400, errorWindowMs: 500 });
  });

  it('no failure: no window, back to the SLO from the fault; a run that never recovers says so', () => {
    expect(analyseFault('api-stop', run([], { 3000: { failed: 0, p95: 1500 } }), 3000, 100, [])).toMatchObject({ failed: 0, failedBeforeFault: 0, errorWindowMs: undefined, backToSloMs: 500 });
    const never = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [3000 + i * 500, { failed: 1, p95: 900 }]));
    expect(analyseFault('mysql-restart', run([fail(3000, 9990)], never), 3000, 100, []).backToSloMs).toBeUndefined();
  });
});

describe('load:chaos warm-up', () => {
  const route = (name: string, p95: number, failed = 0) => ({ route: name, ops: 100, failed, errorRate: failed / 100, latency: { ...snap, p95 }, errorKinds: {} });
  const warm = (routes: ReturnType<typeof route>[], p95: number) => ({ failed: routes.reduce((a, r) => a + r.failed, 0), latency: { ...snap, p95 }, routes });

  it('a steady warm-up (no failure, p95 under the SLO) says nothing', () => {
    expect(unsteadyWarmup('redis-master', warm([route('/db/postgres', 4), route('/cache/redis', 6)], 6), 100)).toBeUndefined();
  });

  it('names the routes that were not steady: one slow backend', () => {
    const w = unsteadyWarmup('redis-master', warm([route('/db/postgres', 4), route('/cache/redis', 4718, 16)], 4718), 100)!;
    expect(w).toContain('redis-master: the 2 s warm-up before the run was not steady (16 failed, p95 4718 ms against the SLO 100 ms; 1 of 2 routes: /cache/redis p95 4718 ms, 16 failed)');
    expect(w).not.toContain('/db/postgres p95');
  });

  it('every route slow (a stalled api) reads as every route', () => {
    const w = unsteadyWarmup('mysql-restart', warm([route('/db/postgres', 900), route('/cache/redis', 1000)], 1000), 100)!;
    expect(w).toContain('2 of 2 routes: /db/postgres p95 900 ms; /cache/redis p95 1000 ms');
  });

  it('a p95 over the SLO that no single route reaches says so', () => {
    const w = unsteadyWarmup('api-stop', warm([route('/db/postgres', 90), route('/cache/redis', 95)], 120), 100)!;
    expect(w).toContain('0 of 2 routes: none alone');
  });
});
