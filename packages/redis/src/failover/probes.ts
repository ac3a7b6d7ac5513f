import { performance } from 'node:perf_hooks';
import type { Cluster } from 'ioredis';
import { sleep } from '@devstack/core';
import type { FailoverContext, Poller } from './context';
import { check, type ScenarioCheck } from './report';
import type { Shard } from './topology';
import { clusterClient, KEY_PREFIX } from './workload';
import { keySlot, pickHashTag, pickKeys } from '../slots';

export interface ProbeResult {
  checks: ScenarioCheck[];
  /** Slowest probe through the cluster client (ms): the "no hang" figure. */
  slowestClientMs: number;
}

async function outcome(fn: () => Promise<unknown>): Promise<{ ok: boolean; value?: unknown; error?: string; ms: number }> {
  const t = performance.now();
  try {
    const value = await fn();
    return { ok: true, value, ms: Math.round(performance.now() - t) };
  } catch (err) {
    return { ok: false, error: (err as Error).message, ms: Math.round(performance.now() - t) };
  }
}
const show = (o: { ok: boolean; value?: unknown; error?: string; ms: number }) => (o.ok ? `reply ${JSON.stringify(o.value)}` : `error "${o.error}"`) + ` in ${o.ms} ms`;

/**
 * Scenario 11: cross-slot and multi-key operations while a master is down. Every probe has one
 * documented expected answer (CLUSTERDOWN while the cluster is in fail state, CROSSSLOT, TRYAGAIN on a
 * migrating slot, MOVED to the promoted replica) and a time bound.
 */
