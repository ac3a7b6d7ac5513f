import { performance } from 'node:perf_hooks';
import { sleep } from '@devstack/core';
import { Poller, shardAt, startWorkload, waitRejoin, workloadTargets, writeDataKeys, verifyDataKeys, type FailoverContext } from './context';
import { addLoss } from './loss';
import { check, type ScenarioCheck } from './report';
import { infoField } from './topology';
import { KEY_PREFIX } from './workload';
import { keySlot, pickKeys } from '../slots';

/** Scenario 1: cluster_state:ok, 16384 slots, 3 masters each with one replica in sync. */
export async function healthyChecks(ctx: FailoverContext): Promise<ScenarioCheck[]> {
  const checks: ScenarioCheck[] = [];
  for (const port of ctx.ctl.ports) {
    const info = String(await ctx.ctl.call(port, 'CLUSTER', 'INFO'));
    const state = infoField(info, 'cluster_state');
    const slots = infoField(info, 'cluster_slots_ok');
    checks.push(check(`:${port} cluster_state:ok, 16384 slots ok`, state === 'ok' && slots === '16384', 'ok / 16384', `${state} / ${slots}`));
  }
  const { shards } = await ctx.ctl.shards();
  checks.push(check('3 masters, one replica each', shards.length === 3 && shards.every((s) => s.replicaPorts.length === 1), '3 x (1 master + 1 replica)', shards.map((s) => `:${s.masterPort}+[${s.replicaPorts.map((p) => `:${p}`).join(',')}]`).join(' ')));
  for (const s of shards) {
    for (const r of s.replicaPorts) {
      const sync = await ctx.ctl.replicaInSync(r);
      checks.push(check(`replica :${r} in sync with :${s.masterPort}`, sync.ok, 'link up, offsets equal after WAIT', sync.detail));
    }
  }
  return checks;
}

/** Scenario 6: CLUSTER FAILOVER on a replica under load: roles swap, no error, no loss. */
export async function manualFailover(ctx: FailoverContext, slot: number) {
  const shard = await shardAt(ctx, slot);
  const replica = shard.replicaPorts[0];
  const workload = startWorkload(ctx, await workloadTargets(ctx, slot), 'manual');
  await sleep(300, ctx.signal);
  const t0 = performance.now();
  workload.markFault(t0);
  await ctx.ctl.call(replica, 'CLUSTER', 'FAILOVER');
  const poller = new Poller(ctx, ctx.ctl.ports, shard.masterId, t0);
  await poller.start((s) => {
    const last = s[s.length - 1];
    return last.nodes.find((n) => n.port === replica)?.role === 'master' && last.nodes.find((n) => n.port === shard.masterPort)?.role === 'replica' && last.nodes.every((n) => n.state === 'ok');
  }, 15000);
  const t = poller.timeline(replica);
  await sleep(300, ctx.signal);
  await workload.stop();
  const workers = workload.stats();
  const loss = addLoss([...(await workload.verify()).values()]);
  await workload.cleanup();
  const rejoin = await waitRejoin(ctx, shard.masterPort, (await ctx.ctl.nodesOf(replica)).find((n) => n.myself)!.id, 15000);
  const failed = workers.reduce((a, w) => a + w.window.failed, 0);
  const ops = workers.reduce((a, w) => a + w.window.ops, 0);
  return {
    timeline: t,
    workers,
    pipelineRedirects: workers.reduce((a, w) => a + w.pipelineRedirects, 0),
    loss,
    failed,
    ops,
    checks: [
      check(`replica :${replica} became master`, t.promotionMs !== undefined, 'master', t.promotionMs === undefined ? 'no' : `${t.promotionMs} ms`),
      check(`old master :${shard.masterPort} is its caught-up replica`, rejoin.ms !== undefined, 'replica, offsets equal', rejoin.detail),
      check('zero failed client operations', failed === 0, `0 of ${ops}`, `${failed} ${JSON.stringify(Object.assign({}, ...workers.map((w) => w.window.errors)))}`),
      check('zero acknowledged writes lost', loss.lostAcked === 0 && loss.foreign === 0, '0', `${loss.lostAcked} of ${loss.acked}`),
    ],
  };
}

