import { randomInt } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import { LatencyRecorder } from '@devstack/core';
import { slotMasters, tagFor, type ClusterNode } from './topology';

export interface ClientBenchOptions {
  operations: number;
  /**
   * Drive each client for this many seconds instead of `operations` (after an uncounted warm-up of a
   * quarter of it, at most 0.5 s). Throughput in 100 ms windows swings by +-30% on a shared 2-core
   * machine, so a trial of a few hundred milliseconds is mostly noise; regress and calibration use this.
   */
  seconds?: number;
  concurrency: number;
  valueSize: number;
  password: string;
}

export interface ClientTrial {
  clusterOpsPerSec: number;
  singleOpsPerSec: number;
  cluster: LatencyRecorder;
  single: LatencyRecorder;
  /** GET answered by the right master directly. */
  direct: LatencyRecorder;
  /** GET sent to the wrong master: MOVED reply, parse, re-send to the owner (connection already open). */
  redirected: LatencyRecorder;
  errors: number;
}

export const CLIENT_KEY_PREFIX = 'devstack:bench:';

/**
 * `concurrency` workers share `operations` SET/GET pairs' worth of ops (or run for `seconds` after a
 * warm-up); each worker owns a recorder, merged at the end.
 */
async function drive(run: (key: string, set: boolean) => Promise<unknown>, keyOf: (i: number) => string, o: ClientBenchOptions): Promise<{ rec: LatencyRecorder; opsPerSec: number }> {
  if (o.seconds !== undefined) {
    const warm = Math.min(0.5, o.seconds / 4);
    await timed(run, keyOf, o.concurrency, warm, true);
    return timed(run, keyOf, o.concurrency, o.seconds, false);
  }
  const workers = Array.from({ length: o.concurrency }, () => new LatencyRecorder());
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    workers.map(async (rec) => {
      while (next < o.operations) {
        const i = next++;
        await rec.time(() => run(keyOf(randomInt(1000)), i % 2 === 0));
      }
    }),
  );
  return finish(workers, (performance.now() - t0) / 1000);
}

async function timed(run: (key: string, set: boolean) => Promise<unknown>, keyOf: (i: number) => string, concurrency: number, seconds: number, discard: boolean): Promise<{ rec: LatencyRecorder; opsPerSec: number }> {
  const workers = Array.from({ length: concurrency }, () => new LatencyRecorder());
  let i = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    workers.map(async (rec) => {
      while (performance.now() < until) await rec.time(() => run(keyOf(randomInt(1000)), i++ % 2 === 0));
    }),
  );
  const out = finish(workers, (performance.now() - t0) / 1000);
  if (discard) out.rec.destroy();
  return out;
}

function finish(workers: LatencyRecorder[], seconds: number): { rec: LatencyRecorder; opsPerSec: number } {
  const rec = workers.reduce((a, b) => a.merge(b), new LatencyRecorder());
  workers.forEach((w) => w.destroy());
  return { rec, opsPerSec: (rec.count / seconds) | 0 };
}

export const CLUSTER_READY_TIMEOUT_MS = 30_000;

/** What clusterReady needs of an ioredis Cluster (an EventEmitter with a status). */
export interface ReadyEmitter {
  status: string;
  once(event: 'ready' | 'error' | 'end', listener: (err?: Error) => void): unknown;
  off(event: 'ready' | 'error' | 'end', listener: (err?: Error) => void): unknown;
}

/** Resolves when the cluster client is ready (at once if it is already); rejects on error, end, or after `timeoutMs`. */
export function clusterReady(cluster: ReadyEmitter, timeoutMs: number): Promise<void> {
  if (cluster.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      cluster.off('ready', onReady);
      cluster.off('error', onError);
      cluster.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onError = (err?: Error) => done(err ?? new Error('Redis cluster client error before it was ready'));
    const onEnd = () => done(new Error('Redis cluster connection ended before it was ready'));
    const timer = setTimeout(() => done(new Error(`Redis cluster client not ready after ${timeoutMs} ms (status ${cluster.status})`)), timeoutMs);
    cluster.once('ready', onReady);
    cluster.once('error', onError);
    cluster.once('end', onEnd);
  });
}

/**
 * ioredis Cluster (keys spread over every master) against a plain client on one master (keys with a
 * tag that master serves): the difference is the cluster client's routing cost. Then the cost of a
 * MOVED redirect: a plain client asks the wrong master and follows the redirect by hand.
 */
export async function clientTrial(nodes: ClusterNode[], o: ClientBenchOptions): Promise<ClientTrial> {
  const masters = slotMasters(nodes);
  const value = 'v'.repeat(o.valueSize);
  const cluster = new Cluster(masters.map((m) => ({ host: m.host, port: m.port })), { redisOptions: { password: o.password }, enableReadyCheck: true });
  // Listen for 'ready' at once: the cluster connects while the plain clients do, and a 'ready'
  // emitted before a later listener would leave the trial waiting for ever.
  const ready = clusterReady(cluster, CLUSTER_READY_TIMEOUT_MS);
  ready.catch(() => undefined);
  const clients: Redis[] = masters.map((m) => new Redis({ host: m.host, port: m.port, password: o.password, lazyConnect: true, maxRetriesPerRequest: 1 }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await ready;
    const spread = (i: number) => `${CLIENT_KEY_PREFIX}${i}`;
    const tag0 = tagFor(masters[0]);
    const onM0 = (i: number) => `${CLIENT_KEY_PREFIX}${tag0}:${i}`;
    const c = await drive((k, set) => (set ? cluster.set(k, value) : cluster.get(k)), spread, o);
    const s = await drive((k, set) => (set ? clients[0].set(k, value) : clients[0].get(k)), onM0, o);

    // Redirects: keys served by master 1, asked of master 0. One request at a time, so the figure is latency, not queueing.
    const tag1 = tagFor(masters[1]);
    const direct = new LatencyRecorder();
    const redirected = new LatencyRecorder();
    let errors = 0;
    const byPort = new Map(masters.map((m, i) => [m.port, clients[i]]));
    const redirectOps = Math.max(200, Math.floor(o.operations / 5));
    for (let i = 0; i < redirectOps; i++) {
      const key = `${CLIENT_KEY_PREFIX}${tag1}:${i % 1000}`;
      await direct.time(() => clients[1].get(key));
      const t0 = performance.now();
      try {
        await clients[0].get(key);
        errors += 1; // the wrong node answered: no redirect was measured
      } catch (err) {
        const m = /^MOVED \d+ (\S+):(\d+)/.exec((err as Error).message);
        const target = m ? byPort.get(Number(m[2])) : undefined;
        if (!target) errors += 1;
        else {
          await target.get(key);
          redirected.recordMs(performance.now() - t0);
        }
      }
    }
    return { clusterOpsPerSec: c.opsPerSec, singleOpsPerSec: s.opsPerSec, cluster: c.rec, single: s.rec, direct, redirected, errors: errors + c.rec.errors + s.rec.errors + direct.errors };
  } finally {
    cluster.disconnect();
    clients.forEach((c) => c.disconnect());
  }
}
