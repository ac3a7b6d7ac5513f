import { performance } from 'node:perf_hooks';
import type { Cluster } from 'ioredis';
import { sleep, type Progress } from '@devstack/core';
import type { ClusterControl } from './cluster';
import { accountLoss, type LossReport, type WriteRecord } from './loss';
import { timelineOf, type PollSample, type Timeline } from './timing';
import type { Shard } from './topology';
import { pickHashTag, pickKeys } from '../slots';
import { KEY_PREFIX, KEY_TTL_S, Workload, type WorkloadTarget } from './workload';

/** Everything a scenario needs: the live cluster, the resolved options, the client, the abort signal. */
export interface FailoverContext {
  ctl: ClusterControl;
  client: Cluster;
  /** The Redis password (for extra clients); never logged. */
  password: string;
  progress: Progress;
  signal?: AbortSignal;
  run: string;
  budgetMs: number;
  nodeTimeoutMs: number;
  pollMs: number;
  dataKeys: number;
  commandTimeoutMs: number;
  /** No client operation may take longer than this: beyond it, it is a hang. */
  opBoundMs: number;
  /** WAIT timeout for the data keys written before a fault. */
  waitMs: number;
  /** Slots a probe set MIGRATING (slot -> master port), so the final restore can set them STABLE after an interruption. */
  migratingSlots: Map<number, number>;
}

/** The shard that serves `slot` right now (roles move, slots do not). */
export async function shardAt(ctx: FailoverContext, slot: number): Promise<Shard> {
  const { shards } = await ctx.ctl.shards();
  const s = shards.find((x) => x.slots.some((r) => slot >= r.start && slot <= r.end));
  if (!s) throw new Error(`no master serves slot ${slot}`);
  if (s.replicaPorts.length === 0) throw new Error(`shard of slot ${slot} (master :${s.masterPort}) has no replica`);
  return s;
}

/** One workload target per shard, the victim's first, so "victim" and "others" can be told apart. */
export async function workloadTargets(ctx: FailoverContext, victimSlot: number): Promise<WorkloadTarget[]> {
  const { shards } = await ctx.ctl.shards();
  const ordered = [...shards].sort((a, b) => Number(inShard(b, victimSlot)) - Number(inShard(a, victimSlot)));
  return ordered.map((s, i) => ({ label: i === 0 ? 'victim shard' : `other shard ${s.slots[0].start}-`, tag: pickHashTag(`${ctx.run}:t${s.slots[0].start}:`, s.slots) }));
}

const inShard = (s: Shard, slot: number) => s.slots.some((r) => slot >= r.start && slot <= r.end);

export function startWorkload(ctx: FailoverContext, targets: WorkloadTarget[], name: string): Workload {
  const w = new Workload(ctx.client, targets, { waitMs: 100, opBoundMs: ctx.opBoundMs, run: `${ctx.run}:${name}`, signal: ctx.signal });
  w.start();
  return w;
}

/** Keys chosen by slot to live on the shard, written on its master with SET, then WAIT 1 <timeout>. */
export async function writeDataKeys(ctx: FailoverContext, shard: Shard, name: string): Promise<WriteRecord[]> {
  const keys = pickKeys({ count: ctx.dataKeys, ranges: shard.slots, prefix: `${KEY_PREFIX}data:${ctx.run}:${name}:` });
  const conn = ctx.ctl.conn(shard.masterPort, ctx.waitMs + 1000);
  const p = conn.pipeline();
  keys.forEach((k, i) => p.set(k, `${name}-${i}`, 'EX', KEY_TTL_S));
  const res = await p.exec();
  const replicas = Number(await conn.call('WAIT', '1', String(ctx.waitMs)));
  return keys.map((key, i) => ({ key, value: `${name}-${i}`, outcome: res?.[i]?.[0] ? 'failed' : 'acked', replicas }));
}

export async function verifyDataKeys(ctx: FailoverContext, writes: WriteRecord[]): Promise<LossReport> {
  // Key by key through the application's client (different slots: one GET each).
  const finalValues = new Map<string, string | null>();
  for (const w of writes) finalValues.set(w.key, await ctx.client.get(w.key));
  return accountLoss(writes, finalValues);
}


/** Polls the given nodes every pollMs until `done` says so (or the time limit), collecting samples. */
export class Poller {
  readonly samples: PollSample[] = [];
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly ctx: FailoverContext,
    private ports: number[],
    private readonly victimId: string | undefined,
    readonly t0: number,
  ) {}

  start(done: (samples: PollSample[]) => boolean, limitMs: number): Promise<void> {
    this.loop = (async () => {
      while (!this.stopped && performance.now() - this.t0 < limitMs) {
        const began = performance.now();
        this.samples.push(await this.ctx.ctl.pollOnce(this.ports, this.victimId, this.t0));
        if (done(this.samples)) break;
        await sleep(Math.max(0, this.ctx.pollMs - (performance.now() - began)), this.ctx.signal);
      }
    })();
    return this.loop;
  }

  timeline(replicaPort?: number): Timeline {
    return timelineOf(this.samples, { replicaPort });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.catch(() => undefined);
  }
}

/** Stop condition: the replica is master and every polled node says cluster_state:ok. */
export const promotedAndOk = (replicaPort: number) => (samples: PollSample[]) => timelineOf(samples, { replicaPort }).clusterOkMs !== undefined;

/** Wait until the node is a replica of `masterId` and caught up; returns ms taken, or undefined. */
export async function waitRejoin(ctx: FailoverContext, port: number, masterId: string, timeoutMs: number): Promise<{ ms?: number; detail: string }> {
  const t = performance.now();
  let detail = 'never answered';
  const ok = await ctx.ctl.until(
    async () => {
      const me = (await ctx.ctl.nodesOf(port)).find((n) => n.myself);
      if (!me || me.role !== 'replica' || me.masterId !== masterId) {
        detail = `:${port} is ${me?.role ?? '?'}${me?.masterId ? ` of ${me.masterId.slice(0, 8)}` : ''}`;
        return undefined;
      }
      const sync = await ctx.ctl.replicaInSync(port);
      detail = sync.detail;
      if (!sync.ok) return undefined;
      // Rejoined means the others agree too: no node may still flag it fail / fail?.
      for (const p of ctx.ctl.ports.filter((x) => x !== port)) {
        const seen = (await ctx.ctl.nodesOf(p)).find((n) => n.id === me.id);
        if (seen?.health !== 'ok') {
          detail = `${sync.detail}; :${p} still sees it ${seen?.health ?? 'absent'}`;
          return undefined;
        }
      }
      return true;
    },
    timeoutMs,
    50,
    ctx.signal,
  );
  return { ms: ok ? Math.round(performance.now() - t) : undefined, detail };
}