/** Scenario 8: kill -9 a replica: the cluster stays ok, no write fails; it rejoins. */
export async function killReplica(ctx: FailoverContext, slot: number) {
  const shard = await shardAt(ctx, slot);
  const replica = shard.replicaPorts[0];
  const replicaId = (await ctx.ctl.nodesOf(replica)).find((n) => n.myself)!.id;
  const workload = startWorkload(ctx, await workloadTargets(ctx, slot), 'replica');
  await sleep(300, ctx.signal);
  const t0 = ctx.ctl.signal(replica, 'SIGKILL');
  workload.markFault(t0);
  const poller = new Poller(ctx, ctx.ctl.ports.filter((p) => p !== replica), replicaId, t0);
  // Keep watching 1 s past the moment the replica is flagged fail: that is when a state change would show.
  let flaggedAt: number | undefined;
  await poller.start((s) => {
    if (flaggedAt === undefined && s[s.length - 1].nodes.some((n) => n.victimHealth === 'fail')) flaggedAt = s[s.length - 1].t;
    return flaggedAt !== undefined && s[s.length - 1].t > flaggedAt + 1000;
  }, ctx.nodeTimeoutMs * 4 + 5000);
  const t = poller.timeline();
  await workload.stop();
  const workers = workload.stats();
  const loss = addLoss([...(await workload.verify()).values()]);
  await workload.cleanup();
  await ctx.ctl.waitGone(replica);
  await ctx.ctl.restart(replica, ctx.nodeTimeoutMs);
  const rejoin = await waitRejoin(ctx, replica, shard.masterId, 30000);
  const failed = workers.reduce((a, w) => a + w.window.failed, 0);
  const ops = workers.reduce((a, w) => a + w.window.ops, 0);
  return {
    timeline: t,
    loss,
    failed,
    ops,
    rejoinMs: rejoin.ms,
    checks: [
      check('the replica is flagged fail by the survivors', t.detectionMs !== undefined, 'fail flag seen', t.detectionMs === undefined ? 'never' : `${t.detectionMs} ms`),
      check('cluster_state stays ok on every survivor the whole time', t.detectionMs !== undefined && t.stateNotOkMs === 0, '0 ms not ok', `${t.stateNotOkMs} ms not ok over ${t.samples} polls`),
      check('no client operation fails', failed === 0, `0 of ${ops}`, `${failed}`),
      check('no acknowledged write lost', loss.lostAcked === 0 && loss.foreign === 0, '0', `${loss.lostAcked} of ${loss.acked}`),
      check(`the replica rejoins :${shard.masterPort} and catches up`, rejoin.ms !== undefined, 'replica, offsets equal', rejoin.detail),
    ],
  };
}

/**
 * Scenario 9: kill a master and its replica. With cluster-require-full-coverage yes every survivor
 * goes to cluster_state:fail and refuses every key; with no, the other shards serve and only the lost
 * slots answer "CLUSTERDOWN Hash slot not served". Then both come back and the cluster recovers.
 */