export async function runProbes(
  ctx: FailoverContext,
  at: { poller: Poller; victimSlot: number; victimShard: Shard; replicaPort: number; staleClient: Cluster; victimKey: { key: string; value: string } },
): Promise<ProbeResult> {
  const checks: ScenarioCheck[] = [];
  let slowestClientMs = 0;
  const bound = ctx.opBoundMs;
  const { shards } = await ctx.ctl.shards(ctx.ctl.ports.filter((p) => p !== at.victimShard.masterPort));
  const healthy = shards.find((s) => s.masterId !== at.victimShard.masterId)!;
  const [healthyKey] = pickKeys({ count: 1, ranges: healthy.slots, prefix: `${KEY_PREFIX}probe:${ctx.run}:h` });
  const [victimKey] = pickKeys({ count: 1, ranges: at.victimShard.slots, prefix: `${KEY_PREFIX}probe:${ctx.run}:v` });
  const otherKey = pickKeys({ count: 2, ranges: [{ start: 0, end: 16383 }], prefix: `${KEY_PREFIX}probe:${ctx.run}:x` }).find((k) => keySlot(k) !== keySlot(healthyKey))!;

  // 1. While the survivors report cluster_state:fail (victim flagged, replica not yet promoted).
  const failSeen = await waitSample(at.poller, (s) => s.nodes.some((n) => n.port === healthy.masterPort && n.state === 'fail'), ctx);
  let down = { ok: true, ms: 0 } as Awaited<ReturnType<typeof outcome>>;
  let cross = down;
  if (failSeen) {
    down = await outcome(() => ctx.ctl.call(healthy.masterPort, 'GET', healthyKey));
    cross = await outcome(() => ctx.ctl.call(healthy.masterPort, 'MSET', healthyKey, '1', otherKey, '2'));
  }
  checks.push(
    check('healthy shard answers CLUSTERDOWN while the cluster is in fail state (require-full-coverage yes)', !!failSeen && !down.ok && /^CLUSTERDOWN/.test(down.error ?? ''), 'error CLUSTERDOWN The cluster is down', failSeen ? show(down) : 'cluster_state:fail never observed on the healthy master'),
    check('cross-slot MSET is refused with CROSSSLOT, even during the failover', !cross.ok && /^CROSSSLOT/.test(cross.error ?? ''), "error CROSSSLOT Keys in request don't hash to the same slot", show(cross)),
  );
  const viaClient = await outcome(() => ctx.client.mset(healthyKey, '1', otherKey, '2'));
  slowestClientMs = Math.max(slowestClientMs, viaClient.ms);
  checks.push(check('cross-slot MSET through the Cluster client fails fast with CROSSSLOT', !viaClient.ok && /CROSSSLOT/.test(viaClient.error ?? '') && viaClient.ms < bound, `CROSSSLOT error in < ${bound} ms`, show(viaClient)));

  // 2. After promotion: MOVED points at the promoted replica; a client with the old slot map follows it.
  await waitSample(at.poller, () => at.poller.timeline(at.replicaPort).clusterOkMs !== undefined, ctx);
  const moved = await outcome(() => ctx.ctl.call(healthy.masterPort, 'GET', victimKey));
  const expectMoved = `MOVED ${keySlot(victimKey)} ${ctx.ctl.host}:${at.replicaPort}`;
  checks.push(check('a non-owner answers MOVED to the promoted replica', !moved.ok && moved.error === expectMoved, `error ${expectMoved}`, show(moved)));
  const stale = await outcome(() => at.staleClient.get(at.victimKey.key));
  slowestClientMs = Math.max(slowestClientMs, stale.ms);
  checks.push(check('a Cluster client holding the old slot map follows MOVED and reads the WAIT-acked value', stale.ok && stale.value === at.victimKey.value && stale.ms < bound, `"${at.victimKey.value}" in < ${bound} ms`, show(stale)));

  // 3. Multi-key on a slot being migrated: TRYAGAIN (server), bounded retries then the same error (client).
  const tag = pickHashTag(`${ctx.run}:try:`, healthy.slots);
  const slot = keySlot(`{${tag}}`);
  const target = shards.find((s) => s.masterId !== healthy.masterId)!;
  const [present, absent] = [`${KEY_PREFIX}{${tag}}:present`, `${KEY_PREFIX}{${tag}}:absent`];
  await ctx.ctl.call(healthy.masterPort, 'SET', present, 'x', 'EX', 60);
  ctx.migratingSlots.set(slot, healthy.masterPort);
  try {
    await ctx.ctl.call(healthy.masterPort, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.masterId);
    const tryDirect = await outcome(() => ctx.ctl.call(healthy.masterPort, 'MGET', present, absent));
    checks.push(check('MGET on a migrating slot with a key missing answers TRYAGAIN', !tryDirect.ok && /^TRYAGAIN/.test(tryDirect.error ?? ''), 'error TRYAGAIN Multiple keys request during rehashing of slot', show(tryDirect)));
    // ioredis answers TRYAGAIN by re-sending to a random node after 100 ms; that node answers MOVED back
    // to the owner, and so on until maxRedirections (16). The last error is therefore TRYAGAIN or that
    // MOVED, nothing else. A command timeout longer than the loop keeps the timeout out of the race.
    const patient = clusterClient(ctx.ctl, ctx.password, { commandTimeoutMs: 10_000 });
    const tryClient = await outcome(() => patient.mget(present, absent)).finally(() => patient.disconnect());
    slowestClientMs = Math.max(slowestClientMs, tryClient.ms);
    const last = `(TRYAGAIN Multiple keys request during rehashing of slot|MOVED ${slot} ${ctx.ctl.host}:${healthy.masterPort})`;
    const expected = new RegExp(`^Too many Cluster redirections\\. Last error: ReplyError: ${last.replace(/\./g, '\\.')}$`);
    checks.push(check('the Cluster client retries TRYAGAIN a bounded number of times, then fails', !tryClient.ok && expected.test(tryClient.error ?? '') && tryClient.ms < bound, `"Too many Cluster redirections. Last error: ReplyError: ${last}" in < ${bound} ms`, show(tryClient)));
  } finally {
    await ctx.ctl.call(healthy.masterPort, 'CLUSTER', 'SETSLOT', slot, 'STABLE');
    ctx.migratingSlots.delete(slot);
    await ctx.ctl.call(healthy.masterPort, 'DEL', present).catch(() => undefined);
  }
  return { checks, slowestClientMs };
}

async function waitSample(poller: Poller, pred: (s: Poller['samples'][number]) => boolean, ctx: FailoverContext): Promise<boolean> {
  const deadline = performance.now() + Math.max(ctx.budgetMs * 3, ctx.nodeTimeoutMs * 4 + 5000);
  let seen = 0;
  while (performance.now() < deadline) {
    for (; seen < poller.samples.length; seen++) if (pred(poller.samples[seen])) return true;
    await sleep(5, ctx.signal);
  }
  return false;
}
