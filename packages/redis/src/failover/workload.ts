import { performance } from 'node:perf_hooks';
import { sleep } from '@devstack/core';
import { Cluster } from 'ioredis';
import type { ClusterControl } from './cluster';
import { accountLoss, type LossReport, type WriteRecord } from './loss';
import { errorWindowOf, type ErrorWindow, type OpRecord } from './timing';

/** Pause between a worker's operations: continuous load that leaves CPU for the servers being measured. */
export const WORKLOAD_PACE_MS = 5;
/** Keys written by the suite expire by themselves, so an interrupted run leaves nothing behind for long. */
export const KEY_TTL_S = 900;
export const KEY_PREFIX = 'devstack:failover:';
/**
 * The client re-reads the slot map this often. A paused (SIGSTOP) master never answers MOVED, so this
 * refresh is how the client finds the promoted replica at the latest.
 */
export const SLOTS_REFRESH_MS = 2000;

export interface ClientOptions {
  /** Per-command timeout of the client: a dead node costs at most this per attempt. */
  commandTimeoutMs: number;
}

/** The application's view: an ioredis Cluster client, as a service would configure it. */
export function clusterClient(ctl: ClusterControl, password: string, options: ClientOptions): Cluster {
  const c = new Cluster(
    ctl.ports.map((port) => ({ host: ctl.host, port })),
    {
      redisOptions: { password, commandTimeout: options.commandTimeoutMs, connectTimeout: 1000, maxRetriesPerRequest: 2 },
      enableOfflineQueue: true,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      slotsRefreshTimeout: 1000,
      slotsRefreshInterval: SLOTS_REFRESH_MS,
    },
  );
  c.on('error', () => undefined);
  return c;
}

export interface WorkloadTarget {
  /** Shown in reports: "victim shard", "shard 2" ... */
  label: string;
  /** Hash tag whose slot lives on the shard (see pickHashTag). */
  tag: string;
}

export interface WorkerStats {
  label: string;
  window: ErrorWindow;
  /** Reads that returned something other than the value just acknowledged. */
  readMismatches: number;
  /** Pipelines the application re-sent after a MOVED reply (see worker()). */
  pipelineRedirects: number;
}

/**
 * Continuous writes and reads through one Cluster client, one worker per target shard. Every write
 * goes to a new key `{tag}:<seq>` with `WAIT 1` in the same pipeline (same slot, same node), so the
 * loss accounting can tell "acked" from "acked and on a replica".
 */
export class Workload {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly writes = new Map<string, WriteRecord[]>();
  private readonly ops = new Map<string, (OpRecord & { abs: number })[]>();
  private readonly mismatches = new Map<string, number>();
  private readonly redirects = new Map<string, number>();
  private t0 = performance.now();

  constructor(
    private readonly client: Cluster,
    private readonly targets: WorkloadTarget[],
    private readonly options: { waitMs: number; opBoundMs: number; run: string; signal?: AbortSignal },
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.targets.map((t) => this.worker(t));
  }

  /** Set the time origin (the fault injection time); op times are reported relative to it. */
  markFault(t: number): void {
    this.t0 = t;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async timed<T>(label: string, fn: () => Promise<T>): Promise<{ ok: boolean; value?: T }> {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`HUNG: no answer within ${this.options.opBoundMs} ms`)), this.options.opBoundMs);
    });
    try {
      const value = await Promise.race([fn(), bound]);
      this.ops.get(label)!.push({ start, end: performance.now(), ok: true, abs: start });
      return { ok: true, value };
    } catch (err) {
      this.ops.get(label)!.push({ start, end: performance.now(), ok: false, error: (err as Error).message, abs: start });
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  private async worker(t: WorkloadTarget): Promise<void> {
    const writes: WriteRecord[] = [];
    this.writes.set(t.label, writes);
    this.ops.set(t.label, []);
    this.mismatches.set(t.label, 0);
    for (let seq = 0; this.running && !this.options.signal?.aborted; seq++) {
      const key = `${KEY_PREFIX}{${t.tag}}:${this.options.run}:${seq}`;
      const value = `v${seq}`;
      const w = await this.timed(t.label, async () => {
        // ioredis redirects a pipeline only when every command got the same redirection; here WAIT
        // answers differently from SET, so a MOVED reaches the application, which retries once (the
        // client has already updated its slot map from the MOVED).
        for (let attempt = 0; ; attempt++) {
          const res = await this.client.pipeline().set(key, value, 'EX', KEY_TTL_S).wait(1, this.options.waitMs).exec();
          if (!res) throw new Error('pipeline returned nothing');
          const err = res[0][0];
          if (err && /^MOVED /.test(err.message) && attempt < 5) {
            // A non-retried pipeline does not update ioredis' slot map: refresh it, then re-send. Right
            // after a manual failover the node asked for the slot map may not have heard of it yet
            // (gossip), so the retries back off: 25, 50, 100, 200, 400 ms.
            this.redirects.set(t.label, (this.redirects.get(t.label) ?? 0) + 1);
            await sleep(25 * 2 ** attempt);
            await new Promise<void>((resolve) => this.client.refreshSlotsCache(() => resolve()));
            continue;
          }
          if (err) throw err;
          return res[1][0] ? 0 : Number(res[1][1]);
        }
      });
      writes.push({ key, value, outcome: w.ok ? 'acked' : 'failed', replicas: w.ok ? (w.value as number) : -1 });
      if (w.ok) {
        const r = await this.timed(t.label, () => this.client.get(key));
        if (r.ok && r.value !== value) this.mismatches.set(t.label, this.mismatches.get(t.label)! + 1);
      }
      await new Promise((res) => setTimeout(res, WORKLOAD_PACE_MS));
    }
  }

  /** Per-target error windows, op times relative to the fault. */
  stats(): WorkerStats[] {
    return this.targets.map((t) => ({
      label: t.label,
      window: errorWindowOf(this.ops.get(t.label)!.map((o) => ({ ...o, start: o.start - this.t0, end: o.end - this.t0 }))),
      readMismatches: this.mismatches.get(t.label)!,
      pipelineRedirects: this.redirects.get(t.label) ?? 0,
    }));
  }

  /** Read every key back (MGET per worker: all its keys share one slot) and account for losses. */
  async verify(): Promise<Map<string, LossReport>> {
    const out = new Map<string, LossReport>();
    for (const t of this.targets) {
      const writes = this.writes.get(t.label)!;
      const finalValues = await readBack(this.client, writes.map((w) => w.key));
      out.set(t.label, accountLoss(writes, finalValues));
    }
    return out;
  }

  async cleanup(): Promise<void> {
    for (const writes of this.writes.values()) {
      for (let i = 0; i < writes.length; i += 500) await this.client.unlink(...writes.slice(i, i + 500).map((w) => w.key)).catch(() => undefined);
    }
  }
}

/** MGET in chunks; the keys must share a slot (a hash tag). */
export async function readBack(client: Cluster, keys: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const values = await client.mget(...chunk);
    chunk.forEach((k, j) => out.set(k, values[j]));
  }
  return out;
}