export async function killShard(ctx: FailoverContext, slot: number, otherSlot: number, coverage: Map<number, string>) {
  const checks: ScenarioCheck[] = [];
  const shard = await shardAt(ctx, slot);
  const other = await shardAt(ctx, otherSlot);
  const dead = [shard.masterPort, shard.replicaPorts[0]];
  const survivors = ctx.ctl.ports.filter((p) => !dead.includes(p));
  const data = await writeDataKeys(ctx, shard, 'shard');
  const [deadKey] = pickKeys({ count: 1, ranges: shard.slots, prefix: `${KEY_PREFIX}probe:${ctx.run}:dead` });
  const [liveKey] = pickKeys({ count: 1, ranges: other.slots, prefix: `${KEY_PREFIX}probe:${ctx.run}:live` });
  const configured = coverage.get(survivors[0]) ?? 'yes';
  const t0 = ctx.ctl.signal(shard.masterPort, 'SIGKILL');
  ctx.ctl.signal(shard.replicaPorts[0], 'SIGKILL');
  const poller = new Poller(ctx, survivors, shard.masterId, t0);
  const expectFail = configured === 'yes';
  await poller.start((s) => s[s.length - 1].nodes.every((n) => n.state === (expectFail ? 'fail' : 'ok')) && s[s.length - 1].nodes.some((n) => n.victimHealth === 'fail'), ctx.nodeTimeoutMs * 4 + 5000);
  const t = poller.timeline();
  const last = poller.samples[poller.samples.length - 1];
  const states = last.nodes.map((n) => `:${n.port}=${n.state}`).join(' ');
  const probe = async (port: number, key: string) => ctx.ctl.call(port, 'GET', key).then((v) => `reply ${JSON.stringify(v)}`, (e: Error) => `error ${e.message}`);
  if (expectFail) {
    checks.push(check('require-full-coverage yes: every survivor reports cluster_state:fail', last.nodes.every((n) => n.state === 'fail'), 'fail on all 4', states));
    const r = await probe(other.masterPort, liveKey);
    checks.push(check('... and a healthy shard refuses its own keys', r === 'error CLUSTERDOWN The cluster is down', 'error CLUSTERDOWN The cluster is down', r));
  }
  // The same failure with require-full-coverage no, set at runtime on the survivors (restored later).
  for (const p of survivors) await ctx.ctl.call(p, 'CONFIG', 'SET', 'cluster-require-full-coverage', 'no');
  const okNo = await ctx.ctl.until(async () => ((await Promise.all(survivors.map((p) => ctx.ctl.call(p, 'CLUSTER', 'INFO')))).every((i) => infoField(String(i), 'cluster_state') === 'ok') ? true : undefined), 10000, 50, ctx.signal);
  checks.push(check('require-full-coverage no: survivors report cluster_state:ok', okNo === true, 'ok on all 4', okNo ? 'ok' : 'not ok within 10 s'));
  const live = await ctx.client.set(liveKey, 'alive').then((v) => `reply ${v}`, (e: Error) => `error ${e.message}`);
  checks.push(check('... the other shards keep serving (client SET)', live === 'reply OK', 'reply OK', live));
  // The lost slots stay assigned to the failed master, so a survivor redirects to it (MOVED to a dead
  // node; "Hash slot not served" would only come for unassigned slots); the client then fails, bounded.
  const lost = await probe(other.masterPort, deadKey);
  const expectMoved = `error MOVED ${keySlot(deadKey)} ${ctx.ctl.host}:${shard.masterPort}`;
  checks.push(check("... a survivor redirects the dead shard's keys to the failed master", lost === expectMoved, expectMoved, lost));
  const tc = performance.now();
  const viaClient = await ctx.client.get(deadKey).then((v) => `reply ${JSON.stringify(v)}`, (e: Error) => `error ${e.message}`);
  const clientMs = Math.round(performance.now() - tc);
  checks.push(check("... the Cluster client gets an error for the dead shard's keys, bounded by its timeouts", viaClient.startsWith('error') && clientMs < ctx.opBoundMs, `error in < ${ctx.opBoundMs} ms`, `${viaClient} in ${clientMs} ms`));
  // Recovery: both processes back, the setting back to what it was.
  const tr = performance.now();
  for (const p of dead) await ctx.ctl.waitGone(p);
  for (const p of dead) await ctx.ctl.restart(p, ctx.nodeTimeoutMs);
  for (const p of survivors) await ctx.ctl.call(p, 'CONFIG', 'SET', 'cluster-require-full-coverage', coverage.get(p) ?? 'yes');
  const rejoin = await waitRejoin(ctx, shard.replicaPorts[0], shard.masterId, 30000);
  const allOk = await ctx.ctl.until(async () => ((await Promise.all(ctx.ctl.ports.map((p) => ctx.ctl.call(p, 'CLUSTER', 'INFO')))).every((i) => infoField(String(i), 'cluster_state') === 'ok') ? true : undefined), 30000, 50, ctx.signal);
  const recoveryMs = Math.round(performance.now() - tr);
  checks.push(check('after restarting both: all 6 nodes ok, the shard has its master and a caught-up replica', allOk === true && rejoin.ms !== undefined, 'ok, replica in sync', `${allOk ? 'ok' : 'not ok'} after ${recoveryMs} ms; ${rejoin.detail}`));
  const dataLoss = await verifyDataKeys(ctx, data);
  await ctx.client.del(liveKey).catch(() => undefined);
  return { timeline: t, checks, recoveryMs, dataLoss, configured };
}
